// Files attached to an appeal, on the demo province at 22/11/2026 (the departments' first-half 2026 results were
// published that day): a file per appealed indicator, checked by content and size like submission evidence and
// stored with the appeal in one transaction; any refusal saves nothing, neither rows nor files; the file is listed
// on the appeal page and downloaded, byte for byte, only by readers of the appeal.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { bootTestApp, Client, type TestApp, type UploadFile } from '../support/app.js';
import { agencyId, binary, errorList, periodId, unescapeHtml } from '../support/builders.js';
import { EXE, PDF, PNG, expectPdfDownload, sha } from '../support/sample-files.js';
import { MAX_APPEAL_FILES } from '../../server/http/uploads.js';

const PERIOD = 'DTI-SO-2026-6T';

describe('appeal evidence files', function () {
  this.timeout(120_000);

  let t: TestApp;
  let dataDir: string;
  let period: number;
  let snvAgency: number;
  let head: Client;
  let admin: Client;
  /** Two indicators of Sở Nội vụ's published result, as the filing form lists them. */
  let codes: [string, string];
  let filingPath: string;

  const filesOnDisk = (): string[] => {
    const dir = path.join(dataDir, 'files');
    if (!fs.existsSync(dir)) return [];
    return fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => e.name).sort();
  };

  /** Everything a refused filing could leave behind. */
  async function fingerprint(): Promise<unknown> {
    const db = t.services.db;
    const count = async (table: string): Promise<number> => Number((await db(table).count('* as n'))[0]!.n);
    return {
      appeals: await count('appeals'),
      items: await count('appeal_items'),
      evidence: await count('appeal_evidence'),
      audit: await count('audit_events'),
      notifications: await count('notifications'),
      disk: filesOnDisk(),
    };
  }

  /** The filing form as a browser sends it: every line's fields, the chosen ones ticked, files in items[CODE][file]. */
  async function file(c: Client, lines: Record<string, Record<string, string>>, files: Record<string, UploadFile>, explanation = 'Đề nghị xem xét lại theo tài liệu mới.') {
    await c.get('/appeals');
    const fields: Record<string, string> = { explanation };
    for (const [code, o] of Object.entries(lines)) {
      fields[`items[${code}][selected]`] = '1';
      fields[`items[${code}][explanation]`] = `Chỉ số ${code} chưa tính hồ sơ bổ sung.`;
      for (const [k, v] of Object.entries(o)) fields[`items[${code}][${k}]`] = v;
    }
    const named = Object.fromEntries(Object.entries(files).map(([code, f]) => [`items[${code}][file]`, f]));
    return c.multipart(filingPath, fields, named);
  }

  async function expectRefused(send: () => Promise<{ status: number; text: string }>, status: number, message: string): Promise<string> {
    const before = await fingerprint();
    const res = await send();
    expect(res.status, res.text.slice(0, 400)).to.equal(status);
    expect(unescapeHtml(res.text)).to.include(message);
    expect(await fingerprint()).to.deep.equal(before);
    return res.text;
  }

  before(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dti-appeal-files-'));
    t = await bootTestApp({ config: { dataDir, uploadMaxBytes: 64 * 1024 } });
    period = await periodId(t.services.db, PERIOD);
    snvAgency = await agencyId(t.services.db, 'SNV');
    filingPath = `/periods/${period}/agencies/${snvAgency}/appeals`;
    [head, admin] = await Promise.all([Client.login(t.app, 'lanhdao'), Client.login(t.app, 'quantri')]);
    const form = await head.get(`/periods/${period}/appeals/new`);
    expect(form.status).to.equal(200);
    expect(form.text).to.include('enctype="multipart/form-data"');
    expect(form.text).to.include('accept=".pdf,.png,.jpg,');
    const found = [...form.text.matchAll(/name="items\[([^\]]+)\]\[file\]"/g)].map((m) => m[1]!);
    expect(found.length).to.be.greaterThan(1);
    codes = [found[0]!, found[1]!];
  });

  after(async () => {
    await t?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  describe('refusals save nothing', () => {
    it('when an executable renamed .pdf is attached, then 400 naming the indicator, the typed values come back and nothing is saved', async () => {
      const text = await expectRefused(
        () => file(head, { [codes[0]]: { docNumber: '77/BC-SNV' } }, { [codes[0]]: { name: 'bao-cao.pdf', data: EXE, type: 'application/pdf' } }),
        400,
        `Chỉ số ${codes[0]}: Tệp "bao-cao.pdf" không thuộc loại được chấp nhận (xét theo nội dung tệp).`,
      );
      expect(errorList(text).message).to.equal('Kiến nghị chưa hợp lệ, chưa gửi.');
      expect(text).to.include('value="77/BC-SNV"');
      expect(text).to.include('hãy chọn lại tệp');
    });

    it('when a file is larger than the limit, then 413 and nothing is saved', async () => {
      const big = Buffer.concat([PDF, Buffer.alloc(70 * 1024, 0x20)]);
      await expectRefused(() => file(head, { [codes[0]]: {} }, { [codes[0]]: { name: 'lon.pdf', data: big } }), 413, 'Tệp vượt quá dung lượng cho phép (0,1 MB)');
    });

    it('when a good file comes with a line missing its reason, then 400 and the file is not written', async () => {
      const fresh = Buffer.concat([PDF, Buffer.from('% thiếu lý do\n')]);
      await expectRefused(
        () => file(head, { [codes[0]]: { explanation: ' ' } }, { [codes[0]]: { name: 'a.pdf', data: fresh } }),
        400,
        'cần nêu lý do kiến nghị.',
      );
    });

    it('when a file is attached to an indicator that is not ticked, then 400 and nothing is saved', async () => {
      await expectRefused(
        () => file(head, { [codes[0]]: { docNumber: '1/BC' } }, { [codes[1]]: { name: 'a.pdf', data: PDF } }),
        400,
        `Chỉ số ${codes[1]}: đã chọn tệp nhưng chưa đánh dấu kiến nghị chỉ số này.`,
      );
    });

    it(`when more than ${MAX_APPEAL_FILES} files are sent, then 400 and nothing is saved`, async () => {
      const many = Object.fromEntries(Array.from({ length: MAX_APPEAL_FILES + 1 }, (_, i) => [`X${i}`, { name: `${i}.pdf`, data: PDF }]));
      await expectRefused(() => file(head, {}, many), 400, `Mỗi lần gửi đính kèm tối đa ${MAX_APPEAL_FILES} tệp.`);
    });

    it('when the appeal window has passed, then 409 and nothing is saved', async () => {
      const db = t.services.db;
      const pub = await db('publications').where({ period_id: period }).orderBy('number', 'desc').first('id', 'published_at');
      await db('publications').where({ id: pub.id }).update({ published_at: new Date('2026-11-01T10:00:00+07:00') });
      try {
        await expectRefused(() => file(head, { [codes[0]]: {} }, { [codes[0]]: { name: 'a.pdf', data: PDF } }), 409, 'Đã hết thời hạn kiến nghị');
      } finally {
        await db('publications').where({ id: pub.id }).update({ published_at: pub.published_at });
      }
    });

    it('when the CSRF token is missing, then 403 and nothing is saved', async () => {
      await expectRefused(
        () =>
          head.agent
            .post(filingPath)
            .field('explanation', 'x')
            .field(`items[${codes[0]}][selected]`, '1')
            .field(`items[${codes[0]}][explanation]`, 'x')
            .attach(`items[${codes[0]}][file]`, PDF, { filename: 'a.pdf' }),
        403,
        'Phiên làm việc đã hết hạn',
      );
    });

    it('when the transaction fails after the file was written, then the file it wrote is removed again', async () => {
      const audit = t.services.audit;
      const record = audit.record.bind(audit);
      audit.record = () => Promise.reject(new Error('simulated failure'));
      try {
        const fresh = Buffer.concat([PDF, Buffer.from('% lỗi giữa chừng\n')]);
        const before = await fingerprint();
        const res = await file(head, { [codes[0]]: {} }, { [codes[0]]: { name: 'a.pdf', data: fresh } });
        expect(res.status).to.equal(500);
        expect(await fingerprint()).to.deep.equal(before);
      } finally {
        audit.record = record;
      }
    });
  });

  describe('an appeal with files', () => {
    let appeal: number;
    let rows: Array<Record<string, unknown>>;

    it('when the head files with a PDF (no document number) and an image beside a document number, then both are stored with the appeal and audited', async () => {
      const res = await file(
        head,
        { [codes[0]]: {}, [codes[1]]: { docNumber: '125/BC-SNV', issuedOn: '2026-06-20' } },
        { [codes[0]]: { name: 'Báo cáo bổ sung.pdf', data: PDF, type: 'application/pdf' }, [codes[1]]: { name: 'anh.png', data: PNG, type: 'text/plain' } },
      );
      expect(res.status, res.text?.slice(0, 400)).to.equal(303);
      appeal = Number(/^\/appeals\/(\d+)\?msg=filed$/.exec(res.headers.location ?? '')![1]);
      rows = await t.services.db('appeal_evidence').where({ appeal_id: appeal }).orderBy('id').select('*');
      expect(rows).to.have.length(2);
      expect(rows[0]).to.include({ file_name: 'Báo cáo bổ sung.pdf', mime_type: 'application/pdf', size_bytes: PDF.length, sha256: sha(PDF), storage_key: sha(PDF), doc_number: null });
      expect(rows[1]).to.include({ file_name: 'anh.png', mime_type: 'image/png', sha256: sha(PNG), doc_number: '125/BC-SNV' });
      expect(filesOnDisk()).to.include.members([sha(PDF), sha(PNG)]);
      const audit = await t.services.db('audit_events').where({ action: 'appeal.file', entity_id: String(appeal) }).first();
      expect(audit.after.evidence).to.deep.equal([
        { code: codes[0], docNumber: null, fileName: 'Báo cáo bổ sung.pdf', sha256: sha(PDF) },
        { code: codes[1], docNumber: '125/BC-SNV', fileName: 'anh.png', sha256: sha(PNG) },
      ]);
    });

    it('when the appeal page is shown, then each file is listed with its name, size, short SHA-256 and a download link', async () => {
      const page = await admin.get(`/appeals/${appeal}`);
      const text = unescapeHtml(page.text);
      expect(text).to.include('Báo cáo bổ sung.pdf');
      expect(text).to.include(`(1 KB, SHA-256 <code class="hash" title="${sha(PDF)}">${sha(PDF).slice(0, 12)}</code>)`);
      expect(page.text).to.include(`/appeals/${appeal}/evidence/${String(rows[0]!.id)}/file`);
      expect(page.text).to.include(`/appeals/${appeal}/evidence/${String(rows[1]!.id)}/file`);
    });

    it('when the Department and the agency\'s own staff download a file, then it comes back byte for byte as a typed, unsniffed attachment', async () => {
      const users = [admin, await Client.login(t.app, 'thamdinh'), head, await Client.login(t.app, 'chuyenvien')];
      for (const c of users) {
        const res = await c.agent.get(`/appeals/${appeal}/evidence/${String(rows[0]!.id)}/file`).buffer(true).parse(binary);
        expectPdfDownload(res, { ascii: 'Bao cao bo sung.pdf', utf8: 'Báo cáo bổ sung.pdf' });
      }
    });

    it('when another agency\'s head or reporter, or the provincial leader, guesses the ids, then 403 and no content', async () => {
      for (const user of ['lanhdao.xa', 'chuyenvien.stc', 'lanhdaotinh']) {
        const c = await Client.login(t.app, user);
        for (const row of rows) {
          const res = await c.agent.get(`/appeals/${appeal}/evidence/${String(row.id)}/file`).buffer(true).parse(binary);
          expect(res.status, user).to.equal(403);
          expect(res.body.includes(Buffer.from('%PDF')), user).to.equal(false);
          expect(res.body.includes(PNG.subarray(0, 8)), user).to.equal(false);
        }
      }
    });

    it('when a file id is asked for under another appeal, or does not exist, then 404', async () => {
      expect((await admin.agent.get(`/appeals/${appeal + 1}/evidence/${String(rows[0]!.id)}/file`)).status).to.equal(404);
      expect((await admin.agent.get(`/appeals/${appeal}/evidence/999999/file`)).status).to.equal(404);
      expect((await admin.agent.get(`/appeals/${appeal}/evidence/abc/file`)).status).to.equal(404);
    });

    it('when the file store is checked, then the appeal\'s files are referenced, not orphans', async () => {
      const r = await t.services.evidenceFiles.checkStore({ deleteOrphans: true, graceMs: -60_000 });
      expect(r.orphans).to.deep.equal([]);
      expect(r.missing).to.deep.equal([]);
      expect(filesOnDisk()).to.include.members([sha(PDF), sha(PNG)]);
    });
  });
});
