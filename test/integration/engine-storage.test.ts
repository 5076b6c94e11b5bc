// The scoring engine's behaviours through the shared, incrementally written run storage (migration 020): every
// stored figure reads back as the scoring core computed it, a main index that is an indicator is ranked and its rank
// read back from a snapshot, and an annual value formed from the year's semiannual values is rescored, without
// forcing, when a half changes.
import { expect } from 'chai';
import type { Knex } from 'knex';
import { bootTestApp, type TestApp } from '../support/app.js';
import { agencyId, userId } from '../support/builders.js';
import { parseFramework } from '../../server/frameworks/framework.loader.js';
import { computeScores } from '../../server/scoring/compute.js';
import type { Actor } from '../../server/auth/policy.js';
import * as runs from '../../server/scoring/runs.repository.js';
import { VALUE_FLAGS } from '../../server/scoring/score.js';
import { FLAG_LETTERS, NO_FLAG, type StoredScores } from '../../server/scoring/result-rows.js';

// T.1 and T.2 are main indices themselves (QĐ 922 at main-index level); G is an index node with one indicator.
const SOURCE = `
code: T-TOP
name: Bộ chỉ số thử chỉ số chính là chỉ tiêu
version: 1
applies_to: [so-nganh]
periods: [semiannual, annual]
nodes:
  - { code: T.1, name: Số lớp tập huấn, max: 20, input: { kind: count }, score: { rule: linear, full: 10 }, periodicity: semiannual, annual_from: sum }
  - { code: T.2, name: Có kế hoạch, max: 10, input: { kind: yesno }, score: { rule: yesno } }
  - code: G
    name: Nhóm G
    children:
      - { code: G.1, name: Số cuộc họp, max: 10, input: { kind: count }, score: { rule: linear, full: 4 } }
`;

// Every kind of stored figure: index nodes (no measure, no flag), a ratio's long measure, a node that applies to one
// group only, a missing value kept in the max and one left out of it, a main index that is an indicator, a
// sub-index, and a group assessed but not ranked (no rank keys).
const STORE_SOURCE = `
code: T-STORE
name: Bộ chỉ số thử lưu kết quả
version: 1
applies_to: [so-nganh, thu-nghiem]
periods: [annual]
nodes:
  - code: A
    name: Nhóm A
    children:
      - { code: A.1, name: Tỷ lệ đạt, max: 10, input: { kind: ratio, numerator: Đạt, denominator: Tổng }, score: { rule: linear } }
      - { code: A.2, name: Chỉ khối sở, max: 5, input: { kind: yesno }, score: { rule: yesno }, applies_to: [so-nganh] }
      - { code: A.3, name: Thiếu thì bỏ khỏi điểm tối đa, max: 5, input: { kind: percent }, score: { rule: target, target: 0.8 }, missing: exclude }
  - { code: B, name: Số lớp, max: 10, input: { kind: count }, score: { rule: steps, steps: [[3, 10], [1, 5]] } }
subindices:
  - { code: S, name: Chỉ số phụ, of: [A] }
`;

