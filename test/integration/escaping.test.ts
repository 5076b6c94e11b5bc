// Output escaping with hostile data: agency and user names, comments, evidence references, file names, return
// reasons and token names that carry markup, shown on every page that displays them and in the HTML report; and
// formula-looking names in the Excel report stay text, never formulas.
import { expect } from 'chai';
import ExcelJS from 'exceljs';
import { bootTestApp, Client, type TestApp } from '../support/app.js';
import { agencyId, binary, periodId, stateOf, submissionId } from '../support/builders.js';

const XSS = '<script>alert("xss")</script>';
const IMG = '"><img src=x onerror=alert(1)>';
const HOSTILE_AGENCY = `Sở Nội vụ ${XSS}`;
const FORMULA_AGENCY = '=HYPERLINK("http://evil.example","Bấm vào đây")';

/** No markup from the data got through; the escaped form did, when the page shows the field at all. */
function expectEscaped(html: string, where: string): void {
  expect(html, where).to.not.include('<script>alert');
  expect(html, where).to.not.include('<img src=x');
  expect(html, where).to.not.match(/onerror=alert\(1\)>/);
  // Every script element is the app's own external file, or a JSON data island with no markup inside.
  for (const m of html.matchAll(/<script\b[^>]*>/g)) {
    expect(m[0], where).to.match(/^<script (src="\/static\/[^"]+"( defer)?|type="application\/json" id="[\w-]+")>$/);
  }
  for (const m of html.matchAll(/<script type="application\/json"[^>]*>([\s\S]*?)<\/script>/g)) {
    expect(m[1], `${where}: data island`).to.not.include('<');
    expect(() => JSON.parse(m[1]!), `${where}: data island`).to.not.throw();
  }
}

describe('output escaping with hostile data', function () {
  this.timeout(180_000);
  let t: TestApp;
  let snv: number;
  let published: number;
  let snvAgency: number;

  before(async () => {
    t = await bootTestApp();
    const db = t.services.db;
    snv = await submissionId(db, 'SNV', 'DTI-SO-2026-N');
    published = await periodId(db, 'DTI-SO-2025-N');
    snvAgency = await agencyId(db, 'SNV');
    await db('agencies').where({ id: snvAgency }).update({ name: HOSTILE_AGENCY });
    await db('agencies').where({ code: 'STC' }).update({ name: FORMULA_AGENCY });
    await db('users').where({ username: 'chuyenvien' }).update({ full_name: `Nguyễn ${IMG}` });
    await db('evidence').where({ submission_id: snv }).update({ file_name: `bien-ban${XSS}.pdf`, issuer: IMG });
    const reporter = await Client.login(t.app, 'chuyenvien');
    await reporter.get(`/submissions/${snv}`);
    const { version } = await stateOf(db, snv);
    const saved = await reporter.post(`/submissions/${snv}/values`, {
      version,
      v: { 'HDCQS.2': { value: '9', denominator: '10', comment: `Ghi chú ${XSS}${IMG}` } },
    });
    expect(saved.status).to.equal(303);
    const ev = await reporter.post(`/submissions/${snv}/evidence`, {
      version: version + 1,
      indicator: 'HDCQS.2',
      docNumber: `12/${XSS}`,
      summary: `Trích yếu ${IMG}`,
      issuer: XSS,
    });
    expect(ev.status).to.equal(303);
    const admin = await Client.login(t.app, 'quantri');
    await admin.get('/admin/security');
    expect((await admin.post('/admin/tokens', { name: `Mã ${XSS}`, scope: 'results.read' })).status).to.equal(201);
  });
  after(async () => t?.close());

  it('when the reporter opens the report form, then the comment, evidence, agency and user names are escaped', async () => {
    const c = await Client.login(t.app, 'chuyenvien');
    const res = await c.get(`/submissions/${snv}`);
    expect(res.status).to.equal(200);
    expectEscaped(res.text, 'form');
    expect(res.text).to.include('Ghi chú &lt;script&gt;alert(&quot;xss&quot;)&lt;/script&gt;');
    expect(res.text).to.include('12/&lt;script&gt;');
    expect(res.text).to.include('Sở Nội vụ &lt;script&gt;');
    expect(res.text).to.include('Nguyễn &quot;&gt;&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;');
  });

  it('when a validation error re-renders the form with the hostile input, then the input is escaped too', async () => {
    const c = await Client.login(t.app, 'chuyenvien');
    await c.get(`/submissions/${snv}`);
    const { version } = await stateOf(t.services.db, snv);
    const res = await c.post(`/submissions/${snv}/values`, { version, v: { 'HDCQS.2': { value: XSS, denominator: IMG, comment: XSS } } });
    expect(res.status).to.equal(400);
    expectEscaped(res.text, 'form with errors');
    expect(res.text).to.include('&lt;script&gt;');
  });

  const pages: Array<[string, string, (ids: { snv: number; published: number; agency: number }) => string]> = [
    ['the review queue', 'thamdinh', () => '/review'],
    ['the rankings', 'lanhdaotinh', (i) => `/rankings?period=${i.published}`],
    ['the scorecard', 'lanhdaotinh', (i) => `/rankings/${i.published}/agencies/${i.agency}`],
    ['the report as the reviewer sees it', 'thamdinh', (i) => `/submissions/${i.snv}`],
    ['the security screen', 'quantri', () => '/admin/security'],
  ];
  for (const [what, user, path] of pages) {
    it(`when ${what} shows hostile names, then they are escaped`, async () => {
      const c = await Client.login(t.app, user);
      const res = await c.get(path({ snv, published, agency: snvAgency }));
      expect(res.status).to.equal(200);
      expectEscaped(res.text, what);
      expect(res.text).to.include('&lt;script&gt;');
    });
  }

  it('when the HTML report is downloaded, then hostile agency names are escaped and the report has no script', async () => {
    const c = await Client.login(t.app, 'quantri');
    const res = await c.get(`/reports/${published}/bao-cao.html`);
    expect(res.status).to.equal(200);
    expect(res.text).to.not.include('<script');
    expect(res.text).to.not.include(XSS);
    expect(res.text).to.include('Sở Nội vụ &lt;script&gt;');
  });

  it('when the Excel report is downloaded, then a formula-looking agency name is a text cell, never a formula', async () => {
    const c = await Client.login(t.app, 'quantri');
    const res = await c.agent.get(`/reports/${published}/bao-cao.xlsx`).buffer(true).parse(binary);
    expect(res.status).to.equal(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Uint8Array.from(res.body as Buffer).buffer);
    let seen = 0;
    wb.eachSheet((ws) => {
      ws.eachRow((row) => {
        row.eachCell((cell) => {
          expect(cell.type, `${ws.name}!${cell.address}`).to.not.equal(ExcelJS.ValueType.Formula);
          if (cell.value === FORMULA_AGENCY) {
            expect(cell.type).to.equal(ExcelJS.ValueType.String);
            seen += 1;
          }
          // The name may also stand inside a sentence (the completeness section); it is text there too.
          if (typeof cell.value === 'string' && cell.value.includes('HYPERLINK')) expect(cell.type).to.equal(ExcelJS.ValueType.String);
        });
      });
    });
    expect(seen).to.be.greaterThan(0);
  });
});
