// Runs of the index: read the approved values of a period, score with the pure core, and store the results in
// one transaction. An advisory lock per period keeps two instances from computing the same period at once; a run
// whose inputs (and code) have not changed since the last one is skipped, so the scheduled job only recomputes
// what changed. Publication freezes a run; later changes make a new run and a new publication.
import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { authorize, type Actor } from '../auth/policy.js';
import { conflict, notFound } from '../errors.js';
import type { AgencyService } from '../agencies/agencies.service.js';
import type { FrameworkService } from '../frameworks/frameworks.service.js';
import type { PeriodService, PeriodRow } from '../periods/periods.service.js';
import type { SubmissionService } from '../submissions/submissions.service.js';
import type { AuditService } from '../audit/audit.service.js';
import { computeScores } from './compute.js';
import type { AgencyInput, ReportedValue } from './scoring.types.js';
import type { FrameworkDef } from '../frameworks/framework.types.js';
import { formedAnnually, notScoredIn, withAnnualValues, type HalfValue, type HalfValues } from './annual-value.js';
import * as repo from './runs.repository.js';

export type { RunRow } from './runs.repository.js';

export type RunTrigger = 'schedule' | 'manual' | 'cli' | 'seed';

export type ComputeOutcome =
  | { status: 'computed'; runId: number; agencies: number }
  | { status: 'unchanged'; runId: number }
  | { status: 'busy' };

export class ScoringService {
  constructor(
    private readonly db: Knex,
    private readonly deps: {
      agencies: AgencyService;
      frameworks: FrameworkService;
      periods: PeriodService;
      submissions: SubmissionService;
      audit: AuditService;
      codeVersion: string;
      now?: () => Date;
    },
  ) {}

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  async computeAsActor(actor: Actor, periodId: number): Promise<ComputeOutcome> {
    authorize(actor, 'runs.compute');
    return this.computePeriod(periodId, { trigger: 'manual', startedBy: actor.id });
  }

  async computePeriod(
    periodId: number,
    opts: { trigger: RunTrigger; startedBy?: number | null; force?: boolean },
  ): Promise<ComputeOutcome> {
    const startedAt = this.now();
    return this.db.transaction(async (trx) => {
      if (!(await repo.tryLockPeriod(trx, periodId))) return { status: 'busy' } as const;

      const period = await this.deps.periods.get(periodId, trx);
      const fw = await this.deps.frameworks.get(period.frameworkId, trx);
      const groups = await this.deps.agencies.listGroups(trx);
      const fwGroups = groups.filter((g) => fw.definition.appliesTo.includes(g.code));
      const agencies = await this.deps.agencies.expectedAgencies(
        fwGroups.map((g) => g.id),
        period.dataFrom,
        period.dataTo,
        trx,
      );
      const inputs = await this.inputs(period, agencies.map((a) => ({ id: a.id, groupId: a.rankingGroupId! })), fwGroups, fw.definition, trx);
      const inputHash = createHash('sha256')
        .update(JSON.stringify({ framework: fw.id, sourceHash: fw.sourceHash, groups: fwGroups, inputs }))
        .digest('hex');

      const last = await repo.latestRun(trx, periodId, false);
      if (!opts.force && last && last.inputHash === inputHash && last.codeVersion === this.deps.codeVersion) {
        return { status: 'unchanged', runId: last.id } as const;
      }
      const scores = computeScores(
        fw.definition,
        inputs,
        fwGroups.map((g) => ({ code: g.code, ranked: g.ranked })),
      );
      const runId = await repo.insertRun(trx, {
        periodId,
        frameworkId: fw.id,
        status: 'succeeded',
        trigger: opts.trigger,
        inputHash,
        codeVersion: this.deps.codeVersion,
        startedBy: opts.startedBy ?? null,
        startedAt,
      });
      await repo.insertResults(trx, runId, scores, new Map(fwGroups.map((g) => [g.code, g.id])));
      return { status: 'computed', runId, agencies: scores.length } as const;
    });
  }

