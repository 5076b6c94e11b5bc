// The official reports end to end on the demo province: the scheduled job's drafts and finals, publishing the
// annual period, the provincial report and the scorecards read back with exceljs (header block, numbering per year,
// every ranking against the engine's results, the annex), the HTML with hostile agency names, and the archive's
// SHA-256 against the files on disk.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { expect } from 'chai';
import ExcelJS from 'exceljs';
import { bootTestApp, Client, type TestApp } from '../support/app.js';
import { agencyId, binary, periodId, userId } from '../support/builders.js';
import type { Actor } from '../../server/auth/policy.js';
import { ReportArchiveService } from '../../server/reporting/report-archive.service.js';
import { PeriodService } from '../../server/periods/periods.service.js';
import { ReportRequestService } from '../../server/reporting/report-requests.service.js';
import { formatIndex } from '../../reports/format.js';

const ADMIN: Actor = { id: 0, username: 'cli', fullName: 'Dòng lệnh', role: 'admin', agencyId: null };
const SCRIPT_NAME = '<script>alert(1)</script>';
const FORMULA_NAME = '=HYPERLINK("http://x","bấm vào")';

async function workbook(body: Buffer): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(Uint8Array.from(body).buffer);
  return wb;
}

function sheet(wb: ExcelJS.Workbook, name: string): ExcelJS.Worksheet {
  const ws = wb.getWorksheet(name);
  if (!ws) throw new Error(`no sheet "${name}" in ${wb.worksheets.map((w) => w.name).join(', ')}`);
  return ws;
}

function rowsFrom(ws: ExcelJS.Worksheet, first: number): ExcelJS.Row[] {
  const out: ExcelJS.Row[] = [];
  for (let r = first; r <= ws.rowCount; r += 1) out.push(ws.getRow(r));
  return out;
}

