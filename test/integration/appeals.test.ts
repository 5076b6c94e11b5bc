// Appeals through HTTP on the demo province at 22/11/2026: the 2026 first-half results of the departments were
// published that day, the annual 2026 period is not published. Every refusal changes nothing; an accepted appeal
// re-appraises the indicator, recomputes, publishes again with a new number and keeps the change log; a rejected
// one keeps the results and tells the agency why. The run comparison screen shows the same diff.
import { expect } from 'chai';
import type { Knex } from 'knex';
import { bootTestApp, Client, type TestApp } from '../support/app.js';
import { agencyId, periodId, userId, unescapeHtml, errorList, storedValues } from '../support/builders.js';
import { roundPublished } from '../../server/scoring/score.js';
import { tryLockPeriod } from '../../server/scoring/runs.repository.js';
import { usingPostgres } from '../support/database.js';

const PERIOD = 'DTI-SO-2026-6T';

/** Everything a refused appeal request could change. */
async function fingerprint(db: Knex): Promise<unknown> {
  const count = async (table: string): Promise<number> => Number((await db(table).count('* as n'))[0]!.n);
  return {
    appeals: await db('appeals').orderBy('id').select('*'),
    items: await db('appeal_items').orderBy('id').select('*'),
    evidence: await count('appeal_evidence'),
    audit: await count('audit_events'),
    notifications: await count('notifications'),
    outbox: await count('mail_outbox'),
    runs: await count('runs'),
    publications: await count('publications'),
    values: await db('submission_values').whereNotNull('appraised_at').orderBy('id').select('id', 'appraised_value', 'appraised_denominator', 'appraisal_reason'),
  };
}

interface Target {
  code: string;
  nodeId: number;
  points: number;
  max: number;
}