  /** Each expected agency's recognised values (appraised over self-assessed) and last period's, for carry-forward. */
  private async inputs(
    period: PeriodRow,
    agencies: Array<{ id: number; groupId: number }>,
    groups: Array<{ id: number; code: string }>,
    definition: FrameworkDef,
    trx: Knex,
  ): Promise<AgencyInput[]> {
    const current = await this.deps.submissions.countedValues(period.id, trx);
    const prevPeriod = await this.deps.periods.previous(period, trx);
    const previous = prevPeriod ? await this.deps.submissions.countedValues(prevPeriod.id, trx) : [];
    const prevByAgency = new Map<number, Map<string, ReportedValue>>();
    for (const p of previous) {
      const v = p.appraised ?? p.self;
      if (!v) continue;
      const m = prevByAgency.get(p.agencyId) ?? new Map<string, ReportedValue>();
      m.set(p.code, v);
      prevByAgency.set(p.agencyId, m);
    }
    const byAgency = new Map<number, AgencyInput['values']>();
    for (const row of current) {
      const values = byAgency.get(row.agencyId) ?? {};
      values[row.code] = {
        value: row.appraised ?? row.self,
        adjusted: row.appraised !== null,
        previous: prevByAgency.get(row.agencyId)?.get(row.code) ?? null,
      };
      byAgency.set(row.agencyId, values);
    }
    const groupCode = new Map(groups.map((g) => [g.id, g.code]));
    const notApplicable = notScoredIn(definition.nodes, period.kind);
    const formed = period.kind === 'annual' ? formedAnnually(definition.nodes) : [];
    const halves = formed.length > 0 ? await this.semiannualValues(period, trx) : new Map<number, HalfValues[]>();
    const exemptions = await this.deps.frameworks.exemptions(period.id, trx);
    return agencies.map((a) => {
      const values = byAgency.get(a.id) ?? {};
      // Carry-forward also reaches indicators an agency left out entirely this period.
      for (const [code, v] of prevByAgency.get(a.id) ?? []) {
        if (!values[code]) values[code] = { value: null, previous: v };
      }
      if (formed.length > 0) withAnnualValues(formed, values, halves.get(a.id) ?? []);
      const exempt = exemptions.get(a.id);
      return { agencyId: a.id, group: groupCode.get(a.groupId)!, values, notApplicable: exempt ? [...notApplicable, ...exempt] : notApplicable };
    });
  }

  /** Each agency's recognised values in the semiannual periods of an annual period's year, oldest first. */
  private async semiannualValues(period: PeriodRow, trx: Knex): Promise<Map<number, HalfValues[]>> {
    const halves = (await this.deps.periods.list(trx))
      .filter((p) => p.frameworkId === period.frameworkId && p.kind === 'semiannual' && p.year === period.year)
      .sort((a, b) => (a.dataTo < b.dataTo ? -1 : 1));
    const out = new Map<number, Array<Map<string, HalfValue>>>();
    for (const [i, half] of halves.entries()) {
      for (const row of await this.deps.submissions.countedValues(half.id, trx)) {
        const list = out.get(row.agencyId) ?? halves.map(() => new Map<string, HalfValue>());
        list[i]!.set(row.code, { value: row.appraised ?? row.self, adjusted: row.appraised !== null });
        out.set(row.agencyId, list);
      }
    }
    return out;
  }

  /** Freezes the latest run of a period as a new, numbered publication and marks approved submissions published. */
  async publish(actor: Actor, periodId: number): Promise<{ publicationNumber: number; runId: number }> {
    authorize(actor, 'runs.publish');
    const outcome = await this.computePeriod(periodId, { trigger: 'manual', startedBy: actor.id });
    if (outcome.status === 'busy') throw conflict('Hệ thống đang tính chỉ số cho kỳ này, vui lòng thử lại sau ít phút.');
    return this.db.transaction(async (trx) => {
      const run = await repo.getRun(trx, outcome.runId);
      if (!run) throw notFound('lần tính');
      if (run.publication) {
        throw conflict(`Kết quả này đã được công bố (lần ${run.publication.number}); chưa có thay đổi nào để công bố lại.`);
      }
      const pub = await repo.insertPublication(trx, run.id, periodId, actor.id, this.now());
      await this.deps.submissions.publishApproved(trx, actor, periodId);
      await this.deps.audit.record(trx, actor, [
        { action: 'run.publish', entity: 'run', entityId: run.id, before: { publication: null }, after: { publication: pub.number } },
      ]);
      return { publicationNumber: pub.number, runId: run.id };
    });
  }

  latestRun(periodId: number, publishedOnly: boolean, db: Knex = this.db): Promise<repo.RunRow | undefined> {
    return repo.latestRun(db, periodId, publishedOnly);
  }

  getRun(id: number): Promise<repo.RunRow | undefined> {
    return repo.getRun(this.db, id);
  }

  listRuns(periodId: number): Promise<repo.RunRow[]> {
    return repo.listRuns(this.db, periodId);
  }
}
