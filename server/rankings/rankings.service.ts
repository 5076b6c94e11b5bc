// Rankings and scorecards as people read them. Agencies and leaders see published results only; the Department
// also sees the latest unpublished run, labelled as such.
import type { Knex } from 'knex';
import { authorize, can, type Actor } from '../auth/policy.js';
import type { FrameworkService } from '../frameworks/frameworks.service.js';
import { indicatorsOf, subindexNodeCodes, type FrameworkDef, type IndicatorDef } from '../frameworks/framework.types.js';
import type { CountedValueRow, SubmissionService } from '../submissions/submissions.service.js';
import { indicatorChanges, provinceRates, type IndicatorChange, type ProvinceRate } from './explain.js';
import type { PeriodService, PeriodRow } from '../periods/periods.service.js';
import type { ScoringService, RunRow } from '../scoring/scoring.service.js';
import type { AgencyService, AgencyRow } from '../agencies/agencies.service.js';
import { notFound } from '../errors.js';
import { uncertaintyApplies } from '../scoring/uncertainty.js';
import { roundPublished } from '../scoring/score.js';
import * as view from './rankings.view.js';
import { COUNTED_STATES, STATE_LABELS } from '../submissions/workflow.js';

export interface RankedAgency extends view.RankingRow {
  indices: Record<string, number | null>;
  subindices: Record<string, { value: number | null; rank: number | null }>;
  previousValue: number | null;
  previousRank: number | null;
  /**
   * In a run not yet published, an agency whose report the index does not count (not approved): its report's state
   * now, or none, so the Department reads its low score as missing data rather than as a result.
   */
  pendingReport: { state: string; label: string } | null;
}

export interface RankingsPage {
  period: PeriodRow;
  framework: { code: string; name: string; version: number };
  run: RunRow | undefined;
  /** Whether rank uncertainty applies (points add up the tree; scoring/uncertainty.ts). */
  uncertainty: boolean;
  indices: Array<{ code: string; name: string; max: number }>;
  subindices: Array<{ code: string; name: string; max: number }>;
  groups: Array<{ id: number; code: string; name: string; ranked: boolean; rows: RankedAgency[]; pending: number }>;
  previousPeriod: PeriodRow | undefined;
  /** Province-wide figure of each ratio indicator (Σ numerators / Σ denominators) beside the mean of the rates. */
  provinceRates: ProvinceRate[];
  /**
   * The values behind the run shown, as counted now: of approved or published reports for the Department, which
   * reads the latest run; of published ones only for readers of published results, who must not see the figures of
   * reports approved since the publication. The province rates are taken over them, and the reports' annexes show them.
   */
  counted: CountedValueRow[];
}

export interface ScorecardLine {
  indicator: IndicatorDef;
  points: number;
  max: number;
  lost: number;
  flag: string;
  previousPoints: number | null;
  /** Points now minus points in the previous period; null without a previous value. */
  delta: number | null;
}

export interface Scorecard {
  period: PeriodRow;
  agency: AgencyRow;
  run: RunRow;
  total: view.RankingRow;
  sections: Array<{ code: string; name: string; points: number; max: number; value: number | null; rank: number | null; lines: ScorecardLine[] }>;
  subindices: Array<{ code: string; name: string; value: number | null; rank: number | null }>;
  previous: { periodName: string; value: number | null; rank: number | null } | null;
  /**
   * Indicators whose points moved most since the previous period, largest first, each with the rank the agency
   * would hold had it not moved.
   */
  movers: IndicatorChange[];
  /**
   * Change of the total since the previous period, null without a previous result: the value (0–1, rounded as
   * published), and the points only where both periods count the same maximum — a semiannual period scores fewer
   * indicators than the year, so its points are not on the year's scale.
   */
  change: { value: number | null; points: number | null; rankUp: number | null; rankDown: number | null } | null;
  history: Array<{ periodId: number; periodName: string; value: number | null; rank: number | null }>;
}

/** Runs whose ranked figures are kept in memory: the latest of a few periods, as readers open them. */
const RUNS_KEPT = 8;

export class RankingsService {
  /**
   * The ranked figures of a run (index and sub-index values and ranks of every agency), by run and kinds. A run's
   * results never change once it is computed (a later run stores its own), so an entry is right for as long as it
   * is kept, and a new run is a new key: nothing needs invalidating. Who may read which run is decided before
   * (runFor). Readers of one run share one read.
   */
  private readonly headScores = new Map<string, Promise<view.NodeScoreRow[]>>();

  constructor(
    private readonly db: Knex,
    private readonly deps: {
      periods: PeriodService;
      frameworks: FrameworkService;
      scoring: ScoringService;
      agencies: AgencyService;
      submissions: SubmissionService;
    },
  ) {}

