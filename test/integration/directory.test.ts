// The admin's agencies and users through HTTP: the screens (add, edit, deactivate, reset a password) and the bulk
// import from CSV or Excel, whose dry run reports per row what the real run would do without writing anything,
// and whose real run writes every row in one transaction — or none when a row is refused.
import { expect } from 'chai';
import ExcelJS from 'exceljs';
import { bootTestApp, Client, type TestApp } from '../support/app.js';
import { agencyId, unescapeHtml } from '../support/builders.js';

interface ImportRow {
  line: number;
  key: string;
  result: string;
  reason: string;
}

/** The result table of the import page. */
function importRows(html: string): ImportRow[] {
  const table = /<section class="card" id="import-result">([\s\S]*?)<\/section>/.exec(html)?.[1] ?? '';
  return [...table.matchAll(/<tr class="import-\w+"><td>(\d+)<\/td><td>([^<]*)<\/td><td>([^<]*)<\/td><td>([^<]*)<\/td><\/tr>/g)].map((m) => ({
    line: Number(m[1]),
    key: unescapeHtml(m[2]!),
    result: m[3]!,
    reason: unescapeHtml(m[4]!),
  }));
}

describe('agencies and users administration through HTTP', function () {
  this.timeout(120_000);

  let t: TestApp;
  let admin: Client;
  const count = async (table: string): Promise<number> => Number((await t.services.db(table).count('* as n'))[0]!.n);
  const fingerprint = async () => ({
    agencies: await t.services.db('agencies').orderBy('id').select('*'),
    users: await t.services.db('users').orderBy('id').select('id', 'username', 'full_name', 'role', 'agency_id', 'active', 'password_hash'),
    audit: await count('audit_events'),
  });

  before(async () => {
    t = await bootTestApp();
    admin = await Client.login(t.app, 'quantri');
  });

  after(async () => {
    await t?.close();
  });

  describe('agencies', () => {
    it('when the admin opens the list, then every agency is shown with its group', async () => {
      const res = await admin.get('/admin/agencies');
      expect(res.status).to.equal(200);
      expect(res.text).to.include('Sở Nội vụ').and.include('Sở, ban, ngành').and.include('Thêm đơn vị');
    });

    it('when the admin adds an agency, then it is created under its parent, in its group, and audited', async () => {
      await admin.get('/admin/agencies/new');
      const res = await admin.post('/admin/agencies', { code: 'ttpvhcc', name: 'Trung tâm Phục vụ hành chính công', kind: 'department', parentCode: 'UBND-KH', groupCode: 'so-nganh' });
      expect(res.status, res.text?.slice(0, 300)).to.equal(303);
      const row = await t.services.db('agencies').where({ code: 'TTPVHCC' }).first();
      expect(row).to.include({ name: 'Trung tâm Phục vụ hành chính công', kind: 'department', parent_id: await agencyId(t.services.db, 'UBND-KH') });
      const audit = await t.services.db('audit_events').where({ action: 'agency.create', entity_id: String(row.id) }).first();
      expect(audit.after).to.include({ code: 'TTPVHCC', name: 'Trung tâm Phục vụ hành chính công' });
    });

    it('when the admin renames and deactivates an agency, then it keeps its code and history and shows as ceased', async () => {
      const id = await agencyId(t.services.db, 'TTPVHCC');
      const page = await admin.get(`/admin/agencies/${id}`);
      expect(page.text).to.include('value="TTPVHCC"');
      const res = await admin.post(`/admin/agencies/${id}`, { code: 'OTHER', name: 'Trung tâm Phục vụ hành chính công (cũ)', kind: 'department', parentCode: 'UBND-KH', groupCode: 'so-nganh', validTo: '2026-10-31' });
      expect(res.status).to.equal(303);
      const row = await t.services.db('agencies').where({ id }).first();
      expect(row).to.include({ code: 'TTPVHCC', name: 'Trung tâm Phục vụ hành chính công (cũ)', valid_to: '2026-10-31' });
      expect((await admin.get('/admin/agencies')).text).to.include('Ngừng từ 31/10/2026');
    });

    it('when an agency would become its own ancestor, then it is refused and nothing changes', async () => {
      const root = await agencyId(t.services.db, 'UBND-KH');
      const before = await fingerprint();
      const res = await admin.post(`/admin/agencies/${root}`, { name: 'UBND tỉnh Khánh Hòa', kind: 'province', parentCode: 'SNV' });
      expect(res.status).to.equal(400);
      expect(unescapeHtml(res.text)).to.include('đơn vị cấp trên không được là chính đơn vị hoặc đơn vị trực thuộc của nó');
      expect(await fingerprint()).to.deep.equal(before);
    });

    it('when a new agency reuses an existing code or has no name, then it is refused and nothing changes', async () => {
      const before = await fingerprint();
      const dup = await admin.post('/admin/agencies', { code: 'SNV', name: 'Trùng', kind: 'department' });
      expect(dup.status).to.equal(400);
      expect(unescapeHtml(dup.text)).to.include('Mã đơn vị SNV đã tồn tại.');
      const empty = await admin.post('/admin/agencies', { code: 'MOI', name: ' ', kind: 'department' });
      expect(empty.status).to.equal(400);
      expect(unescapeHtml(empty.text)).to.include('cần tên đơn vị');
      expect(await fingerprint()).to.deep.equal(before);
    });
  });

  describe('users', () => {
    it('when the admin adds a reporter, then they can sign in to their agency', async () => {
      await admin.get('/admin/users/new');
      const res = await admin.post('/admin/users', {
        username: 'CV.SXD',
        fullName: 'Nguyễn Văn Xây',
        email: 'cv.sxd@khanhhoa.gov.vn',
        role: 'reporter',
        agencyCode: 'SNV',
        password: 'mat-khau-dai',
        active: 'on',
      });
      expect(res.status, res.text?.slice(0, 300)).to.equal(303);
      const u = await t.services.db('users').where({ username: 'cv.sxd' }).first();
      expect(u).to.include({ role: 'reporter', agency_id: await agencyId(t.services.db, 'SNV'), active: true });
      await Client.login(t.app, 'cv.sxd', 'mat-khau-dai');
    });

    it('when a reporter has no agency, then the user is refused and nothing changes', async () => {
      const before = await fingerprint();
      const res = await admin.post('/admin/users', { username: 'khongdonvi', fullName: 'A', role: 'reporter', password: 'mat-khau-dai', active: 'on' });
      expect(res.status).to.equal(400);
      expect(unescapeHtml(res.text)).to.include('chuyên viên và lãnh đạo đơn vị phải thuộc một đơn vị');
      expect(await fingerprint()).to.deep.equal(before);
    });

    it('when the admin resets a password, then the old one stops working and the user\'s sessions end', async () => {
      const user = await Client.login(t.app, 'cv.sxd', 'mat-khau-dai');
      const id = (await t.services.db('users').where({ username: 'cv.sxd' }).first()).id;
      await admin.get(`/admin/users/${id}`);
      const res = await admin.post(`/admin/users/${id}/password`, { password: 'mat-khau-moi-2026' });
      expect(res.status).to.equal(303);
      const after = await user.agent.get('/submissions');
      expect(after.status).to.equal(303);
      expect(after.headers.location).to.match(/^\/login/);
      const old = await new Client(t.app).agent.post('/login').type('form').send({ username: 'cv.sxd', password: 'mat-khau-dai' });
      expect(old.status).to.not.equal(303);
      await Client.login(t.app, 'cv.sxd', 'mat-khau-moi-2026');
      const audit = await t.services.db('audit_events').where({ action: 'user.password', entity_id: String(id) }).first();
      expect(JSON.stringify(audit)).to.not.include('mat-khau-moi-2026');
    });

    it('when the admin changes the role and then deactivates a user, then sessions end and sign-in is refused', async () => {
      const user = await Client.login(t.app, 'cv.sxd', 'mat-khau-moi-2026');
      const id = (await t.services.db('users').where({ username: 'cv.sxd' }).first()).id;
      const res = await admin.post(`/admin/users/${id}`, { fullName: 'Nguyễn Văn Xây', role: 'head', agencyCode: 'SNV' });
      expect(res.status).to.equal(303);
      const row = await t.services.db('users').where({ id }).first();
      expect(row).to.include({ role: 'head', active: false });
      expect((await user.agent.get('/submissions')).headers.location).to.match(/^\/login/);
      const login = await new Client(t.app).agent.post('/login').type('form').send({ username: 'cv.sxd', password: 'mat-khau-moi-2026' });
      expect(login.status).to.not.equal(303);
    });

    it('when the admin tries to deactivate themselves, then it is refused and nothing changes', async () => {
      const id = (await t.services.db('users').where({ username: 'quantri' }).first()).id;
      const before = await fingerprint();
      const res = await admin.post(`/admin/users/${id}`, { fullName: 'Quản trị', role: 'admin' });
      expect(res.status).to.equal(400);
      expect(unescapeHtml(res.text)).to.include('không thể tự khóa hoặc bỏ vai trò quản trị của chính mình');
      expect(await fingerprint()).to.deep.equal(before);
    });
  });

  describe('bulk import', () => {
    const agenciesCsv = [
      'Mã;Tên;Loại;Mã cấp trên;Mã khối',
      'TTCDS;Trung tâm Chuyển đổi số;Sở, ban, ngành;UBND-KH;so-nganh',
      'TTCDS-HT;Trung tâm Hạ tầng số;department;TTCDS;so-nganh',
      'SNV;Sở Nội vụ tỉnh Khánh Hòa;department;UBND-KH;so-nganh',
      'SXX;Sở Không Tồn Tại;department;KHONG-CO;so-nganh',
    ].join('\n');
    const send = (kind: string, mode: string, name: string, data: Buffer) =>
      admin.upload('/admin/import', { kind, mode }, { name, data });

    before(async () => {
      await admin.get('/admin/import');
    });

    it('when the admin dry-runs an agency file, then each row says created, updated or refused and nothing is written', async () => {
      const before = await fingerprint();
      const res = await send('agencies', 'dry', 'don-vi.csv', Buffer.from(agenciesCsv));
      expect(res.status).to.equal(200);
      expect(importRows(res.text)).to.deep.equal([
        { line: 2, key: 'TTCDS', result: 'Tạo mới', reason: '' },
        { line: 3, key: 'TTCDS-HT', result: 'Tạo mới', reason: '' },
        { line: 4, key: 'SNV', result: 'Cập nhật', reason: '' },
        { line: 5, key: 'SXX', result: 'Từ chối', reason: 'không có đơn vị cấp trên mã KHONG-CO' },
      ]);
      expect(res.text).to.include('Kết quả chạy thử (chưa ghi gì)');
      expect(await fingerprint()).to.deep.equal(before);
    });

    it('when the real run has a refused row, then nothing at all is written', async () => {
      const before = await fingerprint();
      const res = await send('agencies', 'apply', 'don-vi.csv', Buffer.from(agenciesCsv));
      expect(res.status).to.equal(400);
      expect(unescapeHtml(res.text)).to.include('Có dòng bị từ chối nên không dòng nào được nhập.');
      expect(await fingerprint()).to.deep.equal(before);
    });

    it('when the real run has no refused row, then every row is written in one go and audited', async () => {
      const auditBefore = await count('audit_events');
      const fixed = agenciesCsv.split('\n').slice(0, 4).join('\n');
      const res = await send('agencies', 'apply', 'don-vi.csv', Buffer.from('\uFEFF' + fixed));
      expect(res.status).to.equal(200);
      expect(res.text).to.include('Đã nhập');
      const sdl = await t.services.db('agencies').where({ code: 'TTCDS' }).first();
      const bql = await t.services.db('agencies').where({ code: 'TTCDS-HT' }).first();
      expect(bql.parent_id).to.equal(sdl.id);
      expect((await t.services.db('agencies').where({ code: 'SNV' }).first()).name).to.equal('Sở Nội vụ tỉnh Khánh Hòa');
      expect(await count('audit_events')).to.equal(auditBefore + 3);
    });

    it('when users come in an Excel file, then the dry run and the real run agree and the new users can sign in', async () => {
      const wb = new ExcelJS.Workbook();
      const ws = wb.addWorksheet('Người dùng');
      ws.addRows([
        ['Tên đăng nhập', 'Họ tên', 'Email', 'Vai trò', 'Mã đơn vị', 'Mật khẩu', 'Hoạt động'],
        ['cv.sdl', 'Trần Thị Du', 'cv.sdl@khanhhoa.gov.vn', 'Chuyên viên đơn vị', 'TTCDS', 'mat-khau-sdl', 'Có'],
        ['ld.sdl', 'Lê Văn Lịch', null, 'head', 'TTCDS', 'mat-khau-sdl2', null],
        ['chuyenvien', 'Phạm Chuyên Viên', null, 'reporter', 'SNV', null, 'Có'],
      ]);
      const data = Buffer.from(await wb.xlsx.writeBuffer());
      const before = await fingerprint();
      const dry = await send('users', 'dry', 'nguoi-dung.xlsx', data);
      expect(dry.status).to.equal(200);
      const planned = importRows(dry.text).map((r) => [r.key, r.result]);
      expect(planned).to.deep.equal([
        ['cv.sdl', 'Tạo mới'],
        ['ld.sdl', 'Tạo mới'],
        ['chuyenvien', 'Cập nhật'],
      ]);
      expect(await fingerprint()).to.deep.equal(before);
      const real = await send('users', 'apply', 'nguoi-dung.xlsx', data);
      expect(real.status).to.equal(200);
      expect(importRows(real.text).map((r) => [r.key, r.result])).to.deep.equal(planned);
      await Client.login(t.app, 'cv.sdl', 'mat-khau-sdl');
      expect((await t.services.db('users').where({ username: 'ld.sdl' }).first()).role).to.equal('head');
      expect((await t.services.db('users').where({ username: 'chuyenvien' }).first()).full_name).to.equal('Phạm Chuyên Viên');
    });

    it('when the file lacks the key column or is not a table, then it is refused and nothing changes', async () => {
      const before = await fingerprint();
      const res = await send('users', 'apply', 'sai.csv', Buffer.from('a,b\n1,2\n'));
      expect(res.status).to.equal(400);
      expect(unescapeHtml(res.text)).to.include('Tệp thiếu cột "ten_dang_nhap"');
      const bin = await send('agencies', 'apply', 'x.csv', Buffer.from([0, 1, 2, 3, 0]));
      expect(bin.status).to.equal(400);
      expect(await fingerprint()).to.deep.equal(before);
    });

    it('when the file leaves a column out, then existing users keep that field; unknown values are refused in Vietnamese', async () => {
      const before = await t.services.db('users').where({ username: 'lanhdao' }).first();
      const csv = 'ten_dang_nhap,ho_ten\nlanhdao,Nguyễn Lãnh Đạo\n';
      const res = await send('users', 'apply', 'u.csv', Buffer.from(csv));
      expect(res.status).to.equal(200);
      const after = await t.services.db('users').where({ username: 'lanhdao' }).first();
      expect(after).to.deep.equal({ ...before, full_name: 'Nguyễn Lãnh Đạo' });
      const bad = await send('users', 'dry', 'u.csv', Buffer.from('ten_dang_nhap,ho_ten,vai_tro,mat_khau\nmoi.b,,sep,mat-khau-bbb\n'));
      const [row] = importRows(bad.text);
      expect(row!.result).to.equal('Từ chối');
      expect(row!.reason).to.include('cần họ và tên').and.include('vai trò không hợp lệ');
    });

    it('when a user row repeats a username of the same file, then the second one is refused', async () => {
      const csv = 'ten_dang_nhap,ho_ten,vai_tro,ma_don_vi,mat_khau\nmoi.a,A,reporter,SNV,mat-khau-aaa\nMOI.A,B,reporter,SNV,mat-khau-bbb\n';
      const res = await send('users', 'dry', 'u.csv', Buffer.from(csv));
      expect(importRows(res.text).map((r) => r.result)).to.deep.equal(['Tạo mới', 'Từ chối']);
    });
  });
});
