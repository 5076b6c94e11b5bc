// A fresh test app driven by Debian's chromium (test/support/browser.ts), for journeys that arrange their own data
// first; failed HTTP answers count as problems too. `startBrowserApp` returns undefined where chromium is missing.
import fs from 'node:fs';
import { bootTestApp, type TestApp } from './app.js';
import { CHROMIUM, openBrowser, type BrowserSession } from './browser.js';

export interface BrowserApp extends BrowserSession {
  t: TestApp;
}

export async function startBrowserApp(arrange?: (t: TestApp) => Promise<void>): Promise<BrowserApp | undefined> {
  if (!fs.existsSync(CHROMIUM)) return undefined;
  const t = await bootTestApp();
  try {
    await arrange?.(t);
    const session = await openBrowser(t.app, { httpErrors: true });
    return {
      ...session,
      t,
      async close() {
        await session.close();
        await t.close();
      },
    };
  } catch (err) {
    await t.close();
    throw err;
  }
}
