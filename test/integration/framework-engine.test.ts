// The framework engine inside the platform: versions that never change published results, annual values formed
// from semiannual ones by a run, pooled province rates on the rankings screen and the scorecard's explanations.
import { expect } from 'chai';
import { bootTestApp, Client, type TestApp } from '../support/app.js';
import { agencyId, frameworkFile, periodId, unescapeHtml, userId } from '../support/builders.js';
import { AppError } from '../../server/errors.js';
import { parseFramework } from '../../server/frameworks/framework.loader.js';
import { indicatorsOf, type FrameworkDef } from '../../server/frameworks/framework.types.js';
import { pooledRate } from '../../server/scoring/compute.js';
import { roundPublished } from '../../server/scoring/score.js';
import { nodeScores, rankingRows } from '../../server/rankings/rankings.view.js';
import { formatIndex, signed } from '../../reports/format.js';
import type { Actor } from '../../server/auth/policy.js';


/** Rows of one run, comparable across runs. */
async function runRows(t: TestApp, runId: number): Promise<unknown[]> {
  return t.services
    .db('run_node_scores')
    .where({ run_id: runId })
    .orderBy(['agency_id', 'node_code'])
    .select('agency_id', 'node_code', 'points', 'max_points', 'value', 'flag', 'rank');
}

