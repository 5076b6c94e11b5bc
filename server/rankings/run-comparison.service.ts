// Comparing two runs of a period (issue 3): per agency the total and rank before and after, the indicators whose
// points changed, who moved up or down. Results are read through the rankings views only; the diff itself is the
// pure scoring/run-diff. Appeals use the same diff as the change log of a new publication.
import type { Knex } from 'knex';
import { authorize, type Actor } from '../auth/policy.js';
import { notFound, validationError } from '../errors.js';
import type { FrameworkService } from '../frameworks/frameworks.service.js';
import { indicatorsOf } from '../frameworks/framework.types.js';
import type { PeriodService, PeriodRow } from '../periods/periods.service.js';
import type { ScoringService, RunRow } from '../scoring/scoring.service.js';
import { diffRuns, type RunDiff, type RunSide } from '../scoring/run-diff.js';
import * as view from './rankings.view.js';

export interface RunComparison {
  period: PeriodRow;
  /** The period's runs, newest first, to choose from. */
  runs: RunRow[];
  from?: RunRow;
  to?: RunRow;
  diff?: RunDiff;
  indicatorNames: Record<string, string>;
}

export class RunComparisonService {
  constructor(
    private readonly db: Knex,
    private readonly deps: { periods: PeriodService; frameworks: FrameworkService; scoring: ScoringService },
  ) {}

  /** A run's totals and indicator points, as the run diff takes them. */
  async side(runId: number): Promise<RunSide> {
    const [totals, indicators] = await Promise.all([
      view.rankingRows(this.db, runId),
      view.nodeScores(this.db, runId, { kinds: ['indicator'] }),
    ]);
    return { totals, indicators };
  }

  async diff(fromRunId: number, toRunId: number): Promise<RunDiff> {
    const from = await this.side(fromRunId);
    const to = await this.side(toRunId);
    return diffRuns(from, to);
  }

  /** One agency's indicator scores in a run. */
  indicatorScoresOf(runId: number, agencyId: number): Promise<view.NodeScoreRow[]> {
    return view.nodeScores(this.db, runId, { kinds: ['indicator'], agencyId });
  }

  /** The Department compares two runs of a period; by default the latest against the one before it. */
  async compare(actor: Actor, periodId: number, fromRunId?: number, toRunId?: number): Promise<RunComparison> {
    authorize(actor, 'runs.read');
    const period = await this.deps.periods.get(periodId);
    const fw = await this.deps.frameworks.get(period.frameworkId);
    const runs = (await this.deps.scoring.listRuns(periodId)).filter((r) => r.status === 'succeeded');
    const pick = async (id: number | undefined, fallback: RunRow | undefined): Promise<RunRow | undefined> => {
      if (id === undefined) return fallback;
      const run = await this.deps.scoring.getRun(id);
      if (!run || run.periodId !== periodId) throw notFound('lần tính của kỳ này');
      return run;
    };
    const to = await pick(toRunId, runs[0]);
    const from = await pick(fromRunId, runs.find((r) => to !== undefined && r.id < to.id));
    const indicatorNames = Object.fromEntries(indicatorsOf(fw.definition.nodes).map((i) => [i.code, i.name]));
    if (!from || !to) return { period, runs, indicatorNames, ...(to ? { to } : {}), ...(from ? { from } : {}) };
    if (from.id === to.id) throw validationError('Hãy chọn hai lần tính khác nhau để so sánh.');
    return { period, runs, from, to, diff: await this.diff(from.id, to.id), indicatorNames };
  }
}
