// The calendar side of the cycle through HTTP (demo province, 22/11/2026): the Department's screens for periods,
// the holiday calendar and lock exceptions; entry refused after the close unless an exception is open; and the
// completeness dashboard's numbers, worked out independently from the database, with its CSV and Excel exports.
import { expect } from 'chai';
import ExcelJS from 'exceljs';
import type { Knex } from 'knex';
import { parse } from 'csv-parse/sync';
import { bootTestApp, Client, versionOf, type TestApp } from '../support/app.js';
import { agencyId, binary, errorList, periodId, snapshot, stateOf, storedValues, submissionId, unescapeHtml } from '../support/builders.js';

const SO = 'DTI-SO-2026-N';
const XA = 'DTI-XA-2026-N';

describe('the reporting cycle: calendar, lock exceptions and the dashboard', function () {
  this.timeout(180_000);

  let t: TestApp;
  let admin: Client;
  let reporter: Client;
  let head: Client;
  let xaPeriod: number;
  let soPeriod: number;
  let vanninh: number;
  let sub: number;
  const db = (): Knex => t.services.db;
  const count = async (table: string): Promise<number> => Number((await db()(table).count('* as n'))[0]!.n);
  const lastEvent = (action: string) => db()('audit_events').where({ action }).orderBy('id', 'desc').first();

  before(async () => {
    t = await bootTestApp();
    [admin, reporter, head] = await Promise.all([
      Client.login(t.app, 'quantri'),
      Client.login(t.app, 'chuyenvien.xa'),
      Client.login(t.app, 'lanhdao.xa'),
    ]);
    xaPeriod = await periodId(db(), XA);
    soPeriod = await periodId(db(), SO);
    vanninh = await agencyId(db(), 'X-VANNINH');
    sub = await submissionId(db(), 'X-VANNINH', XA);
  });

  after(async () => {
    await t?.close();
  });

  describe('periods', () => {
    it('when the admin creates next year\'s annual period with the dates left empty, then it gets the NĐ 09/2019 defaults and is audited', async () => {
      await admin.get('/admin/periods');
      const fw = (await db()('periods').where({ id: soPeriod }).first('framework_id')).framework_id as number;
      const res = await admin.post('/admin/periods', { frameworkId: String(fw), kind: 'annual', year: '2027' });
      expect(res.status, errorList(res.text).items.join('\n')).to.equal(303);
      const p = await db()('periods').where({ code: 'DTI-SO-2027-N' }).first();
      expect(p).to.include({ data_from: '2026-12-15', data_to: '2027-12-14', due_on: '2027-12-15', grace_days: 0, name: 'Năm 2027' });
      expect(res.headers.location).to.equal(`/admin/periods/${p.id}?msg=created`);
      const event = await lastEvent('period.create');
      expect(event.after).to.include({ code: 'DTI-SO-2027-N', dueOn: '2027-12-15' });
      const list = await admin.get('/admin/periods');
      expect(list.text).to.include('15/12/2026 – 14/12/2027');
    });

    it('when the same period is created again or its dates are out of order, then it is refused and nothing changes', async () => {
      const fw = (await db()('periods').where({ id: soPeriod }).first('framework_id')).framework_id as number;
      const before = { periods: await db()('periods').orderBy('id').select('*'), audit: await count('audit_events') };
      const dup = await admin.post('/admin/periods', { frameworkId: String(fw), kind: 'annual', year: '2027' });
      expect(dup.status).to.equal(409);
      expect(errorList(dup.text).message).to.equal('Kỳ báo cáo DTI-SO-2027-N đã có.');
      const bad = await admin.post('/admin/periods', { frameworkId: String(fw), kind: 'semiannual', year: '2028', dueOn: '2028-07-30', closesOn: '2028-07-01' });
      expect(bad.status).to.equal(400);
      expect(errorList(bad.text).items).to.deep.equal(['Ngày khóa nhập liệu không được trước hạn gửi báo cáo.']);
      expect(bad.text).to.include('value="2028-07-30"');
      expect({ periods: await db()('periods').orderBy('id').select('*'), audit: await count('audit_events') }).to.deep.equal(before);
    });

    it('when the admin moves the communes\' period to close on 20/11/2026 with a day of grace, then it is stored and audited with before and after', async () => {
      await admin.get(`/admin/periods/${xaPeriod}`);
      const res = await admin.post(`/admin/periods/${xaPeriod}`, {
        name: 'Năm 2026',
        dataFrom: '15/12/2025',
        dataTo: '2026-12-14',
        opensOn: '2026-11-02',
        dueOn: '2026-11-18',
        graceDays: '1',
        closesOn: '2026-11-20',
      });
      expect(res.status, errorList(res.text).items.join('\n')).to.equal(303);
      expect(await db()('periods').where({ id: xaPeriod }).first()).to.include({ opens_on: '2026-11-02', due_on: '2026-11-18', closes_on: '2026-11-20', grace_days: 1 });
      const event = await lastEvent('period.update');
      expect(event.before).to.include({ dueOn: '2026-12-15', closesOn: '2026-12-31', graceDays: 0 });
      expect(event.after).to.include({ dueOn: '2026-11-18', closesOn: '2026-11-20', graceDays: 1 });
      const page = await admin.get(`/admin/periods/${xaPeriod}`);
      // Due Wednesday 18/11 plus one working day.
      expect(page.text).to.include('<strong id="deadline">19/11/2026</strong>');
    });
  });

  describe('entry after the close and lock exceptions', () => {
    it('when the commune saves, submits or autosaves after the close, then 403 says entry closed after 20/11/2026 and nothing changes', async () => {
      const page = await reporter.get(`/submissions/${sub}`);
      expect(page.text).to.include('đã khóa nhập liệu sau ngày 20/11/2026');
      expect(page.text).to.not.include('id="values-form" data-autosave');
      const before = await snapshot(db(), sub);
      const v = (await stateOf(db(), sub)).version;
      const form = await reporter.post(`/submissions/${sub}/values`, { version: v, v: {} });
      expect(form.status).to.equal(403);
      expect(unescapeHtml(form.text)).to.include('Kỳ báo cáo Năm 2026 đã khóa nhập liệu sau ngày 20/11/2026.');
      const api = await reporter.agent.post(`/api/submissions/${sub}/values`).set('x-csrf-token', reporter.csrf).send({ version: v, values: {} });
      expect(api.status).to.equal(403);
      expect(api.body.error.message).to.include('đã khóa nhập liệu');
      await head.get(`/submissions/${sub}`);
      const submit = await head.post(`/submissions/${sub}/submit`, { version: v });
      expect(submit.status).to.equal(403);
      expect(await snapshot(db(), sub)).to.deep.equal(before);
    });

    it('when the admin grants an exception badly (no reason, not after the close, an agency outside the period), then 400 and nothing changes', async () => {
      const before = { x: await count('entry_exceptions'), audit: await count('audit_events') };
      const noReason = await admin.post(`/admin/periods/${xaPeriod}/exceptions`, { agencyId: String(vanninh), until: '2026-11-27', reason: ' ' });
      expect(noReason.status).to.equal(400);
      expect(errorList(noReason.text).items).to.include('Cần nêu lý do mở lại nhập liệu.');
      const early = await admin.post(`/admin/periods/${xaPeriod}/exceptions`, { agencyId: String(vanninh), until: '2026-11-19', reason: 'Thử' });
      expect(errorList(early.text).items.join(' ')).to.include('phải sau ngày khóa nhập liệu của kỳ (20/11/2026)');
      const outside = await admin.post(`/admin/periods/${xaPeriod}/exceptions`, { agencyId: String(await agencyId(db(), 'SNV')), until: '2026-11-27', reason: 'Thử' });
      expect(errorList(outside.text).items).to.include('Đơn vị không thuộc đối tượng báo cáo của kỳ này.');
      expect({ x: await count('entry_exceptions'), audit: await count('audit_events') }).to.deep.equal(before);
    });

    it('when the admin reopens entry for the commune until 27/11/2026, then it alone may enter and submit, and the grant is audited', async () => {
      const res = await admin.post(`/admin/periods/${xaPeriod}/exceptions`, { agencyId: String(vanninh), until: '27/11/2026', reason: 'Đơn vị bị ảnh hưởng bão số 13.' });
      expect(res.status, errorList(res.text).items.join('\n')).to.equal(303);
      const event = await lastEvent('exception.grant');
      expect(event).to.include({ agency_id: vanninh, reason: 'Đơn vị bị ảnh hưởng bão số 13.' });
      expect(event.after).to.deep.equal({ period: XA, until: '2026-11-27' });

      const page = await reporter.get(`/submissions/${sub}`);
      expect(page.text).to.include('Sở đã mở lại nhập liệu cho đơn vị đến hết ngày 27/11/2026');
      expect(page.text).to.include('id="values-form" data-autosave');
      // Another commune of the same period stays closed.
      const other = (await db()('submissions').where({ period_id: xaPeriod }).whereNot({ agency_id: vanninh }).first('agency_id')).agency_id as number;
      const period = await t.services.periods.get(xaPeriod);
      expect((await t.services.periods.entryStatus(period, other)).open).to.equal(false);
      expect((await t.services.periods.entryStatus(period, vanninh)).open).to.equal(true);
    });

    it('when the reporter saves a value during the exception, then it is stored', async () => {
      const values = await storedValues(db(), sub);
      const target = [...values.values()].find((v) => v.selfValue !== null && v.selfDenominator === null && v.selfOption === null);
      expect(target, 'a single-number value in the commune draft').to.not.equal(undefined);
      const page = await reporter.get(`/submissions/${sub}`);
      const res = await reporter.post(`/submissions/${sub}/values`, { version: versionOf(page.text), v: { [target!.code]: { value: '1', comment: 'Bổ sung sau khi mở lại' } } });
      expect(res.status, errorList(res.text).items.join('\n')).to.equal(303);
      expect((await storedValues(db(), sub)).get(target!.code)).to.include({ selfValue: 1, comment: 'Bổ sung sau khi mở lại' });
    });

    it('when the admin revokes the exception, then entry is refused again and the revocation is audited', async () => {
      const x = await db()('entry_exceptions').where({ period_id: xaPeriod, agency_id: vanninh }).first('id');
      const res = await admin.post(`/admin/periods/${xaPeriod}/exceptions/${x.id}/revoke`);
      expect(res.status).to.equal(303);
      const event = await lastEvent('exception.revoke');
      expect(event.before).to.deep.equal({ until: '2026-11-27', revokedAt: null });
      expect(event.after.until).to.equal('2026-11-27');
      const before = await snapshot(db(), sub);
      const again = await reporter.post(`/submissions/${sub}/values`, { version: (await stateOf(db(), sub)).version, v: {} });
      expect(again.status).to.equal(403);
      expect(await snapshot(db(), sub)).to.deep.equal(before);
      const twice = await admin.post(`/admin/periods/${xaPeriod}/exceptions/${x.id}/revoke`);
      expect(twice.status).to.equal(409);
    });
  });

  describe('the holiday calendar', () => {
    it('when the admin opens 2026, then Tết Bính Ngọ and the worked Saturdays are listed with dd/mm/yyyy dates', async () => {
      const res = await admin.get('/admin/holidays?year=2026');
      expect(res.status).to.equal(200);
      for (const d of ['16/02/2026', '17/02/2026', '20/02/2026', '10/01/2026', '22/08/2026', '02/09/2026']) expect(res.text).to.include(`<th scope="row">${d}</th>`);
      expect(res.text).to.include('Tết Nguyên đán Bính Ngọ (mùng 1)');
    });

    it('when the admin adds 19/11/2026 as a day off, then the deadline moves by a working day and the change is audited', async () => {
      const res = await admin.post('/admin/holidays', { day: '19/11/2026', kind: 'day_off', name: 'Nghỉ theo quyết định của UBND tỉnh' });
      expect(res.status, errorList(res.text).items.join('\n')).to.equal(303);
      const event = await lastEvent('calendar.add');
      expect(event).to.include({ entity: 'calendar_day', entity_id: '2026-11-19' });
      expect(event.after).to.deep.equal({ kind: 'day_off', name: 'Nghỉ theo quyết định của UBND tỉnh' });
      const page = await admin.get(`/admin/periods/${xaPeriod}`);
      expect(page.text).to.include('<strong id="deadline">20/11/2026</strong>');
    });

    it('when the day is added twice, or a weekday is marked as a worked weekend, then it is refused and nothing changes', async () => {
      const before = { days: await count('calendar_days'), audit: await count('audit_events') };
      const dup = await admin.post('/admin/holidays', { day: '2026-11-19', kind: 'holiday', name: 'Trùng' });
      expect(dup.status).to.equal(409);
      const weekday = await admin.post('/admin/holidays', { day: '2026-11-18', kind: 'workday', name: 'Làm bù' });
      expect(weekday.status).to.equal(400);
      expect(errorList(weekday.text).items).to.deep.equal(['Ngày làm bù phải là thứ Bảy hoặc Chủ nhật.']);
      expect({ days: await count('calendar_days'), audit: await count('audit_events') }).to.deep.equal(before);
    });

    it('when the admin removes the day, then the deadline is back and the removal is audited with the day as it was', async () => {
      const res = await admin.post('/admin/holidays/2026-11-19/delete');
      expect(res.status).to.equal(303);
      expect((await lastEvent('calendar.remove')).before).to.deep.equal({ kind: 'day_off', name: 'Nghỉ theo quyết định của UBND tỉnh' });
      const page = await admin.get(`/admin/periods/${xaPeriod}`);
      expect(page.text).to.include('<strong id="deadline">19/11/2026</strong>');
    });
  });

  describe('the completeness dashboard', () => {
    let late: number[];
    before(async () => {
      // Due Friday 13/11/2026 with a day of grace: on time up to Monday 16/11. Every report that reached the
      // Department did so on 16/11, except two that came on Friday 20/11 (17, 18, 19, 20: four working days late).
      await db()('periods').where({ id: soPeriod }).update({ opens_on: '2026-11-01', due_on: '2026-11-13', grace_days: 1 });
      await db()('submissions').where({ period_id: soPeriod }).whereNot({ state: 'draft' }).update({ first_submitted_at: new Date('2026-11-16T16:30:00+07:00') });
      const sent = await db()('submissions').where({ period_id: soPeriod }).whereNot({ state: 'draft' }).orderBy('id').limit(2).select('id');
      late = sent.map((r) => r.id as number);
      await db()('submissions').whereIn('id', late).update({ first_submitted_at: new Date('2026-11-20T08:00:00+07:00') });
    });

    /** The numbers, counted straight from the tables. */
    async function expected() {
      const fw = (await db()('periods').where({ id: soPeriod }).first('framework_id')).framework_id as number;
      const groups = (await db()('framework_ranking_groups').where({ framework_id: fw }).select('ranking_group_id')).map((r) => r.ranking_group_id);
      const agencies = Number((await db()('agencies').whereIn('ranking_group_id', groups).whereNull('valid_to').count('* as n'))[0]!.n);
      const subs = await db()('submissions').where({ period_id: soPeriod }).select('state', 'first_submitted_at');
      const submitted = subs.filter((s) => s.first_submitted_at !== null).length;
      return {
        expected: agencies,
        submitted,
        onTime: submitted - 2,
        late: 2,
        missing: agencies - submitted,
        returned: subs.filter((s) => s.state === 'returned').length,
      };
    }

    const cells = (html: string, group: string): number[] => {
      const m = new RegExp(`<tr data-group="${group}">([\\s\\S]*?)</tr>`).exec(html);
      if (!m) throw new Error(`no row ${group}`);
      return [...m[1]!.matchAll(/<td class="num">(\d+)<\/td>/g)].map((x) => Number(x[1]));
    };

    it('when the reviewer opens the dashboard, then expected, submitted, on time, late, missing and returned match the tables', async () => {
      const reviewer = await Client.login(t.app, 'thamdinh');
      const res = await reviewer.get(`/dashboard?period=${soPeriod}`);
      expect(res.status).to.equal(200);
      const want = await expected();
      expect(want.missing, 'the demo leaves some reports unsent').to.be.greaterThan(0);
      expect(want.returned, 'the demo has returned reports').to.be.greaterThan(0);
      expect(cells(res.text, 'Toàn tỉnh')).to.deep.equal([want.expected, want.submitted, want.onTime, want.late, want.missing, want.returned]);
      expect(res.text).to.include('tính đúng hạn đến hết ngày <strong>16/11/2026</strong>');
      const lateAgency = (await db()('submissions as s').join('agencies as a', 'a.id', 's.agency_id').where('s.id', late[0]).first('a.code')).code as string;
      const row = new RegExp(`<tr data-agency="${lateAgency}">([\\s\\S]*?)</tr>`).exec(res.text)![1]!;
      expect(row).to.include('20/11/2026');
      expect(row).to.include('Trễ hạn');
      expect(row).to.match(/<td class="num">4<\/td>/);
      // A report not sent by 22/11 is overdue by the working days since the deadline (17–20/11).
      const missingRow = new RegExp(`<tr data-agency="SNV">([\\s\\S]*?)</tr>`).exec(res.text)![1]!;
      expect(missingRow).to.include('Chưa gửi');
      expect(missingRow).to.match(/<td class="num">4<\/td>/);
    });

    it('when the leader downloads the CSV, then it has a row per expected agency with the same statuses', async () => {
      const leader = await Client.login(t.app, 'lanhdaotinh');
      const res = await leader.get(`/dashboard/${soPeriod}/export.csv`);
      expect(res.status).to.equal(200);
      expect(res.headers['content-type']).to.match(/^text\/csv/);
      const rows = parse(res.text.replace(/^\ufeff/, '')) as string[][];
      const want = await expected();
      expect(rows[0]).to.deep.equal(['Khối', 'Mã đơn vị', 'Đơn vị', 'Trạng thái', 'Ngày gửi lần đầu', 'Đúng hạn / trễ hạn', 'Số ngày làm việc trễ']);
      expect(rows.length - 1).to.equal(want.expected);
      expect(rows.filter((r) => r[5] === 'Trễ hạn')).to.have.length(2);
      expect(rows.filter((r) => r[5] === 'Chưa gửi')).to.have.length(want.missing);
    });

    it('when an agency name looks like a formula, then the Excel export writes it as text', async () => {
      await db()('agencies').where({ code: 'SNV' }).update({ name: '=HYPERLINK("http://x","Sở Nội vụ")' });
      const res = await admin.agent.get(`/dashboard/${soPeriod}/export.xlsx`).buffer(true).parse(binary);
      expect(res.status).to.equal(200);
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(Uint8Array.from(res.body as Buffer).buffer);
      const sheet = wb.getWorksheet('Đơn vị')!;
      const want = await expected();
      expect(sheet.rowCount - 1).to.equal(want.expected);
      const snvRow = sheet.getRows(2, sheet.rowCount - 1)!.find((r) => r.getCell(2).value === 'SNV')!;
      expect(snvRow.getCell(3).value).to.equal('\'=HYPERLINK("http://x","Sở Nội vụ")');
      const summary = wb.getWorksheet('Tổng hợp')!;
      const total = summary.getRows(1, summary.rowCount)!.find((r) => r.getCell(1).value === 'Toàn tỉnh')!;
      expect([2, 3, 4, 5, 6, 7].map((c) => total.getCell(c).value)).to.deep.equal([want.expected, want.submitted, want.onTime, want.late, want.missing, want.returned]);
    });
  });
});