  /** Which run an actor reads: the Department sees the latest, everyone else the latest published. */
  async runFor(actor: Actor, periodId: number): Promise<RunRow | undefined> {
    return this.deps.scoring.latestRun(periodId, !can(actor, 'runs.read'));
  }

  async rankings(actor: Actor, periodId: number, run?: RunRow): Promise<RankingsPage> {
    authorize(actor, 'rankings.read');
    const period = await this.deps.periods.get(periodId);
    const fw = await this.deps.frameworks.get(period.frameworkId);
    const chosen = run ?? (await this.runFor(actor, periodId));
    const previousPeriod = await this.deps.periods.previous(period);
    const page: RankingsPage = {
      period,
      framework: { code: fw.code, name: fw.name, version: fw.version },
      run: chosen,
      uncertainty: uncertaintyApplies(fw.definition),
      indices: fw.definition.nodes.map((n) => ({ code: n.code, name: n.name, max: n.max })),
      subindices: fw.definition.subindices.map((s) => ({
        code: s.code,
        name: s.name,
        max: subindexMax(fw.definition, subindexNodeCodes(fw.definition.subindices, s.code)),
      })),
      groups: [],
      previousPeriod,
      provinceRates: [],
      counted: [],
    };
    if (!chosen) return page;

    // A main index may be an indicator itself (a framework kept at QĐ 922's main-index level).
    const topIndicators = fw.definition.nodes.some((n) => n.type === 'indicator');
    const [rows, nodes] = await Promise.all([
      view.rankingRows(this.db, chosen.id),
      this.rankedFigures(chosen, topIndicators ? ['index', 'subindex', 'indicator'] : ['index', 'subindex']),
    ]);
    page.counted = await this.deps.submissions.countedValues(periodId, { publishedOnly: !can(actor, 'runs.read') });
    const values = page.counted.map((c) => ({ agencyId: c.agencyId, code: c.code, value: c.appraised ?? c.self }));
    page.provinceRates = provinceRates(fw.definition, values, new Set(rows.map((r) => r.agencyId)));
    const prevRun = previousPeriod && (await this.deps.scoring.latestRun(previousPeriod.id, true));
    const prevRows = prevRun ? await view.rankingRows(this.db, prevRun.id) : [];
    const prevByAgency = new Map(prevRows.map((r) => [r.agencyId, r]));
    const topCodes = new Set(page.indices.map((i) => i.code));
    const byAgency = new Map<number, view.NodeScoreRow[]>();
    for (const n of nodes) {
      const list = byAgency.get(n.agencyId);
      if (list) list.push(n);
      else byAgency.set(n.agencyId, [n]);
    }

    const reports = chosen.publication ? undefined : await this.deps.submissions.statesByAgency(periodId);
    const pendingReport = (agencyId: number): RankedAgency['pendingReport'] => {
      if (!reports) return null;
      const state = reports.get(agencyId)?.state;
      if (state && COUNTED_STATES.includes(state)) return null;
      return state ? { state, label: STATE_LABELS[state] } : { state: 'none', label: 'Chưa mở báo cáo' };
    };
    for (const r of rows) {
      let group = page.groups.find((g) => g.id === r.groupId);
      if (!group) {
        group = { id: r.groupId, code: r.groupCode, name: r.groupName, ranked: r.ranked, rows: [], pending: 0 };
        page.groups.push(group);
      }
      const pending = pendingReport(r.agencyId);
      if (pending) group.pending += 1;
      const mine = byAgency.get(r.agencyId) ?? [];
      const prev = prevByAgency.get(r.agencyId);
      group.rows.push({
        ...r,
        indices: Object.fromEntries(mine.filter((n) => n.kind !== 'subindex' && topCodes.has(n.code)).map((n) => [n.code, n.value])),
        subindices: Object.fromEntries(
          mine.filter((n) => n.kind === 'subindex').map((n) => [n.code, { value: n.value, rank: n.rank }]),
        ),
        previousValue: prev?.value ?? null,
        previousRank: prev?.rank ?? null,
        pendingReport: pending,
      });
    }
    return page;
  }

  private rankedFigures(run: RunRow, kinds: Array<view.NodeScoreRow['kind']>): Promise<view.NodeScoreRow[]> {
    // With its start and inputs: a database restored under a running server could give an id to another run.
    const key = `${run.id}:${run.startedAt.toISOString()}:${run.inputHash}:${kinds.join(',')}`;
    let scores = this.headScores.get(key);
    if (scores) {
      this.headScores.delete(key);
    } else {
      scores = view.nodeScores(this.db, run.id, { kinds });
      // A failed read is not kept: the next reader tries again.
      scores.catch(() => this.headScores.delete(key));
      if (this.headScores.size >= RUNS_KEPT) this.headScores.delete(this.headScores.keys().next().value!);
    }
    this.headScores.set(key, scores);
    return scores;
  }