describe('engine results in the shared run storage', function () {
  let t: TestApp;
  before(async () => {
    t = await bootTestApp();
  });
  after(async () => t?.close());

  it('when a run is stored, then every figure of every agency reads back as the scoring core computed it', async () => {
    const db = t.services.db;
    const trial = await t.services.agencies.createGroup({ code: 'thu-nghiem', name: 'Khối thử nghiệm', ranked: false, sortOrder: 90 });
    const def = parseFramework(STORE_SOURCE, 't-store.yaml');
    const { id } = await t.services.frameworks.importFramework(def);
    const year = await t.services.periods.ensure({ id, code: def.code }, 'annual', 2026);
    const [{ id: trialAgency }] = await db('agencies').insert({ code: 'TN-1', name: 'Đơn vị thử nghiệm', kind: 'commune', ranking_group_id: trial }).returning('id');
    const agencies = [await agencyId(db, 'SNV'), await agencyId(db, 'STC'), trialAgency as number];
    const v = (value: number, denominator: number | null = null) => ({ value, denominator, option: null });
    const values: Array<Record<string, ReturnType<typeof v>>> = [
      { 'A.1': v(2, 3), 'A.2': v(1), B: v(2) },
      { 'A.2': v(0), 'A.3': v(50), B: v(0) },
      { 'A.1': v(1, 7), 'A.3': v(90), B: v(4) },
    ];
    const actor: Actor = { id: await userId(db, 'thamdinh'), username: 'thamdinh', fullName: 'Thẩm định', role: 'reviewer', agencyId: null };
    await db.transaction(async (trx) => {
      for (const [i, agency] of agencies.entries()) {
        await t.services.submissions.importSubmission(trx, actor, {
          agencyId: agency,
          periodId: year.id,
          state: 'approved',
          values: Object.entries(values[i]!).map(([code, self]) => ({ code, self })),
          evidence: [],
        }, 'test');
      }
    });
    const outcome = await t.services.scoring.computePeriod(year.id, { trigger: 'manual' });
    expect(outcome.status).to.equal('computed');
    const runId = (outcome as { runId: number }).runId;

    const groups = ['so-nganh', 'so-nganh', 'thu-nghiem'];
    const core = computeScores(
      def,
      agencies.map((agencyId, i) => ({
        agencyId,
        group: groups[i]!,
        values: Object.fromEntries(Object.entries(values[i]!).map(([code, value]) => [code, { value }])),
      })),
      [{ code: 'so-nganh', ranked: true }, { code: 'thu-nghiem', ranked: false }],
    );
    const stored = await db('run_node_scores').where({ run_id: runId }).whereIn('agency_id', agencies)
      .select('agency_id', 'node_code', 'node_kind', 'points', 'max_points', 'measure', 'flag', 'rank');
    const read = (agency: number, code: string) => {
      const row = stored.find((r) => r.agency_id === agency && r.node_code === code);
      expect(row, `${code} of agency ${agency}`).to.not.equal(undefined);
      return { points: Number(row.points), max: Number(row.max_points), measure: row.measure, flag: row.flag, rank: row.rank };
    };
    for (const score of core) {
      for (const i of score.indicators) {
        expect(read(score.agencyId, i.code), i.code).to.deep.equal({ points: i.points, max: i.max, measure: i.measure, flag: i.flag, rank: i.rank ?? null });
      }
      for (const n of [...score.nodes, ...score.subindices]) {
        expect(read(score.agencyId, n.code), n.code).to.deep.equal({ points: n.points, max: n.max, measure: null, flag: null, rank: n.rank });
      }
      const total = await db('run_results').where({ run_id: runId, agency_id: score.agencyId }).first('points', 'max_points', 'rank');
      expect({ points: Number(total.points), max: Number(total.max_points), rank: total.rank }).to.deep.equal({
        points: score.total.points,
        max: score.total.max,
        rank: score.total.rank,
      });
    }
    // The cases above are all there: a ratio's long measure, a missing value in and out of the max, a node that
    // does not apply, a sub-index, and no ranks in the group assessed only.
    const flags = stored.map((r) => r.flag);
    expect(flags).to.include.members(['reported', 'missing', 'excluded', 'not_applicable']);
    expect(read(agencies[0]!, 'A.1').measure).to.equal(2 / 3);
    expect(read(trialAgency as number, 'A').rank).to.equal(null);
    expect(read(agencies[0]!, 'S').rank).to.be.a('number');
    expect(stored.length).to.equal(agencies.length * 6);
    // Each distinct vector of maximum points is stored once (migration 080) and named by the rows that have it: here
    // every agency has its own (one leaves A.3 out of its max, one has A.2 not applicable, one counts all).
    const maxima = core.map((score) => JSON.stringify(stored.filter((r) => r.agency_id === score.agencyId).map((r) => [r.node_code, Number(r.max_points)]).sort()));
    expect(new Set(maxima).size).to.equal(3);
    expect(Number((await db('agency_scores').where({ from_run: runId }).countDistinct<Array<{ n: number }>>('maxima_id as n'))[0]!.n)).to.equal(3);
  });

  /** A stored layout of one index node and an indicator per value flag, for rows written by hand. */
  const flagLayout = (agencies: number): StoredScores => {
    const codes = ['N', ...VALUE_FLAGS.map((_, i) => `F.${i + 1}`)];
    const width = codes.length;
    return {
      layout: { codes, kinds: ['index', ...VALUE_FLAGS.map(() => 'indicator' as const)], ranked: 1 },
      totalPoints: new Float64Array(agencies),
      totalMax: new Float64Array(agencies).fill(width),
      totalKeys: new Float64Array(agencies),
      points: new Float64Array(agencies * width),
      max: new Float64Array(agencies * width).fill(1),
      measures: new Float64Array(agencies * width).fill(NaN),
      // The first agency's figures carry the flags in order, the next one's in reverse, and so on.
      flags: Buffer.from(
        Array.from({ length: agencies }, (_, a) => NO_FLAG + (a % 2 ? [...VALUE_FLAGS].reverse() : VALUE_FLAGS).map((f) => FLAG_LETTERS[f]).join('')).join(''),
        'latin1',
      ),
      keys: new Float64Array(agencies),
    };
  };

  /** Runs `work` in a transaction that is then rolled back: the figures are made up, and must not stay. */
  const rolledBack = async (work: (trx: Knex.Transaction) => Promise<void>): Promise<void> => {
    const rollBack = new Error('roll back');
    await t.services.db
      .transaction(async (trx) => {
        await work(trx);
        throw rollBack;
      })
      .catch((e: unknown) => {
        if (e !== rollBack) throw e;
      });
  };

  /**
   * Runs one statement's worth of `work` under a savepoint, undone if it fails: 'done', or the SQLSTATE and message of
   * the refusal (the transaction goes on either way).
   */
  const attempt = async (trx: Knex.Transaction, work: () => Promise<unknown>): Promise<{ code: string; message: string }> => {
    await trx.raw('SAVEPOINT attempt');
    try {
      await work();
      return { code: 'done', message: '' };
    } catch (e) {
      await trx.raw('ROLLBACK TO SAVEPOINT attempt');
      return { code: (e as { code?: string }).code ?? 'error', message: (e as Error).message };
    }
  };

  /** A new run of the first period, its layout and vector of maximum points, for `scores`. */
  const runFor = async (trx: Knex.Transaction, scores: StoredScores) => {
    const period = (await trx('periods').first('id', 'framework_id'))!;
    const runId = await runs.insertRun(trx, {
      periodId: period.id, frameworkId: period.framework_id, status: 'succeeded', trigger: 'manual', inputHash: 'by hand',
      codeVersion: 'test', startedBy: null, startedAt: new Date(),
    });
    const layoutId = await runs.ensureLayout(trx, scores.layout);
    const [maximaId] = await runs.maximaIds(trx, layoutId, [scores.max.subarray(0, scores.layout.codes.length)]);
    return { periodId: period.id as number, runId, maximaId: maximaId! };
  };

  it('when figures carry every kind of value flag, then each reads back as its word, agency by agency, and a figure that is not an indicator has none', async () => {
    const scores = flagLayout(2);
    const read: Array<Array<{ node_code: string; flag: string | null }>> = [];
    await rolledBack(async (trx) => {
      const { periodId, runId, maximaId } = await runFor(trx, scores);
      const agencies = [await agencyId(trx, 'SNV'), await agencyId(trx, 'STC')];
      const groups = await trx('agencies').whereIn('id', agencies).select('id', 'ranking_group_id');
      await runs.closeCurrent(trx, periodId, agencies, runId);
      await runs.insertScores(trx, periodId, runId, {
        agencyIds: agencies, groupIds: agencies.map((a) => groups.find((g) => g.id === a)!.ranking_group_id),
        ranked: [true, true], inputHashes: ['flags', 'flags'], sourceKeys: ['flags', 'flags'], maximaIds: [maximaId, maximaId],
      }, scores);
      for (const agency of agencies) {
        read.push(await trx('run_node_scores').where({ run_id: runId, agency_id: agency }).orderBy('node_code').select('node_code', 'flag'));
      }
    });
    expect(read.map((rows) => rows.map((r) => [r.node_code, r.flag]))).to.deep.equal([
      [...VALUE_FLAGS.map((f, i) => [`F.${i + 1}`, f]), ['N', null]],
      [...[...VALUE_FLAGS].reverse().map((f, i) => [`F.${i + 1}`, f]), ['N', null]],
    ]);
  });

  it('when a score row names an agency, ranking group or vector of maximum points that does not exist, then the write is refused, naming what is missing', async () => {
    const scores = flagLayout(3);
    const refused: Array<{ code: string; message: string }> = [];
    await rolledBack(async (trx) => {
      const { periodId, runId, maximaId } = await runFor(trx, scores);
      const agencies = [await agencyId(trx, 'SNV'), await agencyId(trx, 'STC'), await agencyId(trx, 'SYT')];
      const group = (await trx('agencies').where({ id: agencies[0] }).first('ranking_group_id')).ranking_group_id as number;
      await runs.closeCurrent(trx, periodId, agencies, runId);
      const missing = 1_000_000;
      const meta = {
        agencyIds: agencies, groupIds: [group, group, group], ranked: [true, true, true],
        inputHashes: ['x', 'x', 'x'], sourceKeys: ['x', 'x', 'x'], maximaIds: [maximaId, maximaId, maximaId],
      };
      // The last row of each write is the wrong one: the check covers every row of the statement.
      for (const wrong of [
        { ...meta, agencyIds: [agencies[0]!, agencies[1]!, missing] },
        { ...meta, groupIds: [group, group, missing] },
        { ...meta, maximaIds: [maximaId, maximaId, missing] },
      ]) {
        refused.push(await attempt(trx, () => runs.insertScores(trx, periodId, runId, wrong, scores)));
      }
      // The same rows with their references right are written.
      await runs.insertScores(trx, periodId, runId, meta, scores);
      expect(Number((await trx('agency_scores').where({ from_run: runId }).count<Array<{ n: number }>>('* as n'))[0]!.n)).to.equal(3);
    });
    expect(refused.map((r) => r.code)).to.deep.equal(['23503', '23503', '23503']);
    expect(refused[0]!.message).to.contain('agency 1000000');
    expect(refused[1]!.message).to.contain('ranking group 1000000');
    expect(refused[2]!.message).to.contain('vector of maximum points 1000000');
  });

  it('when score rows refer to an agency, its group and a vector of maximum points, then none of them can be deleted or renumbered, nor a row made to refer elsewhere', async () => {
    const scores = flagLayout(1);
    const outcomes: string[] = [];
    await rolledBack(async (trx) => {
      const { periodId, runId, maximaId } = await runFor(trx, scores);
      const agency = await agencyId(trx, 'SNV');
      const group = (await trx('agencies').where({ id: agency }).first('ranking_group_id')).ranking_group_id as number;
      await runs.closeCurrent(trx, periodId, [agency], runId);
      await runs.insertScores(trx, periodId, runId, {
        agencyIds: [agency], groupIds: [group], ranked: [true], inputHashes: ['x'], sourceKeys: ['x'], maximaIds: [maximaId],
      }, scores);
      const tryRaw = async (sql: string, bindings: Knex.RawBinding[]): Promise<void> => {
        outcomes.push((await attempt(trx, () => trx.raw(sql, bindings))).code);
      };
      await tryRaw('DELETE FROM score_maxima WHERE id = ?', [maximaId]);
      await tryRaw('UPDATE score_maxima SET id = id + 1000 WHERE id = ?', [maximaId]);
      await tryRaw('UPDATE agency_scores SET agency_id = ? WHERE from_run = ?', [await agencyId(trx, 'STC'), runId]);
      await tryRaw('UPDATE agency_scores SET maxima_id = maxima_id WHERE from_run = ?', [runId]);
      await tryRaw('UPDATE agency_scores SET source_key = ? WHERE from_run = ?', ['changed', runId]);
      // Agencies and groups are refused even where nothing else refers to them: the rule is theirs, not the row's.
      const [spare] = await trx('ranking_groups').insert({ code: 'tam-thoi', name: 'Khối tạm', ranked: true, sort_order: 99 }).returning('id');
      await tryRaw('DELETE FROM ranking_groups WHERE id = ?', [(spare as { id: number }).id]);
      await tryRaw('DELETE FROM agencies WHERE id = ?', [agency]);
      await tryRaw('UPDATE agencies SET id = id + 100000 WHERE id = ?', [agency]);
      await tryRaw('UPDATE agencies SET name = name WHERE id = ?', [agency]);
    });
    expect(outcomes).to.deep.equal(['23001', '23001', '23001', 'done', 'done', '23001', '23001', '23001', 'done']);
  });

  it('when a main index is an indicator, then its rank is stored and read back as the scoring core ranks it, and a changed half rescores the year', async () => {
    const db = t.services.db;
    const def = parseFramework(SOURCE, 't-top.yaml');
    const { id } = await t.services.frameworks.importFramework(def);
    const framework = { id, code: def.code };
    const h1 = await t.services.periods.ensure(framework, 'semiannual', 2026);
    const year = await t.services.periods.ensure(framework, 'annual', 2026);
    const codes = ['SNV', 'STC', 'SYT'];
    const agencies = await Promise.all(codes.map((c) => agencyId(db, c)));
    const reported = (value: number) => ({ value, denominator: null, option: null });
    const actor: Actor = { id: await userId(db, 'thamdinh'), username: 'thamdinh', fullName: 'Thẩm định', role: 'reviewer', agencyId: null };
    await db.transaction(async (trx) => {
      for (const [i, agency] of agencies.entries()) {
        await t.services.submissions.importSubmission(trx, actor, {
          agencyId: agency, periodId: h1.id, state: 'approved', values: [{ code: 'T.1', self: reported([4, 8, 4][i]!) }], evidence: [],
        }, 'test');
        await t.services.submissions.importSubmission(trx, actor, {
          agencyId: agency,
          periodId: year.id,
          state: 'approved',
          values: [{ code: 'T.2', self: reported([1, 0, 1][i]!) }, { code: 'G.1', self: reported([1, 2, 3][i]!) }],
          evidence: [],
        }, 'test');
      }
    });
    const first = await t.services.scoring.computePeriod(year.id, { trigger: 'manual' });
    expect(first.status).to.equal('computed');
    const ranksOf = async (runId: number): Promise<Record<string, Array<number | null>>> => {
      const rows = await db('run_node_scores').where({ run_id: runId }).whereIn('agency_id', agencies).whereIn('node_code', ['T.1', 'T.2', 'G'])
        .select('agency_id', 'node_code', 'rank');
      const out: Record<string, Array<number | null>> = {};
      for (const code of ['T.1', 'T.2', 'G']) out[code] = agencies.map((a) => rows.find((r) => r.agency_id === a && r.node_code === code)!.rank);
      return out;
    };
    // T.1 = the half's courses (4, 8, 4 of 10): 8, 16, 8 points → ranks 2, 1, 2; T.2 yes/no → 1, 3, 1.
    expect(await ranksOf((first as { runId: number }).runId)).to.deep.equal({ 'T.1': [2, 1, 2], 'T.2': [1, 3, 1], G: [3, 2, 1] });
    // The same ranks as the core's rankAgencies over the whole group, for every agency of it.
    const run1 = (first as { runId: number }).runId;
    const stored = await db('run_node_scores').where({ run_id: run1, node_code: 'T.2' }).select('agency_id', 'rank', 'points', 'max_points');
    const core = computeScores(
      def,
      stored.map((r) => ({ agencyId: r.agency_id, group: 'so-nganh', values: { 'T.2': { value: reported(Number(r.points) > 0 ? 1 : 0) } } })),
      [{ code: 'so-nganh', ranked: true }],
    );
    for (const r of stored) expect(r.rank).to.equal(core.find((c) => c.agencyId === r.agency_id)!.indicators.find((i) => i.code === 'T.2')!.rank);

    // A change in the first half alone (STC: 8 → 2 courses) is seen by the next, unforced run of the year.
    await db('submission_values')
      .whereIn('submission_id', db('submissions').where({ period_id: h1.id, agency_id: agencies[1] }).select('id'))
      .update({ self_value: 2 });
    const second = await t.services.scoring.computePeriod(year.id, { trigger: 'manual' });
    expect(second.status).to.equal('computed');
    const run2 = (second as { runId: number }).runId;
    expect((await ranksOf(run2))['T.1']).to.deep.equal([1, 3, 1]);
    const t1 = await db('run_node_scores').where({ run_id: run2, agency_id: agencies[1], node_code: 'T.1' }).first('points');
    expect(Number(t1.points)).to.equal(4);
    // Only that agency's row was written again.
    expect(await db('agency_scores').where({ period_id: year.id, from_run: run2 }).pluck('agency_id')).to.deep.equal([agencies[1]]);
  });
});
