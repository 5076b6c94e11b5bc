// A real browser on the app under test: Debian's chromium through playwright-core, the app listening on a free
// port, and every console error or page error collected so a journey can assert there were none (CSP violations
// show up as console errors).
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import { chromium, type Browser, type Page } from 'playwright-core';
import { DEMO_PASSWORD } from '../../server/demo/demo-province.js';

export const CHROMIUM = '/usr/bin/chromium';

export interface BrowserSession {
  page: Page;
  problems: string[];
  login(username: string): Promise<void>;
  logout(): Promise<void>;
  close(): Promise<void>;
}

/** `httpErrors`: also count every answer of status 400 and up as a problem. */
export async function openBrowser(app: Express, opts: { httpErrors?: boolean } = {}): Promise<BrowserSession> {
  const server = await new Promise<Server>((resolve) => {
    const srv = app.listen(0, '127.0.0.1', () => resolve(srv));
  });
  let browser: Browser | undefined;
  try {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    });
  } catch (err) {
    server.close();
    throw err;
  }
  const context = await browser.newContext({
    baseURL: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    locale: 'vi-VN',
    acceptDownloads: true,
    viewport: { width: 1366, height: 900 },
  });
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (msg) => {
    // The browser asks for /favicon.ico on its own; anything else counts.
    if (msg.type() === 'error' && !msg.location().url.endsWith('/favicon.ico')) problems.push(`console error on ${page.url()}: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`page error on ${page.url()}: ${err.message}`));
  if (opts.httpErrors) {
    page.on('response', (res) => {
      if (res.status() >= 400) problems.push(`HTTP ${res.status()} for ${res.url()}`);
    });
  }
  return {
    page,
    problems,
    async login(username) {
      await page.goto('/login');
      await page.getByLabel('Tên đăng nhập').fill(username);
      await page.getByLabel('Mật khẩu').fill(DEMO_PASSWORD);
      await page.getByRole('button', { name: 'Đăng nhập' }).click();
      await page.waitForURL((url) => !url.pathname.startsWith('/login'));
    },
    async logout() {
      await page.getByRole('button', { name: 'Đăng xuất', exact: true }).click();
      await page.waitForURL('**/login');
    },
    async close() {
      await browser?.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
