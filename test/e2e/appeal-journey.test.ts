// An appeal's journey through the real UI in a real browser: the administrator publishes the annual results, the
// head of Sở Nội vụ files an appeal on an indicator with new evidence and a file, the administrator is notified, accepts it
// with a new appraised value, and the results are published again with a change log; the head then reads the
// decision from the notifications. Runs on Debian's chromium through playwright-core; skips itself where
// /usr/bin/chromium is not installed.
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { startBrowserApp, type BrowserApp } from '../support/browser-app.js';
import { periodId, submissionId } from '../support/builders.js';
import { PDF } from '../support/sample-files.js';

const RESULTS = path.resolve('test-results');
const PERIOD = 'DTI-SO-2026-N';

describe('e2e: an appeal filed by the head and decided by the admin', function () {
  this.timeout(90_000);

  let b: BrowserApp | undefined;
  let page: Page;
  let period = 0;
  /** A ratio indicator on which Sở Nội vụ loses points; chosen once the results are published. */
  let code = '';
  const login = (username: string): Promise<void> => b!.login(username);
  const logout = (): Promise<void> => b!.logout();

  before(async function () {
    // Arrange: Sở Nội vụ's annual report has been reviewed and approved (the review itself is the other journey).
    b = await startBrowserApp(async (t) => {
      period = await periodId(t.services.db, PERIOD);
      await t.services.db('submissions').where({ id: await submissionId(t.services.db, 'SNV', PERIOD) }).update({ state: 'approved', reviewed_at: new Date() });
    });
    if (!b) {
      this.skip();
      return;
    }
    page = b.page;
    fs.mkdirSync(RESULTS, { recursive: true });
  });

  after(async () => {
    await b?.close();
  });

  const notice = () => page.locator('p.notice[role="status"]');

  it('when the administrator publishes the annual results, then the first publication is announced', async () => {
    await login('quantri');
    await page.goto(`/rankings?period=${period}`);
    await page.getByRole('button', { name: 'Tính lại chỉ số ngay' }).click();
    await page.waitForURL(/msg=(computed|unchanged)/);
    await page.getByRole('button', { name: 'Công bố kết quả' }).click();
    await page.waitForURL(/msg=published/);
    expect((await notice().textContent())?.trim()).to.equal('Đã công bố kết quả.');
    expect(await page.locator('.runinfo .state').textContent()).to.equal('Đã công bố lần 1');
    await logout();

    const db = b!.t.services.db;
    const pub = await db('publications').where({ period_id: period }).first('run_id');
    const snv = (await db('agencies').where({ code: 'SNV' }).first('id')).id;
    const row = await db('run_node_scores as s')
      .join('framework_nodes as n', 'n.code', 's.node_code')
      .join('periods as p', 'p.framework_id', 'n.framework_id')
      .where({ 's.run_id': pub.run_id, 's.agency_id': snv, 's.node_kind': 'indicator', 'p.id': period, 'n.input_kind': 'ratio' })
      .whereRaw('s.points < s.max_points - 1')
      .orderBy('n.position')
      .first('n.code');
    code = row.code;
  });

  it('when the head files an appeal on an indicator with new evidence, then it is sent and waits for the Department', async () => {
    await login('lanhdao');
    await page.getByRole('navigation').getByRole('link', { name: 'Kiến nghị' }).click();
    await page.waitForURL('**/appeals');
    const row = page.locator('tbody tr').filter({ has: page.locator('th', { hasText: /^Năm 2026$/ }) });
    await row.getByRole('link', { name: 'Gửi kiến nghị' }).click();
    await page.waitForURL(/\/appeals\/new$/);

    await page.getByLabel('Nội dung kiến nghị').fill('Đơn vị đề nghị xem xét lại số liệu đã được bổ sung sau khi công bố.');
    await page.getByLabel(`Kiến nghị chỉ số ${code}`, { exact: true }).check();
    await page.getByLabel(`Lý do kiến nghị chỉ số ${code}`, { exact: true }).fill('Số liệu chưa gồm các hồ sơ tiếp nhận trong tháng 12.');
    await page.getByLabel(`Số ký hiệu văn bản cho chỉ số ${code}`, { exact: true }).fill('210/BC-SNV');
    await page.getByLabel(`Tệp kiểm chứng cho chỉ số ${code}`, { exact: true }).setInputFiles({ name: 'Báo cáo 210.pdf', mimeType: 'application/pdf', buffer: PDF });
    await page.screenshot({ path: path.join(RESULTS, 'e2e-appeal-form.png'), fullPage: false });
    await page.getByRole('button', { name: 'Gửi kiến nghị' }).click();
    await page.waitForURL(/\/appeals\/\d+\?msg=filed$/);
    expect((await notice().textContent())?.trim()).to.equal('Đã gửi kiến nghị tới Sở Khoa học và Công nghệ.');
    expect(await page.locator('.lead .state').textContent()).to.equal('Chờ xem xét');
    expect(await page.locator(`tr[id="item-${code}"]`).textContent()).to.include('210/BC-SNV');
    expect(await page.locator(`tr[id="item-${code}"] .evidence a`, { hasText: 'Báo cáo 210.pdf' }).count()).to.equal(1);
    await logout();
  });

  it('when the administrator opens the notification and accepts with a new value, then the results are published again with a change log', async () => {
    await login('quantri');
    const bell = page.getByRole('navigation').getByRole('link', { name: /Thông báo/ });
    expect(await bell.locator('.badge').textContent()).to.equal('1');
    await bell.click();
    await page.waitForURL('**/notifications');
    const item = page.locator('li.notification').filter({ hasText: 'Kiến nghị mới: Sở Nội vụ — Năm 2026' });
    await item.getByRole('button', { name: 'Xem chi tiết' }).click();
    await page.waitForURL(/\/appeals\/\d+$/);
    // Opening the notification read it: the count is gone from the menu.
    expect(await page.getByRole('navigation').locator('.badge').count()).to.equal(0);
    // The file the head attached downloads back unchanged.
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator(`tr[id="item-${code}"] .evidence a`).click()]);
    expect(download.suggestedFilename()).to.equal('Báo cáo 210.pdf');
    expect(fs.readFileSync((await download.path())!)).to.deep.equal(PDF);

    await page.getByLabel(`Giá trị mới ${code}`, { exact: true }).fill('30');
    await page.getByLabel(`Mẫu số mới ${code}`, { exact: true }).fill('30');
    await page.getByLabel(`Lý do thẩm định lại ${code}`, { exact: true }).fill('Công nhận Báo cáo 210/BC-SNV.');
    await page.getByRole('button', { name: 'Chấp nhận, tính lại và công bố lại' }).click();
    await page.waitForURL(/msg=accepted$/);
    expect((await notice().textContent())?.trim()).to.equal('Đã chấp nhận kiến nghị; kết quả đã được tính lại và công bố lại.');
    expect(await page.locator('.lead .state').textContent()).to.equal('Đã chấp nhận');
    const log = page.locator('section.change-log');
    expect(await log.locator('h2').textContent()).to.equal('Thay đổi khi công bố lại (lần 1 → lần 2)');
    const snvRow = log.locator('tbody tr').filter({ has: page.locator('th', { hasText: /^Sở Nội vụ$/ }) });
    expect(await snvRow.textContent()).to.include(`${code}:`);
    await page.screenshot({ path: path.join(RESULTS, 'e2e-appeal-decided.png'), fullPage: true });

    await page.getByRole('navigation').getByRole('link', { name: 'Xếp hạng' }).click();
    await page.goto(`/rankings?period=${period}`);
    expect(await page.locator('.runinfo .state').textContent()).to.equal('Đã công bố lần 2');
    await logout();
  });

  it('when the head reads the notifications, then the decision is there and leads to the appeal', async () => {
    await login('lanhdao');
    await page.getByRole('navigation').getByRole('link', { name: /Thông báo/ }).click();
    await page.waitForURL('**/notifications');
    const decided = page.locator('li.notification').filter({ hasText: 'Kiến nghị được chấp nhận — Năm 2026' });
    expect(await decided.count()).to.equal(1);
    expect(await decided.textContent()).to.include(code);
    await decided.getByRole('button', { name: 'Đánh dấu đã đọc' }).click();
    await page.waitForURL('**/notifications');
    expect(await page.locator('li.notification').filter({ hasText: 'Kiến nghị được chấp nhận — Năm 2026' }).getAttribute('class')).to.equal('notification');
    await page.locator('li.notification').filter({ hasText: 'Kiến nghị được chấp nhận — Năm 2026' }).getByRole('button', { name: 'Xem chi tiết' }).click();
    await page.waitForURL(/\/appeals\/\d+$/);
    expect(await page.locator(`tr[id="item-${code}"]`).textContent()).to.include('Điều chỉnh');
    expect(b!.problems, b!.problems.join('\n')).to.deep.equal([]);
  });
});
