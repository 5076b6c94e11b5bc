// The whole slice through HTTP on the demo province at 22/11/2026, inside the open annual 2026 period: a reporter
// enters values, the head submits, the Department returns, appraises and approves, the admin computes, ranks and
// publishes, and the report is downloaded and read back. One app per file (seeding takes seconds); the story of
// Sở Nội vụ runs in order within its describe blocks, everything else arranges its own data on other agencies.
import { expect } from 'chai';
import ExcelJS from 'exceljs';
import { bootTestApp, Client, versionOf, type TestApp } from '../support/app.js';
import {
  binary,
  errorList,
  evidenceCodes,
  frameworkFile,
  periodId,
  snapshot,
  stateOf,
  storedValues,
  submissionId,
  totalsOf,
  userId,
  validRaw,
  validReported,
} from '../support/builders.js';
import { runIndexJob } from '../../server/jobs/scheduler.js';
import { formatIndex } from '../../reports/format.js';
import { roundPublished } from '../../server/scoring/score.js';
import { STATE_LABELS } from '../../server/submissions/workflow.js';
import type { FrameworkDef, IndicatorDef } from '../../server/frameworks/framework.types.js';
import type { RawValue } from '../../server/submissions/value-validation.js';

const PERIOD = 'DTI-SO-2026-N';
const COMMUNE_PERIOD = 'DTI-XA-2026-N';

interface RunResult {
  agency_id: number;
  ranking_group_id: number;
  value: number | null;
  rank: number | null;
}

/** Standard competition ranking on the published (4-decimal) value: 1 + how many are strictly better. */
function assertCompetitionRanks(rows: RunResult[]): void {
  const byGroup = new Map<number, RunResult[]>();
  for (const r of rows) byGroup.set(r.ranking_group_id, [...(byGroup.get(r.ranking_group_id) ?? []), r]);
  for (const group of byGroup.values()) {
    for (const r of group) {
      if (r.value === null) {
        expect(r.rank, `agency ${r.agency_id} has no value and no rank`).to.equal(null);
        continue;
      }
      const better = group.filter((o) => o.value !== null && roundPublished(o.value) > roundPublished(r.value!)).length;
      expect(r.rank, `rank of agency ${r.agency_id} (${r.value})`).to.equal(better + 1);
    }
  }
}

async function latestRunId(t: TestApp, period: number): Promise<number> {
  const row = await t.services.db('runs').where({ period_id: period }).orderBy('id', 'desc').first('id');
  return row.id as number;
}

async function runResults(t: TestApp, runId: number): Promise<RunResult[]> {
  return t.services.db('run_results').where({ run_id: runId }).select('agency_id', 'ranking_group_id', 'value', 'rank');
}

