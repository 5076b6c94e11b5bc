import { chromium } from 'playwright-core';
const [user, ...paths] = process.argv.slice(2);
const b = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless','--no-sandbox','--disable-gpu','--disable-background-networking','--disable-component-update','--no-first-run'] });
const p = await b.newPage({ viewport: { width: 1400, height: 1000 } });
p.on('console', m => { if (m.type() === 'error') console.log('CONSOLE', m.text()); });
p.on('pageerror', e => console.log('PAGEERROR', e.message));
await p.goto('http://localhost:3100/login');
await p.fill('input[name=username]', user); await p.fill('input[name=password]', 'demo@2026');
await p.click('button.primary'); await p.waitForLoadState('networkidle');
let i = 0;
for (const path of paths) { await p.goto('http://localhost:3100' + path); await p.waitForLoadState('networkidle'); await p.screenshot({ path: `/tmp/shot-${user}-${i++}.png`, fullPage: false }); console.log(path, p.url()); }
await b.close();
