// Runs of the index: read the approved values of a period, score with the pure core, and store the results in
// one transaction. An advisory lock per period keeps two instances from computing the same period at once; a run
// whose inputs (and code) have not changed since the last one is skipped, so the scheduled job only recomputes
// what changed. Publication freezes a run; later changes make a new run and a new publication.
import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { authorize, can, type Actor } from '../auth/policy.js';
import { conflict, notFound, validationError } from '../errors.js';
import type { AgencyService } from '../agencies/agencies.service.js';
import type { FrameworkService } from '../frameworks/frameworks.service.js';
import type { PeriodService, PeriodRow } from '../periods/periods.service.js';
import type { SubmissionService, ValueColumns } from '../submissions/submissions.service.js';
import type { AuditService } from '../audit/audit.service.js';
import { agencyInputsOf, scoreBlock, scoresAcrossAgencies, type InputBlock } from './score.js';
import { DEFAULT_UNCERTAINTY, rankUncertainty, uncertaintyApplies, type RankInterval, type UncertaintyOptions } from './uncertainty.js';
import { sharedMaxima, storedScores } from './result-rows.js';
import type { FrameworkDef } from '../frameworks/framework.types.js';
import { formedAnnually, notScoredIn } from './annual-value.js';
import { NodeColumns, periodsRead, RunInputs, type RunAgency, type RunInputSource } from './run-inputs.js';
import * as repo from './runs.repository.js';
import { WriteBehind } from '../db/write-behind.js';

export type { RunRow } from './runs.repository.js';

export type RunTrigger = 'schedule' | 'manual' | 'cli' | 'seed';

export type ComputeOutcome =
  | { status: 'computed'; runId: number; agencies: number }
  | { status: 'unchanged'; runId: number }
  | { status: 'busy' };

/** What a period's current rows say of one agency: enough to tell whether it must be read and written again. */
interface AgencyState {
  groupId: number;
  inputHash: string;
  sourceKey: string;
}

interface PeriodState {
  runId: number;
  agencies: Map<number, AgencyState>;
}

/**
 * Rows written by a run above which the result tables' statistics are refreshed: a first or full run, not the
 * rank shifts of an incremental one (a share of the period's agencies, at least 2 000).
 */
const ANALYZE_SHARE = 0.5;
const ANALYZE_MIN = 2_000;

/** Agencies scored and written together (see computePeriod); ScoringService's `slice` option overrides it in tests. */
const SLICE = 1_000;

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** An agency's exemptions in a period, as part of its change marker and input hash. */
const exemptKey = (codes: readonly string[] | undefined): string => (codes && codes.length > 0 ? [...codes].sort().join(',') : '-');

function withKeys(state: PeriodState, keys: ReadonlyArray<{ agencyId: number; sourceKey: string }>): PeriodState {
  if (keys.length === 0) return state;
  const agencies = new Map(state.agencies);
  for (const k of keys) agencies.set(k.agencyId, { ...agencies.get(k.agencyId)!, sourceKey: k.sourceKey });
  return { runId: state.runId, agencies };
}

/** The most draws one request may ask for: a thousand is the default, ten thousand is plenty. */
export const MAX_DRAWS = 10_000;

export interface UncertaintyRow extends RankInterval {
  agencyCode: string;
  agencyName: string;
  /** The total in the run shown. */
  value: number | null;
  /** The rank in the run shown (published, for readers outside the Department). */
  rank: number | null;
  /** The rank the current data give without perturbation; equal to `rank` unless the data changed since the run. */
  simulatedRank: number | null;
}

