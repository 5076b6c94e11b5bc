// Incremental runs (docs/adr/0007-versioned-run-results.md): a run that re-reads only the agencies whose inputs
// changed must give exactly what a full recomputation gives, every earlier run must keep its snapshot, and a run
// that fails part-way must leave the previous results untouched.
import { expect } from 'chai';
import fc from 'fast-check';
import type { Knex } from 'knex';
import { bootTestApp, type TestApp } from '../support/app.js';
import { periodId } from '../support/builders.js';
import { ScoringService, type ComputeOutcome } from '../../server/scoring/scoring.service.js';
import type { Services } from '../../server/container.js';
import { indicatorsOf, type FrameworkDef } from '../../server/frameworks/framework.types.js';
import type { FrameworkService } from '../../server/frameworks/frameworks.service.js';
import { competitionRanks } from '../../server/scoring/rank.js';
import { usingPostgres } from '../support/database.js';

const PERIOD = 'DTI-SO-2026-N';

interface Snapshot {
  totals: unknown[];
  figures: unknown[];
}

/** Everything a run shows, as the views give it, without the run id. */
async function snapshotOf(db: Knex, runId: number): Promise<Snapshot> {
  const totals = await db('run_results')
    .where({ run_id: runId })
    .orderBy('agency_id')
    .select('agency_id', 'ranking_group_id', 'points', 'max_points', 'value', 'rank');
  const figures = await db('run_node_scores')
    .where({ run_id: runId })
    .orderBy(['agency_id', 'node_code'])
    .select('agency_id', 'node_code', 'node_kind', 'points', 'max_points', 'value', 'measure', 'flag', 'rank');
  return { totals, figures };
}

/**
 * Ranks are computed when a snapshot is read; they must be the scoring core's: competition ranks on the published
 * value within each ranked group, for the total and every ranked figure.
 */
async function expectCoreRanks(db: Knex, runId: number): Promise<void> {
  const groups = new Map((await db('ranking_groups').select('id', 'ranked')).map((g: { id: number; ranked: boolean }) => [g.id, g.ranked]));
  const totals = await db('run_results').where({ run_id: runId }).select('agency_id', 'ranking_group_id', 'value', 'rank');
  const groupOf = new Map(totals.map((t: { agency_id: number; ranking_group_id: number }) => [t.agency_id, t.ranking_group_id]));
  const figures = await db('run_node_scores').where({ run_id: runId }).whereNot('node_kind', 'indicator').select('agency_id', 'node_code', 'value', 'rank');
  const lists = new Map<string, Array<{ key: number; value: number | null; rank: number | null }>>();
  const add = (listKey: string, agency: number, value: number | null, rank: number | null): void => {
    const list = lists.get(listKey) ?? [];
    list.push({ key: agency, value, rank });
    lists.set(listKey, list);
  };
  for (const t of totals) add(`${t.ranking_group_id}|TOTAL`, t.agency_id, t.value, t.rank);
  for (const f of figures) add(`${groupOf.get(f.agency_id)}|${f.node_code}`, f.agency_id, f.value, f.rank);
  for (const [listKey, list] of lists) {
    const ranked = groups.get(Number(listKey.split('|')[0])) === true;
    const expected = competitionRanks(list);
    for (const item of list) expect(item.rank, `${listKey} agency ${item.key}`).to.equal(ranked ? expected.get(item.key) : null);
  }
}

const scoringService = (s: Services, db: Knex, codeVersion: string, frameworks: FrameworkService = s.frameworks, slice?: number): ScoringService =>
  new ScoringService(db, {
    agencies: s.agencies,
    frameworks,
    periods: s.periods,
    submissions: s.submissions,
    audit: s.audit,
    codeVersion,
    slice,
  });

/**
 * A full recomputation of the period as it stands, by an instance with another code version (so nothing stored is
 * reused), inside a transaction that is rolled back afterwards.
 */
async function fullRecompute(s: Services, period: number, frameworks: FrameworkService = s.frameworks): Promise<Snapshot> {
  const trx = await s.db.transaction();
  try {
    const outcome = await scoringService(s, trx, 'full-reference', frameworks).computePeriod(period, { trigger: 'manual', force: true });
    if (outcome.status !== 'computed') throw new Error(`reference run: ${outcome.status}`);
    return await snapshotOf(trx, outcome.runId);
  } finally {
    await trx.rollback();
  }
}

