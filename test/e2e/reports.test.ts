// The official reports in a real browser under the app's CSP: the served provincial report and scorecard draw
// their charts with chart.js from /static (no inline script, no CSP violation), print to A4, and the archive page
// lists the files. Runs on Debian's chromium through playwright-core; skips itself where it is not installed.
import fs from 'node:fs';
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { startBrowserApp, type BrowserApp } from '../support/browser-app.js';

describe('e2e: official reports in the browser', function () {
  this.timeout(300_000);
  let b: BrowserApp | undefined;
  let page: Page;
  let period = 0;
  let agency = 0;
  let problems: string[] = [];

  before(async function () {
    b = await startBrowserApp(async (t) => {
      const u = (await t.services.users.findByUsername('quantri'))!;
      period = (await t.services.periods.findByCode('DTI-SO-2026-N'))!.id;
      agency = (await t.services.agencies.findByCode('SNV'))!.id;
      await t.services.scoring.publish({ id: u.id, username: u.username, fullName: u.fullName, role: 'admin', agencyId: null }, period);
    });
    if (!b) {
      this.skip();
      return;
    }
    page = b.page;
    problems = b.problems;
    page.context().setDefaultTimeout(15_000);
    await b.login('quantri');
  });

  after(async () => {
    await b?.close();
  });

  const drawnCharts = (): Promise<boolean[]> =>
    page.evaluate(() =>
      Array.from(document.querySelectorAll('canvas[data-chart]')).map(
        (c) => !!(window as unknown as { Chart: { getChart(c: Element): unknown } }).Chart.getChart(c),
      ),
    );

  it('when the admin opens the provincial report, then chart.js draws every chart under the CSP with no error', async () => {
    const res = await page.goto(`/reports/${period}/bao-cao`);
    expect(res?.headers()['content-security-policy']).to.include("script-src 'self'");
    await page.waitForFunction(() => document.querySelectorAll('canvas[data-chart]').length > 0);
    await page.waitForLoadState('load');
    const drawn = await drawnCharts();
    expect(drawn.length).to.be.at.least(3);
    expect(drawn.every(Boolean)).to.equal(true);
    expect(await page.getByRole('heading', { name: 'I. KẾT QUẢ CHUNG' }).count()).to.equal(1);
    expect(problems).to.deep.equal([]);
  });

  it('when the report is printed, then the pages are A4 and the wide tables go landscape', async function () {
    const pdf = await page.pdf({ preferCSSPageSize: true });
    const file = path.join(os.tmpdir(), `dti-report-${process.pid}.pdf`);
    fs.writeFileSync(file, pdf);
    let info = '';
    try {
      info = execFileSync('pdfinfo', ['-f', '1', '-l', '200', file], { encoding: 'utf8' });
    } catch {
      fs.rmSync(file, { force: true });
      this.skip(); // poppler-utils' pdfinfo missing: the page sizes cannot be read here
    }
    fs.rmSync(file, { force: true });
    const sizes = [...info.matchAll(/Page +\d+ size: +([\d.]+) x ([\d.]+) pts/g)].map((m) => [Math.round(Number(m[1])), Math.round(Number(m[2]))]);
    expect(sizes[0]).to.deep.equal([595, 842]);
    expect(sizes.some(([w, h]) => w === 842 && h === 595)).to.equal(true);
    expect(sizes.every(([w, h]) => (w === 595 && h === 842) || (w === 842 && h === 595))).to.equal(true);
  });

  it('when the admin opens an agency\'s scorecard, then its charts are drawn too', async () => {
    await page.goto(`/reports/${period}/agencies/${agency}/phieu-diem`);
    await page.waitForLoadState('load');
    const drawn = await drawnCharts();
    expect(drawn).to.deep.equal([true, true]);
    expect(await page.textContent('h1')).to.include('PHIẾU ĐIỂM');
    expect(problems).to.deep.equal([]);
  });

  it('when the admin regenerates the period from the archive page, then its files are listed with their SHA-256', async () => {
    b!.t.services.config.dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dti-e2e-'));
    await page.goto('/reports');
    const form = page.locator(`form[action="/reports/${period}/regenerate"]`);
    // The request is answered at once; the scorecards are made in the background while the page reloads itself.
    await Promise.all([page.waitForURL(/msg=report-queued/), form.getByRole('button', { name: 'Tạo lại' }).click()]);
    expect(await page.getByText('Đã nhận yêu cầu tạo lại báo cáo').count()).to.equal(1);
    await page.getByText(/Đã tạo xong \d+ tệp/).waitFor({ timeout: 150_000 });
    expect(await page.locator('code.hash').count()).to.be.greaterThan(2);
    fs.rmSync(b!.t.services.config.dataDir, { recursive: true, force: true });
    expect(problems).to.deep.equal([]);
  });
});
