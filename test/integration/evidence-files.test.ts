// Evidence files through HTTP: accepted by content, refused by size, by content (an .exe named .pdf), for another
// agency and outside an editable state; downloads only for those who may read the report; a refusal saves nothing,
// neither a row nor a file on disk.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import ExcelJS from 'exceljs';
import { bootTestApp, Client, versionOf, type TestApp } from '../support/app.js';
import { binary, snapshot, stateOf, submissionId, unescapeHtml } from '../support/builders.js';
import { EXE, PDF, PNG, expectPdfDownload, sha } from '../support/sample-files.js';

const PERIOD = 'DTI-SO-2026-N';

async function xlsxFile(): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.addWorksheet('Danh sách').getCell('A1').value = 'Danh sách CBCCVC đạt chuẩn';
  return Buffer.from(await wb.xlsx.writeBuffer());
}

describe('evidence files through HTTP', function () {
  this.timeout(120_000);

  let t: TestApp;
  let dataDir: string;
  let snv: number;
  let reporter: Client;
  let stc: Client;

  const filesOnDisk = (): string[] => {
    const dir = path.join(dataDir, 'files');
    if (!fs.existsSync(dir)) return [];
    return fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => e.name);
  };
  const fileRows = async (): Promise<Array<Record<string, unknown>>> =>
    t.services.db('evidence').whereNotNull('storage_key').orderBy('id').select('*');

  async function upload(c: Client, file: { name: string; data: Buffer; type?: string }, fields: Record<string, string | number> = {}) {
    const page = await c.get(`/submissions/${snv}`);
    const version = page.status === 200 ? versionOf(page.text) : (await stateOf(t.services.db, snv)).version;
    return c.upload(`/submissions/${snv}/evidence-files`, { version, indicator: 'NLS.1', ...fields }, file);
  }

  before(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dti-files-'));
    t = await bootTestApp({ config: { dataDir, uploadMaxBytes: 64 * 1024 } });
    snv = await submissionId(t.services.db, 'SNV', PERIOD);
    reporter = await Client.login(t.app, 'chuyenvien');
    stc = await Client.login(t.app, 'chuyenvien.stc');
  });

  after(async () => {
    await t?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('when the reporter attaches a PDF with a document reference, then it is stored by its SHA-256 and linked in one change', async () => {
    const before = await stateOf(t.services.db, snv);
    const res = await upload(reporter, { name: 'Quyết định 125.pdf', data: PDF, type: 'application/pdf' }, { docNumber: '125/QĐ-SNV', issuedOn: '2026-03-02' });
    expect(res.status, res.text?.slice(0, 300)).to.equal(303);
    expect(res.headers.location).to.equal(`/submissions/${snv}?msg=evidence-added`);
    const [row] = await fileRows();
    expect(row).to.include({ file_name: 'Quyết định 125.pdf', mime_type: 'application/pdf', size_bytes: PDF.length, sha256: sha(PDF), doc_number: '125/QĐ-SNV' });
    expect(filesOnDisk()).to.deep.equal([sha(PDF)]);
    expect(fs.readFileSync(path.join(dataDir, 'files', sha(PDF).slice(0, 2), sha(PDF)))).to.deep.equal(PDF);
    expect((await stateOf(t.services.db, snv)).version).to.equal(before.version + 1);
    const audit = await t.services.db('audit_events').where({ submission_id: snv, action: 'evidence.file.add' }).first();
    expect(audit.after).to.include({ fileName: 'Quyết định 125.pdf', sha256: sha(PDF) });
    const page = await reporter.get(`/submissions/${snv}`);
    expect(page.text).to.include(`/submissions/${snv}/evidence/${row!.id}/file`);
    expect(page.text).to.include('accept=".pdf,.png,.jpg,');
    expect(unescapeHtml(page.text)).to.include('Quyết định 125.pdf');
  });

  it('when an image and an office workbook are attached, then both are accepted with the type read from their content', async () => {
    const xlsx = await xlsxFile();
    expect((await upload(reporter, { name: 'anh.png', data: PNG, type: 'text/plain' })).status).to.equal(303);
    expect((await upload(reporter, { name: 'danh-sach.xlsx', data: xlsx })).status).to.equal(303);
    const rows = await fileRows();
    expect(rows.map((r) => r.mime_type)).to.include.members([
      'image/png',
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    ]);
  });

  it('when the reporter downloads an attached file, then it comes back byte for byte as an attachment with its name encoded', async () => {
    const [row] = await fileRows();
    const res = await reporter.agent.get(`/submissions/${snv}/evidence/${row!.id}/file`).buffer(true).parse(binary);
    expectPdfDownload(res, { ascii: 'Quyet dinh 125.pdf', utf8: 'Quyết định 125.pdf' });
  });

  it('when a file is larger than the limit, then 413 and nothing is saved', async () => {
    const before = { s: await snapshot(t.services.db, snv), disk: filesOnDisk() };
    const big = Buffer.concat([PDF, Buffer.alloc(70 * 1024, 0x20)]);
    const res = await upload(reporter, { name: 'lon.pdf', data: big });
    expect(res.status).to.equal(413);
    expect(unescapeHtml(res.text)).to.include('Tệp vượt quá dung lượng cho phép');
    expect({ s: await snapshot(t.services.db, snv), disk: filesOnDisk() }).to.deep.equal(before);
  });

  it('when an executable is renamed .pdf and sent as application/pdf, then it is refused by its content and nothing is saved', async () => {
    const before = { s: await snapshot(t.services.db, snv), disk: filesOnDisk() };
    const res = await upload(reporter, { name: 'quyet-dinh.pdf', data: EXE, type: 'application/pdf' });
    expect(res.status).to.equal(400);
    expect(unescapeHtml(res.text)).to.include('không thuộc loại được chấp nhận (xét theo nội dung tệp)');
    expect({ s: await snapshot(t.services.db, snv), disk: filesOnDisk() }).to.deep.equal(before);
  });

  it('when a plain text file is sent, then it is refused and nothing is saved', async () => {
    const before = { s: await snapshot(t.services.db, snv), disk: filesOnDisk() };
    const res = await upload(reporter, { name: 'ghi-chu.pdf', data: Buffer.from('chỉ là văn bản thường') });
    expect(res.status).to.equal(400);
    expect({ s: await snapshot(t.services.db, snv), disk: filesOnDisk() }).to.deep.equal(before);
  });

  it('when the file name is hostile markup, then it is stored as text and escaped on the page', async () => {
    const name = '<img src=x onerror=alert(1)>"\u202Efdp.exe';
    expect((await upload(reporter, { name, data: PNG })).status).to.equal(303);
    const page = await reporter.get(`/submissions/${snv}`);
    expect(page.text).to.not.include('<img src=x');
    expect(page.text).to.include('&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;');
    const row = (await fileRows()).at(-1)!;
    expect(row.file_name).to.equal('<img src=x onerror=alert(1)>"fdp.exe');
    const res = await reporter.agent.get(`/submissions/${snv}/evidence/${row.id}/file`).buffer(true).parse(binary);
    expect(res.headers['content-disposition']).to.match(/^attachment; filename="<img src=x onerror=alert\(1\)>_fdp\.exe"; filename\*=UTF-8''/);
  });

  it('when the reporter of another agency attaches a file to Sở Nội vụ\'s report, then 403 and nothing is saved', async () => {
    const before = { s: await snapshot(t.services.db, snv), disk: filesOnDisk() };
    const { version } = await stateOf(t.services.db, snv);
    await stc.get('/submissions');
    const res = await stc.upload(`/submissions/${snv}/evidence-files`, { version, indicator: 'NLS.1' }, { name: 'x.pdf', data: Buffer.concat([PDF, Buffer.from('khác')]) });
    expect(res.status).to.equal(403);
    expect({ s: await snapshot(t.services.db, snv), disk: filesOnDisk() }).to.deep.equal(before);
  });

  it('when the reporter of another agency downloads Sở Nội vụ\'s file, then 403 and no content', async () => {
    const [row] = await fileRows();
    const res = await stc.agent.get(`/submissions/${snv}/evidence/${row!.id}/file`);
    expect(res.status).to.equal(403);
    expect(res.text).to.not.include('%PDF');
  });

  it('when the reviewer and the leader download the file, then they get it', async () => {
    const [row] = await fileRows();
    for (const user of ['thamdinh', 'lanhdaotinh']) {
      const c = await Client.login(t.app, user);
      const res = await c.agent.get(`/submissions/${snv}/evidence/${row!.id}/file`).buffer(true).parse(binary);
      expect(res.status, user).to.equal(200);
      expect(res.body).to.deep.equal(PDF);
    }
  });

  it('when the upload carries a stale version, then 409, nothing is saved and no file is written', async () => {
    const before = { s: await snapshot(t.services.db, snv), disk: filesOnDisk() };
    const { version } = await stateOf(t.services.db, snv);
    const fresh = Buffer.concat([PDF, Buffer.from('% bản mới\n')]);
    const res = await reporter.upload(`/submissions/${snv}/evidence-files`, { version: version - 1, indicator: 'NLS.1' }, { name: 'moi.pdf', data: fresh });
    expect(res.status).to.equal(409);
    expect({ s: await snapshot(t.services.db, snv), disk: filesOnDisk() }).to.deep.equal(before);
  });

  it('when the CSRF token is missing from the upload, then 403 and nothing is saved', async () => {
    const before = { s: await snapshot(t.services.db, snv), disk: filesOnDisk() };
    const { version } = await stateOf(t.services.db, snv);
    const res = await reporter.agent
      .post(`/submissions/${snv}/evidence-files`)
      .field('version', String(version))
      .field('indicator', 'NLS.1')
      .attach('file', Buffer.concat([PDF, Buffer.from('% csrf\n')]), { filename: 'a.pdf' });
    expect(res.status).to.equal(403);
    expect({ s: await snapshot(t.services.db, snv), disk: filesOnDisk() }).to.deep.equal(before);
  });

  describe('checking the file store', () => {
    it('when every file is in place, then the check finds nothing wrong', async () => {
      const r = await t.services.evidenceFiles.checkStore({ deleteOrphans: false });
      expect([r.missing, r.corrupt, r.orphans]).to.deep.equal([[], [], []]);
      expect(r.files).to.equal(filesOnDisk().length).and.to.be.greaterThan(0);
    });

    it('when an evidence file is removed, then its file is an orphan, deleted only past the grace period', async () => {
      const row = (await fileRows()).find((r) => r.mime_type === 'image/png' && r.file_name === 'anh.png')!;
      const others = (await fileRows()).filter((r) => r.storage_key === row.storage_key && r.id !== row.id);
      for (const ev of [row, ...others]) {
        const { version } = await stateOf(t.services.db, snv);
        expect((await reporter.post(`/submissions/${snv}/evidence/${ev.id}/delete`, { version })).status).to.equal(303);
      }
      const kept = await t.services.evidenceFiles.checkStore({ deleteOrphans: true });
      expect(kept.orphans).to.deep.equal([row.storage_key]);
      expect(kept.deleted).to.equal(0);
      const gone = await t.services.evidenceFiles.checkStore({ deleteOrphans: true, graceMs: -60_000 });
      expect(gone.deleted).to.equal(1);
      expect(filesOnDisk()).to.not.include(row.storage_key);
    });

    it('when a stored file was altered on disk, then the check reports it', async () => {
      const [row] = await fileRows();
      const key = String(row!.storage_key);
      const file = path.join(dataDir, 'files', key.slice(0, 2), key);
      const original = fs.readFileSync(file);
      fs.writeFileSync(file, Buffer.concat([original, Buffer.from('x')]));
      try {
        expect((await t.services.evidenceFiles.checkStore({ deleteOrphans: false })).corrupt).to.deep.equal([key]);
      } finally {
        fs.writeFileSync(file, original);
      }
    });
  });

  it('when a multipart form is sent to a route that takes no upload, then it is not parsed and fails the CSRF check', async () => {
    const before = { s: await snapshot(t.services.db, snv), disk: filesOnDisk() };
    const { version } = await stateOf(t.services.db, snv);
    const res = await reporter.upload(`/submissions/${snv}/evidence`, { version, indicator: 'NLS.1', docNumber: '1/QĐ' }, { name: 'a.pdf', data: PDF });
    expect(res.status).to.equal(403);
    expect({ s: await snapshot(t.services.db, snv), disk: filesOnDisk() }).to.deep.equal(before);
  });

  it('when the report is no longer editable, then attaching is refused and nothing is saved', async () => {
    const other = await submissionId(t.services.db, 'STC', PERIOD);
    await t.services.db('submissions').where({ id: other }).update({ state: 'submitted', submitted_at: new Date() });
    const { version } = await stateOf(t.services.db, other);
    const before = { s: await snapshot(t.services.db, other), disk: filesOnDisk() };
    const res = await stc.upload(`/submissions/${other}/evidence-files`, { version, indicator: 'NLS.1' }, { name: 'a.pdf', data: Buffer.concat([PDF, Buffer.from('% stc\n')]) });
    expect(res.status).to.equal(409);
    expect({ s: await snapshot(t.services.db, other), disk: filesOnDisk() }).to.deep.equal(before);
  });
});