describe('appeals through HTTP', function () {
  this.timeout(120_000);

  let t: TestApp;
  let period: number;
  let snvAgency: number;
  let head: Client;
  let admin: Client;
  /** Two ratio indicators on which Sở Nội vụ lost points in the published first-half results. */
  let targets: Target[];

  before(async () => {
    t = await bootTestApp();
    const db = t.services.db;
    period = await periodId(db, PERIOD);
    snvAgency = await agencyId(db, 'SNV');
    [head, admin] = await Promise.all([Client.login(t.app, 'lanhdao'), Client.login(t.app, 'quantri')]);
    const run = await db('publications').where({ period_id: period }).orderBy('number', 'desc').first('run_id');
    targets = (
      await db('run_node_scores as s')
        .join('framework_nodes as n', 'n.code', 's.node_code')
        .join('periods as p', 'p.framework_id', 'n.framework_id')
        .where({ 's.run_id': run.run_id, 's.agency_id': snvAgency, 's.node_kind': 'indicator', 'p.id': period, 'n.input_kind': 'ratio' })
        .whereRaw('s.points < s.max_points - 1')
        .orderBy('n.position')
        .limit(2)
        .select('n.code', 'n.id as node_id', 's.points', 's.max_points')
    ).map((r) => ({ code: r.code, nodeId: r.node_id, points: r.points, max: r.max_points }));
    expect(targets, 'indicators with points to win back').to.have.length(2);
  });

  after(async () => {
    await t?.close();
  });

  const filing = (codes: string[], extra: Record<string, unknown> = {}): Record<string, unknown> => ({
    explanation: 'Đơn vị đề nghị xem xét lại vì số liệu đã được cập nhật đầy đủ.',
    items: Object.fromEntries(
      codes.map((c, i) => [
        c,
        {
          selected: '1',
          explanation: `Số liệu chỉ số ${c} chưa tính các hồ sơ tiếp nhận cuối kỳ.`,
          ...(i === 0 ? { docNumber: '125/BC-SNV', issuedOn: '2026-06-20', summary: 'Báo cáo bổ sung số liệu', issuer: 'Sở Nội vụ' } : {}),
        },
      ]),
    ),
    ...extra,
  });

  const fileAs = async (c: Client, periodId_: number, agency: number, body: Record<string, unknown>) => {
    await c.get('/appeals');
    return c.post(`/periods/${periodId_}/agencies/${agency}/appeals`, body);
  };

  async function expectRefused(send: () => Promise<{ status: number; text: string }>, status: number, message: string): Promise<void> {
    const before = await fingerprint(t.services.db);
    const res = await send();
    expect(res.status, res.text.slice(0, 400)).to.equal(status);
    expect(unescapeHtml(res.text)).to.include(message);
    expect(await fingerprint(t.services.db)).to.deep.equal(before);
  }

  describe('refusals', () => {
    it('when an agency reporter files an appeal, then 403 and nothing changes', async () => {
      const reporter = await Client.login(t.app, 'chuyenvien');
      await expectRefused(() => fileAs(reporter, period, snvAgency, filing([targets[0]!.code])), 403, 'không được phép');
    });

    it('when the head of Sở Nội vụ files for Sở Tài chính, then 403 and nothing changes', async () => {
      const stc = await agencyId(t.services.db, 'STC');
      await expectRefused(() => fileAs(head, period, stc, filing([targets[0]!.code])), 403, 'Chỉ được gửi kiến nghị về kết quả của đơn vị mình.');
    });

    it('when the period is not published, then 409 saying so and nothing changes', async () => {
      const open = await periodId(t.services.db, 'DTI-SO-2026-N');
      await expectRefused(
        () => fileAs(head, open, snvAgency, filing([targets[0]!.code])),
        409,
        'Kết quả Năm 2026 chưa được công bố; chỉ có thể kiến nghị sau khi kết quả được công bố.',
      );
    });

    it('when the appeal window has passed, then 409 naming the publication day and the deadline, and nothing changes', async () => {
      const db = t.services.db;
      const old = await periodId(db, 'DTI-SO-2025-N');
      const pub = await db('publications').where({ period_id: old }).first('id', 'published_at');
      await db('publications').where({ id: pub.id }).update({ published_at: new Date('2026-11-11T10:00:00+07:00') });
      try {
        await expectRefused(
          () => fileAs(head, old, snvAgency, filing([targets[0]!.code])),
          409,
          'Đã hết thời hạn kiến nghị: kết quả công bố ngày 11/11/2026, được kiến nghị trong 10 ngày (đến hết ngày 21/11/2026).',
        );
      } finally {
        await db('publications').where({ id: pub.id }).update({ published_at: pub.published_at });
      }
    });

    it('when the head of a commune appeals the departments\' results, then 409 and nothing changes', async () => {
      const xa = await Client.login(t.app, 'lanhdao.xa');
      const commune = await agencyId(t.services.db, 'X-VANNINH');
      await expectRefused(() => fileAs(xa, period, commune, filing([targets[0]!.code])), 409, 'không có kết quả trong 6 tháng đầu năm 2026');
    });

    it('when no indicator is chosen, then 400 and nothing changes', async () => {
      await expectRefused(() => fileAs(head, period, snvAgency, filing([])), 400, 'Cần chọn ít nhất một chỉ số để kiến nghị.');
    });

    it('when an indicator has no reason, or new evidence has no document number, then 400 naming the indicator and nothing changes', async () => {
      const [a, b] = targets.map((x) => x.code);
      const body = filing([a!, b!]);
      (body.items as Record<string, Record<string, string>>)[a!]!.explanation = '  ';
      (body.items as Record<string, Record<string, string>>)[b!]!.summary = 'Chỉ có trích yếu';
      const before = await fingerprint(t.services.db);
      const res = await fileAs(head, period, snvAgency, body);
      expect(res.status).to.equal(400);
      const errors = errorList(res.text);
      expect(errors.message).to.equal('Kiến nghị chưa hợp lệ, chưa gửi.');
      expect(errors.items.some((m) => m.startsWith(`Chỉ số ${a} (`) && m.endsWith('cần nêu lý do kiến nghị.'))).to.equal(true);
      expect(errors.items).to.include(`Chỉ số ${b}: tài liệu kiểm chứng mới cần số ký hiệu văn bản hoặc tệp đính kèm.`);
      // The form comes back with what was typed.
      expect(res.text).to.include('Chỉ có trích yếu');
      expect(await fingerprint(t.services.db)).to.deep.equal(before);
    });

    it('when an indicator is not in the framework, then 400 and nothing changes', async () => {
      await expectRefused(() => fileAs(head, period, snvAgency, filing(['HDCQS.99'])), 400, 'Chỉ số HDCQS.99 không có trong kết quả của đơn vị ở kỳ này.');
    });
  });

  describe('an accepted appeal', () => {
    let appeal: number;
    let publicationBefore: { number: number; run_id: number };

    it('when the head files an appeal on two indicators with new evidence, then it is recorded, audited and the admin is notified', async () => {
      publicationBefore = await t.services.db('publications').where({ period_id: period }).orderBy('number', 'desc').first('number', 'run_id');
      const res = await fileAs(head, period, snvAgency, filing(targets.map((x) => x.code)));
      expect(res.status, res.text.slice(0, 300)).to.equal(303);
      const m = /^\/appeals\/(\d+)\?msg=filed$/.exec(res.headers.location ?? '');
      expect(m).to.not.equal(null);
      appeal = Number(m![1]);
      const db = t.services.db;
      const row = await db('appeals').where({ id: appeal }).first();
      expect(row).to.include({ state: 'open', agency_id: snvAgency, period_id: period, filed_by: await userId(db, 'lanhdao'), run_id: publicationBefore.run_id });
      const items = await db('appeal_items').where({ appeal_id: appeal }).orderBy('id');
      expect(items.map((i) => i.node_id)).to.have.members(targets.map((x) => x.nodeId));
      expect(items.find((i) => i.node_id === targets[0]!.nodeId).points_before).to.be.closeTo(targets[0]!.points, 1e-4);
      const evidence = await db('appeal_evidence').where({ appeal_id: appeal });
      expect(evidence).to.have.length(1);
      expect(evidence[0]).to.include({ doc_number: '125/BC-SNV', issued_on: '2026-06-20', node_id: targets[0]!.nodeId });
      const audit = await db('audit_events').where({ action: 'appeal.file', entity_id: String(appeal) }).first();
      expect(audit.agency_id).to.equal(snvAgency);
      expect(audit.after.indicators).to.have.members(targets.map((x) => x.code));
      const note = await db('notifications').where({ user_id: await userId(db, 'quantri'), kind: 'appeal.filed' }).first();
      expect(note.subject).to.equal('Kiến nghị mới: Sở Nội vụ — 6 tháng đầu năm 2026');
      expect(note.link).to.equal(`/appeals/${appeal}`);
      expect(await db('mail_outbox').where({ notification_id: note.id, to_address: 'quantri@khanhhoa.gov.vn' })).to.have.length(1);

      const page = await head.get(`/appeals/${appeal}?msg=filed`);
      expect(page.text).to.include('Đã gửi kiến nghị tới Sở Khoa học và Công nghệ.');
      expect(page.text).to.include('Chờ xem xét');
    });

    it('when the head files a second appeal while the first is open, then 409 and nothing changes', async () => {
      await expectRefused(() => fileAs(head, period, snvAgency, filing([targets[0]!.code])), 409, 'Đơn vị đã có một kiến nghị đang chờ xem xét cho kỳ này');
    });

    it('when another agency\'s user opens the appeal, then 403 and its content is not shown', async () => {
      const stc = await Client.login(t.app, 'chuyenvien.stc');
      const res = await stc.get(`/appeals/${appeal}`);
      expect(res.status).to.equal(403);
      expect(res.text).to.not.include('125/BC-SNV');
      expect((await stc.get('/appeals')).text).to.not.include(`/appeals/${appeal}"`);
      expect((await head.get('/appeals')).text).to.include(`/appeals/${appeal}"`);
    });

    it('when the head tries to decide the appeal, then 403 and nothing changes', async () => {
      await head.get(`/appeals/${appeal}`);
      await expectRefused(() => head.post(`/appeals/${appeal}/reject`, { reason: 'Tự từ chối' }), 403, 'không được phép');
    });

    it('when the admin accepts without any new value, then 400 and nothing changes', async () => {
      await admin.get(`/appeals/${appeal}`);
      await expectRefused(() => admin.post(`/appeals/${appeal}/accept`, { note: '' }), 400, 'Chấp nhận kiến nghị cần ít nhất một chỉ số có giá trị thẩm định mới');
    });

    it('when the admin gives a new value without a reason, or for an indicator not appealed, then 400 and nothing changes', async () => {
      const code = targets[0]!.code;
      await expectRefused(
        () => admin.post(`/appeals/${appeal}/accept`, { d: { [code]: { value: '10', denominator: '10', reason: '' } } }),
        400,
        `Chỉ số ${code} (`,
      );
      await expectRefused(
        () => admin.post(`/appeals/${appeal}/accept`, { d: { 'NLS.1': { value: '10', denominator: '10', reason: 'x' }, [code]: { value: '10', denominator: '10', reason: 'Đúng' } } }),
        400,
        'Chỉ số NLS.1 không nằm trong kiến nghị này.',
      );
    });

    it('when the admin "changes" a value to the one already recognised, then 400 and nothing changes', async () => {
      const code = targets[0]!.code;
      const submission = (await t.services.db('appeals').where({ id: appeal }).first('submission_id')).submission_id;
      const v = (await storedValues(t.services.db, submission)).get(code)!;
      const current = v.appraisedValue !== null ? { value: v.appraisedValue, denominator: v.appraisedDenominator } : { value: v.selfValue, denominator: v.selfDenominator };
      await expectRefused(
        () => admin.post(`/appeals/${appeal}/accept`, { d: { [code]: { value: String(current.value), denominator: String(current.denominator), reason: 'Giữ nguyên' } } }),
        400,
        'giá trị mới trùng với giá trị đang được công nhận.',
      );
    });

    it('when the admin accepts with a new value for one indicator, then the value is re-appraised, the period is published again with the next number, and the change log shows who moved', async () => {
      const db = t.services.db;
      const [changed, kept] = targets as [Target, Target];
      const res = await admin.post(`/appeals/${appeal}/accept`, {
        note: 'Hội đồng thẩm định công nhận số liệu bổ sung.',
        d: { [changed.code]: { value: '20', denominator: '20', reason: 'Công nhận Báo cáo 125/BC-SNV.' }, [kept.code]: { value: '', denominator: '', reason: '' } },
      });
      expect(res.status, res.text?.slice(0, 300)).to.equal(303);
      expect(res.headers.location).to.equal(`/appeals/${appeal}?msg=accepted`);

      // The value is appraised with the reason; the other indicator stays as it was.
      const submission = (await db('appeals').where({ id: appeal }).first('submission_id')).submission_id;
      const value = await db('submission_values').where({ submission_id: submission, node_id: changed.nodeId }).first();
      expect(value).to.include({ appraised_value: 20, appraised_denominator: 20, appraisal_reason: 'Công nhận Báo cáo 125/BC-SNV.' });
      const items = await db('appeal_items').where({ appeal_id: appeal });
      expect(items.find((i) => i.node_id === changed.nodeId)).to.include({ outcome: 'changed', decision_reason: 'Công nhận Báo cáo 125/BC-SNV.' });
      expect(items.find((i) => i.node_id === kept.nodeId)).to.include({ outcome: 'unchanged' });

      // A new publication, numbered after the appealed one, of a new run in which the indicator earns full points.
      const pub = await db('publications').where({ period_id: period }).orderBy('number', 'desc').first();
      expect(pub.number).to.equal(publicationBefore.number + 1);
      const row = await db('appeals').where({ id: appeal }).first();
      expect(row).to.include({ state: 'accepted', result_publication_id: pub.id, decision_reason: 'Hội đồng thẩm định công nhận số liệu bổ sung.' });
      const points = await db('run_node_scores').where({ run_id: pub.run_id, agency_id: snvAgency, node_code: changed.code }).first('points', 'max_points');
      expect(points.points).to.be.closeTo(points.max_points, 1e-4);

      // The change log is the diff of the two runs: Sở Nội vụ's totals before and after, and the indicator.
      const [before, after] = await Promise.all(
        [publicationBefore.run_id, pub.run_id].map((run) => db('run_results').where({ run_id: run }).select('agency_id', 'points', 'rank')),
      );
      const log = row.change_log;
      expect(log).to.include({ fromPublication: publicationBefore.number, toPublication: pub.number, fromRunId: publicationBefore.run_id, toRunId: pub.run_id });
      const snv = log.agencies.find((a: { agencyId: number }) => a.agencyId === snvAgency);
      const b = before!.find((r) => r.agency_id === snvAgency)!;
      const a = after!.find((r) => r.agency_id === snvAgency)!;
      expect(snv.before).to.include({ rank: b.rank });
      expect(snv.after).to.include({ rank: a.rank });
      expect(snv.pointsDelta).to.be.closeTo(a.points - b.points, 1e-4);
      expect(snv.pointsDelta).to.be.closeTo(changed.max - changed.points, 1e-3);
      expect(snv.indicators).to.deep.equal([{ code: changed.code, before: changed.points, after: points.points, delta: roundPublished(points.points - changed.points) }]);
      // Every agency whose rank moved is in the log, and only those whose result changed.
      const rankOf = (rows: typeof before, id: number) => rows!.find((r) => r.agency_id === id)?.rank ?? null;
      const moved = after!.filter((r) => rankOf(before, r.agency_id) !== r.rank).map((r) => r.agency_id);
      for (const id of moved) expect(log.agencies.map((x: { agencyId: number }) => x.agencyId)).to.include(id);
      expect(log.movedUp + log.movedDown).to.equal(moved.length);

      // Audited: the decision, the appraisal naming the appeal, the publication and the link.
      for (const action of ['appeal.accept', 'appeal.republish']) {
        expect(await db('audit_events').where({ action, entity_id: String(appeal) }), action).to.have.length(1);
      }
      const appraise = await db('audit_events').where({ action: 'value.appraise', submission_id: submission, entity_id: changed.code }).orderBy('id', 'desc').first();
      expect(appraise.after.appeal).to.equal(appeal);
      expect(appraise.reason).to.equal('Công nhận Báo cáo 125/BC-SNV.');

      // The agency's users are told of the decision and of the new publication.
      for (const username of ['lanhdao', 'chuyenvien']) {
        const kinds = (await db('notifications').where({ user_id: await userId(db, username) }).select('kind')).map((n) => n.kind);
        expect(kinds, username).to.include.members(['appeal.decided', 'publication.changed']);
      }
      const page = await head.get(`/appeals/${appeal}`);
      expect(page.status, page.text.slice(-1500)).to.equal(200);
      expect(page.text).to.include('Đã chấp nhận');
      expect(page.text).to.include(`Thay đổi khi công bố lại (lần ${publicationBefore.number} → lần ${pub.number})`);
    });

    it('when the admin decides the appeal again, then 409 and nothing changes', async () => {
      await admin.get(`/appeals/${appeal}`);
      await expectRefused(() => admin.post(`/appeals/${appeal}/reject`, { reason: 'Muộn' }), 409, 'Kiến nghị này đã được xử lý (đã chấp nhận).');
    });

    it('when the Department compares the two runs, then the screen shows Sở Nội vụ with its points before and after', async () => {
      const reviewer = await Client.login(t.app, 'thamdinh');
      const pub = await t.services.db('publications').where({ period_id: period }).orderBy('number', 'desc').first('run_id');
      const res = await reviewer.get(`/periods/${period}/runs/compare?from=${publicationBefore.run_id}&to=${pub.run_id}`);
      expect(res.status).to.equal(200);
      const row = new RegExp(`<tr data-agency="${snvAgency}">([\\s\\S]*?)</tr>`).exec(res.text);
      expect(row, 'a row for Sở Nội vụ').to.not.equal(null);
      expect(row![1]).to.include('Sở Nội vụ');
      expect(row![1]).to.include(targets[0]!.code);
      // The same run twice, or a run of another period, is refused.
      expect((await reviewer.get(`/periods/${period}/runs/compare?from=${pub.run_id}&to=${pub.run_id}`)).status).to.equal(400);
      const other = await t.services.db('runs').whereNot({ period_id: period }).first('id');
      expect((await reviewer.get(`/periods/${period}/runs/compare?from=${other.id}&to=${pub.run_id}`)).status).to.equal(404);
      expect((await reviewer.get(`/periods/${period}/runs/compare?from=abc`)).status).to.equal(404);
    });
  });

  describe('a rejected appeal', () => {
    let appeal: number;
    before(async () => {
      const res = await fileAs(head, period, snvAgency, filing([targets[1]!.code]));
      expect(res.status).to.equal(303);
      appeal = Number(/\/appeals\/(\d+)/.exec(res.headers.location!)![1]);
      await admin.get(`/appeals/${appeal}`);
    });

    it('when the admin rejects without a reason, then 400 and nothing changes', async () => {
      await expectRefused(() => admin.post(`/appeals/${appeal}/reject`, { reason: '   ' }), 400, 'Cần nêu lý do từ chối kiến nghị.');
    });

    it('when the admin rejects with a reason, then the results stay, the decision is audited and the agency is told why', async () => {
      const db = t.services.db;
      const count = async (table: string): Promise<number> => Number((await db(table).count('* as n'))[0]!.n);
      const [runs, publications] = [await count('runs'), await count('publications')];
      const res = await admin.post(`/appeals/${appeal}/reject`, { reason: 'Tài liệu bổ sung ban hành sau thời điểm chốt số liệu.' });
      expect(res.status).to.equal(303);
      expect(res.headers.location).to.equal(`/appeals/${appeal}?msg=rejected`);
      expect(await db('appeals').where({ id: appeal }).first('state', 'decision_reason', 'result_publication_id')).to.deep.equal({
        state: 'rejected',
        decision_reason: 'Tài liệu bổ sung ban hành sau thời điểm chốt số liệu.',
        result_publication_id: null,
      });
      expect([await count('runs'), await count('publications')]).to.deep.equal([runs, publications]);
      const audit = await db('audit_events').where({ action: 'appeal.reject', entity_id: String(appeal) }).first();
      expect(audit.reason).to.equal('Tài liệu bổ sung ban hành sau thời điểm chốt số liệu.');
      const note = await db('notifications').where({ user_id: await userId(db, 'lanhdao'), kind: 'appeal.decided' }).orderBy('id', 'desc').first();
      expect(note.subject).to.equal('Kiến nghị không được chấp nhận — 6 tháng đầu năm 2026');
      expect(note.body).to.include('Lý do: Tài liệu bổ sung ban hành sau thời điểm chốt số liệu.');
      const page = await head.get(`/appeals/${appeal}`);
      expect(unescapeHtml(page.text)).to.include('Tài liệu bổ sung ban hành sau thời điểm chốt số liệu.');
    });
  });

  describe('an accepted appeal while another instance is computing the period', () => {
    before(function () {
      // PGlite has a single connection, so a second holder of the compute lock cannot exist there.
      if (!usingPostgres()) this.skip();
    });

    it('when the computation is busy, then the decision stands, and publishing again from the appeal links the new publication', async () => {
      const db = t.services.db;
      const code = targets[1]!.code;
      const filed = await fileAs(head, period, snvAgency, filing([code]));
      expect(filed.status).to.equal(303);
      const appeal = Number(/\/appeals\/(\d+)/.exec(filed.headers.location!)![1]);
      const before = await db('publications').where({ period_id: period }).orderBy('number', 'desc').first('number');
      await admin.get(`/appeals/${appeal}`);

      const lock = await db.transaction();
      try {
        expect(await tryLockPeriod(lock, period)).to.equal(true);
        const res = await admin.post(`/appeals/${appeal}/accept`, { d: { [code]: { value: '7', denominator: '7', reason: 'Công nhận.' } } });
        expect(res.headers.location).to.equal(`/appeals/${appeal}?msg=accepted-pending`);
      } finally {
        await lock.rollback();
      }
      expect(await db('appeals').where({ id: appeal }).first('state', 'result_publication_id')).to.deep.equal({ state: 'accepted', result_publication_id: null });
      expect((await db('publications').where({ period_id: period }).orderBy('number', 'desc').first('number')).number).to.equal(before.number);
      const page = await admin.get(`/appeals/${appeal}?msg=accepted-pending`);
      expect(page.text).to.include('Tính lại và công bố');

      const res = await admin.post(`/appeals/${appeal}/publish`);
      expect(res.headers.location).to.equal(`/appeals/${appeal}?msg=republished`);
      const pub = await db('publications').where({ period_id: period }).orderBy('number', 'desc').first('id', 'number');
      expect(pub.number).to.equal(before.number + 1);
      expect((await db('appeals').where({ id: appeal }).first('result_publication_id')).result_publication_id).to.equal(pub.id);
      // Once linked, publishing again from the appeal is refused and changes nothing.
      await expectRefused(() => admin.post(`/appeals/${appeal}/publish`), 409, 'Kết quả sau kiến nghị này đã được công bố.');
    });
  });

  describe('notifications', () => {
    it('when a user marks another user\'s notification read, then 404 and it stays unread', async () => {
      const db = t.services.db;
      const note = await db('notifications').where({ user_id: await userId(db, 'lanhdao') }).whereNull('read_at').first('id');
      const reporter = await Client.login(t.app, 'chuyenvien.stc');
      await reporter.get('/notifications');
      const res = await reporter.post(`/notifications/${note.id}/read`);
      expect(res.status).to.equal(404);
      expect(await db('notifications').where({ id: note.id }).first('read_at')).to.deep.equal({ read_at: null });
      expect((await reporter.get('/notifications')).text).to.not.include(`notification-${note.id}"`);
    });

    it('when a user opens a notification, then it is marked read and the page it is about opens', async () => {
      const db = t.services.db;
      const note = await db('notifications').where({ user_id: await userId(db, 'lanhdao'), kind: 'appeal.decided' }).whereNull('read_at').orderBy('id').first('id', 'link');
      await head.get('/notifications');
      const res = await head.post(`/notifications/${note.id}/read`, { open: '1' });
      expect(res.status).to.equal(303);
      expect(res.headers.location).to.equal(note.link);
      expect((await db('notifications').where({ id: note.id }).first('read_at')).read_at).to.be.instanceOf(Date);
    });

    it('when the head opens the notifications, then the unread count is in the nav, and marking them read clears it', async () => {
      const db = t.services.db;
      const unread = Number((await db('notifications').where({ user_id: await userId(db, 'lanhdao') }).whereNull('read_at').count('* as n'))[0]!.n);
      expect(unread).to.be.greaterThan(1);
      const page = await head.get('/notifications');
      expect(page.text).to.include(`<span class="badge" aria-label="${unread} chưa đọc">${unread}</span>`);
      const one = /id="notification-(\d+)"/.exec(page.text)![1];
      expect((await head.post(`/notifications/${one}/read`)).status).to.equal(303);
      expect((await head.get('/notifications')).text).to.include(`aria-label="${unread - 1} chưa đọc"`);
      expect((await head.post('/notifications/read-all')).status).to.equal(303);
      const after = await head.get('/notifications');
      expect(after.text).to.not.include('class="badge"');
      expect(Number((await db('notifications').where({ user_id: await userId(db, 'lanhdao') }).whereNull('read_at').count('* as n'))[0]!.n)).to.equal(0);
    });

    it('when no SMTP relay is configured, then pending mail is closed as in-app only', async () => {
      const outcome = await t.services.notifications.deliverOutbox();
      expect(outcome.sent).to.equal(0);
      expect(await t.services.db('mail_outbox').where({ state: 'pending' })).to.deep.equal([]);
      expect(await t.services.db('mail_outbox').where({ state: 'skipped' })).to.have.length.greaterThan(0);
    });
  });
});
