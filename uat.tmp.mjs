import { chromium } from 'playwright-core';
const base = 'http://localhost:3055';
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'] });
const shots = JSON.parse(process.argv[2]);
for (const [user, pages] of Object.entries(shots)) {
  const ctx = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  const page = await ctx.newPage();
  const errors = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(base + '/login');
  await page.fill('input[name=username]', user);
  await page.fill('input[name=password]', 'demo@2026');
  await Promise.all([page.waitForNavigation(), page.click('form[action="/login"] button')]);
  for (const p of pages) {
    const r = await page.goto(base + p);
    const name = `${user}${p.replace(/[/?=&]/g, '_')}`;
    await page.screenshot({ path: `/work/tmp/uat/${name}.png`, fullPage: true });
    console.log(user, p, r.status(), (await page.title()));
  }
  if (errors.length) console.log('ERRORS', user, errors);
  await ctx.close();
}
await browser.close();
