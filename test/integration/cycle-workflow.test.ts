// The reporting cycle through HTTP on the demo province (22/11/2026, annual 2026 period open): every transition
// of the workflow and every refusal (each refusal leaves the database as it was), returns with reasons per
// indicator seen by the agency beside its values, two saves of the same version (one wins, one 409 that says who
// saved and what differs), and the audit trail with before and after, on screen and paginated.
import { expect } from 'chai';
import type { Knex } from 'knex';
import { bootTestApp, Client, versionOf, type TestApp } from '../support/app.js';
import { errorList, frameworkFile, snapshot, stateOf, storedValues, submissionId, unescapeHtml, userId, validRaw } from '../support/builders.js';
import { STATE_LABELS } from '../../server/submissions/workflow.js';
import type { IndicatorDef } from '../../server/frameworks/framework.types.js';
import type { RawValue } from '../../server/submissions/value-validation.js';

const PERIOD = 'DTI-SO-2026-N';

/** The submission snapshot plus the returns table, which a refused return must not touch either. */
async function fullSnapshot(db: Knex, id: number): Promise<unknown> {
  const returns = await db('submission_returns').where('submission_id', id).orderBy('id').select('*');
  const items = await db('submission_return_items as i')
    .join('submission_returns as r', 'r.id', 'i.return_id')
    .where('r.submission_id', id)
    .orderBy('i.id')
    .select('i.*');
  return { base: await snapshot(db, id), returns, items };
}

