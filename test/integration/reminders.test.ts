// Reminders and mail through a real SMTP server started by the test: reminders before the due date, no duplicates
// on a second run, escalation after the due date, the notification of a returned report, retries of a refused
// message, and the job's lock across two instances. The clock is moved by the test; Sở Nội vụ, Sở Tài chính and
// the commune of the demo users have not submitted the annual 2026 report (due 15/12/2026).
import { expect } from 'chai';
import { bootTestApp, Client, type TestApp } from '../support/app.js';
import { startSmtpServer, type TestSmtp } from '../support/smtp.js';
import { usingPostgres } from '../support/database.js';
import { submissionId, userId } from '../support/builders.js';
import { tryLockJob } from '../../server/reminders/reminders.repository.js';

const PUBLIC_URL = 'https://dti.khanhhoa.gov.vn';
const at = (iso: string): Date => new Date(`${iso}T07:00:00+07:00`);

describe('reminders and mail', function () {
  this.timeout(120_000);

  let t: TestApp;
  let smtp: TestSmtp;
  let clock = at('2026-11-22');

  before(async () => {
    smtp = await startSmtpServer();
    t = await bootTestApp({
      now: () => clock,
      config: {
        publicUrl: PUBLIC_URL,
        smtp: { host: '127.0.0.1', port: smtp.port, secure: false, user: undefined, password: undefined },
        mailFrom: 'Sở Khoa học và Công nghệ <dti@khanhhoa.gov.vn>',
        reminderDaysBefore: [7, 3, 1],
      },
    });
  });

  after(async () => {
    await t?.close();
    await smtp?.close();
  });

  /** Runs the job, sends the outbox, and returns the mail that arrived meanwhile. */
  async function remindAndSend(): Promise<typeof smtp.received> {
    const from = smtp.received.length;
    const outcome = await t.services.reminders.run();
    expect(outcome.status).to.equal('done');
    await t.services.notifications.deliverOutbox();
    return smtp.received.slice(from);
  }

  const mailTo = (mail: typeof smtp.received, address: string) => mail.filter((m) => m.to.includes(address));
  const count = async (table: string): Promise<number> => Number((await t.services.db(table).count('* as n'))[0]!.n);

  it('when it is more than seven days before the due date, then no reminder is sent', async () => {
    clock = at('2026-12-07');
    const mail = await remindAndSend();
    expect(mail).to.deep.equal([]);
    expect(await count('reminders_sent')).to.equal(0);
  });

  it('when it is seven days before the due date, then the agencies that have not submitted get a Vietnamese reminder with the period, due date and a link', async () => {
    clock = at('2026-12-08');
    const mail = await remindAndSend();
    const snv = await submissionId(t.services.db, 'SNV', 'DTI-SO-2026-N');
    for (const address of ['chuyenvien@khanhhoa.gov.vn', 'lanhdao@khanhhoa.gov.vn']) {
      const mine = mailTo(mail, address);
      expect(mine, address).to.have.length(1);
      const m = mine[0]!;
      expect(m.from).to.equal('dti@khanhhoa.gov.vn');
      expect(m.subject).to.equal('Nhắc gửi báo cáo Năm 2026 — hạn ngày 15/12/2026');
      expect(m.text).to.include('Kính gửi Sở Nội vụ,');
      expect(m.text).to.include('chưa gửi báo cáo tự đánh giá chỉ số chuyển đổi số Năm 2026 (mã kỳ DTI-SO-2026-N)');
      expect(m.text).to.include('Hạn gửi báo cáo là ngày 15/12/2026 (còn 7 ngày)');
      expect(m.text).to.include(`Xem chi tiết: ${PUBLIC_URL}/submissions/${snv}`);
    }
    // The commune's officers are reminded of the communes' period; Sở Tài chính's reporter of the departments'.
    expect(mailTo(mail, 'chuyenvien.xa@khanhhoa.gov.vn')[0]!.text).to.include('mã kỳ DTI-XA-2026-N');
    expect(mailTo(mail, 'chuyenvien.stc@khanhhoa.gov.vn')).to.have.length(1);
    // Nobody else has an account in a late agency, and the Department is not told before the due date.
    expect(mailTo(mail, 'quantri@khanhhoa.gov.vn')).to.deep.equal([]);
    expect(mail).to.have.length(5);
    // Each mail is also an in-app notification of its recipient.
    const lanhdao = await userId(t.services.db, 'lanhdao');
    const inApp = await t.services.db('notifications').where({ user_id: lanhdao, kind: 'reminder.before_due' });
    expect(inApp).to.have.length(1);
    expect(inApp[0].subject).to.equal('Nhắc gửi báo cáo Năm 2026 — hạn ngày 15/12/2026');
  });

  it('when the job runs again the same day, then nothing is sent twice', async () => {
    const before = { reminders: await count('reminders_sent'), notifications: await count('notifications'), mail: await count('mail_outbox') };
    const mail = await remindAndSend();
    expect(mail).to.deep.equal([]);
    expect({ reminders: await count('reminders_sent'), notifications: await count('notifications'), mail: await count('mail_outbox') }).to.deep.equal(before);
  });

  it('when the job runs on a day between two reminder days, then the earlier reminder is not repeated', async () => {
    clock = at('2026-12-10');
    expect(await remindAndSend()).to.deep.equal([]);
  });

  it('when an agency has submitted, then it gets no further reminders', async () => {
    await t.services.db('submissions')
      .where({ id: await submissionId(t.services.db, 'STC', 'DTI-SO-2026-N') })
      .update({ state: 'submitted', submitted_at: clock });
    clock = at('2026-12-12');
    const mail = await remindAndSend();
    expect(mailTo(mail, 'chuyenvien.stc@khanhhoa.gov.vn')).to.deep.equal([]);
    const m = mailTo(mail, 'lanhdao@khanhhoa.gov.vn');
    expect(m).to.have.length(1);
    expect(m[0]!.text).to.include('(còn 3 ngày)');
  });

  it('when the due date has passed, then the late agency is told and the Department gets the list of late agencies, once', async () => {
    clock = at('2026-12-16');
    const mail = await remindAndSend();
    const late = mailTo(mail, 'lanhdao@khanhhoa.gov.vn');
    expect(late).to.have.length(1);
    expect(late[0]!.subject).to.equal('Quá hạn gửi báo cáo Năm 2026 (hạn ngày 15/12/2026)');
    expect(late[0]!.text).to.include('hệ thống nhận báo cáo đến hết ngày 31/12/2026');
    // Departments and communes report to the province, so lateness goes to the Department (admin and reviewer).
    for (const address of ['quantri@khanhhoa.gov.vn', 'thamdinh@khanhhoa.gov.vn']) {
      const escalations = mailTo(mail, address);
      // One list per period (departments, communes), not one mail per late agency.
      expect(escalations, address).to.have.length(2);
      const so = escalations.find((m) => m.text.includes('DTI-SO-2026-N'))!;
      expect(so.subject).to.match(/^\d+ đơn vị quá hạn gửi báo cáo Năm 2026$/);
      expect(so.text).to.include('quá hạn 1 ngày');
      expect(so.text).to.match(/\n\d+\. Sở Nội vụ/);
      expect(so.text).to.not.include('Sở Tài chính');
      expect(so.text).to.include(`${PUBLIC_URL}/review?period=`);
      expect(escalations.find((m) => m.text.includes('DTI-XA-2026-N'))!.text).to.include('Xã Vạn Ninh');
    }
    expect(await remindAndSend()).to.deep.equal([]);
    clock = at('2026-12-20');
    expect(await remindAndSend()).to.deep.equal([]);
  });

  it('when the period has closed, then no reminder is sent', async () => {
    clock = at('2027-01-02');
    const before = await count('reminders_sent');
    expect(await remindAndSend()).to.deep.equal([]);
    expect(await count('reminders_sent')).to.equal(before);
  });

  it('when two instances run the job at once, then each reminder is recorded and sent once', async () => {
    await t.services.db('reminders_sent').delete();
    clock = at('2026-12-14');
    const outcomes = await Promise.all([t.services.reminders.run(), t.services.reminders.run()]);
    const sent = outcomes.flatMap((o) => (o.status === 'done' ? o.sent : []));
    const keys = sent.map((s) => `${s.period}/${s.agency}/${s.kind}/${s.day}`);
    expect(new Set(keys).size).to.equal(keys.length);
    expect(sent.length).to.equal(await count('reminders_sent'));
    expect(sent.length).to.be.greaterThan(0);
    const from = smtp.received.length;
    await t.services.notifications.deliverOutbox();
    const mail = smtp.received.slice(from);
    expect(mailTo(mail, 'lanhdao@khanhhoa.gov.vn')).to.have.length(1);
  });

  it('when the job\'s lock is held by another instance, then the run reports busy and records nothing', async function () {
    // PGlite has a single connection, so a second holder of the lock cannot exist there.
    if (!usingPostgres()) this.skip();
    await t.services.db('reminders_sent').delete();
    const trx = await t.services.db.transaction();
    try {
      expect(await tryLockJob(trx)).to.equal(true);
      expect((await t.services.reminders.run()).status).to.equal('busy');
    } finally {
      await trx.rollback();
    }
    expect(await count('reminders_sent')).to.equal(0);
  });

  it('when the Department returns a report, then the agency\'s users get the reason by mail and in the app', async () => {
    clock = at('2026-12-01');
    const snv = await submissionId(t.services.db, 'SNV', 'DTI-SO-2026-N');
    await t.services.db('submissions').where({ id: snv }).update({ state: 'submitted', submitted_at: clock });
    const reviewer = await Client.login(t.app, 'thamdinh');
    await reviewer.get(`/submissions/${snv}`);
    const from = smtp.received.length;
    const res = await reviewer.post(`/submissions/${snv}/return`, { reason: 'Bổ sung tài liệu kiểm chứng chỉ số NLS.1.' });
    expect(res.status).to.equal(303);
    await t.services.notifications.deliverOutbox();
    const mail = smtp.received.slice(from);
    expect(mail.map((m) => m.to[0]).sort()).to.deep.equal(['chuyenvien@khanhhoa.gov.vn', 'lanhdao@khanhhoa.gov.vn']);
    for (const m of mail) {
      expect(m.subject).to.equal('Báo cáo Năm 2026 của Sở Nội vụ bị trả lại');
      expect(m.text).to.include('Lý do: Bổ sung tài liệu kiểm chứng chỉ số NLS.1.');
      expect(m.text).to.include('Hạn gửi báo cáo: ngày 15/12/2026');
      expect(m.text).to.include(`${PUBLIC_URL}/submissions/${snv}`);
    }
    const head = await Client.login(t.app, 'lanhdao');
    const page = await head.get('/notifications');
    expect(page.text).to.include('Báo cáo Năm 2026 của Sở Nội vụ bị trả lại');
    expect(page.text).to.include('Bổ sung tài liệu kiểm chứng chỉ số NLS.1.');
  });

  it('when the mail server refuses a message for a while, then the worker retries it later and sends it once', async () => {
    clock = at('2026-12-02');
    const snv = await submissionId(t.services.db, 'SNV', 'DTI-SO-2026-N');
    await t.services.db('submissions').where({ id: snv }).update({ state: 'submitted', return_reason: null });
    smtp.refuseNext('lanhdao@khanhhoa.gov.vn');
    const reviewer = await Client.login(t.app, 'thamdinh');
    await reviewer.get(`/submissions/${snv}`);
    expect((await reviewer.post(`/submissions/${snv}/return`, { reason: 'Lần hai.' })).status).to.equal(303);

    const first = await t.services.notifications.deliverOutbox();
    expect(first).to.include({ sent: 1, retried: 1, failed: 0 });
    const pending = await t.services.db('mail_outbox').where({ to_address: 'lanhdao@khanhhoa.gov.vn', state: 'pending' });
    expect(pending).to.have.length(1);
    expect(pending[0].attempts).to.equal(1);
    expect(pending[0].last_error).to.include('451');

    // Not yet due: the retry waits a minute.
    expect(await t.services.notifications.deliverOutbox()).to.include({ sent: 0, retried: 0 });
    clock = new Date(clock.getTime() + 2 * 60_000);
    const from = smtp.received.length;
    expect(await t.services.notifications.deliverOutbox()).to.include({ sent: 1, retried: 0 });
    const again = smtp.received.slice(from);
    expect(again).to.have.length(1);
    expect(again[0]!.to).to.deep.equal(['lanhdao@khanhhoa.gov.vn']);
    expect(again[0]!.text).to.include('Lý do: Lần hai.');
    expect(await t.services.db('mail_outbox').where({ id: pending[0].id }).first('state')).to.deep.equal({ state: 'sent' });
  });
});
