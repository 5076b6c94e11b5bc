// The rank-uncertainty screen in a real browser: reached from the rankings page, its table and its chart drawn by
// public/js/uncertainty-chart.js under the app's CSP, with no console errors. Skips itself without chromium.
import { expect } from 'chai';
import { startBrowserApp, type BrowserApp } from '../support/browser-app.js';

describe('e2e: rank uncertainty in the browser', function () {
  this.timeout(60_000);
  let b: BrowserApp | undefined;

  before(async function () {
    b = await startBrowserApp();
    if (!b) {
      this.skip();
      return;
    }
    b.page.context().setDefaultTimeout(15_000);
  });

  after(async () => {
    await b?.close();
  });

  it('when a leader follows the link from the rankings, then the intervals are tabled and charted', async () => {
    const { page, problems } = b!;
    await b!.login('lanhdaotinh');
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
