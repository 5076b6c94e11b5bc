// The annual report's journey through the real UI in a real browser: the agency's officer enters a value, the
// agency head completes and signs the report, the Department's reviewer approves it, and the administrator
// recomputes the index, sees the ranking and its chart, and downloads the Excel report. Runs on Debian's chromium
// through playwright-core; skips itself where /usr/bin/chromium is not installed.
import fs from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { expect } from 'chai';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { bootTestApp, type TestApp } from '../support/app.js';
import { DEMO_PASSWORD } from '../../server/demo/demo-province.js';

const CHROMIUM = '/usr/bin/chromium';
const RESULTS = path.resolve('test-results');
/** The demo agency of `chuyenvien` and `lanhdao`, and the annual 2026 period of the departments' framework. */
const AGENCY = 'Sở Nội vụ';
const PERIOD_OPTION = /Năm 2026 — DTI-SO-2026-N/;

describe('e2e: annual report journey in the browser', function () {
  this.timeout(60_000);

  let t: TestApp | undefined;
  let server: Server | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext;
  let page: Page;
  let baseUrl = '';
  /** Console errors (CSP violations show up here) and uncaught page errors, by page URL. */
  const problems: string[] = [];
  let reportPath = '';

  before(async function () {
    if (!fs.existsSync(CHROMIUM)) {
      this.skip();
      return;
    }
    t = await bootTestApp();
    server = await new Promise<Server>((resolve) => {
      const srv = t!.app.listen(0, '127.0.0.1', () => resolve(srv));
    });
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    });
    context = await browser.newContext({ baseURL: baseUrl, locale: 'vi-VN', acceptDownloads: true, viewport: { width: 1366, height: 900 } });
    context.setDefaultTimeout(10_000);
    page = await context.newPage();
    page.on('console', (msg) => {
      if (msg.type() !== 'error') return;
      // The app serves no /favicon.ico yet; the browser asks for one on its own. Anything else counts.
      if (msg.location().url.endsWith('/favicon.ico')) return;
      problems.push(`console error on ${page.url()}: ${msg.text()} [${msg.location().url}]`);
    });
    page.on('pageerror', (err) => problems.push(`page error on ${page.url()}: ${err.message}`));
    page.on('response', (res) => {
      if (res.status() >= 400) problems.push(`HTTP ${res.status()} for ${res.url()}`);
    });
    fs.mkdirSync(RESULTS, { recursive: true });
  });

  after(async () => {
    await browser?.close();
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server!.close(() => resolve()));
    }
    await t?.close();
  });

  async function login(username: string): Promise<void> {
    await page.goto('/login');
    await page.getByLabel('Tên đăng nhập').fill(username);
    await page.getByLabel('Mật khẩu').fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: 'Đăng nhập' }).click();
    await page.waitForURL((url) => !url.pathname.startsWith('/login'));
  }

  async function logout(): Promise<void> {
    await page.getByRole('button', { name: 'Đăng xuất', exact: true }).click();
    await page.waitForURL('**/login');
  }

  /** The form of the agency's annual 2026 report, opened from "Báo cáo của đơn vị". */
  async function openAnnualReport(): Promise<void> {
    await page.getByRole('navigation').getByRole('link', { name: 'Báo cáo của đơn vị' }).click();
    await page.waitForURL('**/submissions');
    const row = page.locator('tbody tr').filter({ has: page.locator('th', { hasText: /^Năm 2026$/ }) });
    await row.getByRole('link', { name: 'Mở báo cáo' }).click();
    await page.waitForURL(/\/submissions\/\d+/);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).to.equal(AGENCY);
  }

  const notice = (): Locator => page.locator('p.notice[role="status"]');
  /** "Điểm tự đánh giá", the fifth cell of an indicator's row. */
  const selfPoints = (row: Locator): Locator => row.locator('td').nth(4);

  it('when the officer fills an empty value and saves the draft, then the notice shows and the points update', async () => {
    await login('chuyenvien');
    await openAnnualReport();

    // The first ratio indicator with neither number entered and no mandatory evidence: a full ratio scores points.
    const code = await page.evaluate(() => {
      for (const tr of document.querySelectorAll<HTMLTableRowElement>('tr[id^="ind-"]')) {
        const inputs = [...tr.querySelectorAll<HTMLInputElement>('label.sub input[type="number"]')];
        const mandatoryEvidence = [...tr.querySelectorAll('.ind-name .tag')].some((t) => t.textContent?.includes('Bắt buộc kiểm chứng'));
        if (inputs.length === 2 && inputs.every((i) => i.value === '') && !mandatoryEvidence) return tr.id.slice(4);
      }
      return null;
    });
    expect(code, 'an empty ratio indicator in the demo draft').to.be.a('string');
    const row = page.locator(`tr[id="ind-${code}"]`);
    const before = (await selfPoints(row).textContent())?.trim();
    await row.locator(`input[name="v[${code}][denominator]"]`).fill('48');
    await row.locator(`input[name="v[${code}][value]"]`).fill('48');
    await page.screenshot({ path: path.join(RESULTS, 'e2e-form-filled.png'), fullPage: false });
    await page.getByRole('button', { name: 'Lưu bản nháp' }).click();
    await page.waitForURL(/msg=saved/);

    expect((await notice().textContent())?.trim()).to.equal('Đã lưu bản nháp.');
    expect(await row.locator(`input[name="v[${code}][value]"]`).inputValue()).to.equal('48');
    const after = (await selfPoints(row).textContent())?.trim();
    expect(before).to.equal('0,00');
    expect(after).to.not.equal(before);
    expect(Number(after?.replace(/\./g, '').replace(',', '.'))).to.be.greaterThan(0);
    await page.screenshot({ path: path.join(RESULTS, 'e2e-form.png'), fullPage: true });
    await logout();
  });

  it('when the head explains the missing values, adds the missing evidence and signs, then the report is sent', async () => {
    await login('lanhdao');
    await openAnnualReport();

    // Indicators with no value get the explanatory note the methodology asks for instead of a number.
    const missing = await page.evaluate(() => {
      const codes: string[] = [];
      for (const tr of document.querySelectorAll<HTMLTableRowElement>('tr[id^="ind-"]')) {
        const fields = [...tr.querySelectorAll<HTMLInputElement | HTMLSelectElement>('td.c-input input, td.c-input select')];
        const comment = tr.querySelector<HTMLTextAreaElement>('td.c-input textarea');
        if (fields.length > 0 && fields.every((f) => f.value === '') && comment && comment.value.trim() === '') codes.push(tr.id.slice(4));
      }
      return codes;
    });
    expect(missing.length, 'the demo draft leaves values missing').to.be.greaterThan(0);
    for (const code of missing) {
      await page.locator(`textarea[name="v[${code}][comment]"]`).fill('Chưa có số liệu');
    }
    await page.getByRole('button', { name: 'Lưu bản nháp' }).click();
    await page.waitForURL(/msg=saved/);
    expect((await notice().textContent())?.trim()).to.equal('Đã lưu bản nháp.');

    // Mandatory evidence is needed where a value is reported (or the indicator is evidence only) and none is attached.
    const needEvidence = await page.evaluate(() => {
      const codes: string[] = [];
      for (const tr of document.querySelectorAll<HTMLTableRowElement>('tr[id^="ind-"]')) {
        if (![...tr.querySelectorAll('.ind-name .tag')].some((t) => t.textContent?.includes('Bắt buộc kiểm chứng'))) continue;
        if (tr.querySelector('.evidence')) continue;
        const fields = [...tr.querySelectorAll<HTMLInputElement | HTMLSelectElement>('td.c-input input, td.c-input select')];
        const evidenceOnly = fields.length === 0 && !!tr.querySelector('td.c-input textarea');
        if (evidenceOnly || fields.some((f) => f.value !== '')) codes.push(tr.id.slice(4));
      }
      return codes;
    });
    const evidenceForm = page.locator('form[action$="/evidence"]');
    for (const [i, code] of needEvidence.entries()) {
      await evidenceForm.getByLabel('Chỉ số').selectOption(code);
      await evidenceForm.getByLabel('Số ký hiệu').fill(`${120 + i}/QĐ-SNV`);
      await evidenceForm.getByLabel('Ngày ban hành').fill('2026-10-15');
      await evidenceForm.getByLabel('Cơ quan ban hành').fill(AGENCY);
      await evidenceForm.getByLabel('Trích yếu').fill(`Tài liệu kiểm chứng chỉ số ${code}`);
      await evidenceForm.getByRole('button', { name: 'Thêm tài liệu' }).click();
      await page.waitForURL(/msg=evidence-added/);
      expect(await page.locator(`tr[id="ind-${code}"] .evidence`).count()).to.be.greaterThan(0);
    }

    await page.getByRole('button', { name: 'Ký duyệt và gửi báo cáo' }).click();
    await page.waitForURL(/msg=submitted/);
    expect((await notice().textContent())?.trim()).to.equal('Đã gửi báo cáo tới Sở Khoa học và Công nghệ.');
    expect(await page.locator('.totals .state').textContent()).to.equal('Đã gửi, chờ thẩm định');
    await logout();
  });

  it('when the reviewer approves the report from the review queue, then it is approved', async () => {
    await login('thamdinh');
    await page.getByRole('navigation').getByRole('link', { name: 'Thẩm định' }).click();
    await page.waitForURL('**/review');
    await page.getByLabel('Kỳ báo cáo').selectOption({ label: (await optionLabel(PERIOD_OPTION)) });
    await page.getByRole('button', { name: 'Xem', exact: true }).click();
    await page.waitForURL(/\/review\?period=\d+/);
    const row = page.locator('tbody tr').filter({ has: page.locator('th', { hasText: new RegExp(`^${AGENCY}$`) }) });
    await row.getByRole('link', { name: 'Thẩm định' }).click();
    await page.waitForURL(/\/submissions\/\d+$/);

    await page.getByRole('button', { name: 'Phê duyệt báo cáo' }).click();
    await page.waitForURL(/msg=approved/);
    expect((await notice().textContent())?.trim()).to.equal('Đã phê duyệt báo cáo.');
    expect(await page.locator('.totals .state').textContent()).to.equal('Đã thẩm định');
    await logout();
  });

  it('when the administrator recomputes the index, then the ranking, its chart and the Excel report are there', async () => {
    await login('quantri');
    await page.getByRole('navigation').getByRole('link', { name: 'Xếp hạng' }).click();
    await page.waitForURL('**/rankings');
    await page.getByLabel('Kỳ báo cáo').selectOption({ label: await optionLabel(PERIOD_OPTION) });
    await page.getByRole('button', { name: 'Xem', exact: true }).click();
    await page.waitForURL(/\/rankings\?period=\d+/);

    await page.getByRole('button', { name: 'Tính lại chỉ số ngay' }).click();
    await page.waitForURL(/msg=computed/);
    expect((await notice().textContent())?.trim()).to.equal('Đã tính lại chỉ số.');

    const table = page.locator('table.ranking').filter({ has: page.getByRole('link', { name: AGENCY, exact: true }) });
    expect(await table.count()).to.equal(1);
    const agencyRow = table.locator('tbody tr').filter({ has: page.getByRole('link', { name: AGENCY, exact: true }) });
    expect((await agencyRow.locator('td.rank').textContent())?.trim()).to.match(/^\d+$/);

    // The chart script draws into every group's canvas once chart.js has loaded (both are deferred scripts).
    const canvas = page.locator('canvas[data-chart-index]').first();
    await page.waitForFunction(() => {
      const c = document.querySelector<HTMLCanvasElement>('canvas[data-chart-index]');
      const w = window as unknown as { Chart?: { getChart(c: HTMLCanvasElement): unknown } };
      return !!c && !!w.Chart?.getChart(c);
    });
    const box = await canvas.boundingBox();
    expect(box?.width ?? 0).to.be.greaterThan(0);
    expect(box?.height ?? 0).to.be.greaterThan(0);
    const drawn = await canvas.evaluate((c: HTMLCanvasElement) => c.width > 0 && c.height > 0);
    expect(drawn, 'the chart canvas has a drawing surface').to.equal(true);
    await page.screenshot({ path: path.join(RESULTS, 'e2e-rankings.png'), fullPage: true });

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Tải báo cáo Excel' }).click(),
    ]);
    expect(download.suggestedFilename()).to.match(/\.xlsx$/);
    reportPath = path.join(RESULTS, `e2e-${download.suggestedFilename()}`);
    await download.saveAs(reportPath);
    const bytes = fs.readFileSync(reportPath);
    expect(bytes.length).to.be.greaterThan(1000);
    expect(bytes.subarray(0, 2).toString('latin1')).to.equal('PK');

    expect(problems, problems.join('\n')).to.deep.equal([]);
  });

  /** The full text of the period option matching the pattern, for selectOption. */
  async function optionLabel(pattern: RegExp): Promise<string> {
    const labels = await page.getByLabel('Kỳ báo cáo').locator('option').allTextContents();
    const label = labels.map((l) => l.trim()).find((l) => pattern.test(l));
    if (!label) throw new Error(`no period option matches ${pattern}: ${labels.join(' | ')}`);
    return label;
  }
});