describe('the reporting slice through HTTP', function () {
  this.timeout(120_000);

  let t: TestApp;
  let so: { def: FrameworkDef; indicators: IndicatorDef[] };
  let period: number;
  let snv: number;
  let snvAgency: number;
  const ind = (code: string): IndicatorDef => {
    const found = so.indicators.find((i) => i.code === code);
    if (!found) throw new Error(`no indicator ${code}`);
    return found;
  };

  before(async () => {
    t = await bootTestApp();
    so = await frameworkFile('dti-so.yaml');
    period = await periodId(t.services.db, PERIOD);
    snv = await submissionId(t.services.db, 'SNV', PERIOD);
    snvAgency = (await t.services.db('agencies').where({ code: 'SNV' }).first('id')).id;
  });

  after(async () => {
    await t?.close();
  });

  describe('entering values (reporter of Sở Nội vụ)', () => {
    let reporter: Client;
    before(async () => {
      reporter = await Client.login(t.app, 'chuyenvien');
    });

    /** Posts values with the version currently on the form. */
    async function save(values: Record<string, RawValue>, version?: number) {
      const page = await reporter.get(`/submissions/${snv}`);
      return reporter.post(`/submissions/${snv}/values`, { version: version ?? versionOf(page.text), v: values });
    }

    it('when the reporter opens the form, then it shows the draft, its totals, a field per indicator and the version', async () => {
      const res = await reporter.get(`/submissions/${snv}`);
      expect(res.status).to.equal(200);
      expect(res.text).to.include('Sở Nội vụ');
      expect(res.text).to.include(STATE_LABELS.draft);
      expect(versionOf(res.text)).to.equal((await stateOf(t.services.db, snv)).version);
      expect(res.text).to.include('name="v[HDCQS.2][value]"');
      expect(res.text).to.include('name="v[HDCQS.2][denominator]"');
      expect(res.text).to.include('name="v[NTS.1][option]"');
      const totals = totalsOf(res.text);
      expect(totals.max).to.be.greaterThan(0);
      expect(totals.selfPoints).to.be.within(0, totals.max);
    });

    it('when the reporter saves a value, then it is stored and the points shown on the page change by what it earns', async () => {
      // HDCQS.2 is a linear ratio worth 40 points: 0 of 10 earns 0, 10 of 10 earns all 40.
      const first = await save({ 'HDCQS.2': { value: '0', denominator: '10' } });
      expect(first.status).to.equal(303);
      expect(first.headers.location).to.equal(`/submissions/${snv}?msg=saved`);
      const low = totalsOf((await reporter.get(`/submissions/${snv}`)).text).selfPoints;

      const second = await save({ 'HDCQS.2': { value: '10', denominator: '10' } });
      expect(second.status).to.equal(303);
      const page = await reporter.get(second.headers.location!);
      expect(page.text).to.include('Đã lưu bản nháp.');
      expect(totalsOf(page.text).selfPoints).to.be.closeTo(low + 40, 0.01);

      const stored = (await storedValues(t.services.db, snv)).get('HDCQS.2');
      expect(stored).to.include({ selfValue: 10, selfDenominator: 10 });
    });

    it('when a value uses a decimal comma, then it is stored as the number', async () => {
      const res = await save({ 'HDCQS.4': { value: '12,5', denominator: '20' } });
      expect(res.status).to.equal(303);
      expect((await storedValues(t.services.db, snv)).get('HDCQS.4')).to.include({ selfValue: 12.5, selfDenominator: 20 });
    });

    it('when one value of a form is not a number, then the answer is 400 naming the indicator and nothing is saved', async () => {
      const before = await snapshot(t.services.db, snv);
      const res = await save({
        'HDCQS.5': { value: '7', denominator: '9' },
        'HDCQS.14': { value: 'mười', denominator: '20' },
      });
      expect(res.status).to.equal(400);
      const errors = errorList(res.text);
      expect(errors.message).to.equal('Số liệu chưa hợp lệ, chưa lưu thay đổi nào.');
      expect(errors.items).to.include(`Chỉ số HDCQS.14 (${ind('HDCQS.14').name}): giá trị phải là một số.`);
      for (const item of errors.items) expect(item).to.match(/^Chỉ số HDCQS\.14 \(/);
      // The form comes back with what was typed, so nothing has to be typed again.
      expect(res.text).to.include('name="v[HDCQS.14][value]" value="mười"');
      expect(await snapshot(t.services.db, snv)).to.deep.equal(before);
    });

    it('when a numerator exceeds its denominator, then the answer is 400 naming the indicator and its figures, and nothing is saved', async () => {
      const before = await snapshot(t.services.db, snv);
      const res = await save({ 'HDCQS.5': { value: '12', denominator: '10' } });
      expect(res.status).to.equal(400);
      const { items } = errorList(res.text);
      expect(items).to.have.length(1);
      expect(items[0]).to.match(/^Chỉ số HDCQS\.5 \(.+\): ".+" \(12\) không được lớn hơn ".+" \(10\)\.$/);
      expect(await snapshot(t.services.db, snv)).to.deep.equal(before);
    });

    it('when a value names an indicator that is not in the framework, then the answer is 400 and nothing is saved', async () => {
      const before = await snapshot(t.services.db, snv);
      const res = await save({ 'HDCQS.99': { value: '1' } });
      expect(res.status).to.equal(400);
      expect(errorList(res.text).items).to.deep.equal(['Chỉ số HDCQS.99 không có trong bộ chỉ số của kỳ này.']);
      expect(await snapshot(t.services.db, snv)).to.deep.equal(before);
    });

    it('when the form was opened before someone else saved (stale version), then the answer is 409 and nothing is saved', async () => {
      const stale = versionOf((await reporter.get(`/submissions/${snv}`)).text);
      const first = await save({ 'HDCQS.5': { value: '3', denominator: '9' } }, stale);
      expect(first.status).to.equal(303);
      const before = await snapshot(t.services.db, snv);

      const second = await save({ 'HDCQS.5': { value: '8', denominator: '9' } }, stale);
      expect(second.status).to.equal(409);
      expect(errorList(second.text).message).to.include('Báo cáo đã được người khác cập nhật');
      expect(await snapshot(t.services.db, snv)).to.deep.equal(before);
      expect((await storedValues(t.services.db, snv)).get('HDCQS.5')).to.include({ selfValue: 3, selfDenominator: 9 });
    });

    it('when the version is missing, then the answer is 400 and nothing is saved', async () => {
      const before = await snapshot(t.services.db, snv);
      const res = await reporter.post(`/submissions/${snv}/values`, { v: { 'HDCQS.5': { value: '1', denominator: '9' } } });
      expect(res.status).to.equal(400);
      expect(await snapshot(t.services.db, snv)).to.deep.equal(before);
    });

    it('when values are saved, then the audit trail records who changed which indicator, before and after', async () => {
      const old = (await storedValues(t.services.db, snv)).get('HDCQS.9');
      const res = await save({ 'HDCQS.9': { value: '5', denominator: '25', comment: 'Theo thống kê Cổng DVC' } });
      expect(res.status).to.equal(303);
      const event = await t.services.db('audit_events')
        .where({ submission_id: snv, action: 'value.update', entity_id: 'HDCQS.9' })
        .orderBy('id', 'desc')
        .first();
      expect(event.actor_id).to.equal(await userId(t.services.db, 'chuyenvien'));
      expect(event.actor_name).to.include('chuyenvien');
      expect(event.agency_id).to.equal(snvAgency);
      expect(event.after).to.deep.equal({
        value: { value: 5, denominator: 25, option: null },
        comment: 'Theo thống kê Cổng DVC',
      });
      const oldValue =
        old && (old.selfValue !== null || old.selfDenominator !== null || old.selfOption !== null)
          ? { value: old.selfValue, denominator: old.selfDenominator, option: old.selfOption }
          : null;
      expect(event.before).to.deep.equal({ value: oldValue, comment: old?.comment ?? null });
      // The change is listed on the form's history as well.
      const page = await reporter.get(`/submissions/${snv}`);
      expect(page.text).to.match(/<tr data-action="value\.update"><td>[^<]+<\/td><td>[^<]+<\/td><td>Cập nhật số liệu<\/td><td>Chỉ số HDCQS\.9<\/td>/);
    });

    it('when a value is saved unchanged, then no audit event is written for it', async () => {
      await save({ 'HDCQS.9': { value: '6', denominator: '25' } });
      const count = async (): Promise<number> =>
        Number((await t.services.db('audit_events').where({ submission_id: snv, entity_id: 'HDCQS.9' }).count('* as n'))[0]!.n);
      const before = await count();
      const res = await save({ 'HDCQS.9': { value: '6', denominator: '25' } });
      expect(res.status).to.equal(303);
      expect(await count()).to.equal(before);
    });
  });

  describe('submitting and reviewing Sở Nội vụ', () => {
    let reporter: Client;
    let head: Client;
    let reviewer: Client;
    before(async () => {
      [reporter, head, reviewer] = await Promise.all([
        Client.login(t.app, 'chuyenvien'),
        Client.login(t.app, 'lanhdao'),
        Client.login(t.app, 'thamdinh'),
      ]);
    });

    const currentVersion = async (c: Client): Promise<number> => versionOf((await c.get(`/submissions/${snv}`)).text);

    /** What the head must still supply, worked out from the framework file and the stored data. */
    async function missing(): Promise<{ values: IndicatorDef[]; evidence: IndicatorDef[]; messages: string[] }> {
      const stored = await storedValues(t.services.db, snv);
      const evidence = new Set(await evidenceCodes(t.services.db, snv));
      const out = { values: [] as IndicatorDef[], evidence: [] as IndicatorDef[], messages: [] as string[] };
      for (const i of so.indicators) {
        const v = stored.get(i.code);
        const reported = !!v && (v.selfValue !== null || v.selfOption !== null);
        if (i.input.kind !== 'evidence' && !reported && !v?.comment) {
          out.values.push(i);
          out.messages.push(`Chỉ số ${i.code} (${i.name}): chưa có số liệu — nhập số liệu hoặc ghi chú giải trình.`);
        }
        if (i.evidence === 'required' && (reported || i.input.kind === 'evidence') && !evidence.has(i.code)) {
          out.evidence.push(i);
          out.messages.push(`Chỉ số ${i.code} (${i.name}): thiếu tài liệu kiểm chứng bắt buộc.`);
        }
      }
      return out;
    }

    it('when the reporter tries to submit, then it is refused with 403 and the report stays in draft', async () => {
      const before = await snapshot(t.services.db, snv);
      const res = await reporter.post(`/submissions/${snv}/submit`, { version: await currentVersion(reporter) });
      expect(res.status).to.equal(403);
      expect(await snapshot(t.services.db, snv)).to.deep.equal(before);
    });

    it('when the head submits while indicators lack a value or required evidence, then 400 lists each of them', async () => {
      const expected = await missing();
      expect(expected.values.length, 'the demo draft holds about half the values').to.be.greaterThan(0);
      const before = await snapshot(t.services.db, snv);
      const res = await head.post(`/submissions/${snv}/submit`, { version: await currentVersion(head) });
      expect(res.status).to.equal(400);
      const errors = errorList(res.text);
      expect(errors.message).to.equal('Báo cáo chưa đủ điều kiện gửi.');
      expect(errors.items).to.have.members(expected.messages);
      expect(await snapshot(t.services.db, snv)).to.deep.equal(before);
    });

    it('when the head fills in every missing value or explanation and the required evidence, then the report is submitted', async () => {
      const todo = await missing();
      // One indicator is explained by a comment instead of a value; the others get a value.
      const [explained, ...valued] = todo.values.filter((i) => i.evidence !== 'required').concat(todo.values.filter((i) => i.evidence === 'required'));
      const values: Record<string, RawValue> = {};
      if (explained) values[explained.code] = { comment: 'Đơn vị không phát sinh nội dung này trong kỳ.' };
      for (const i of valued) values[i.code] = validRaw(i);
      const saved = await head.post(`/submissions/${snv}/values`, { version: await currentVersion(head), v: values });
      expect(saved.status, errorList(saved.text).items.join('\n')).to.equal(303);

      for (const i of (await missing()).evidence) {
        const res = await head.post(`/submissions/${snv}/evidence`, {
          version: await currentVersion(head),
          indicator: i.code,
          docNumber: `15/QĐ-SNV-${i.code}`,
          issuedOn: '2026-03-02',
          summary: `Tài liệu kiểm chứng cho chỉ số ${i.code}`,
          issuer: 'Sở Nội vụ',
        });
        expect(res.status, `evidence for ${i.code}`).to.equal(303);
      }
      expect((await missing()).messages).to.deep.equal([]);
      for (const i of valued) {
        const want = validReported(i);
        if (!want) continue;
        expect((await storedValues(t.services.db, snv)).get(i.code), i.code).to.include({
          selfValue: want.value,
          selfDenominator: want.denominator,
          selfOption: want.option,
        });
      }
    });

    it('when the head submits from a page opened before the last change, then 409 and the report stays in draft', async () => {
      const stale = await currentVersion(head);
      const saved = await reporter.post(`/submissions/${snv}/values`, {
        version: await currentVersion(reporter),
        v: { 'HDCQS.14': { value: '20', denominator: '20' } },
      });
      expect(saved.status).to.equal(303);
      const before = await snapshot(t.services.db, snv);
      const res = await head.post(`/submissions/${snv}/submit`, { version: stale });
      expect(res.status).to.equal(409);
      expect(errorList(res.text).message).to.include('Báo cáo đã được người khác cập nhật');
      expect(await snapshot(t.services.db, snv)).to.deep.equal(before);
    });

    it('when the head submits the complete report, then it is submitted in the head\'s name', async () => {
      const res = await head.post(`/submissions/${snv}/submit`, { version: await currentVersion(head) });
      expect(res.status, errorList(res.text).items.join('\n')).to.equal(303);
      expect(res.headers.location).to.equal(`/submissions/${snv}?msg=submitted`);
      const row = await t.services.db('submissions').where({ id: snv }).first();
      expect(row.state).to.equal('submitted');
      expect(row.submitted_by).to.equal(await userId(t.services.db, 'lanhdao'));
      const event = await t.services.db('audit_events').where({ submission_id: snv, action: 'submission.submit' }).first();
      expect(event.before).to.deep.equal({ state: 'draft' });
      expect(event.after).to.deep.equal({ state: 'submitted' });
    });

    it('when the report is submitted, then the agency can no longer change its values (409 naming the state)', async () => {
      const before = await snapshot(t.services.db, snv);
      const res = await reporter.post(`/submissions/${snv}/values`, {
        version: await currentVersion(reporter),
        v: { 'HDCQS.5': { value: '1', denominator: '9' } },
      });
      expect(res.status).to.equal(409);
      expect(errorList(res.text).message).to.include(`"${STATE_LABELS.submitted}"`);
      expect(await snapshot(t.services.db, snv)).to.deep.equal(before);
    });

    it('when the reviewer returns the report without a reason, then 400 and it stays submitted', async () => {
      await reviewer.get(`/submissions/${snv}`);
      const before = await snapshot(t.services.db, snv);
      const res = await reviewer.post(`/submissions/${snv}/return`, { reason: '   ' });
      expect(res.status).to.equal(400);
      expect(errorList(res.text).message).to.equal('Cần nêu lý do trả lại báo cáo.');
      expect(await snapshot(t.services.db, snv)).to.deep.equal(before);
    });

    const REASON = 'Đề nghị bổ sung tài liệu kiểm chứng cho HTS.2 & rà soát NLS.1 <danh sách CBCCVC>.';

    it('when the reviewer returns the report with a reason, then the agency sees the reason on its form', async () => {
      const res = await reviewer.post(`/submissions/${snv}/return`, { reason: REASON });
      expect(res.status).to.equal(303);
      expect(await stateOf(t.services.db, snv)).to.include({ state: 'returned', returnReason: REASON });

      const page = await reporter.get(`/submissions/${snv}`);
      expect(page.text).to.include('Báo cáo bị trả lại:');
      // Shown escaped, as text.
      expect(page.text).to.include('Đề nghị bổ sung tài liệu kiểm chứng cho HTS.2 &amp; rà soát NLS.1 &lt;danh sách CBCCVC&gt;.');
      expect(page.text).to.include(STATE_LABELS.returned);
      const event = await t.services.db('audit_events').where({ submission_id: snv, action: 'submission.return' }).first();
      expect(event).to.include({ reason: REASON });
      expect(event.before).to.deep.equal({ state: 'submitted' });
      expect(event.after).to.deep.equal({ state: 'returned' });
    });

    it('when the head resubmits the returned report, then it is submitted again and the reason is cleared', async () => {
      const res = await head.post(`/submissions/${snv}/submit`, { version: await currentVersion(head) });
      expect(res.status, errorList(res.text).items.join('\n')).to.equal(303);
      expect(await stateOf(t.services.db, snv)).to.include({ state: 'submitted', returnReason: null });
    });

    it('when the reviewer appraises a value without a reason, then 400 and nothing is recorded', async () => {
      await reviewer.get(`/submissions/${snv}`);
      const before = await snapshot(t.services.db, snv);
      const res = await reviewer.post(`/submissions/${snv}/appraise`, {
        indicator: 'HDCQS.2',
        value: '5',
        denominator: '10',
        reason: '',
      });
      expect(res.status).to.equal(400);
      expect(errorList(res.text).message).to.equal('Cần nêu lý do điều chỉnh khi thẩm định.');
      expect(await snapshot(t.services.db, snv)).to.deep.equal(before);
    });

    it('when the reviewer appraises an invalid value, then 400 naming the indicator and nothing is recorded', async () => {
      const before = await snapshot(t.services.db, snv);
      const res = await reviewer.post(`/submissions/${snv}/appraise`, {
        indicator: 'HDCQS.2',
        value: '11',
        denominator: '10',
        reason: 'Thử',
      });
      expect(res.status).to.equal(400);
      expect(errorList(res.text).items.join(' ')).to.include('Chỉ số HDCQS.2');
      expect(await snapshot(t.services.db, snv)).to.deep.equal(before);
    });

    it('when the reviewer appraises a value with a reason, then the recognised value is kept beside the agency\'s own', async () => {
      const self = (await storedValues(t.services.db, snv)).get('HDCQS.2')!;
      const before = totalsOf((await reviewer.get(`/submissions/${snv}`)).text);
      const reason = 'Chỉ 5/10 văn bản có ký số trên trục liên thông.';
      const res = await reviewer.post(`/submissions/${snv}/appraise`, {
        indicator: 'HDCQS.2',
        value: '5',
        denominator: '10',
        reason,
      });
      expect(res.status).to.equal(303);
      const stored = (await storedValues(t.services.db, snv)).get('HDCQS.2')!;
      expect(stored).to.include({ appraisedValue: 5, appraisedDenominator: 10, appraisalReason: reason });
      expect(stored).to.include({ selfValue: self.selfValue, selfDenominator: self.selfDenominator });

      const after = totalsOf((await reviewer.get(`/submissions/${snv}`)).text);
      expect(after.selfPoints, 'the self-assessed points do not move').to.be.closeTo(before.selfPoints, 0.001);
      // HDCQS.2 is linear, max 40: 10/10 self-assessed (40 points) recognised as 5/10 (20 points).
      expect(after.points).to.be.closeTo(before.points - 20, 0.01);

      const event = await t.services.db('audit_events')
        .where({ submission_id: snv, action: 'value.appraise', entity_id: 'HDCQS.2' })
        .orderBy('id', 'desc')
        .first();
      expect(event.reason).to.equal(reason);
      expect(event.after).to.deep.equal({ appraised: { value: 5, denominator: 10, option: null } });
      expect(event.actor_id).to.equal(await userId(t.services.db, 'thamdinh'));
    });

    it('when the reviewer approves, then the report is approved', async () => {
      const res = await reviewer.post(`/submissions/${snv}/approve`);
      expect(res.status).to.equal(303);
      expect(res.headers.location).to.equal(`/submissions/${snv}?msg=approved`);
      expect((await stateOf(t.services.db, snv)).state).to.equal('approved');
    });

    it('when the reviewer approves again, then 409 naming the current state and nothing changes', async () => {
      const before = await snapshot(t.services.db, snv);
      const res = await reviewer.post(`/submissions/${snv}/approve`);
      expect(res.status).to.equal(409);
      expect(errorList(res.text).message).to.equal(`Không thể phê duyệt báo cáo: báo cáo đang ở trạng thái "${STATE_LABELS.approved}".`);
      expect(await snapshot(t.services.db, snv)).to.deep.equal(before);
    });

    it('when the head tries to submit the approved report, then 409 naming the state', async () => {
      const res = await head.post(`/submissions/${snv}/submit`, { version: await currentVersion(head) });
      expect(res.status).to.equal(409);
      expect(errorList(res.text).message).to.include(`"${STATE_LABELS.approved}"`);
    });
  });

  describe('computing, ranking, publishing and reporting the annual period', () => {
    let admin: Client;
    let leader: Client;
    before(async () => {
      [admin, leader] = await Promise.all([Client.login(t.app, 'quantri'), Client.login(t.app, 'lanhdaotinh')]);
      await admin.get(`/rankings?period=${period}`);
    });

    it('when the admin computes, then the rankings page lists Sở Nội vụ with its DTI value to four decimals and its rank', async () => {
      const res = await admin.post(`/periods/${period}/runs`);
      expect(res.status).to.equal(303);
      expect(res.headers.location).to.equal(`/rankings?period=${period}&msg=computed`);
      const runId = await latestRunId(t, period);
      const mine = (await runResults(t, runId)).find((r) => r.agency_id === snvAgency)!;
      expect(mine.value).to.be.a('number');
      expect(mine.rank).to.be.a('number');

      const page = await admin.get(res.headers.location!);
      expect(page.status).to.equal(200);
      expect(page.text).to.include('Đã tính lại chỉ số.');
      const row = new RegExp(
        `<td class="rank">([^<]+)</td>\\s*<th scope="row"><a href="/rankings/${period}/agencies/${snvAgency}">Sở Nội vụ</a></th>\\s*` +
          `<td class="num">[^<]*</td>\\s*<td class="num strong">([^<]+)</td>`,
      ).exec(page.text);
      expect(row, 'a ranking row for Sở Nội vụ').to.not.equal(null);
      expect(row![2]).to.match(/^[01],\d{4}$/);
      expect(row![2]).to.equal(formatIndex(mine.value));
      expect(Number(row![1])).to.equal(mine.rank);
    });

    it('when the same period is computed again with nothing changed, then no new run is made', async () => {
      const before = await latestRunId(t, period);
      const res = await admin.post(`/periods/${period}/runs`);
      expect(res.headers.location).to.equal(`/rankings?period=${period}&msg=unchanged`);
      expect(await latestRunId(t, period)).to.equal(before);
    });

    it('when the run is stored, then ranks within each group follow standard competition ranking on the published value', async () => {
      assertCompetitionRanks(await runResults(t, await latestRunId(t, period)));
    });

    it('when the appraised value differs from the self-assessed one, then the run scores the appraised value', async () => {
      const runId = await latestRunId(t, period);
      const score = await t.services.db('run_node_scores')
        .where({ run_id: runId, agency_id: snvAgency, node_code: 'HDCQS.2', node_kind: 'indicator' })
        .first();
      expect(score.points).to.be.closeTo(20, 1e-9);
      expect(score.flag).to.equal('adjusted');
    });

    it('when the leader looks before publication, then the unpublished run is not shown to them', async () => {
      const page = await leader.get(`/rankings?period=${period}`);
      expect(page.status).to.equal(200);
      expect(page.text).to.not.include(`/rankings/${period}/agencies/${snvAgency}"`);
      const report = await leader.get(`/reports/${period}/bao-cao.html`);
      expect(report.status).to.equal(404);
    });

    it('when the admin publishes, then every approved report of the period becomes published', async () => {
      const approved = (await t.services.db('submissions').where({ period_id: period, state: 'approved' }).select('id')).map((r) => r.id);
      expect(approved).to.include(snv);
      const others = await t.services.db('submissions').where({ period_id: period }).whereNot({ state: 'approved' }).select('id', 'state');

      const res = await admin.post(`/periods/${period}/publish`);
      expect(res.status).to.equal(303);
      expect(res.headers.location).to.equal(`/rankings?period=${period}&msg=published`);

      const now = await t.services.db('submissions').where({ period_id: period }).select('id', 'state');
      for (const id of approved) expect(now.find((r) => r.id === id)?.state, `submission ${id}`).to.equal('published');
      for (const o of others) expect(now.find((r) => r.id === o.id)?.state, `submission ${o.id}`).to.equal(o.state);
      const pub = await t.services.db('publications').where({ period_id: period }).select('number', 'run_id');
      expect(pub).to.deep.equal([{ number: 1, run_id: await latestRunId(t, period) }]);
      const events = await t.services.db('audit_events').where({ action: 'submission.publish', submission_id: snv });
      expect(events).to.have.length(1);
      expect(events[0].before).to.deep.equal({ state: 'approved' });
      expect(events[0].after).to.deep.equal({ state: 'published' });
    });

    it('when a report is published, then its audit event names the agency, like every other event of the report', async () => {
      // Audit events carry agency_id (indexed) so an agency's history can be read in one query.
      const events = await t.services.db('audit_events').where({ submission_id: snv }).select('action', 'agency_id');
      const withoutAgency = events.filter((e) => e.agency_id !== snvAgency).map((e) => e.action);
      expect(withoutAgency).to.deep.equal([]);
    });

    it('when the admin publishes again with nothing changed, then 409 and no second publication', async () => {
      const res = await admin.post(`/periods/${period}/publish`);
      expect(res.status).to.equal(409);
      expect(res.text).to.include('đã được công bố');
      expect(await t.services.db('publications').where({ period_id: period })).to.have.length(1);
    });

    it('when the leader reads the published rankings, then Sở Nội vụ is listed with its value and rank', async () => {
      const mine = (await runResults(t, await latestRunId(t, period))).find((r) => r.agency_id === snvAgency)!;
      const page = await leader.get(`/rankings?period=${period}`);
      expect(page.text).to.include('Đã công bố lần 1');
      expect(page.text).to.match(
        new RegExp(`<td class="rank">${mine.rank}</td>\\s*<th scope="row"><a href="/rankings/${period}/agencies/${snvAgency}">Sở Nội vụ</a>`),
      );
      expect(page.text).to.include(formatIndex(mine.value));
    });

    it('when the leader downloads the report as xlsx, then it opens with the national header and a ranking sheet with the agency and its total', async () => {
      const res = await leader.agent
        .get(`/reports/${period}/bao-cao.xlsx`)
        .buffer(true)
        .parse(binary);
      expect(res.status).to.equal(200);
      expect(res.headers['content-type']).to.include('spreadsheetml');
      expect(res.headers['content-disposition']).to.include(`bao-cao-dti-${PERIOD}-cong-bo-1.xlsx`);
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(Uint8Array.from(res.body as Buffer).buffer);

      const texts = (ws: ExcelJS.Worksheet): string[] => {
        const out: string[] = [];
        ws.eachRow((row) => row.eachCell((cell) => out.push(String(cell.text ?? ''))));
        return out;
      };
      const cover = wb.getWorksheet('Báo cáo');
      expect(cover, 'sheet "Báo cáo"').to.not.equal(undefined);
      expect(texts(cover!).some((s) => s.includes('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM'))).to.equal(true);

      const ranking = wb.worksheets.find((ws) => ws.name.startsWith('Xếp hạng') && ws.name.includes('Sở, ban, ngành'));
      expect(ranking, `a ranking sheet among ${wb.worksheets.map((w) => w.name).join(', ')}`).to.not.equal(undefined);
      const mine = (await runResults(t, await latestRunId(t, period))).find((r) => r.agency_id === snvAgency)!;
      let found: ExcelJS.Row | undefined;
      ranking!.eachRow((row) => {
        if (row.getCell(2).value === 'Sở Nội vụ') found = row;
      });
      expect(found, 'a row for Sở Nội vụ').to.not.equal(undefined);
      expect(found!.getCell(1).value).to.equal(mine.rank);
      expect(found!.getCell(5).value as number).to.be.closeTo(mine.value!, 1e-9);
    });

    it('when the leader downloads the report as HTML, then it is a BÁO CÁO naming the agencies, with names escaped', async () => {
      // An agency name with markup characters must come out as text.
      const sct = await t.services.db('agencies').where({ code: 'SCT' }).first('name');
      await t.services.db('agencies').where({ code: 'SCT' }).update({ name: 'Sở Công Thương <b>&</b> "Thử"' });
      try {
        const res = await leader.get(`/reports/${period}/bao-cao.html`);
        expect(res.status).to.equal(200);
        expect(res.headers['content-type']).to.include('text/html');
        expect(res.text).to.include('BÁO CÁO');
        expect(res.text).to.include('Sở Nội vụ');
        expect(res.text).to.include('Sở Công Thương &lt;b&gt;&amp;&lt;/b&gt;');
        expect(res.text).to.not.include('<b>&</b>');
      } finally {
        await t.services.db('agencies').where({ code: 'SCT' }).update({ name: sct.name });
      }
    });
  });

  describe('ties in the commune period', () => {
    it('when two agencies of a group have equal published values, then they share a rank and the next rank is skipped ("1, 2, 2, 4")', async () => {
      const db = t.services.db;
      const xa = await frameworkFile('dti-xa.yaml');
      const communePeriod = await periodId(db, COMMUNE_PERIOD);
      const candidates = await db('submissions as s')
        .join('agencies as a', 'a.id', 's.agency_id')
        .join('ranking_groups as g', 'g.id', 'a.ranking_group_id')
        .where({ 's.period_id': communePeriod, 's.state': 'approved', 'g.code': 'xa' })
        .orderBy('a.code')
        .select('s.id', 'a.id as agency_id', 'a.code');
      expect(candidates.length).to.be.greaterThan(2);
      const pair = [candidates[0], candidates[1]];

      // Arrange: both report the same values for every indicator, none appraised.
      const nodes = await db('framework_nodes as n')
        .join('periods as p', 'p.framework_id', 'n.framework_id')
        .where('p.id', communePeriod)
        .select('n.id', 'n.code');
      const nodeId = new Map(nodes.map((n) => [n.code as string, n.id as number]));
      for (const s of pair) {
        await db('submission_values').where({ submission_id: s.id }).delete();
        const rows = xa.indicators
          .map((i) => ({ i, v: validReported(i) }))
          .filter(({ v }) => v !== null)
          .map(({ i, v }) => ({
            submission_id: s.id,
            node_id: nodeId.get(i.code)!,
            self_value: v!.value,
            self_denominator: v!.denominator,
            self_option: v!.option,
          }));
        await db('submission_values').insert(rows);
      }

      const admin = await Client.login(t.app, 'quantri');
      await admin.get(`/rankings?period=${communePeriod}`);
      const res = await admin.post(`/periods/${communePeriod}/runs`);
      expect(res.headers.location).to.equal(`/rankings?period=${communePeriod}&msg=computed`);

      const results = await runResults(t, await latestRunId(t, communePeriod));
      assertCompetitionRanks(results);
      const [a, b] = pair.map((s) => results.find((r) => r.agency_id === s.agency_id)!);
      expect(roundPublished(a!.value!)).to.equal(roundPublished(b!.value!));
      expect(a!.rank).to.be.a('number').and.equal(b!.rank);
      // Everyone with the same published value shares the rank; the next one down is pushed past all of them.
      const group = results.filter((r) => r.ranking_group_id === a!.ranking_group_id && r.value !== null);
      const tied = group.filter((r) => roundPublished(r.value!) === roundPublished(a!.value!));
      const below = group.filter((r) => roundPublished(r.value!) < roundPublished(a!.value!));
      expect(below.length, 'agencies ranked below the tie').to.be.greaterThan(0);
      expect(Math.min(...below.map((r) => r.rank!))).to.equal(a!.rank! + tied.length);
    });
  });

  describe('the scheduled index job', () => {
    it('when nothing changed since the last run, then runIndexJob reports "unchanged" for every period', async () => {
      await runIndexJob(t.services); // settle whatever earlier tests left
      const runsBefore = Number((await t.services.db('runs').count('* as n'))[0]!.n);
      const outcome = await runIndexJob(t.services);
      const codes = (await t.services.periods.list()).map((p) => p.code);
      expect(outcome.map((o) => o.period)).to.have.members(codes);
      for (const o of outcome) expect(o.status, o.period).to.equal('unchanged');
      expect(Number((await t.services.db('runs').count('* as n'))[0]!.n)).to.equal(runsBefore);
    });

    it('when a report is approved, then the next runIndexJob computes its period and leaves the others unchanged', async () => {
      await runIndexJob(t.services);
      const communePeriod = await periodId(t.services.db, COMMUNE_PERIOD);
      const pending = await t.services.db('submissions').where({ period_id: communePeriod, state: 'submitted' }).orderBy('id').first('id');
      const reviewer = await Client.login(t.app, 'thamdinh');
      await reviewer.get(`/submissions/${pending.id}`);
      const res = await reviewer.post(`/submissions/${pending.id}/approve`);
      expect(res.status).to.equal(303);

      const outcome = await runIndexJob(t.services);
      for (const o of outcome) {
        expect(o.status, o.period).to.equal(o.period === COMMUNE_PERIOD ? 'computed' : 'unchanged');
      }
      const run = await t.services.db('runs').where({ id: outcome.find((o) => o.period === COMMUNE_PERIOD)!.runId }).first();
      expect(run.trigger).to.equal('schedule');
      const approvedAgency = (await t.services.db('submissions').where({ id: pending.id }).first('agency_id')).agency_id;
      expect(await t.services.db('run_results').where({ run_id: run.id, agency_id: approvedAgency })).to.have.length(1);
    });
  });

  describe('when the entry window has closed', () => {
    // The semiannual 2026 period closed on 30/6; Sở Tài chính's report of it is put back with the agency.
    let reporter: Client;
    let closed: number;
    before(async () => {
      closed = await submissionId(t.services.db, 'STC', 'DTI-SO-2026-6T');
      await t.services.db('submissions').where({ id: closed }).update({ state: 'returned', return_reason: 'Bổ sung số liệu.' });
      reporter = await Client.login(t.app, 'chuyenvien.stc');
    });

    it('when the agency opens the report, then it is read-only', async () => {
      const page = await reporter.get(`/submissions/${closed}`);
      expect(page.status).to.equal(200);
      expect(page.text).to.include('Kỳ báo cáo 6 tháng đầu năm 2026 đã khóa nhập liệu sau ngày 30/06/2026.');
      expect(page.text).to.not.include(`action="/submissions/${closed}/evidence"`);
    });

    it('when the agency posts values anyway, then 403 and nothing changes', async () => {
      const before = await snapshot(t.services.db, closed);
      const { version } = await stateOf(t.services.db, closed);
      const res = await reporter.post(`/submissions/${closed}/values`, { version, v: { 'HTS.2': { value: '1', denominator: '2' } } });
      expect(res.status).to.equal(403);
      expect(await snapshot(t.services.db, closed)).to.deep.equal(before);
    });

    it('when the agency posts evidence anyway, then 403 and nothing changes', async () => {
      const before = await snapshot(t.services.db, closed);
      const { version } = await stateOf(t.services.db, closed);
      const res = await reporter.post(`/submissions/${closed}/evidence`, {
        version,
        indicator: 'NLS.1',
        docNumber: '99/QĐ-STC',
        issuedOn: '2026-07-01',
      });
      expect(res.status).to.equal(403);
      expect(await snapshot(t.services.db, closed)).to.deep.equal(before);
    });

    it('when the agency deletes evidence anyway, then 403 and nothing changes', async () => {
      const evidence = await t.services.db('evidence').where({ submission_id: closed }).first('id');
      const before = await snapshot(t.services.db, closed);
      const { version } = await stateOf(t.services.db, closed);
      const res = await reporter.post(`/submissions/${closed}/evidence/${evidence.id}/delete`, { version });
      expect(res.status).to.equal(403);
      expect(await snapshot(t.services.db, closed)).to.deep.equal(before);
    });
  });
});
