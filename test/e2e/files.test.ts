// Evidence files and the Excel round trip in a real browser: the multipart forms carry their CSRF token, the
// attached file downloads back byte for byte, and a refused workbook comes back annotated through the page's
// download link — all under the app's content security policy. Skips itself where /usr/bin/chromium is missing.
import fs from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import ExcelJS from 'exceljs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { bootTestApp, type TestApp } from '../support/app.js';
import { submissionId } from '../support/builders.js';
import { DEMO_PASSWORD } from '../../server/demo/demo-province.js';

const CHROMIUM = '/usr/bin/chromium';
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');
const XLSX_MIME = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

describe('e2e: evidence files and the Excel round trip in the browser', function () {
  this.timeout(60_000);

  let t: TestApp | undefined;
  let server: Server | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let dataDir = '';
  let snv = 0;
  const problems: string[] = [];
  /** Responses that are the point of a test (the refused workbook). */
  const expectedStatus = new Set<string>();

  before(async function () {
    if (!fs.existsSync(CHROMIUM)) {
      this.skip();
      return;
    }
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dti-e2e-files-'));
    t = await bootTestApp({ config: { dataDir } });
    snv = await submissionId(t.services.db, 'SNV', 'DTI-SO-2026-N');
    server = await new Promise<Server>((resolve) => {
      const srv = t!.app.listen(0, '127.0.0.1', () => resolve(srv));
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    });
    const context = await browser.newContext({
      baseURL: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      locale: 'vi-VN',
      acceptDownloads: true,
    });
    context.setDefaultTimeout(10_000);
    page = await context.newPage();
    page.on('console', (msg) => {
      if (msg.type() !== 'error' || msg.location().url.endsWith('/favicon.ico')) return;
      // The browser logs every 4xx page it loads; the refused workbook's is expected.
      const expected = [...expectedStatus].some((s) => msg.text().includes(`status of ${s.split(' ')[0]}`) && msg.location().url.endsWith(s.split(' ')[1]!));
      if (!expected) problems.push(`console error on ${page.url()}: ${msg.text()}`);
    });
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    page.on('response', (res) => {
      if (res.status() >= 400 && !expectedStatus.has(`${res.status()} ${new URL(res.url()).pathname}`)) problems.push(`HTTP ${res.status()} for ${res.url()}`);
    });
    await page.goto('/login');
    await page.getByLabel('Tên đăng nhập').fill('chuyenvien');
    await page.getByLabel('Mật khẩu').fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: 'Đăng nhập' }).click();
    await page.waitForURL((url) => !url.pathname.startsWith('/login'));
  });

  after(async () => {
    await browser?.close();
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server!.close(() => resolve()));
    }
    await t?.close();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  afterEach(() => {
    expect(problems, problems.join('\n')).to.deep.equal([]);
  });

  async function downloadBytes(click: () => Promise<void>): Promise<Buffer> {
    const [download] = await Promise.all([page.waitForEvent('download'), click()]);
    return fs.readFileSync((await download.path())!);
  }

  it('when the officer attaches a PDF through the form, then it is listed under its indicator and downloads back unchanged', async () => {
    await page.goto(`/submissions/${snv}`);
    const form = page.locator('form[action$="/evidence-files"]');
    await form.getByLabel('Chỉ số').selectOption('NLS.1');
    await form.getByLabel('Tệp').setInputFiles({ name: 'Quyết định cử cán bộ.pdf', mimeType: 'application/pdf', buffer: PDF });
    await form.getByLabel('Số ký hiệu (nếu có)').fill('15/QĐ-SNV');
    await form.getByRole('button', { name: 'Tải tệp lên' }).click();
    await page.waitForURL(/msg=evidence-added/);
    const link = page.locator('tr[id="ind-NLS.1"] .evidence a', { hasText: 'Quyết định cử cán bộ.pdf' });
    expect(await link.count()).to.equal(1);
    expect(await downloadBytes(() => link.click())).to.deep.equal(PDF);
  });

  it('when the officer fills the downloaded workbook wrongly, then the page lists the error and hands back the annotated workbook', async () => {
    await page.goto(`/submissions/${snv}`);
    const data = await downloadBytes(() => page.getByRole('link', { name: 'Tải bảng tính Excel' }).click());
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(data as unknown as ArrayBuffer);
    const ws = wb.getWorksheet('Số liệu')!;
    let row = 0;
    for (let r = 7; r <= ws.rowCount; r++) if (ws.getCell(r, 8).value === 'NLS.1') row = r;
    ws.getCell(row, 4).value = 50;
    ws.getCell(row, 5).value = 40;
    expectedStatus.add(`400 /submissions/${snv}/workbook`);
    const form = page.locator('form[action$="/workbook"]');
    await form.getByLabel('Bảng tính đã nhập').setInputFiles({ name: 'bao-cao.xlsx', mimeType: XLSX_MIME, buffer: Buffer.from(await wb.xlsx.writeBuffer()) });
    await form.getByRole('button', { name: 'Tải lên và lưu số liệu' }).click();
    await page.waitForSelector('h1:has-text("Bảng tính chưa được lưu")');
    expect(await page.locator('.alert li').allTextContents()).to.have.length(1);
    const annotated = await downloadBytes(() => page.getByRole('link', { name: 'Tải bảng tính có đánh dấu lỗi' }).click());
    const back = new ExcelJS.Workbook();
    await back.xlsx.load(annotated as unknown as ArrayBuffer);
    const note = back.getWorksheet('Số liệu')!.getCell(row, 4).note as string | { texts: Array<{ text: string }> };
    expect(typeof note === 'string' ? note : note.texts.map((x) => x.text).join('')).to.include('Chỉ số NLS.1');
  });

  it('when the officer uploads a correct workbook, then the values are saved and shown on the form', async () => {
    await page.goto(`/submissions/${snv}`);
    const data = await downloadBytes(() => page.getByRole('link', { name: 'Tải bảng tính Excel' }).click());
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(data as unknown as ArrayBuffer);
    const ws = wb.getWorksheet('Số liệu')!;
    for (let r = 7; r <= ws.rowCount; r++) {
      if (ws.getCell(r, 8).value === 'NLS.1') {
        ws.getCell(r, 4).value = 37;
        ws.getCell(r, 5).value = 40;
      }
    }
    const form = page.locator('form[action$="/workbook"]');
    await form.getByLabel('Bảng tính đã nhập').setInputFiles({ name: 'bao-cao.xlsx', mimeType: XLSX_MIME, buffer: Buffer.from(await wb.xlsx.writeBuffer()) });
    await form.getByRole('button', { name: 'Tải lên và lưu số liệu' }).click();
    await page.waitForURL(/msg=workbook-saved/);
    expect((await page.locator('p.notice').textContent())?.trim()).to.equal('Đã lưu số liệu từ bảng tính Excel.');
    expect(await page.locator('input[name="v[NLS.1][value]"]').inputValue()).to.equal('37');
  });
});
