// A test app served on a free local port and driven by Debian's chromium through playwright-core, for the e2e
// journeys: console errors (CSP violations show up there), page errors and failed responses are collected so a
// journey can assert that none happened. `startBrowserApp` returns undefined where /usr/bin/chromium is missing.
import fs from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
import { bootTestApp, type TestApp } from './app.js';
import { DEMO_PASSWORD } from '../../server/demo/demo-province.js';

export const CHROMIUM = '/usr/bin/chromium';

export interface BrowserApp {
  t: TestApp;
  page: Page;
  /** Console errors, page errors and HTTP errors seen so far. */
  problems: string[];
  login(username: string): Promise<void>;
  logout(): Promise<void>;
  close(): Promise<void>;
}

export async function startBrowserApp(arrange?: (t: TestApp) => Promise<void>): Promise<BrowserApp | undefined> {
  if (!fs.existsSync(CHROMIUM)) return undefined;
  const t = await bootTestApp();
  await arrange?.(t);
  const server = await new Promise<Server>((resolve) => {
    const srv = t.app.listen(0, '127.0.0.1', () => resolve(srv));
  });
  const baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let browser: Browser | undefined;
  try {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    });
  } catch (err) {
    server.closeAllConnections();
    server.close();
    await t.close();
    throw err;
  }
  const context = await browser.newContext({ baseURL, locale: 'vi-VN', acceptDownloads: true, viewport: { width: 1366, height: 900 } });
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (msg) => {
    // The browser asks for /favicon.ico on its own; anything else counts.
    if (msg.type() === 'error' && !msg.location().url.endsWith('/favicon.ico')) {
      problems.push(`console error on ${page.url()}: ${msg.text()} [${msg.location().url}]`);
    }
  });
  page.on('pageerror', (err) => problems.push(`page error on ${page.url()}: ${err.message}`));
  page.on('response', (res) => {
    if (res.status() >= 400) problems.push(`HTTP ${res.status()} for ${res.url()}`);
  });
  return {
    t,
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
      await t.close();
    },
  };
}