type Mutation =
  | { kind: 'value'; pick: number; value: number }
  | { kind: 'delete'; pick: number }
  | { kind: 'state'; pick: number }
  | { kind: 'previous'; pick: number; value: number }
  | { kind: 'carry'; pick: number; value: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('value' as const), pick: fc.nat(), value: fc.integer({ min: 0, max: 120 }) }),
  fc.record({ kind: fc.constant('delete' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('state' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('previous' as const), pick: fc.nat(), value: fc.integer({ min: 0, max: 120 }) }),
  fc.record({ kind: fc.constant('carry' as const), pick: fc.nat(), value: fc.integer({ min: 0, max: 120 }) }),
);

/** Changes the stored data the way any writer could: values, a removed value, a submission leaving or re-entering. */
async function apply(db: Knex, current: number, previous: number, m: Mutation, carryCodes: string[] = []): Promise<void> {
  const valueIn = async (period: number, pick: number): Promise<number | undefined> => {
    const rows = await db('submission_values as v')
      .join('submissions as s', 's.id', 'v.submission_id')
      .where('s.period_id', period)
      .whereIn('s.state', ['approved', 'published'])
      .whereNotNull('v.self_value')
      .orderBy('v.id')
      .select('v.id');
    return rows.length ? (rows[pick % rows.length].id as number) : undefined;
  };
  switch (m.kind) {
    case 'value':
    case 'previous': {
      const id = await valueIn(m.kind === 'value' ? current : previous, m.pick);
      if (id === undefined) return;
      await db('submission_values')
        .where({ id })
        .update({ self_value: m.value, appraised_value: db.raw('CASE WHEN appraised_value IS NULL THEN NULL ELSE ?::numeric END', [m.value]) });
      return;
    }
    case 'carry': {
      // Last period's value of a carry-forward (yes/no) indicator flips; this period's are missing, so carried points move.
      const rows = await db('submission_values as v')
        .join('submissions as s', 's.id', 'v.submission_id')
        .join('framework_nodes as n', 'n.id', 'v.node_id')
        .where('s.period_id', previous)
        .whereIn('n.code', carryCodes)
        .whereNotNull('v.self_value')
        .orderBy('v.id')
        .select('v.id', 's.agency_id', 'n.code');
      const row = rows[m.pick % Math.max(1, rows.length)];
      if (!row) return;
      await db('submission_values')
        .where({ id: row.id })
        .update({ self_value: m.value % 2, appraised_value: null, appraised_denominator: null, appraised_option: null, appraisal_reason: null });
      return;
    }
    case 'delete': {
      const id = await valueIn(current, m.pick);
      if (id !== undefined) await db('submission_values').where({ id }).delete();
      return;
    }
    case 'state': {
      const subs = await db('submissions').where({ period_id: current }).whereIn('state', ['approved', 'submitted']).orderBy('id');
      const sub = subs[m.pick % Math.max(1, subs.length)];
      if (!sub) return;
      await db('submissions')
        .where({ id: sub.id })
        .update({ state: sub.state === 'approved' ? 'submitted' : 'approved', version: sub.version + 1 });
    }
  }
}

/** The framework with every top-level index node made composite: an arithmetic mean of min-max normalised children. */
function withMinMax(def: FrameworkDef): FrameworkDef {
  return {
    ...def,
    nodes: def.nodes.map((n) => (n.type === 'index' ? { ...n, aggregate: { method: 'arithmetic' as const, normalise: 'minmax' as const } } : n)),
  };
}

/** The framework service, but every framework it gives has min-max composite nodes (same codes, so the same values). */
function compositeFrameworks(s: Services): FrameworkService {
  const wrapped = Object.create(s.frameworks) as FrameworkService;
  wrapped.get = async (id, db) => {
    const fw = await s.frameworks.get(id, db);
    return { ...fw, definition: withMinMax(fw.definition) };
  };
  return wrapped;
}

describe('incremental runs of the index', function () {
  let t: TestApp;
  let period: number;
  let previous: number;

  before(async () => {
    t = await bootTestApp();
    period = await periodId(t.services.db, PERIOD);
    const p = await t.services.periods.get(period);
    previous = (await t.services.periods.previous(p))!.id;
  });
  after(async () => t?.close());

  it('when agencies change one after another, then each incremental run equals a full recomputation and earlier runs keep their snapshots', async () => {
    const s = t.services;
    let computed = 0;
    const fw = await s.frameworks.get((await s.periods.get(period)).frameworkId);
    const carryCodes = indicatorsOf(fw.definition.nodes).filter((i) => i.missing === 'carry').map((i) => i.code);
    expect(carryCodes).to.not.be.empty;
    // Carry-forward everywhere: this period's values of those indicators are missing.
    await s.db('submission_values')
      .whereIn('submission_id', s.db('submissions').where({ period_id: period }).select('id'))
      .whereIn('node_id', s.db('framework_nodes').where({ framework_id: fw.id }).whereIn('code', carryCodes).select('id'))
      .delete();
    let service = scoringService(s, s.db, 'test');
    const first = await service.computePeriod(period, { trigger: 'manual', force: true });
    expect(first.status).to.equal('computed');
    const firstRun = (first as { runId: number }).runId;
    const firstSnapshot = await snapshotOf(s.db, firstRun);
    expect(firstSnapshot.totals.length).to.be.greaterThan(5);

    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 3 }), fc.boolean(), async (mutations, restart) => {
        for (const m of mutations) await apply(s.db, period, previous, m, carryCodes);
        // Half the time a new instance: it reads its state back from the database instead of remembering it.
        if (restart) service = scoringService(s, s.db, 'test');
        const outcome = await service.computePeriod(period, { trigger: 'manual' });
        expect(outcome.status).to.be.oneOf(['computed', 'unchanged']);
        if (outcome.status === 'computed') computed += 1;
        const runId = (outcome as { runId: number }).runId;
        expect(await snapshotOf(s.db, runId)).to.deep.equal(await fullRecompute(s, period));
        await expectCoreRanks(s.db, runId);
      }),
      { numRuns: 15, seed: 20261122 },
    );

    expect(computed, 'some mutations must have changed the results').to.be.greaterThan(3);
    expect(await snapshotOf(s.db, firstRun)).to.deep.equal(firstSnapshot);
  });

  it('when nothing changed since the last run, then no run is written', async () => {
    const s = t.services;
    const service = scoringService(s, s.db, 'test');
    const once = await service.computePeriod(period, { trigger: 'manual' });
    const again = await service.computePeriod(period, { trigger: 'manual' });
    expect(again.status).to.equal('unchanged');
    expect((again as { runId: number }).runId).to.equal((once as { runId: number }).runId);
  });

  it('when one approved submission changes, then only that agency gets a new score row', async () => {
    const s = t.services;
    const service = scoringService(s, s.db, 'test');
    await service.computePeriod(period, { trigger: 'manual' });
    const before = await s.db('agency_scores').where({ period_id: period }).count<{ n: number }[]>('* as n');
    await apply(s.db, period, previous, { kind: 'value', pick: 7, value: 3 });
    const outcome = await service.computePeriod(period, { trigger: 'manual' });
    expect(outcome.status).to.equal('computed');
    const after = await s.db('agency_scores').where({ period_id: period }).count<{ n: number }[]>('* as n');
    expect(Number(after[0]!.n) - Number(before[0]!.n)).to.equal(1);
  });

  it('when a forced run reads its values two agencies at a time beside its writes, then it stores what a run in one part stores, and re-reading them changes nothing', async () => {
    const s = t.services;
    const rowsOf = async (runId: number): Promise<unknown[]> =>
      s.db('agency_scores as s').join('score_maxima as x', 'x.id', 's.maxima_id').where({ from_run: runId }).orderBy('agency_id')
        .select('agency_id', 'ranking_group_id', 'maxima_id', 'x.layout_id', 'x.max', 'input_hash', 'source_key', 'total_points', 'total_max', 'points',
          'measures', 'flags', 'head_points', 'ranked', 'total_key', 'keys');
    const runOf = (outcome: ComputeOutcome): number => {
      if (outcome.status !== 'computed') expect.fail(`run: ${outcome.status}`);
      return outcome.runId;
    };
    // Values in last period too (carry-forward), so an agency's rows of two periods meet at the ends of parts.
    expect(await s.db('submissions').where({ period_id: previous }).whereIn('state', ['approved', 'published']).count<{ n: number }[]>('* as n'))
      .to.satisfy((r: Array<{ n: number }>) => Number(r[0]!.n) > 4);
    const inParts = runOf(await scoringService(s, s.db, 'parts', s.frameworks, 2).computePeriod(period, { trigger: 'manual', force: true }));
    const parts = await rowsOf(inParts);
    const whole = runOf(await scoringService(s, s.db, 'parts').computePeriod(period, { trigger: 'manual', force: true }));
    expect(parts.length).to.be.greaterThan(5);
    // Agencies with the same maximum points share one stored vector, in every run and however the run is split.
    expect(new Set(parts.map((r) => (r as { maxima_id: number }).maxima_id)).size).to.be.lessThan(parts.length);
    expect(await rowsOf(whole)).to.deep.equal(parts);
    expect((await s.db('runs').where({ id: inParts }).first('input_hash')).input_hash)
      .to.equal((await s.db('runs').where({ id: whole }).first('input_hash')).input_hash);
    // Every report touched (a new version, the same values): a new instance re-reads every agency, hashes what it
    // read the other way (all at once), and finds the same inputs.
    await s.db('submissions').whereIn('period_id', [period, previous]).update({ version: s.db.raw('version + 1') });
    const again = await scoringService(s, s.db, 'parts', s.frameworks, 3).computePeriod(period, { trigger: 'manual' });
    expect(again.status).to.equal('unchanged');
  });

  it('when a run fails part-way inside its transaction, then the previous run and the current rows are untouched', async () => {
    const s = t.services;
    const service = scoringService(s, s.db, 'test');
    const last = await service.computePeriod(period, { trigger: 'manual' });
    const lastRun = (last as { runId: number }).runId;
    const snapshot = await snapshotOf(s.db, lastRun);
    const rowsBefore = await s.db('agency_scores').where({ period_id: period }).orderBy(['agency_id', 'from_run']).select('agency_id', 'from_run', 'to_run', 'source_key');
    const runsBefore = await s.db('runs').count<{ n: number }[]>('* as n');

    // The failure strikes after the run row is written and the changed agencies' score rows are closed.
    await s.db.raw(`CREATE FUNCTION fail_score_write() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'injected failure'; END $$`);
    await s.db.raw(`CREATE TRIGGER fail_score_write BEFORE INSERT ON agency_scores FOR EACH STATEMENT EXECUTE FUNCTION fail_score_write()`);
    try {
      for (let pick = 0; pick < 3; pick++) await apply(s.db, period, previous, { kind: 'delete', pick: pick * 11 });
      let error: unknown;
      await service.computePeriod(period, { trigger: 'manual' }).catch((e: unknown) => (error = e));
      expect(String(error)).to.contain('injected failure');
    } finally {
      await s.db.raw('DROP TRIGGER fail_score_write ON agency_scores');
      await s.db.raw('DROP FUNCTION fail_score_write()');
    }

    const runsAfter = await s.db('runs').count<{ n: number }[]>('* as n');
    expect(runsAfter[0]!.n).to.equal(runsBefore[0]!.n);
    expect((await service.latestRun(period, false))!.id).to.equal(lastRun);
    expect(await snapshotOf(s.db, lastRun)).to.deep.equal(snapshot);
    expect(await s.db('agency_scores').where({ period_id: period }).orderBy(['agency_id', 'from_run']).select('agency_id', 'from_run', 'to_run', 'source_key')).to.deep.equal(
      rowsBefore,
    );

    // The same instance recovers: its next run sees the change and equals a full recomputation.
    const retry = await service.computePeriod(period, { trigger: 'manual' });
    expect(retry.status).to.equal('computed');
    expect(await snapshotOf(s.db, (retry as { runId: number }).runId)).to.deep.equal(await fullRecompute(s, period));
  });

  it('when the connection reading the values of a forced run is lost, then the process goes on and the period is left whole: the run either completes as a full recomputation or leaves the previous one', async function () {
    if (!usingPostgres()) this.skip(); // PGlite reads in the transaction itself.
    const s = t.services;
    const service = scoringService(s, s.db, 'lost-reader', s.frameworks, 2);
    const last = await service.computePeriod(period, { trigger: 'manual' });
    const lastRun = last.status === 'unchanged' || last.status === 'computed' ? last.runId : undefined;
    // At the run's first write, the server ends the session that reads its values (a COPY on its own connection).
    await s.db.raw(`CREATE FUNCTION end_reader() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN PERFORM pg_terminate_backend(pid) FROM pg_stat_activity
                    WHERE pid <> pg_backend_pid() AND query LIKE 'COPY (SELECT s.agency_id%'; RETURN NULL; END $$`);
    await s.db.raw(`CREATE TRIGGER end_reader BEFORE INSERT ON agency_scores FOR EACH STATEMENT EXECUTE FUNCTION end_reader()`);
    let outcome: ComputeOutcome | undefined;
    try {
      outcome = await service.computePeriod(period, { trigger: 'manual', force: true }).catch(() => undefined);
    } finally {
      await s.db.raw('DROP TRIGGER end_reader ON agency_scores');
      await s.db.raw('DROP FUNCTION end_reader()');
    }
    const latest = (await service.latestRun(period, false))!.id;
    if (outcome?.status === 'computed') {
      expect(latest).to.equal(outcome.runId);
      expect(await snapshotOf(s.db, latest)).to.deep.equal(await fullRecompute(s, period));
    } else {
      expect(latest).to.equal(lastRun);
    }
    // And the next run is whole either way.
    const next = await service.computePeriod(period, { trigger: 'manual', force: true });
    expect(await snapshotOf(s.db, (next as { runId: number }).runId)).to.deep.equal(await fullRecompute(s, period));
  });

  // A framework normalised across agencies: a change anywhere in a group rescores the whole group.
  it('when agencies change one after another under min-max composite nodes, then each incremental run equals a full recomputation', async () => {
    const s = t.services;
    const frameworks = compositeFrameworks(s);
    let service = scoringService(s, s.db, 'composite', frameworks);
    const first = await service.computePeriod(period, { trigger: 'manual' });
    expect(first.status).to.equal('computed');
    const firstRun = (first as { runId: number }).runId;
    const firstSnapshot = await snapshotOf(s.db, firstRun);
    // The composite framework scores differently from the points one: the wrapper is in effect.
    expect(firstSnapshot).to.not.deep.equal(await fullRecompute(s, period));
    let computed = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 2 }), fc.boolean(), async (mutations, restart) => {
        for (const m of mutations) await apply(s.db, period, previous, m);
        if (restart) service = scoringService(s, s.db, 'composite', frameworks);
        const outcome = await service.computePeriod(period, { trigger: 'manual' });
        expect(outcome.status).to.be.oneOf(['computed', 'unchanged']);
        if (outcome.status === 'computed') computed += 1;
        const runId = (outcome as { runId: number }).runId;
        expect(await snapshotOf(s.db, runId)).to.deep.equal(await fullRecompute(s, period, frameworks));
        await expectCoreRanks(s.db, runId);
      }),
      { numRuns: 12, seed: 20261123 },
    );
    expect(computed, 'some mutations must have changed the results').to.be.greaterThan(3);
    expect(await snapshotOf(s.db, firstRun)).to.deep.equal(firstSnapshot);
  });

  it('when one agency changes under min-max composite nodes, then its whole ranking group is rescored and no other group', async () => {
    const s = t.services;
    const service = scoringService(s, s.db, 'composite', compositeFrameworks(s));
    await service.computePeriod(period, { trigger: 'manual' });
    const before = await s.db('agency_scores').where({ period_id: period }).whereNull('to_run').select('agency_id', 'ranking_group_id', 'from_run');
    // Any change of one agency's inputs (the value differs from what it was, so its input hash does).
    const row = await s.db('submission_values as v')
      .join('submissions as sub', 'sub.id', 'v.submission_id')
      .where('sub.period_id', period)
      .whereIn('sub.state', ['approved', 'published'])
      .whereNotNull('v.self_value')
      .orderBy('v.id')
      .first('v.id', 'sub.agency_id');
    await s.db('submission_values').where({ id: row.id }).update({ self_value: s.db.raw('self_value + 7'), appraised_value: null, appraised_denominator: null, appraised_option: null });
    const outcome = await service.computePeriod(period, { trigger: 'manual' });
    expect(outcome.status).to.equal('computed');
    const runId = (outcome as { runId: number }).runId;
    const after = await s.db('agency_scores').where({ period_id: period }).whereNull('to_run').select('agency_id', 'from_run');
    const group = before.find((b) => b.agency_id === row.agency_id)!.ranking_group_id;
    const rewritten = after.filter((a) => a.from_run === runId).map((a) => a.agency_id).sort((x, y) => x - y);
    const members = before.filter((b) => b.ranking_group_id === group).map((b) => b.agency_id).sort((x, y) => x - y);
    expect(members.length).to.be.greaterThan(1);
    expect(rewritten).to.deep.equal(members);
    expect(await snapshotOf(s.db, runId)).to.deep.equal(await fullRecompute(s, period, compositeFrameworks(s)));
  });
});