describe('framework engine in the platform', function () {
  let t: TestApp;
  before(async () => {
    t = await bootTestApp();
  });
  after(async () => t?.close());

  describe('versions', () => {
    it('when the same definition is imported again, then nothing new is created', async () => {
      const { def } = await frameworkFile('dti-so.yaml');
      const again = await t.services.frameworks.importFramework(def);
      expect(again.created).to.equal(false);
    });

    it('when changed content is imported under the same version, then it is refused', async () => {
      const { def } = await frameworkFile('dti-so.yaml');
      const changed: FrameworkDef = { ...def, name: `${def.name} (sửa)` };
      const error = await t.services.frameworks.importFramework(changed).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).to.be.instanceOf(AppError);
      expect((error as AppError).status).to.equal(409);
    });

    it('when an edited framework is imported as a new version, then published results and their recomputation do not change', async () => {
      const db = t.services.db;
      const published = await periodId(db, 'DTI-SO-2025-N');
      const period = await t.services.periods.get(published);
      const run = (await t.services.scoring.latestRun(published, true))!;
      const before = await runRows(t, run.id);

      // Version +1 where NLS.1 needs only half the officials for full points: scored on it, every agency would gain.
      const { def } = await frameworkFile('dti-so.yaml');
      const edited = structuredClone(def) as FrameworkDef;
      edited.version = def.version + 1;
      const nls1 = indicatorsOf(edited.nodes).find((i) => i.code === 'NLS.1')!;
      nls1.score = { rule: 'target', target: 0.5 };
      const imported = await t.services.frameworks.importFramework(edited);
      expect(imported.created).to.equal(true);
      expect(imported.id).to.not.equal(period.frameworkId);

      // The period stays on its version; its publication is untouched, and recomputing it gives the same results.
      expect((await t.services.periods.get(published)).frameworkId).to.equal(period.frameworkId);
      expect(await runRows(t, run.id)).to.deep.equal(before);
      const again = await t.services.scoring.computePeriod(published, { trigger: 'manual', force: true });
      expect(again.status).to.equal('computed');
      if (again.status !== 'computed') return;
      expect(await runRows(t, again.runId)).to.deep.equal(before);
      expect((await t.services.scoring.latestRun(published, true))!.id).to.equal(run.id);
    });
  });

  describe('annual values formed from semiannual ones', () => {
    // A small framework for departments: K.1 courses held, collected semiannually, summed for the year; K.2 a
    // yes/no collected in both periods. Count rule: linear, 10 courses for full points (max 20).
    const source = `
code: T-NAM
name: Bộ chỉ số thử giá trị năm
version: 1
applies_to: [so-nganh]
periods: [semiannual, annual]
nodes:
  - code: K
    name: Nhóm K
    children:
      - { code: K.1, name: Số lớp tập huấn, max: 20, input: { kind: count }, score: { rule: linear, full: 10 }, periodicity: semiannual, annual_from: sum }
      - { code: K.2, name: Có kế hoạch, max: 10, input: { kind: yesno }, score: { rule: yesno } }
`;
    it('when the annual period is computed, then a semiannual indicator takes the value formed from the year\'s halves', async () => {
      const db = t.services.db;
      const def = parseFramework(source, 't-nam.yaml');
      const { id } = await t.services.frameworks.importFramework(def);
      const framework = { id, code: def.code };
      const h1 = await t.services.periods.ensure(framework, 'semiannual', 2026);
      const year = await t.services.periods.ensure(framework, 'annual', 2026);
      const snv = await agencyId(db, 'SNV');
      const stc = await agencyId(db, 'STC');
      const reported = (value: number) => ({ value, denominator: null, option: null });
      const ADMIN: Actor = { id: await userId(db, 'thamdinh'), username: 'thamdinh', fullName: 'Thẩm định', role: 'reviewer', agencyId: null };
      await db.transaction(async (trx) => {
        // SNV: 4 courses in the first half, recognised as 3 by the reviewer; STC reported no courses value.
        await t.services.submissions.importSubmission(trx, ADMIN, {
          agencyId: snv,
          periodId: h1.id,
          state: 'approved',
          values: [{ code: 'K.1', self: reported(4), appraised: reported(3), appraisalReason: 'Một lớp không đủ hồ sơ' }],
          evidence: [],
        }, 'test');
        await t.services.submissions.importSubmission(trx, ADMIN, {
          agencyId: stc,
          periodId: h1.id,
          state: 'approved',
          values: [{ code: 'K.2', self: reported(1) }],
          evidence: [],
        }, 'test');
        for (const agency of [snv, stc]) {
          await t.services.submissions.importSubmission(trx, ADMIN, {
            agencyId: agency,
            periodId: year.id,
            state: 'approved',
            values: [{ code: 'K.2', self: reported(1) }],
            evidence: [],
          }, 'test');
        }
      });
      const outcome = await t.services.scoring.computePeriod(year.id, { trigger: 'manual', force: true });
      expect(outcome.status).to.equal('computed');
      if (outcome.status !== 'computed') return;
      const k1 = await db('run_node_scores').where({ run_id: outcome.runId, node_code: 'K.1' }).whereIn('agency_id', [snv, stc]).orderBy('agency_id').select('agency_id', 'points', 'max_points', 'measure', 'flag');
      // The year has one semiannual period: SNV's annual K.1 = 3 (the appraised value) → 3/10 × 20 = 6, flagged
      // adjusted; STC has no K.1 in the half → missing, 0 of 20.
      expect(k1.map((r) => [r.agency_id, Number(r.points), Number(r.max_points), r.measure, r.flag])).to.deep.equal(
        [
          [snv, 6, 20, 3, 'adjusted'],
          [stc, 0, 20, null, 'missing'],
        ].sort((a, b) => (a[0] as number) - (b[0] as number)),
      );
    });
  });

  describe('per-agency exemptions', () => {
    it('when the Department exempts an agency from an indicator, then its form drops it and the next run leaves its points and max', async () => {
      const db = t.services.db;
      const period = await t.services.periods.get(await periodId(db, 'DTI-SO-2026-N'));
      const snv = await agencyId(db, 'SNV');
      const admin: Actor = { id: await userId(db, 'quantri'), username: 'quantri', fullName: 'Quản trị', role: 'admin', agencyId: null };
      const before = await t.services.scoring.computePeriod(period.id, { trigger: 'manual', force: true });
      if (before.status !== 'computed') throw new Error('not computed');
      const total = async (runId: number): Promise<number> =>
        Number((await db('run_results').where({ run_id: runId, agency_id: snv }).first('max_points')).max_points);

      await t.services.frameworks.exempt(admin, { period, agencyId: snv, nodeCode: 'HDCQS.16', reason: 'Sở không tiếp nhận phản ánh, kiến nghị trực tiếp' });

      const after = await t.services.scoring.computePeriod(period.id, { trigger: 'manual' });
      expect(after.status).to.equal('computed');
      if (after.status !== 'computed') return;
      const row = await db('run_node_scores').where({ run_id: after.runId, agency_id: snv, node_code: 'HDCQS.16' }).first();
      expect(row).to.include({ flag: 'not_applicable' });
      expect(Number(row.max_points)).to.equal(0);
      const wasCounted = Number((await db('run_node_scores').where({ run_id: before.runId, agency_id: snv, node_code: 'HDCQS.16' }).first()).max_points);
      expect(await total(after.runId)).to.equal(await total(before.runId) - wasCounted);

      const reporter = await Client.login(t.app, 'chuyenvien');
      const sub = await db('submissions').where({ agency_id: snv, period_id: period.id }).first('id');
      const form = await reporter.get(`/submissions/${sub.id}`);
      expect(form.text).to.match(/<tr class="na[^"]*" id="ind-HDCQS\.16">/);

      const audit = await db('audit_events').where({ action: 'exemption.set', agency_id: snv }).first();
      expect(audit.reason).to.equal('Sở không tiếp nhận phản ánh, kiến nghị trực tiếp');
    });

    it('when the admin uses the exemptions page, then a decision is listed with its reason and can be removed', async () => {
      const db = t.services.db;
      const period = await periodId(db, 'DTI-SO-2026-N');
      const stc = await agencyId(db, 'STC');
      const admin = await Client.login(t.app, 'quantri');
      expect((await admin.get(`/rankings?period=${period}`)).text).to.include(`href="/periods/${period}/exemptions"`);
      await admin.get(`/periods/${period}/exemptions`);
      const set = await admin.post(`/periods/${period}/exemptions`, { agency: String(stc), node: 'NTS.6', reason: 'Đơn vị sự nghiệp <không> bình xét thi đua riêng' });
      expect(set.status).to.equal(303);
      expect(set.headers.location).to.equal(`/periods/${period}/exemptions?msg=exemption-set`);
      const page = await admin.get(set.headers.location!);
      expect(page.text).to.include('Sở Tài chính').and.include('NTS.6').and.include('Đơn vị sự nghiệp &lt;không&gt; bình xét thi đua riêng');
      expect(page.text).to.include('Đã ghi nhận chỉ số không áp dụng cho đơn vị');

      const removed = await admin.post(`/periods/${period}/exemptions/delete`, { agency: String(stc), node: 'NTS.6' });
      expect(removed.status).to.equal(303);
      expect(await db('indicator_exemptions').where({ agency_id: stc })).to.deep.equal([]);
      expect(await db('audit_events').where({ agency_id: stc }).whereIn('action', ['exemption.set', 'exemption.remove']).pluck('action')).to.have.members(['exemption.set', 'exemption.remove']);
    });

    it('when someone other than the Department\'s admin exempts an agency, or names an unknown indicator, then it is refused and nothing changes', async () => {
      const db = t.services.db;
      const period = await t.services.periods.get(await periodId(db, 'DTI-SO-2026-N'));
      const stc = await agencyId(db, 'STC');
      const reviewer: Actor = { id: await userId(db, 'thamdinh'), username: 'thamdinh', fullName: 'Thẩm định', role: 'reviewer', agencyId: null };
      const admin: Actor = { ...reviewer, id: await userId(db, 'quantri'), role: 'admin' };
      const outcome = (p: Promise<unknown>): Promise<number | null> => p.then(() => null, (e: unknown) => (e instanceof AppError ? e.status : -1));
      expect(await outcome(t.services.frameworks.exempt(reviewer, { period, agencyId: stc, nodeCode: 'HDCQS.16', reason: 'x' }))).to.equal(403);
      expect(await outcome(t.services.frameworks.exempt(admin, { period, agencyId: stc, nodeCode: 'HDCQS.99', reason: 'x' }))).to.equal(400);
      expect(await outcome(t.services.frameworks.exempt(admin, { period, agencyId: stc, nodeCode: 'HDCQS.16', reason: '  ' }))).to.equal(400);
      expect(await db('indicator_exemptions').where({ agency_id: stc })).to.deep.equal([]);
    });
  });

  describe('rankings screen and scorecard', () => {
    let leader: Client;
    before(async () => {
      leader = await Client.login(t.app, 'lanhdaotinh');
    });

    it('when the rankings of a published period are shown, then each ratio indicator has its pooled rate beside the mean of rates', async () => {
      const db = t.services.db;
      const period = await periodId(db, 'DTI-SO-2025-N');
      const res = await leader.get(`/rankings?period=${period}`);
      expect(res.status).to.equal(200);
      const html = unescapeHtml(res.text);
      expect(html).to.include('Tỷ lệ chung toàn tỉnh');

      // Worked independently: NLS.1 over the counted values of the period's agencies.
      const rows = await db('submission_values as v')
        .join('submissions as s', 's.id', 'v.submission_id')
        .join('framework_nodes as n', 'n.id', 'v.node_id')
        .where({ 's.period_id': period, 'n.code': 'NLS.1' })
        .whereIn('s.state', ['approved', 'published'])
        .select('v.*');
      const pairs = rows.map((r: Record<string, unknown>) => ({
        numerator: (r.appraised_value ?? r.self_value) as number | null,
        denominator: (r.appraised_denominator ?? r.self_denominator) as number | null,
      }));
      const rate = pooledRate(pairs.map((p) => ({ numerator: p.numerator === null ? null : Number(p.numerator), denominator: p.denominator === null ? null : Number(p.denominator) })));
      expect(rate.agencies).to.be.greaterThan(5);
      const pct = (x: number): string => `${(x * 100).toFixed(1).replace('.', ',')} %`;
      const line = /<tr><td>NLS\.1<\/td>.*?<\/tr>/.exec(html)?.[0] ?? '';
      expect(line).to.include(pct(rate.pooled!)).and.include(pct(rate.meanOfRates!)).and.include(`<td class="num">${rate.agencies}</td>`);
    });

    it('when a scorecard is shown, then every indicator has its change since the previous period and movers say whether they moved the rank', async () => {
      const db = t.services.db;
      const period = await periodId(db, 'DTI-SO-2026-6T');
      const snv = await agencyId(db, 'SNV');
      const res = await leader.get(`/rankings/${period}/agencies/${snv}`);
      expect(res.status).to.equal(200);
      const html = unescapeHtml(res.text);
      expect(html).to.include('<th scope="col" class="num">Thay đổi</th>');
      expect(html).to.include('Thay đổi so với kỳ trước');
      expect(html).to.match(/không làm thay đổi thứ hạng|làm thay đổi thứ hạng<\/strong>: nếu giữ như kỳ trước, đơn vị xếp hạng \d+/);
    });

    it('when the previous period counts another maximum (the year before a half year), then the change is the index value with its sign, not points on another scale', async () => {
      const db = t.services.db;
      const half = await periodId(db, 'DTI-SO-2026-6T');
      const year = await periodId(db, 'DTI-SO-2025-N');
      const snv = await agencyId(db, 'SNV');
      const totalIn = async (period: number) => {
        const run = (await t.services.scoring.latestRun(period, true))!;
        return (await rankingRows(db, run.id, snv))[0]!;
      };
      const [now, before] = [await totalIn(half), await totalIn(year)];
      // The premise: the year scores indicators the half year does not.
      expect(before.max).to.be.greaterThan(now.max);
      const html = unescapeHtml((await leader.get(`/rankings/${half}/agencies/${snv}`)).text);
      const change = /<dt>Thay đổi so với kỳ trước<\/dt><dd>(.*?)<\/dd>/.exec(html)?.[1] ?? '';
      const delta = roundPublished(now.value! - before.value!);
      expect(change.startsWith(signed(delta, 4)), change).to.equal(true);
      expect(change).to.not.include('điểm');
      expect(html).to.include(`<dt>Kỳ trước (Năm 2025)</dt><dd>${formatIndex(before.value)} (hạng ${before.rank})</dd>`);
    });

    it('when an indicator is counted in only one of the two periods (collected yearly), then it has no change and is not among those that moved', async () => {
      const db = t.services.db;
      const admin: Actor = { id: await userId(db, 'quantri'), username: 'quantri', fullName: 'Quản trị', role: 'admin', agencyId: null };
      const snv = await agencyId(db, 'SNV');
      // The year after a half year (indicators the half did not count), and the half year after a year (the reverse).
      for (const code of ['DTI-SO-2026-N', 'DTI-SO-2026-6T']) {
        const card = (await t.services.rankings.scorecard(admin, await periodId(db, code), snv))!;
        const prevRun = (await t.services.scoring.latestRun((await t.services.periods.previous(card.period))!.id, true))!;
        const counted = new Map((await nodeScores(db, prevRun.id, { kinds: ['indicator'], agencyId: snv })).map((n) => [n.code, n.max > 0]));
        const lines = card.sections.flatMap((s) => s.lines);
        const oneSided = lines.filter((l) => (l.max > 0) !== counted.get(l.indicator.code));
        expect(oneSided.length, `${code}: indicators counted in one period only`).to.be.greaterThan(0);
        for (const l of oneSided) expect(l.delta, `${code} ${l.indicator.code}`).to.equal(null);
        for (const l of lines.filter((x) => x.max > 0 && counted.get(x.indicator.code))) expect(l.delta, l.indicator.code).to.not.equal(null);
        const moved = new Set(card.movers.map((m) => m.code));
        expect(oneSided.filter((l) => moved.has(l.indicator.code))).to.deep.equal([]);
      }
    });
  });
});