describe('the reporting cycle: workflow, returns, concurrent edits and audit', function () {
  this.timeout(180_000);

  let t: TestApp;
  let indicators: IndicatorDef[];
  let snv: number;
  let reporter: Client;
  let head: Client;
  let reviewer: Client;
  const db = (): Knex => t.services.db;
  const version = async (c: Client, id = snv): Promise<number> => versionOf((await c.get(`/submissions/${id}`)).text);

  before(async () => {
    t = await bootTestApp();
    indicators = (await frameworkFile('dti-so.yaml')).indicators;
    snv = await submissionId(db(), 'SNV', PERIOD);
    [reporter, head, reviewer] = await Promise.all([
      Client.login(t.app, 'chuyenvien'),
      Client.login(t.app, 'lanhdao'),
      Client.login(t.app, 'thamdinh'),
    ]);
  });

  after(async () => {
    await t?.close();
  });

  /** Gives every indicator a valid value and every indicator that requires evidence a document, as the head would. */
  async function complete(id: number, c: Client, agency: string): Promise<void> {
    const values: Record<string, RawValue> = {};
    for (const i of indicators) if (i.input.kind !== 'evidence') values[i.code] = validRaw(i);
    const saved = await c.post(`/submissions/${id}/values`, { version: await version(c, id), v: values });
    expect(saved.status, errorList(saved.text).items.join('\n')).to.equal(303);
    const have = new Set(
      (await db()('evidence as e').join('framework_nodes as n', 'n.id', 'e.node_id').where('e.submission_id', id).select('n.code')).map((r) => r.code),
    );
    for (const i of indicators.filter((x) => x.evidence === 'required' && !have.has(x.code))) {
      const res = await c.post(`/submissions/${id}/evidence`, { version: await version(c, id), indicator: i.code, docNumber: `9/QĐ-${agency}` });
      expect(res.status, i.code).to.equal(303);
    }
  }

  describe('invalid transitions are refused with 409 naming the current state, and change nothing', () => {
    const cases: Array<[string, () => Client, string, Record<string, unknown>]> = [
      ['the reviewer approves a draft', () => reviewer, 'approve', {}],
      ['the reviewer returns a draft', () => reviewer, 'return', { reason: 'Thiếu số liệu' }],
      ['the reviewer appraises a draft', () => reviewer, 'appraise', { indicator: 'HDCQS.2', value: '1', denominator: '2', reason: 'Thử' }],
    ];
    for (const [what, client, action, body] of cases) {
      it(`when ${what}, then 409 says the report is "${STATE_LABELS.draft}" and nothing changes`, async () => {
        await client().get(`/submissions/${snv}`);
        const before = await fullSnapshot(db(), snv);
        const res = await client().post(`/submissions/${snv}/${action}`, body);
        expect(res.status).to.equal(409);
        expect(errorList(res.text).message).to.include(`"${STATE_LABELS.draft}"`);
        expect(await fullSnapshot(db(), snv)).to.deep.equal(before);
      });
    }
  });

  describe('two people saving the same version', () => {
    it('when two autosaves carry the same version, then exactly one is stored and the other gets 409 naming who saved and what differs', async () => {
      const v = await version(reporter);
      const send = (c: Client, value: string) =>
        c.agent
          .post(`/api/submissions/${snv}/values`)
          .set('x-csrf-token', c.csrf)
          .set('Accept', 'application/json')
          .send({ version: v, values: { 'HDCQS.5': { value, denominator: '9' } } });
      const [a, b] = await Promise.all([send(reporter, '3'), send(head, '7')]);
      const statuses = [a.status, b.status].sort();
      expect(statuses).to.deep.equal([200, 409]);
      const [won, lost] = a.status === 200 ? [a, b] : [b, a];
      const winnerValue = won === a ? 3 : 7;
      const winnerName = won === a ? 'chuyenvien' : 'lanhdao';
      expect(won.body.version).to.equal(v + 1);
      expect(won.body.savedAtText).to.match(/^\d{2}:\d{2}$/);
      expect((await storedValues(db(), snv)).get('HDCQS.5')).to.include({ selfValue: winnerValue, selfDenominator: 9 });
      expect(await stateOf(db(), snv)).to.include({ version: v + 1 });

      expect(lost.body.error.code).to.equal('conflict');
      const winner = await db()('users').where({ username: winnerName }).first('full_name');
      expect(lost.body.error.message).to.include('Báo cáo đã được người khác cập nhật');
      expect(lost.body.error.message).to.include(winner.full_name);
      const loserValue = won === a ? '7' : '3';
      expect(lost.body.error.details).to.deep.equal([
        {
          field: 'HDCQS.5',
          message: `Chỉ số HDCQS.5 (${indicators.find((i) => i.code === 'HDCQS.5')!.name}): bản đã lưu là "${winnerValue}/9", bạn nhập "${loserValue}/9".`,
        },
      ]);
      expect(lost.body.current).to.include({ version: v + 1, updatedBy: winner.full_name });
    });

    it('when the editor who lost saves again over the current version, then their figures are stored', async () => {
      const current = (await stateOf(db(), snv)).version;
      const res = await reporter.agent
        .post(`/api/submissions/${snv}/values`)
        .set('x-csrf-token', reporter.csrf)
        .send({ version: current, values: { 'HDCQS.5': { value: '8', denominator: '9' } } });
      expect(res.status).to.equal(200);
      expect((await storedValues(db(), snv)).get('HDCQS.5')).to.include({ selfValue: 8 });
    });

    it('when the form is posted with a stale version, then 409 keeps the typed values on the page and lists the difference', async () => {
      const stale = await version(reporter);
      await head.post(`/submissions/${snv}/values`, { version: await version(head), v: { 'HDCQS.5': { value: '2', denominator: '9' } } });
      const before = await fullSnapshot(db(), snv);
      const res = await reporter.post(`/submissions/${snv}/values`, { version: stale, v: { 'HDCQS.5': { value: '6', denominator: '9' } } });
      expect(res.status).to.equal(409);
      const errors = errorList(res.text);
      const headName = (await db()('users').where({ username: 'lanhdao' }).first('full_name')).full_name as string;
      expect(errors.message).to.match(new RegExp(`\\(${headName} lưu lúc \\d{2}/\\d{2}/\\d{4} \\d{2}:\\d{2}\\)`));
      expect(errors.items.join(' ')).to.include('bản đã lưu là "2/9", bạn nhập "6/9"');
      expect(res.text).to.include('name="v[HDCQS.5][value]" value="6"');
      expect(await fullSnapshot(db(), snv)).to.deep.equal(before);
    });

    it('when the autosave sends a value out of range, then 400 names the indicator in Vietnamese and nothing is saved', async () => {
      const before = await fullSnapshot(db(), snv);
      const res = await reporter.agent
        .post(`/api/submissions/${snv}/values`)
        .set('x-csrf-token', reporter.csrf)
        .send({ version: (await stateOf(db(), snv)).version, values: { 'HDCQS.5': { value: 10, denominator: 9 }, 'HDCQS.2': { value: 'abc', denominator: 3 } } });
      expect(res.status).to.equal(400);
      const messages = (res.body.error.details as Array<{ message: string }>).map((d) => d.message);
      expect(messages.some((m) => /^Chỉ số HDCQS\.5 \(.+\): ".+" \(10\) không được lớn hơn ".+" \(9\)\.$/.test(m))).to.equal(true);
      expect(messages).to.include(`Chỉ số HDCQS.2 (${indicators.find((i) => i.code === 'HDCQS.2')!.name}): giá trị phải là một số.`);
      expect(await fullSnapshot(db(), snv)).to.deep.equal(before);
    });

    it('when a second editor opens the report, then the heartbeat of each names the other', async () => {
      await reporter.agent.post(`/api/submissions/${snv}/presence`).set('x-csrf-token', reporter.csrf);
      const res = await head.agent.post(`/api/submissions/${snv}/presence`).set('x-csrf-token', head.csrf);
      expect(res.status).to.equal(200);
      expect(res.body.others.map((o: { username: string }) => o.username)).to.deep.equal(['chuyenvien']);
      const page = await head.get(`/submissions/${snv}`);
      expect(page.text).to.match(/id="presence" role="status" >/);
      expect(page.text).to.include('(chuyenvien)');
    });
  });

  describe('submit, return with reasons per indicator, resubmit, approve', () => {
    const OVERALL = 'Đề nghị rà soát lại các chỉ số dưới đây & bổ sung <tài liệu>.';
    const ON_HDCQS2 = 'Số văn bản ký số không khớp báo cáo của Văn phòng UBND tỉnh.';
    const ON_NLS1 = 'Thiếu danh sách CBCCVC đạt chuẩn.';

    it('when the reporter (not the head) submits, then 403 and nothing changes', async () => {
      await complete(snv, head, 'SNV');
      const before = await fullSnapshot(db(), snv);
      const res = await reporter.post(`/submissions/${snv}/submit`, { version: await version(reporter) });
      expect(res.status).to.equal(403);
      expect(await fullSnapshot(db(), snv)).to.deep.equal(before);
    });

    it('when the head submits, then it is submitted, first submission time is kept and audited draft → submitted', async () => {
      const res = await head.post(`/submissions/${snv}/submit`, { version: await version(head) });
      expect(res.status, errorList(res.text).items.join('\n')).to.equal(303);
      const row = await db()('submissions').where({ id: snv }).first();
      expect(row.state).to.equal('submitted');
      expect(row.first_submitted_at).to.be.instanceOf(Date);
      expect(row.updated_by).to.equal(await userId(db(), 'lanhdao'));
    });

    it('when the head submits again, then 409 says it is already submitted and nothing changes', async () => {
      const before = await fullSnapshot(db(), snv);
      const res = await head.post(`/submissions/${snv}/submit`, { version: await version(head) });
      expect(res.status).to.equal(409);
      expect(errorList(res.text).message).to.include(`"${STATE_LABELS.submitted}"`);
      expect(await fullSnapshot(db(), snv)).to.deep.equal(before);
    });

    it('when the reviewer returns with a reason for an unknown indicator, then 400 names it and nothing changes', async () => {
      await reviewer.get(`/submissions/${snv}`);
      const before = await fullSnapshot(db(), snv);
      const res = await reviewer.post(`/submissions/${snv}/return`, { reason: '', r: { 'XYZ.9': 'Sai' } });
      expect(res.status).to.equal(400);
      expect(errorList(res.text).items).to.deep.equal(['Chỉ số XYZ.9 không có trong bộ chỉ số của kỳ này.']);
      expect(await fullSnapshot(db(), snv)).to.deep.equal(before);
    });

    it('when the reviewer returns with an overall note and reasons on two indicators, then the return and each reason are stored and audited', async () => {
      const res = await reviewer.post(`/submissions/${snv}/return`, { reason: OVERALL, r: { 'HDCQS.2': ON_HDCQS2, 'NLS.1': ON_NLS1, 'HDCQS.4': '  ' } });
      expect(res.status).to.equal(303);
      expect(await stateOf(db(), snv)).to.include({ state: 'returned', returnReason: OVERALL });
      const items = await db()('submission_return_items as i')
        .join('submission_returns as r', 'r.id', 'i.return_id')
        .join('framework_nodes as n', 'n.id', 'i.node_id')
        .where('r.submission_id', snv)
        .orderBy('n.code')
        .select('n.code', 'i.reason');
      expect(items).to.deep.equal([
        { code: 'HDCQS.2', reason: ON_HDCQS2 },
        { code: 'NLS.1', reason: ON_NLS1 },
      ]);
      const event = await db()('audit_events').where({ submission_id: snv, action: 'submission.return' }).orderBy('id', 'desc').first();
      expect(event.before).to.deep.equal({ state: 'submitted' });
      expect(event.after).to.deep.equal({ state: 'returned', indicators: { 'HDCQS.2': ON_HDCQS2, 'NLS.1': ON_NLS1 } });
      expect(event.actor_id).to.equal(await userId(db(), 'thamdinh'));
    });

    it('when the agency opens the returned report, then each reason is shown in the row of its indicator, escaped', async () => {
      const page = await reporter.get(`/submissions/${snv}`);
      expect(page.text).to.include('Báo cáo bị trả lại:');
      expect(page.text).to.include('Đề nghị rà soát lại các chỉ số dưới đây &amp; bổ sung &lt;tài liệu&gt;.');
      const row = (code: string): string => {
        const m = new RegExp(`<tr[^>]*id="ind-${code.replace('.', '\\.')}">([\\s\\S]*?)</tr>`).exec(page.text);
        if (!m) throw new Error(`no row ${code}`);
        return unescapeHtml(m[1]!);
      };
      expect(row('HDCQS.2')).to.include(ON_HDCQS2);
      expect(row('NLS.1')).to.include(ON_NLS1);
      expect(row('HDCQS.4')).to.not.include('Ý kiến của Sở');
      expect(page.text).to.include('Ý kiến cho từng chỉ số (2)');
    });

    it('when the agency edits and the head resubmits, then it is submitted again and the first submission time is unchanged', async () => {
      const first = (await db()('submissions').where({ id: snv }).first()).first_submitted_at as Date;
      const saved = await reporter.post(`/submissions/${snv}/values`, { version: await version(reporter), v: { 'HDCQS.2': { value: '6', denominator: '10' } } });
      expect(saved.status).to.equal(303);
      const res = await head.post(`/submissions/${snv}/submit`, { version: await version(head) });
      expect(res.status).to.equal(303);
      const row = await db()('submissions').where({ id: snv }).first();
      expect(row.state).to.equal('submitted');
      expect(row.return_reason).to.equal(null);
      expect((row.first_submitted_at as Date).getTime()).to.equal(first.getTime());
      const event = await db()('audit_events').where({ submission_id: snv, action: 'submission.submit' }).orderBy('id', 'desc').first();
      expect(event.before).to.deep.equal({ state: 'returned' });
      expect(event.after).to.deep.equal({ state: 'submitted' });
    });

    it('when the reviewer appraises with a reason, then self-assessed and appraised points stand side by side and the audit has before and after', async () => {
      await reviewer.get(`/submissions/${snv}`);
      const res = await reviewer.post(`/submissions/${snv}/appraise`, { indicator: 'HDCQS.2', value: '3', denominator: '10', reason: 'Chỉ 3/10 văn bản ký số hợp lệ.' });
      expect(res.status).to.equal(303);
      const page = await reviewer.get(`/submissions/${snv}`);
      const row = /<tr[^>]*id="ind-HDCQS\.2">([\s\S]*?)<\/tr>/.exec(page.text)![1]!;
      const cells = [...row.matchAll(/<td class="num">([\s\S]*?)<\/td>/g)].map((m) => m[1]!.replace(/<[^>]+>/g, '').trim());
      // HDCQS.2 is linear over 40 points: 6/10 earns 24, the appraised 3/10 earns 12.
      expect(cells[0]).to.equal('24,00');
      expect(cells[1]).to.match(/^12,00/);
      const event = await db()('audit_events').where({ submission_id: snv, action: 'value.appraise' }).orderBy('id', 'desc').first();
      expect(event.before).to.deep.equal({ appraised: null, self: { value: 6, denominator: 10, option: null } });
      expect(event.after).to.deep.equal({ appraised: { value: 3, denominator: 10, option: null } });
      expect(event.reason).to.equal('Chỉ 3/10 văn bản ký số hợp lệ.');
    });

    it('when the reviewer approves, then it is approved and its values are locked (409 naming the state, nothing changes)', async () => {
      const res = await reviewer.post(`/submissions/${snv}/approve`);
      expect(res.status).to.equal(303);
      expect((await stateOf(db(), snv)).state).to.equal('approved');
      const before = await fullSnapshot(db(), snv);
      const attempts = [
        await reporter.post(`/submissions/${snv}/values`, { version: await version(reporter), v: { 'HDCQS.2': { value: '1', denominator: '10' } } }),
        await head.post(`/submissions/${snv}/submit`, { version: await version(head) }),
        await reviewer.post(`/submissions/${snv}/return`, { reason: 'Muộn' }),
        await reviewer.post(`/submissions/${snv}/appraise`, { indicator: 'HDCQS.2', value: '1', denominator: '10', reason: 'Muộn' }),
        await reviewer.post(`/submissions/${snv}/approve`),
      ];
      for (const r of attempts) {
        expect(r.status).to.equal(409);
        expect(errorList(r.text).message).to.include(`"${STATE_LABELS.approved}"`);
      }
      const api = await reporter.agent
        .post(`/api/submissions/${snv}/values`)
        .set('x-csrf-token', reporter.csrf)
        .send({ version: (await stateOf(db(), snv)).version, values: { 'HDCQS.2': { value: '1', denominator: '10' } } });
      expect(api.status).to.equal(409);
      expect(api.body.error.message).to.include(`"${STATE_LABELS.approved}"`);
      expect(await fullSnapshot(db(), snv)).to.deep.equal(before);
    });
  });

  describe('the audit trail on screen', () => {
    it('when the agency opens its report\'s trail, then every change is listed newest first with Vietnamese labels, dd/mm/yyyy hh:mm and before → after', async () => {
      const res = await reporter.get(`/submissions/${snv}/audit`);
      expect(res.status).to.equal(200);
      const rows = [...res.text.matchAll(/<tr data-action="([^"]+)">([\s\S]*?)<\/tr>/g)].map((m) => ({
        action: m[1]!,
        cells: [...m[2]!.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((c) => unescapeHtml(c[1]!.replace(/<[^>]+>/g, '').trim())),
      }));
      expect(rows[0]!.action).to.equal('submission.approve');
      expect(rows[0]!.cells[0]).to.match(/^\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}$/);
      expect(rows[0]!.cells[2]).to.equal('Phê duyệt');
      expect(rows[0]!.cells[4]).to.equal(`Trạng thái: ${STATE_LABELS.submitted}`);
      expect(rows[0]!.cells[5]).to.equal(`Trạng thái: ${STATE_LABELS.approved}`);
      const ret = rows.find((r) => r.action === 'submission.return')!;
      expect(ret.cells[5]).to.include('Ý kiến theo chỉ số');
      const edit = rows.find((r) => r.action === 'value.update' && r.cells[3] === 'Chỉ số HDCQS.2')!;
      expect(edit.cells[2]).to.equal('Cập nhật số liệu');
      expect(edit.cells[5]).to.equal('Số liệu: 6/10');
    });

    it('when the trail has more than a page, then it is paginated 50 to a page', async () => {
      const total = Number((await db()('audit_events').where({ agency_id: (await db()('agencies').where({ code: 'SNV' }).first('id')).id }).count('* as n'))[0]!.n);
      const agencyId = (await db()('agencies').where({ code: 'SNV' }).first('id')).id as number;
      const first = await reporter.get(`/agencies/${agencyId}/audit`);
      expect(first.status).to.equal(200);
      const pages = Math.max(1, Math.ceil(total / 50));
      expect(first.text).to.include(`${total} thay đổi · trang 1/${pages}`);
      expect([...first.text.matchAll(/<tr data-action=/g)].length).to.equal(Math.min(50, total));
      if (pages > 1) {
        expect(first.text).to.include(`?page=2`);
        const second = await reporter.get(`/agencies/${agencyId}/audit?page=2`);
        expect([...second.text.matchAll(/<tr data-action=/g)].length).to.equal(Math.min(50, total - 50));
      }
    });
  });
});