describe('official reports', function () {
  this.timeout(300_000);
  let t: TestApp;
  let admin: Client;
  let so: number;
  let xa: number;
  let dataDir: string;

  before(async () => {
    t = await bootTestApp();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dti-reports-'));
    t.services.config.dataDir = dataDir;
    admin = await Client.login(t.app, 'quantri');
    so = await periodId(t.services.db, 'DTI-SO-2026-N');
    xa = await periodId(t.services.db, 'DTI-XA-2026-N');
    // Hostile names on two agencies of the departments' framework.
    await t.services.db('agencies').where({ code: 'STC' }).update({ name: SCRIPT_NAME });
    await t.services.db('agencies').where({ code: 'SYT' }).update({ name: FORMULA_NAME });
  });

  after(async () => {
    await t?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const download = async (url: string): Promise<{ status: number; body: Buffer; headers: Record<string, string> }> => {
    const res = await admin.agent.get(url).buffer(true).parse(binary);
    return { status: res.status, body: res.body as Buffer, headers: res.headers as Record<string, string> };
  };

  describe('the scheduled job', () => {
    const jobAt = (iso: string): ReportArchiveService => {
      const now = () => new Date(iso);
      const s = t.services;
      return new ReportArchiveService(s.db, s.config, {
        reporting: s.reporting,
        periods: new PeriodService(s.db, now),
        scoring: s.scoring,
        now,
      });
    };

    it('when the job runs before the draft window, then it archives only the finals of published periods', async () => {
      // Scorecards are left out here to keep the test short; the admin's regeneration below archives them.
      const out = await jobAt('2026-11-22T09:00:00+07:00').runJob({ scorecards: false });
      expect(out.filter((o) => o.stage === 'draft')).to.deep.equal([]);
      const finals = out.filter((o) => o.stage === 'final');
      expect(finals.map((o) => o.status)).to.deep.equal(finals.map(() => 'generated'));
      expect(finals.length).to.equal(4);
      const rows = await t.services.db('report_archive').where({ stage: 'final' });
      expect(rows.filter((r) => r.kind === 'province')).to.have.length(8);
      expect(rows.filter((r) => r.kind === 'scorecard')).to.have.length(0);
    });

    it('when REPORT_DRAFT_DAYS_BEFORE = 14 and it is 1/12, then the annual drafts are archived, once', async () => {
      const job = jobAt('2026-12-01T06:00:00+07:00');
      const [a, b] = await Promise.all([job.runJob({ scorecards: false }), job.runJob({ scorecards: false })]);
      const drafts = [...a!, ...b!].filter((o) => o.stage === 'draft');
      expect(drafts.filter((o) => o.status === 'generated').map((o) => o.period).sort()).to.deep.equal(['DTI-SO-2026-N', 'DTI-XA-2026-N']);
      const again = await job.runJob({ scorecards: false });
      expect(again.every((o) => o.status === 'taken')).to.equal(true);
      const rows = await t.services.db('report_archive').where({ stage: 'draft' });
      expect(rows).to.have.length(4);
      expect(rows.every((r) => r.kind === 'province' && r.publication_id === null)).to.equal(true);
    });

    it('when the day before the window, then no draft is due', () => {
      const job = jobAt('2026-11-30T09:00:00+07:00');
      expect(job.draftDue({ dueOn: '2026-12-15' } as never, '2026-11-30')).to.equal(false);
      expect(job.draftDue({ dueOn: '2026-12-15' } as never, '2026-12-01')).to.equal(true);
      expect(job.draftDue({ dueOn: '2026-12-15' } as never, '2026-12-16')).to.equal(false);
    });
  });

  describe('the archive', () => {
    it('when any archived file is read from disk, then its SHA-256 and size are those recorded', async () => {
      const rows = await t.services.db('report_archive');
      expect(rows.length).to.be.greaterThan(10);
      for (const r of rows) {
        const bytes = fs.readFileSync(path.join(dataDir, 'reports', r.path));
        expect(createHash('sha256').update(bytes).digest('hex'), r.path).to.equal(r.sha256.trim());
        expect(bytes.length).to.equal(r.bytes);
      }
      expect(fs.readdirSync(path.join(dataDir, 'reports'), { recursive: true }).some((f) => String(f).endsWith('.tmp'))).to.equal(false);
    });

    it('when an archived file is downloaded, then the bytes are the file and its SHA-256 is in a header', async () => {
      const row = await t.services.db('report_archive').where({ kind: 'province', format: 'xlsx' }).first();
      const res = await download(`/reports/archive/${row.id}`);
      expect(res.status).to.equal(200);
      expect(createHash('sha256').update(res.body).digest('hex')).to.equal(row.sha256.trim());
      expect(res.headers['x-content-sha256']).to.equal(row.sha256.trim());
    });
  });

  describe('publishing the annual period and its reports', () => {
    before(async () => {
      const page = await admin.get(`/rankings?period=${so}`);
      expect(page.status).to.equal(200);
      const res = await admin.post(`/periods/${so}/publish`);
      expect(res.status).to.equal(303);
    });

    it('when the provincial report is downloaded, then the cover has the NĐ 30 header block and the next number of the year', async () => {
      // The four demo publications of 2026 were numbered 01–04 when the job archived them.
      const res = await download(`/reports/${so}/bao-cao.xlsx`);
      expect(res.status).to.equal(200);
      const ws = sheet(await workbook(res.body), 'Báo cáo');
      expect(ws.getCell('A1').value).to.equal('ỦY BAN NHÂN DÂN TỈNH KHÁNH HÒA');
      expect(ws.getCell('A2').value).to.equal('SỞ KHOA HỌC VÀ CÔNG NGHỆ');
      expect(ws.getCell('A2').font.bold).to.equal(true);
      expect(ws.getCell('D1').value).to.equal('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM');
      expect(ws.getCell('D2').value).to.equal('Độc lập - Tự do - Hạnh phúc');
      expect(ws.getCell('A4').value).to.equal('Số: 05/BC-SKHCN');
      expect(ws.getCell('D4').value).to.equal('Khánh Hòa, ngày 22 tháng 11 năm 2026');
      expect(ws.getCell('D4').font.italic).to.equal(true);
      expect(ws.getCell('A6').value).to.equal('BÁO CÁO');
      expect(ws.getCell('A1').font.name).to.equal('Times New Roman');
    });

    it('when the same publication\'s report is generated again, then it keeps its number; another publication gets the next', async () => {
      const again = sheet(await workbook((await download(`/reports/${so}/bao-cao.xlsx`)).body), 'Báo cáo');
      expect(again.getCell('A4').value).to.equal('Số: 05/BC-SKHCN');
      expect((await admin.post(`/periods/${xa}/publish`)).status).to.equal(303);
      const other = sheet(await workbook((await download(`/reports/${xa}/bao-cao.xlsx`)).body), 'Báo cáo');
      expect(other.getCell('A4').value).to.equal('Số: 06/BC-SKHCN');
      const numbers = await t.services.db('report_numbers').orderBy('seq').select('year', 'seq');
      expect(numbers.map((n) => `${n.year}/${n.seq}`)).to.deep.equal(['2026/1', '2026/2', '2026/3', '2026/4', '2026/5', '2026/6']);
    });

    it('when each ranking sheet is read, then every rank, agency and value is the engine\'s', async () => {
      const wb = await workbook((await download(`/reports/${so}/bao-cao.xlsx`)).body);
      const page = await t.services.rankings.rankings(ADMIN, so);
      expect(page.run?.publication).to.not.equal(null);
      expect(page.groups.length).to.be.greaterThan(0);
      for (const g of page.groups) {
        const ws = sheet(wb, `Xếp hạng - ${g.name}`);
        const read = rowsFrom(ws, 4).map((r) => [r.getCell(1).value, r.getCell(2).value, r.getCell(3).value, r.getCell(5).value]);
        const engine = [...g.rows]
          .sort((a, b) => (a.rank ?? 1e9) - (b.rank ?? 1e9))
          .map((r) => [g.ranked ? r.rank : '—', r.agencyName, r.points, r.value]);
        expect(read).to.deep.equal(engine);
        // Ties: standard competition ranking, "1, 2, 2, 4".
        const ranks = engine.map((e) => e[0] as number);
        ranks.forEach((rank, i) => {
          const better = engine.filter((e) => (e[3] as number) > (engine[i]![3] as number)).length;
          if (g.ranked) expect(rank).to.equal(better + 1);
        });
      }
    });

    it('when the annex is read, then it has every agency × indicator value with the engine\'s points and flags', async () => {
      const wb = await workbook((await download(`/reports/${so}/bao-cao.xlsx`)).body);
      const ws = sheet(wb, 'Phụ lục');
      const page = await t.services.rankings.rankings(ADMIN, so);
      const scores = await t.services.rankings.indicatorScores(page.run!.id);
      const agencies = page.groups.reduce((n, g) => n + g.rows.length, 0);
      const indicators = new Set(scores.map((s) => s.code)).size;
      const rows = rowsFrom(ws, 4);
      expect(rows).to.have.length(agencies * indicators);
      const names = new Map(page.groups.flatMap((g) => g.rows.map((r) => [r.agencyName, r.agencyId] as const)));
      const byKey = new Map(scores.map((s) => [`${s.agencyId}|${s.code}`, s]));
      let flagged = 0;
      for (const r of rows) {
        const s = byKey.get(`${names.get(String(r.getCell(1).value))}|${r.getCell(3).value}`);
        expect(s, `${r.getCell(1).value} ${r.getCell(3).value}`).to.not.equal(undefined);
        expect(r.getCell(7).value).to.equal(s!.points);
        if (s!.flag && s!.flag !== 'reported') {
          flagged += 1;
          expect(String(r.getCell(9).value)).to.not.equal('');
          expect((r.getCell(1).fill as ExcelJS.FillPattern).pattern).to.equal('solid');
        }
      }
      expect(flagged).to.be.greaterThan(0);
    });

    it('when the workbook is read, then each section has its sheet, headers are frozen and the charts are embedded', async () => {
      const wb = await workbook((await download(`/reports/${so}/bao-cao.xlsx`)).body);
      const names = wb.worksheets.map((w) => w.name);
      for (const name of ['Chỉ số phụ', 'Thay đổi so với kỳ trước', 'Chỉ tiêu toàn tỉnh', 'Đầy đủ, kịp thời', 'Chỉ số yếu', 'Biểu đồ', 'Phụ lục']) {
        expect(names).to.include(name);
      }
      expect(sheet(wb, 'Phụ lục').views[0]).to.include({ state: 'frozen', ySplit: 3 });
      expect(sheet(wb, 'Biểu đồ').getImages().length).to.be.greaterThan(2);
      const targets = rowsFrom(sheet(wb, 'Chỉ tiêu toàn tỉnh'), 4).map((r) => r.getCell(2).value);
      expect(targets).to.include.members(['HDCQS.8', 'NLS.1', 'HDCQS.1', 'HDCQS.2']);
    });

    it('when an agency name is a formula, then the workbook holds it as a plain string', async () => {
      const wb = await workbook((await download(`/reports/${so}/bao-cao.xlsx`)).body);
      let seen = 0;
      for (const ws of wb.worksheets) {
        ws.eachRow((row) =>
          row.eachCell((cell) => {
            expect(cell.type).to.not.equal(ExcelJS.ValueType.Formula);
            if (cell.value === FORMULA_NAME) seen += 1;
          }),
        );
      }
      expect(seen).to.be.greaterThan(2);
    });

    it('when the HTML report is opened, then it carries the same numbers and the hostile names are escaped', async () => {
      const page = await t.services.rankings.rankings(ADMIN, so);
      for (const url of [`/reports/${so}/bao-cao`, `/reports/${so}/bao-cao.html`]) {
        const res = await admin.get(url);
        expect(res.status).to.equal(200);
        expect(res.text).to.include('Số: 05/BC-SKHCN');
        for (const r of page.groups.flatMap((g) => g.rows)) expect(res.text).to.include(`<td class="num">${formatIndex(r.value)}</td>`);
        expect(res.text).to.not.include(SCRIPT_NAME);
        expect(res.text).to.include('&lt;script&gt;alert(1)&lt;/script&gt;');
        expect(res.text).to.include('&#x3D;HYPERLINK(&quot;http://x&quot;');
      }
      const single = await admin.get(`/reports/${so}/bao-cao.html`);
      expect(single.text).to.not.include('<script');
      expect(single.text).to.include('data:image/png;base64,');
      expect(single.headers['content-security-policy']).to.include("default-src 'none'");
      const served = await admin.get(`/reports/${so}/bao-cao`);
      expect(served.headers['content-security-policy']).to.include("script-src 'self'");
      expect(served.text).to.include('<script src="/static/vendor/chart.umd.js" defer>');
      expect(served.text).to.match(/<canvas data-chart="\{&quot;id&quot;/);
    });

    it('when the same publication is rendered twice, then the HTML is byte for byte the same and the workbook cells equal', async () => {
      const a = await admin.get(`/reports/${so}/bao-cao.html`);
      const b = await admin.get(`/reports/${so}/bao-cao.html`);
      expect(a.text).to.equal(b.text);
      const [x, y] = [await workbook((await download(`/reports/${so}/bao-cao.xlsx`)).body), await workbook((await download(`/reports/${so}/bao-cao.xlsx`)).body)];
      for (const ws of x.worksheets) expect(JSON.stringify(sheet(y, ws.name).getSheetValues())).to.equal(JSON.stringify(ws.getSheetValues()));
    });

    it('when the agency downloads its scorecard, then self-assessed and appraised points sit side by side with its rank', async () => {
      const reporter = await Client.login(t.app, 'chuyenvien');
      const snv = await agencyId(t.services.db, 'SNV');
      const res = await reporter.agent.get(`/reports/${so}/agencies/${snv}/phieu-diem.xlsx`).buffer(true).parse(binary);
      expect(res.status).to.equal(200);
      const wb = await workbook(res.body as Buffer);
      const cover = sheet(wb, 'Phiếu điểm');
      expect(cover.getCell('A6').value).to.equal('PHIẾU ĐIỂM');
      expect(cover.getCell('A4').value).to.equal('Kèm theo Báo cáo số 05/BC-SKHCN');
      const card = await t.services.rankings.scorecard(ADMIN, so, snv);
      const text = cover.getColumn(1).values.filter((v) => typeof v === 'string').join('\n');
      expect(text).to.include(`chỉ số DTI ${formatIndex(card!.total.value)}`);
      const lines = sheet(wb, 'Điểm theo chỉ số');
      expect((lines.getRow(3).values as unknown[]).slice(1)).to.deep.equal([
        'Mã', 'Chỉ số thành phần', 'Tự đánh giá', 'Điểm tự đánh giá', 'Thẩm định', 'Điểm đạt', 'Điểm tối đa', 'Điểm bị mất', 'Điểm kỳ trước', 'Ghi chú',
      ]);
      const engine = new Map(card!.sections.flatMap((s) => s.lines).map((l) => [l.indicator.code, l]));
      let checked = 0;
      for (const r of rowsFrom(lines, 4)) {
        const l = engine.get(String(r.getCell(1).value));
        if (!l) continue;
        expect(r.getCell(6).value).to.equal(l.points);
        expect(r.getCell(8).value).to.equal(l.lost);
        checked += 1;
      }
      expect(checked).to.equal(engine.size);
      expect(sheet(wb, 'Biểu đồ').getImages()).to.have.length(2);
      expect(rowsFrom(sheet(wb, 'Lịch sử xếp hạng'), 4).length).to.be.greaterThan(1);
    });

    it('when the admin regenerates a period, then its report and every scorecard are archived in both formats', async () => {
      const before = Number((await t.services.db('report_archive').count('* as n'))[0]!.n);
      const res = await admin.post(`/reports/${so}/regenerate`);
      expect(res.status).to.equal(303);
      await t.services.reportRequests.idle();
      const added = await t.services.db('report_archive').where('id', '>', 0).orderBy('id', 'desc').limit(Number((await t.services.db('report_archive').count('* as n'))[0]!.n) - before);
      const agencies = (await t.services.rankings.rankings(ADMIN, so)).groups.reduce((n, g) => n + g.rows.length, 0);
      expect(added).to.have.length(2 + 2 * agencies);
      expect(added.every((r) => r.stage === 'final' && r.trigger === 'manual')).to.equal(true);
      const list = await admin.get('/reports');
      expect(list.text).to.include(added[0]!.sha256.trim());
    });
  });

  describe('regeneration in the background', () => {
    /** Holds every provincial report build until released, so a request stays running as long as a test needs. */
    function holdBuilds(): { release(): void; restore(): void } {
      const reporting = t.services.reporting;
      const original = reporting.build;
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      reporting.build = async (...args) => {
        await gate;
        return original.apply(reporting, args);
      };
      return { release, restore: () => void (reporting.build = original) };
    }
    /** The annual communes' period is published: its report and every commune's scorecard, in both formats. */
    let perXa = 0;
    before(async () => {
      perXa = 2 + 2 * (await t.services.rankings.rankings(ADMIN, xa)).groups.reduce((n, g) => n + g.rows.length, 0);
    });
    const xaFiles = (): Promise<Array<Record<string, unknown>>> => t.services.db('report_archive').where({ period_id: xa }).orderBy('id');
    const requestsOf = (period: number): Promise<Array<Record<string, unknown>>> =>
      t.services.db('report_requests').where({ period_id: period }).orderBy('id');

    it('when the admin asks for a regeneration, then the answer is at once a 303 and the request is queued; a second is refused with 409; then the files are archived', async () => {
      const hold = holdBuilds();
      try {
        const before = await xaFiles();
        // The builds are held until release(): an answer at all shows the request does not wait for the work.
        const res = await admin.post(`/reports/${xa}/regenerate`);
        expect(res.status).to.equal(303);
        expect(res.headers.location).to.equal('/reports?msg=report-queued');
        const [req] = await requestsOf(xa);
        expect(req?.status).to.be.oneOf(['queued', 'running']);
        expect(req?.requested_by).to.equal(await userId(t.services.db, 'quantri'));

        const page = await admin.get('/reports?msg=report-queued');
        expect(page.text).to.include('Đã nhận yêu cầu tạo lại báo cáo');
        expect(page.text).to.include('Đang tạo báo cáo…');
        expect(page.text).to.include('bởi Phạm Quốc Bảo');
        expect(page.text).to.match(/<meta http-equiv="refresh" content="5; url=\/reports">/);
        expect(page.text).to.not.match(/<script>|<script [^>]*>[^<]/); // no inline script

        const second = await admin.post(`/reports/${xa}/regenerate`);
        expect(second.status).to.equal(409);
        expect(second.text).to.include('Báo cáo của kỳ DTI-XA-2026-N đang được tạo (yêu cầu lúc');
        expect(await requestsOf(xa)).to.have.length(1);
        expect(await xaFiles()).to.deep.equal(before);

        hold.release();
        await t.services.reportRequests.idle();
        const [done] = await requestsOf(xa);
        expect(done).to.include({ status: 'done', files: perXa, error: null, attempts: 1 });
        const added = (await xaFiles()).slice(before.length);
        expect(added).to.have.length(perXa);
        expect(added.slice(0, 2).map((r) => `${r.kind}/${r.format}`)).to.deep.equal(['province/xlsx', 'province/html']);
        expect(added.every((r) => r.trigger === 'manual' && r.created_by === req!.requested_by)).to.equal(true);
        const after = await admin.get('/reports');
        expect(after.text).to.include(`Đã tạo xong ${perXa} tệp`);
        expect(after.text).to.not.include('http-equiv="refresh"');
        for (const r of added.slice(0, 2)) expect(after.text).to.include(String(r.sha256).trim());
      } finally {
        hold.restore();
        hold.release();
      }
    });

    it('when the generation fails half-way, then the request is failed with its reason and the earlier files stay as they were', async () => {
      const reporting = t.services.reporting;
      const original = reporting.build;
      let calls = 0;
      // The workbook is built and written, then the HTML fails.
      reporting.build = async (...args) => {
        calls += 1;
        if (calls === 2) throw new Error('giả lập hỏng bộ dựng báo cáo');
        return original.apply(reporting, args);
      };
      try {
        const before = await xaFiles();
        const onDisk = fs.readdirSync(path.join(dataDir, 'reports', 'DTI-XA-2026-N')).sort();
        expect((await admin.post(`/reports/${xa}/regenerate`)).status).to.equal(303);
        await t.services.reportRequests.idle();
        expect(calls).to.equal(2);
        const failed = (await requestsOf(xa)).at(-1)!;
        expect(failed.status).to.equal('failed');
        expect(failed.error).to.match(/^Lỗi hệ thống khi tạo báo cáo.*vẫn giữ nguyên\.$/);
        expect(await xaFiles()).to.deep.equal(before);
        expect(fs.readdirSync(path.join(dataDir, 'reports', 'DTI-XA-2026-N')).sort()).to.deep.equal(onDisk);
        for (const r of before) {
          const bytes = fs.readFileSync(path.join(dataDir, 'reports', String(r.path)));
          expect(createHash('sha256').update(bytes).digest('hex')).to.equal(String(r.sha256).trim());
        }
        const page = await admin.get('/reports');
        expect(page.text).to.include('Tạo báo cáo thất bại');
        expect(page.text).to.include('Lỗi hệ thống khi tạo báo cáo');
      } finally {
        reporting.build = original;
      }
      // A failed request does not block the next one.
      expect((await admin.post(`/reports/${xa}/regenerate`)).status).to.equal(303);
      await t.services.reportRequests.idle();
      expect((await requestsOf(xa)).at(-1)).to.include({ status: 'done', files: perXa });
    });

    it('when a request was left running by a process that died, then it is taken up again once, and failed with a reason the second time', async () => {
      const db = t.services.db;
      const by = await userId(db, 'quantri');
      const before = (await xaFiles()).length;
      const [orphan] = await db('report_requests')
        .insert({ period_id: xa, requested_by: by, requested_at: new Date(), status: 'running', attempts: 1, heartbeat_at: db.raw("now() - interval '1 hour'") })
        .returning('id');
      // A fresh service, as after a restart.
      const restarted = new ReportRequestService(db, { archive: t.services.reportArchive, periods: t.services.periods, now: () => new Date(), log: { info: () => undefined, error: () => undefined } });
      await restarted.kick();
      expect(await db('report_requests').where({ id: orphan.id }).first()).to.include({ status: 'done', attempts: 2, files: perXa });
      expect((await xaFiles()).length).to.equal(before + perXa);

      const [twice] = await db('report_requests')
        .insert({ period_id: xa, requested_by: by, requested_at: new Date(), status: 'running', attempts: 2, heartbeat_at: db.raw("now() - interval '1 hour'") })
        .returning('id');
      await restarted.kick();
      const gaveUp = await db('report_requests').where({ id: twice.id }).first();
      expect(gaveUp.status).to.equal('failed');
      expect(gaveUp.error).to.include('Máy chủ đã dừng giữa chừng hai lần');
      expect((await xaFiles()).length).to.equal(before + perXa);

      // A live heartbeat is another instance at work: left alone.
      const [live] = await db('report_requests')
        .insert({ period_id: xa, requested_by: by, requested_at: new Date(), status: 'running', attempts: 1, heartbeat_at: db.fn.now() })
        .returning('id');
      await restarted.kick();
      expect((await db('report_requests').where({ id: live.id }).first()).status).to.equal('running');
      await db('report_requests').where({ id: live.id }).update({ status: 'failed', error: 'dọn dẹp sau thử nghiệm' });
    });

    it('when two instances look for work at once, then a queued request is generated once', async () => {
      const db = t.services.db;
      const before = (await xaFiles()).length;
      await db('report_requests').insert({ period_id: xa, requested_by: await userId(db, 'quantri'), requested_at: new Date(), status: 'queued' });
      const instance = (): ReportRequestService =>
        new ReportRequestService(db, { archive: t.services.reportArchive, periods: t.services.periods, now: () => new Date(), log: { info: () => undefined, error: () => undefined } });
      await Promise.all([instance().kick(), instance().kick()]);
      expect((await requestsOf(xa)).at(-1)).to.include({ status: 'done', attempts: 1, files: perXa });
      expect((await xaFiles()).length).to.equal(before + perXa);
    });

    it('when a reviewer or another agency\'s reporter asks for a regeneration, then it is refused and nothing is queued', async () => {
      const count = async (): Promise<number> => Number((await t.services.db('report_requests').count('* as n'))[0]!.n);
      const n = await count();
      for (const who of ['thamdinh', 'chuyenvien.stc', 'lanhdaotinh']) {
        const c = await Client.login(t.app, who);
        await c.get('/reports');
        expect((await c.post(`/reports/${xa}/regenerate`)).status, who).to.equal(403);
      }
      expect(await count()).to.equal(n);
    });
  });

  describe('the command line', () => {
    it('when `dti report` writes a scorecard through the services, then it is the agency\'s', async () => {
      const snv = await agencyId(t.services.db, 'SNV');
      const file = await t.services.reporting.buildScorecard(ADMIN, so, snv, 'html');
      expect(file.fileName).to.match(/^phieu-diem-DTI-SO-2026-N-SNV-cong-bo-\d+\.html$/);
      expect(String(file.body)).to.include('Sở Nội vụ');
    });
  });
});
