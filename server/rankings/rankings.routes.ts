import type { Services } from '../container.js';
import { can } from '../auth/policy.js';
import { actorOf, idParam, noticeOf, type Route } from '../http/route.js';
import { renderFragment, renderPage } from '../http/views.js';
import { roundPublished } from '../scoring/score.js';

/** ?draws=&spread=(percent)&seed= of the uncertainty screen; anything unreadable is left to the service to refuse. */
function uncertaintyQuery(q: Record<string, unknown>): { draws?: number; spread?: number; seed?: number } {
  const read = (name: string): number | undefined => {
    const v = q[name];
    if (typeof v !== 'string' || v.trim() === '') return undefined;
    return Number(v.trim().replace(',', '.'));
  };
  const spread = read('spread');
  const out: { draws?: number; spread?: number; seed?: number } = {};
  const draws = read('draws');
  const seed = read('seed');
  if (draws !== undefined) out.draws = draws;
  if (spread !== undefined) out.spread = spread / 100;
  if (seed !== undefined) out.seed = seed;
  return out;
}

export function rankingsRoutes(s: Services): Route[] {
  return [
    {
      method: 'get',
      path: '/rankings',
      access: 'rankings.read',
      handler: async (req, res) => {
        const actor = actorOf(res);
        const periods = await s.periods.list();
        const wanted = typeof req.query.period === 'string' ? Number(req.query.period) : NaN;
        // By default the most recent period that has results the reader may see.
        let period = periods.find((p) => p.id === wanted);
        if (!period) {
          for (const p of periods) {
            if (await s.rankings.runFor(actor, p.id)) {
              period = p;
              break;
            }
          }
        }
        period ??= periods[0];
        const page = period ? await s.rankings.rankings(actor, period.id) : undefined;
        const chart = page?.groups.map((g) => ({
          group: g.name,
          labels: g.rows.map((r) => r.agencyName),
          values: g.rows.map((r) => (r.value === null ? null : roundPublished(r.value))),
        }));
        res.send(
          renderPage('rankings/index', {
            ...res.locals,
            title: 'Xếp hạng chỉ số chuyển đổi số',
            scripts: ['/static/vendor/chart.umd.js', '/static/js/rankings-chart.js'],
            periods: periods.map((p) => ({ ...p, selected: p.id === period?.id })),
            page,
            results:
              page &&
              renderFragment('rankings-results', {
                periodId: page.period.id,
                indices: page.indices,
                subindices: page.subindices,
                groups: page.groups,
                chart,
              }),
            rates: page?.provinceRates.map((r) => ({
              ...r,
              pooledPct: r.pooled === null ? null : r.pooled * 100,
              meanPct: r.meanOfRates === null ? null : r.meanOfRates * 100,
            })),
            canCompute: can(actor, 'runs.compute'),
            canPublish: can(actor, 'runs.publish'),
            canReports: can(actor, 'reports.read'),
            canManage: can(actor, 'frameworks.manage'),
            notice: noticeOf(req),
          }),
        );
      },
    },
    {
      // Rank uncertainty beside the ranks (scoring/uncertainty.ts); same readers as the rankings.
      method: 'get',
      path: '/rankings/:periodId/uncertainty',
      access: 'rankings.read',
      handler: async (req, res) => {
        const actor = actorOf(res);
        const report = await s.scoring.uncertainty(actor, idParam(req, 'periodId'), uncertaintyQuery(req.query));
        // One entry per group, in the page's order (null for groups that are not ranked).
        const chart = report.groups.map((g) =>
          g.ranked
            ? {
                group: g.name,
                labels: g.rows.map((r) => r.agencyName),
                ranks: g.rows.map((r) => r.rank),
                intervals: g.rows.map((r) => (r.low === null ? null : [r.low, r.high])),
                size: g.rows.length,
              }
            : null,
        );
        const groups = report.groups.map((g) => ({
          ...g,
          rows: g.rows.map((r) => ({ ...r, stablePercent: r.stable === null ? null : Math.round(r.stable * 100) })),
        }));
        res.send(
          renderPage('rankings/uncertainty', {
            ...res.locals,
            title: 'Độ bất định của xếp hạng',
            scripts: ['/static/vendor/chart.umd.js', '/static/js/uncertainty-chart.js'],
            report: { ...report, groups },
            spreadPercent: Math.round(report.options.spread * 1000) / 10,
            chart,
          }),
        );
      },
    },
    {
      method: 'get',
      path: '/rankings/:periodId/agencies/:agencyId',
      access: 'rankings.read',
      handler: async (req, res) => {
        const actor = actorOf(res);
        const agencyId = idParam(req, 'agencyId');
        const card = await s.rankings.scorecard(actor, idParam(req, 'periodId'), agencyId);
        res.send(
          renderPage('rankings/scorecard', {
            ...res.locals,
            title: card ? `Phiếu điểm — ${card.agency.name}` : 'Phiếu điểm',
            card,
            canDownload: can(actor, 'scorecards.read', agencyId),
          }),
        );
      },
    },
  ];
}
