// The rank-uncertainty screen in a real browser: reached from the rankings page, its table and its chart drawn by
// public/js/uncertainty-chart.js under the app's CSP, with no console errors. Skips itself without chromium.
import fs from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { chromium, type Browser, type Page } from 'playwright-core';
import { bootTestApp, type TestApp } from '../support/app.js';
import { DEMO_PASSWORD } from '../../server/demo/demo-province.js';

const CHROMIUM = '/usr/bin/chromium';

describe('e2e: rank uncertainty in the browser', function () {
  this.timeout(60_000);

  let t: TestApp | undefined;
  let server: Server | undefined;
  let browser: Browser | undefined;
  let page: Page;
  const problems: string[] = [];

  before(async function () {
    if (!fs.existsSync(CHROMIUM)) {
      this.skip();
      return;
    }
    t = await bootTestApp();
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
      viewport: { width: 1366, height: 900 },
    });
    context.setDefaultTimeout(15_000);
    page = await context.newPage();
    page.on('console', (msg) => {
      if (msg.type() === 'error' && !msg.location().url.endsWith('/favicon.ico')) problems.push(`${page.url()}: ${msg.text()}`);
    });
    page.on('pageerror', (err) => problems.push(`${page.url()}: ${err.message}`));
  });

  after(async () => {
    await browser?.close();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await t?.close();
  });

  it('when a leader follows the link from the rankings, then the intervals are tabled and charted', async () => {
    await page.goto('/login');
    await page.getByLabel('Tên đăng nhập').fill('lanhdaotinh');
    await page.getByLabel('Mật khẩu').fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: 'Đăng nhập' }).click();
    await page.waitForURL((url) => !url.pathname.startsWith('/login'));
    await page.goto('/rankings');
    await page.getByRole('link', { name: 'Độ bất định của xếp hạng' }).click();
    await page.waitForURL(/\/rankings\/\d+\/uncertainty$/);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).to.equal('Độ bất định của xếp hạng');
    expect(await page.locator('table.uncertainty tbody tr').count()).to.be.greaterThan(5);
    const charted = await page.evaluate(() => {
      const w = window as unknown as { Chart?: { getChart(c: HTMLCanvasElement): unknown } };
      return [...document.querySelectorAll('canvas[data-chart-index]')].map((c) => !!w.Chart?.getChart(c as HTMLCanvasElement));
    });
    expect(charted.length).to.be.greaterThan(0);
    expect(charted.every(Boolean)).to.equal(true);
    expect(problems).to.deep.equal([]);
  });
});
