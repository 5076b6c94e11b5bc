import type { Request } from 'express';
import type { Services } from '../container.js';
import { notFound } from '../errors.js';
import { actorOf, idParam, type Route } from '../http/route.js';
import { renderPage } from '../http/views.js';

/** An optional run id from the query string; anything but a positive integer is "not found". */
function runQuery(req: Request, name: string): number | undefined {
  const raw = req.query[name];
  if (raw === undefined || raw === '') return undefined;
  if (typeof raw !== 'string' || !/^\d{1,9}$/.test(raw) || Number(raw) <= 0) throw notFound('lần tính của kỳ này');
  return Number(raw);
}

const MOVEMENT_LABELS: Record<string, string> = {
  up: 'Tăng hạng',
  down: 'Giảm hạng',
  same: 'Giữ hạng',
  added: 'Mới có kết quả',
  removed: 'Không còn trong lần tính',
};

export function runDiffRoutes(s: Services): Route[] {
  return [
    {
      method: 'get',
      path: '/periods/:periodId/runs/compare',
      access: 'runs.read',
      handler: async (req, res) => {
        const actor = actorOf(res);
        const cmp = await s.runComparison.compare(actor, idParam(req, 'periodId'), runQuery(req, 'from'), runQuery(req, 'to'));
        const runLabel = (r: { id: number; publication: { number: number } | null }): string =>
          r.publication ? `Lần tính #${r.id} — công bố lần ${r.publication.number}` : `Lần tính #${r.id} — chưa công bố`;
        res.send(
          renderPage('rankings/compare', {
            ...res.locals,
            title: `So sánh hai lần tính — ${cmp.period.name}`,
            cmp,
            fromOptions: cmp.runs.map((r) => ({ id: r.id, label: runLabel(r), startedAt: r.startedAt, selected: r.id === cmp.from?.id })),
            toOptions: cmp.runs.map((r) => ({ id: r.id, label: runLabel(r), startedAt: r.startedAt, selected: r.id === cmp.to?.id })),
            fromLabel: cmp.from && runLabel(cmp.from),
            toLabel: cmp.to && runLabel(cmp.to),
            rows: cmp.diff?.changed.map((d) => ({
              ...d,
              movementLabel: MOVEMENT_LABELS[d.movement],
              // The five largest changes first; the rest folded away, so a fully re-entered report stays readable.
              top: d.indicators.slice(0, 5).map((i) => ({ ...i, name: cmp.indicatorNames[i.code] ?? '' })),
              more: d.indicators.slice(5).map((i) => ({ ...i, name: cmp.indicatorNames[i.code] ?? '' })),
            })),
            unchangedCount: cmp.diff ? cmp.diff.agencies.length - cmp.diff.changed.length : 0,
          }),
        );
      },
    },
  ];
}