export interface UncertaintyReport {
  period: PeriodRow;
  framework: { code: string; name: string; version: number };
  run: repo.RunRow | undefined;
  options: UncertaintyOptions;
  /** The current data no longer give the run's ranks (only the Department gets a stale report). */
  stale: boolean;
  groups: Array<{ code: string; name: string; ranked: boolean; rows: UncertaintyRow[] }>;
}

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
      /** Agencies scored and written together, and read together in a full recompute (SLICE). */
      slice?: number;
    },
  ) {
    this.slice = deps.slice ?? SLICE;
  }

  private readonly slice: number;

  /** Per period, the rows of its last run as this instance committed them (see stateOf). */
  private readonly states = new Map<number, PeriodState>();

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  async computeAsActor(actor: Actor, periodId: number): Promise<ComputeOutcome> {
    authorize(actor, 'runs.compute');
    return this.computePeriod(periodId, { trigger: 'manual', startedBy: actor.id });
  }

  /**
   * Computes a period if anything it depends on changed since its last run. Only agencies whose submissions (or
   * last period's, for carry-forward) changed are read and scored again, and only their rows are written; the rest
   * keep their stored rows, and ranks are computed from the rows' rank keys when a snapshot is read
   * (docs/adr/0007-versioned-run-results.md). `force` rescores every agency. One transaction under the period's
   * advisory lock: a run that fails part-way leaves the previous run as it was.
   */
  async computePeriod(
    periodId: number,
    opts: { trigger: RunTrigger; startedBy?: number | null; force?: boolean },
  ): Promise<ComputeOutcome> {
    const startedAt = this.now();
    let next: PeriodState | undefined;
    let written = 0;
    let analyzeAfter = Infinity;
    const outcome = await this.db.transaction(async (trx): Promise<ComputeOutcome> => {
      if (!(await repo.tryLockPeriod(trx, periodId))) return { status: 'busy' } as const;

      const period = await this.deps.periods.get(periodId, trx);
      const fw = await this.deps.frameworks.get(period.frameworkId, trx);
      const groups = await this.deps.agencies.listGroups(trx);
      const fwGroups = groups.filter((g) => fw.definition.appliesTo.includes(g.code));
      const groupCode = new Map(fwGroups.map((g) => [g.id, g.code]));
      const agencies = await this.deps.agencies.expectedAgencyGroups(
        fwGroups.map((g) => g.id),
        period.dataFrom,
        period.dataTo,
        trx,
      );
      const prevPeriod = await this.deps.periods.previous(period, trx);
      const halves = await this.halvesOf(period, fw.definition, trx);
      const exemptions = await this.deps.frameworks.exemptions(period.id, trx);
      // Everything besides an agency's own values that its scores depend on.
      const context = sha256(
        JSON.stringify({
          framework: fw.id,
          sourceHash: fw.sourceHash,
          groups: fwGroups,
          kind: period.kind,
          previousPeriod: prevPeriod?.id ?? null,
          code: this.deps.codeVersion,
        }),
      );
      const last = await repo.latestRun(trx, periodId, false);
      const state = await this.stateOf(trx, periodId, last?.id);

      // An agency's counted submissions in the period, last period (carry-forward) and, for an annual period with
      // indicators formed from the year's halves, the semiannual periods; and its exemptions in the period.
      const markerPeriods = [period.id, ...(prevPeriod ? [prevPeriod.id] : []), ...halves.map((h) => h.id)];
      const markers = await this.deps.submissions.countedMarkers(markerPeriods, trx);
      const markerOf = new Map(markers.map((m) => [`${m.periodId}:${m.agencyId}`, m.marker]));
      const expected = agencies.map((a) => ({
        id: a.id,
        groupId: a.rankingGroupId,
        sourceKey: [
          context.slice(0, 16),
          a.rankingGroupId,
          ...markerPeriods.map((p) => markerOf.get(`${p}:${a.id}`) ?? '-'),
          exemptKey(exemptions.get(a.id)),
        ].join(':'),
      }));
      const expectedIds = new Set(expected.map((a) => a.id));
      const removed = [...state.agencies.keys()].filter((id) => !expectedIds.has(id));
      let toRead = opts.force ? expected : expected.filter((a) => state.agencies.get(a.id)?.sourceKey !== a.sourceKey);
      if (!opts.force && last && toRead.length === 0 && removed.length === 0) {
        next = state;
        return { status: 'unchanged', runId: last.id } as const;
      }
      // A composite node normalised across the agencies of a ranking group makes every agency's scores depend on the
      // others' inputs: a change anywhere in a group (an agency's inputs, one joining or leaving) rescores the whole
      // group, so its inputs are all read. Otherwise scores are per agency and only the changed ones are rescored.
      const acrossAgencies = scoresAcrossAgencies(fw.definition);
      const groupsOf = (ids: Iterable<number>, also: ReadonlyArray<{ id: number; groupId: number }> = []): Set<number> => {
        const out = new Set(also.map((a) => a.groupId));
        for (const id of ids) {
          const stored = state.agencies.get(id);
          if (stored) out.add(stored.groupId);
        }
        return out;
      };
      if (acrossAgencies && !opts.force) {
        const touched = groupsOf([...toRead.map((a) => a.id), ...removed], toRead);
        toRead = expected.filter((a) => touched.has(a.groupId));
      }

      const runAgency = this.runAgencies(period, exemptions, groupCode, fw.definition);
      const source = await this.inputSource(period, prevPeriod, halves, fw.definition, trx);
      const ranked = new Map(fwGroups.map((g) => [g.id, g.ranked]));
      const newRun = (inputHash: string): Promise<number> =>
        repo.insertRun(trx, {
          periodId,
          frameworkId: fw.id,
          status: 'succeeded',
          trigger: opts.trigger,
          inputHash,
          codeVersion: this.deps.codeVersion,
          startedBy: opts.startedBy ?? null,
          startedAt,
        });
      // Scores a slice of agencies and sends its rows, which the database writes while the caller goes on to the next
      // slice (server/db/write-behind.ts: one statement in flight on the run's connection).
      const writes = new WriteBehind();
      let layoutId: number | undefined;
      // The run's vectors of maximum points already stored, by their key (repo.maximaIds).
      const knownMaxima = new Map<string, number>();
      const writeSlice = async (
        runId: number,
        slice: ReadonlyArray<{ id: number; groupId: number; sourceKey: string }>,
        block: InputBlock,
        hashes: readonly string[],
      ): Promise<void> => {
        const scores = storedScores(scoreBlock(fw.definition, block));
        const maxima = sharedMaxima(scores);
        const meta = {
          agencyIds: slice.map((a) => a.id),
          groupIds: slice.map((a) => a.groupId),
          ranked: slice.map((a) => ranked.get(a.groupId) ?? false),
          inputHashes: [...hashes],
          sourceKeys: slice.map((a) => a.sourceKey),
        };
        // After the write before it, on the run's connection: the layout and any new vector first, then the rows.
        await writes.add(async () => {
          layoutId ??= await repo.ensureLayout(trx, scores.layout);
          const ids = await repo.maximaIds(trx, layoutId, maxima.vectors, knownMaxima);
          await repo.insertScores(trx, periodId, runId, { ...meta, maximaIds: Array.from(maxima.of, (k) => ids[k]!) }, scores);
        });
      };
      const finishWrites = async (work: () => Promise<void>): Promise<void> => {
        try {
          await work();
        } finally {
          // The transaction must not end (on a failure while scoring, say) with a statement of it still running.
          await writes.done().catch(() => undefined);
        }
        await writes.done();
      };

      // Every agency scored anew (a first run, or forced) and scores per agency: one pass, reading the values a part
      // at a time while the parts before are scored and written (streamRun).
      if (!acrossAgencies && expected.length > 0 && (opts.force || state.agencies.size === 0)) {
        const runId = await newRun('');
        // A period's rows are all written by its runs: before the first there is nothing to close.
        if (last) await repo.closeCurrent(trx, periodId, [...new Set([...expected.map((a) => a.id), ...state.agencies.keys()])], runId);
        const hashes = new Map<number, string>();
        await finishWrites(() =>
          this.streamRun(trx, source, fw.definition, expected, async (slice, inputs) => {
            const agencies = slice.map(runAgency);
            const block = inputs.block(agencies);
            const sliceHashes = inputs.hashes(block, context, agencies);
            slice.forEach((a, i) => hashes.set(a.id, sliceHashes[i]!));
            await writeSlice(runId, slice, block, sliceHashes);
          }, () => writes.done()),
        );
        await repo.setRunInputHash(trx, runId, sha256(context + expected.map((a) => `${a.id}:${hashes.get(a.id)}`).join(',')));
        written = expected.length;
        analyzeAfter = Math.max(ANALYZE_MIN, ANALYZE_SHARE * expected.length);
        next = { runId, agencies: new Map(expected.map((a) => [a.id, { groupId: a.groupId, inputHash: hashes.get(a.id)!, sourceKey: a.sourceKey }])) };
        return { status: 'computed', runId, agencies: expected.length } as const;
      }

      // Otherwise the agencies to read are read first: each one's input hash, over the block row it is scored on,
      // decides whether it is scored again. The blocks are made a slice at a time, and again for the agencies scored
      // (making one is cheap next to holding a province of them).
      const inputs = await this.inputs(fw.definition, source, toRead.length === expected.length ? null : toRead, trx);
      const readHashes: string[] = [];
      for (let i = 0; i < toRead.length; i += this.slice) {
        const slice = toRead.slice(i, i + this.slice).map(runAgency);
        readHashes.push(...inputs.hashes(inputs.block(slice), context, slice));
      }
      const read = toRead.map((a, i) => ({ ...a, inputHash: readHashes[i]! }));
      const changed = read.filter((a) => {
        const stored = state.agencies.get(a.id);
        return opts.force || !stored || stored.inputHash !== a.inputHash || stored.groupId !== a.groupId;
      });
      let rescore = changed;
      if (acrossAgencies && !opts.force) {
        const dirty = groupsOf([...changed.map((a) => a.id), ...removed], changed);
        rescore = read.filter((a) => dirty.has(a.groupId));
      }
      const rescored = new Set(rescore.map((a) => a.id));
      const keysOnly = read
        .filter((a) => !rescored.has(a.id) && state.agencies.get(a.id)!.sourceKey !== a.sourceKey)
        .map((a) => ({ agencyId: a.id, sourceKey: a.sourceKey }));
      const fresh = new Map(rescore.map((a) => [a.id, a]));

      const hashOf = (id: number): string => fresh.get(id)?.inputHash ?? state.agencies.get(id)!.inputHash;
      const inputHash = sha256(context + expected.map((a) => `${a.id}:${hashOf(a.id)}`).join(','));
      const newKeys = new Map(keysOnly.map((k) => [k.agencyId, k.sourceKey]));
      const keyOf = (id: number): string => fresh.get(id)?.sourceKey ?? newKeys.get(id) ?? state.agencies.get(id)!.sourceKey;
      if (!opts.force && last && fresh.size === 0 && removed.length === 0 && last.inputHash === inputHash) {
        // Nothing to write: the new change markers are only remembered (they are a cache of what to re-read), so a
        // compute that finds nothing new — as publishing does before it refuses — writes nothing at all.
        next = withKeys(state, keysOnly);
        return { status: 'unchanged', runId: last.id } as const;
      }

      const runId = await newRun(inputHash);
      await repo.closeCurrent(trx, periodId, [...fresh.keys(), ...removed], runId);
      await repo.updateSourceKeys(trx, periodId, keysOnly);
      // Every agency of a rescored group is scored in the one call when scores depend on the group.
      await finishWrites(async () => {
        for (let i = 0; i < rescore.length; i += acrossAgencies ? rescore.length : this.slice) {
          const slice = acrossAgencies ? rescore : rescore.slice(i, i + this.slice);
          await writeSlice(runId, slice, inputs.block(slice.map(runAgency)), slice.map((a) => a.inputHash));
        }
      });
      written = rescore.length;
      analyzeAfter = Math.max(ANALYZE_MIN, ANALYZE_SHARE * expected.length);

      const agenciesNext = new Map<number, AgencyState>();
      for (const a of expected) agenciesNext.set(a.id, { groupId: a.groupId, inputHash: hashOf(a.id), sourceKey: keyOf(a.id) });
      next = { runId, agencies: agenciesNext };
      return { status: 'computed', runId, agencies: expected.length } as const;
    });
    // Only what has been committed may be remembered.
    if (next) this.states.set(periodId, next);
    if (written > analyzeAfter) await repo.analyzeResults(this.db);
    return outcome;
  }

  /**
   * Reads the values of every agency with a cursor in agency order (server/db/cursor.ts) and hands them on a slice
   * of agencies at a time, each slice with the RunInputs of its own rows, while the next part is being read; the
   * agencies without any counted values come last. On PostgreSQL the cursor reads on its own connection, so the
   * reading, the scoring in Node and the writing of the slices before go on at once.
   */
  private async streamRun<A extends { id: number }>(
    trx: Knex.Transaction,
    source: RunInputSource,
    definition: FrameworkDef,
    agencies: readonly A[],
    onSlice: (slice: A[], inputs: RunInputs) => Promise<void>,
    settle: () => Promise<void>,
  ): Promise<void> {
    const byId = new Map(agencies.map((a) => [a.id, a]));
    const done = new Set<number>();
    // Rows of a fetch, several per agency (one per period read): a part holds a slice of agencies.
    const part = this.slice * periodsRead(source).length;
    const cursor = await this.deps.submissions.countedValueCursor(periodsRead(source), trx);
    try {
      let waiting: ValueColumns[] = [];
      const flush = async (rows: ValueColumns[]): Promise<void> => {
        const slice = [...new Set(rows.map((r) => r.agencyId))].flatMap((id) => byId.get(id) ?? []);
        slice.forEach((a) => done.add(a.id));
        if (slice.length > 0) await onSlice(slice, new RunInputs(definition, rows, source));
      };
      // The first part is a quarter of the others, so that scoring and writing start sooner after the read does.
      let asked = Math.max(1, Math.round(part / 4));
      let fetching: Promise<ValueColumns[]> | null = cursor.fetch(asked);
      while (fetching) {
        const rows: ValueColumns[] = await fetching;
        const more = rows.length === asked;
        asked = part;
        // Reading alongside, the next part is read while this one is scored; in the transaction, after its writes.
        fetching = more && cursor.alongside ? cursor.fetch(part) : null;
        // Awaited on the next turn; a failure of this slice first must not leave it unhandled.
        fetching?.catch(() => undefined);
        waiting.push(...rows);
        // The last agency's rows may go on in the next part; it waits for them.
        const lastAgency = more ? waiting[waiting.length - 1]!.agencyId : null;
        const complete = lastAgency === null ? waiting : waiting.filter((r) => r.agencyId !== lastAgency);
        waiting = lastAgency === null ? [] : waiting.filter((r) => r.agencyId === lastAgency);
        await flush(complete);
        if (more && !cursor.alongside) {
          await settle();
          fetching = cursor.fetch(part);
        }
      }
      await flush(waiting);
    } finally {
      await cursor.close();
    }
    const rest = agencies.filter((a) => !done.has(a.id));
    for (let i = 0; i < rest.length; i += this.slice) await onSlice(rest.slice(i, i + this.slice), new RunInputs(definition, [], source));
  }

  /** The period's current rows as of its last run: remembered from this instance's last run, else read back. */
  private async stateOf(trx: Knex, periodId: number, lastRunId: number | undefined): Promise<PeriodState> {
    if (lastRunId === undefined) return { runId: 0, agencies: new Map() };
    const known = this.states.get(periodId);
    if (known && known.runId === lastRunId) return known;
    const rows = await repo.currentResults(trx, periodId);
    return {
      runId: lastRunId,
      agencies: new Map(rows.map((r) => [r.agencyId, { groupId: r.groupId, inputHash: r.inputHash, sourceKey: r.sourceKey }])),
    };
  }

  /**
   * The counted values (appraised over self-assessed) of the period, last period's for carry-forward and, for an
   * annual period with values formed from the year's halves, the halves' — of every agency, or of those given — as
   * a RunInputs to make blocks of.
   */
  private async inputs(
    definition: FrameworkDef,
    source: RunInputSource,
    agencies: ReadonlyArray<{ id: number }> | null,
    trx: Knex,
  ): Promise<RunInputs> {
    const rows = await this.deps.submissions.countedValueColumns(periodsRead(source), agencies ? agencies.map((a) => a.id) : null, trx);
    return new RunInputs(definition, rows, source);
  }

  /** Which periods' values a run reads, and how their node ids map to block columns (RunInputs). */
  private async inputSource(
    period: PeriodRow,
    prevPeriod: PeriodRow | undefined,
    halves: readonly PeriodRow[],
    definition: FrameworkDef,
    trx: Knex,
  ): Promise<RunInputSource> {
    const columns = new NodeColumns(definition, await this.deps.frameworks.nodeIds(period.frameworkId, trx));
    // Halves are periods of the same framework; last period may have had another version of it.
    const previousColumns =
      prevPeriod && prevPeriod.frameworkId !== period.frameworkId
        ? new NodeColumns(definition, await this.deps.frameworks.nodeIds(prevPeriod.frameworkId, trx))
        : columns;
    return {
      periodId: period.id,
      previousPeriodId: prevPeriod?.id ?? null,
      halfPeriodIds: halves.map((h) => h.id),
      columns,
      previousColumns,
      formed: halves.length > 0 ? formedAnnually(definition.nodes) : [],
    };
  }

  /** An agency of the period as a block takes it: its group's code and what does not apply to it (exemptions). */
  private runAgencies(
    period: PeriodRow,
    exemptions: ReadonlyMap<number, string[]>,
    groupCode: ReadonlyMap<number, string>,
    definition: FrameworkDef,
  ): (a: { id: number; groupId: number }) => RunAgency {
    const notApplicable = notScoredIn(definition.nodes, period.kind);
    return (a) => {
      const exempt = exemptions.get(a.id);
      return { id: a.id, groupId: a.groupId, group: groupCode.get(a.groupId)!, notApplicable: exempt ? [...notApplicable, ...exempt] : notApplicable };
    };
  }

  /**
   * The semiannual periods (oldest first) of an annual period's year and framework, when the framework forms annual
   * values from them; none otherwise.
   */
  private async halvesOf(period: PeriodRow, definition: FrameworkDef, trx: Knex): Promise<PeriodRow[]> {
    if (period.kind !== 'annual' || formedAnnually(definition.nodes).length === 0) return [];
    return (await this.deps.periods.list(trx))
      .filter((p) => p.frameworkId === period.frameworkId && p.kind === 'semiannual' && p.year === period.year)
      .sort((a, b) => (a.dataTo < b.dataTo ? -1 : 1));
  }

  /**
   * Rank uncertainty of a period (uncertainty.ts): the counted inputs are scored again under perturbed weights and
   * missing-data policies, and each agency's rank interval is shown beside its rank in the run the reader may see.
   * Readers outside the Department see it only while the current data still give the published ranks, so the
   * analysis never reveals figures that have not been published.
   */
  async uncertainty(actor: Actor, periodId: number, options: Partial<UncertaintyOptions> = {}): Promise<UncertaintyReport> {
    authorize(actor, 'rankings.read');
    const opts = { ...DEFAULT_UNCERTAINTY, ...options };
    if (!Number.isInteger(opts.draws) || opts.draws < 1 || opts.draws > MAX_DRAWS) {
      throw validationError(`Số lần mô phỏng phải là số nguyên từ 1 đến ${MAX_DRAWS.toLocaleString('vi-VN')}.`);
    }
    if (!(opts.spread >= 0 && opts.spread <= 0.5)) throw validationError('Biên độ thay đổi trọng số phải từ 0 đến 50 %.');
    if (!Number.isSafeInteger(opts.seed)) throw validationError('Hạt giống (seed) phải là số nguyên.');
    const period = await this.deps.periods.get(periodId);
    const fw = await this.deps.frameworks.get(period.frameworkId);
    if (!uncertaintyApplies(fw.definition)) {
      throw validationError(
        'Bộ chỉ số của kỳ này có chỉ số tổng hợp (trung bình có trọng số, chuẩn hóa giữa các đơn vị): phân tích độ bất định chỉ áp dụng khi điểm được cộng dồn theo cây chỉ số.',
      );
    }
    const run = await repo.latestRun(this.db, periodId, !can(actor, 'runs.read'));
    const report: UncertaintyReport = { period, framework: { code: fw.code, name: fw.name, version: fw.version }, run, options: opts, stale: false, groups: [] };
    if (!run) return report;

    const groups = (await this.deps.agencies.listGroups()).filter((g) => fw.definition.appliesTo.includes(g.code));
    const groupCode = new Map(groups.map((g) => [g.id, g.code]));
    const agencies = await this.deps.agencies.expectedAgencies(groups.map((g) => g.id), period.dataFrom, period.dataTo);
    const prevPeriod = await this.deps.periods.previous(period);
    const halves = await this.halvesOf(period, fw.definition, this.db);
    const inputs = await this.inputs(fw.definition, await this.inputSource(period, prevPeriod, halves, fw.definition, this.db), null, this.db);
    const runAgency = this.runAgencies(period, await this.deps.frameworks.exemptions(period.id), groupCode, fw.definition);
    const block = inputs.block(agencies.map((a) => runAgency({ id: a.id, groupId: a.rankingGroupId! })));
    const intervals = rankUncertainty(
      fw.definition,
      agencyInputsOf(fw.definition, block),
      groups.map((g) => ({ code: g.code, ranked: g.ranked })),
      opts,
    );
    const runRanks = new Map((await repo.runTotals(this.db, run.id)).map((t) => [t.agencyId, t]));
    report.stale = intervals.some((r) => (runRanks.get(r.agencyId)?.rank ?? null) !== r.rank) || runRanks.size !== intervals.length;
    if (report.stale && !can(actor, 'runs.read')) {
      throw conflict('Số liệu đã thay đổi sau lần công bố gần nhất; phân tích độ bất định sẽ có khi kết quả mới được công bố.');
    }
    const byId = new Map(agencies.map((a) => [a.id, a]));
    for (const g of [...groups].sort((a, b) => a.sortOrder - b.sortOrder || a.id - b.id)) {
      const rows = intervals
        .filter((r) => r.group === g.code)
        .map((r) => ({
          ...r,
          agencyCode: byId.get(r.agencyId)!.code,
          agencyName: byId.get(r.agencyId)!.name,
          value: runRanks.get(r.agencyId)?.value ?? null,
          rank: runRanks.get(r.agencyId)?.rank ?? null,
          simulatedRank: r.rank,
        }))
        .sort((a, b) => (a.rank ?? Infinity) - (b.rank ?? Infinity) || a.agencyName.localeCompare(b.agencyName, 'vi'));
      if (rows.length) report.groups.push({ code: g.code, name: g.name, ranked: g.ranked, rows });
    }
    return report;
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