  /** Every agency's indicator scores in a run, for report annexes. */
  indicatorScores(runId: number): Promise<view.NodeScoreRow[]> {
    return view.nodeScores(this.db, runId, { kinds: ['indicator'] });
  }

  async scorecard(actor: Actor, periodId: number, agencyId: number): Promise<Scorecard | undefined> {
    authorize(actor, 'rankings.read');
    const period = await this.deps.periods.get(periodId);
    const agency = await this.deps.agencies.get(agencyId);
    const run = await this.runFor(actor, periodId);
    if (!run) return undefined;
    const fw = await this.deps.frameworks.get(period.frameworkId);
    const [total] = await view.rankingRows(this.db, run.id, agencyId);
    if (!total) throw notFound('kết quả của đơn vị trong kỳ này');
    const scores = await view.nodeScores(this.db, run.id, { kinds: ['index', 'subindex', 'indicator'], agencyId });
    const previousPeriod = await this.deps.periods.previous(period);
    const prevRun = previousPeriod && (await this.deps.scoring.latestRun(previousPeriod.id, true));
    const prevScores = prevRun
      ? await view.nodeScores(this.db, prevRun.id, { kinds: ['indicator'], agencyId })
      : [];
    const [prevTotal] = prevRun ? await view.rankingRows(this.db, prevRun.id, agencyId) : [];
    const byCode = new Map(scores.map((s) => [s.code, s]));
    // Only what the previous period counted compares: an indicator it did not score (collected yearly, so not in a
    // half year; not applicable; left out of the max) has no previous points, not 0 of them.
    const prevByCode = new Map(prevScores.filter((s) => s.max > 0).map((s) => [s.code, s]));

    const sections = fw.definition.nodes.map((node) => {
      const s = byCode.get(node.code);
      const indicators = node.type === 'indicator' ? [node] : indicatorsOf(node.children);
      return {
        code: node.code,
        name: node.name,
        points: s?.points ?? 0,
        max: s?.max ?? 0,
        value: s?.value ?? null,
        rank: s?.rank ?? null,
        lines: indicators.map((ind) => {
          const sc = byCode.get(ind.code);
          const points = sc?.points ?? 0;
          const max = sc?.max ?? 0;
          const previous = prevByCode.get(ind.code);
          return {
            indicator: ind,
            points,
            max,
            lost: Math.round((max - points) * 10_000) / 10_000,
            flag: sc?.flag ?? 'missing',
            previousPoints: previous?.points ?? null,
            // A change only where both periods count the indicator.
            delta: previous && max > 0 ? Math.round((points - previous.points) * 10_000) / 10_000 : null,
          };
        }),
      };
    });
    // The others in the agency's group as they stand in this run, to tell which changes moved the rank.
    const group = total.ranked ? (await view.rankingRows(this.db, run.id)).filter((r) => r.groupId === total.groupId && r.agencyId !== agencyId) : [];
    const movers = indicatorChanges(
      sections
        .flatMap((s) => s.lines)
        .map((l) => ({ code: l.indicator.code, name: l.indicator.name, points: l.points, previousPoints: l.delta === null ? null : l.previousPoints })),
      { points: total.points, max: total.max, rank: total.rank },
      group.map((r) => r.value),
    );
    return {
      period,
      agency,
      run,
      total,
      sections,
      subindices: fw.definition.subindices.map((si) => ({
        code: si.code,
        name: si.name,
        value: byCode.get(si.code)?.value ?? null,
        rank: byCode.get(si.code)?.rank ?? null,
      })),
      previous: prevTotal ? { periodName: previousPeriod!.name, value: prevTotal.value, rank: prevTotal.rank } : null,
      movers,
      change: prevTotal
        ? {
            value: total.value !== null && prevTotal.value !== null ? roundPublished(total.value - prevTotal.value) : null,
            points: prevTotal.max === total.max ? roundPublished(total.points - prevTotal.points) : null,
            ...rankMove(prevTotal.rank, total.rank),
          }
        : null,
      history: await view.rankHistory(this.db, agencyId, fw.code),
    };
  }
}

function subindexMax(def: FrameworkDef, of: readonly string[]): number {
  let max = 0;
  const walk = (nodes: FrameworkDef['nodes']): void => {
    for (const n of nodes) {
      if (of.includes(n.code)) max += n.max;
      else if (n.type === 'index') walk(n.children);
    }
  };
  walk(def.nodes);
  return max;
}

/** Places gained or lost in the group between two ranks (a smaller rank is better). */
function rankMove(before: number | null, now: number | null): { rankUp: number | null; rankDown: number | null } {
  if (before === null || now === null || before === now) return { rankUp: null, rankDown: null };
  return before > now ? { rankUp: before - now, rankDown: null } : { rankUp: null, rankDown: now - before };
}
