// The scoring engine's behaviours through the shared, incrementally written run storage (migration 020): a main
// index that is an indicator is ranked and its rank read back from a snapshot, and an annual value formed from the
// year's semiannual values is rescored, without forcing, when a half changes.
import { expect } from 'chai';
import { bootTestApp, type TestApp } from '../support/app.js';
import { agencyId, userId } from '../support/builders.js';
import { parseFramework } from '../../server/frameworks/framework.loader.js';
import { computeScores } from '../../server/scoring/compute.js';
import type { Actor } from '../../server/auth/policy.js';

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

describe('engine results in the shared run storage', function () {
  let t: TestApp;
  before(async () => {
    t = await bootTestApp();
  });
  after(async () => t?.close());

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
