// The reporting cycle in a real browser: the officer's values are autosaved as they are typed ("Đã lưu lúc
// hh:mm"), the head signs and submits, the Department returns the report with a reason on one indicator, the agency
// sees it beside that indicator, fixes the value and resubmits, and the reviewer approves. Chromium through
// playwright-core; skips itself where /usr/bin/chromium is not installed.
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { bootTestApp, type TestApp } from '../support/app.js';
import { CHROMIUM, openBrowser, type BrowserSession } from '../support/browser.js';
import { frameworkFile, storedValues, submissionId, validRaw } from '../support/builders.js';
import type { Actor } from '../../server/auth/policy.js';
import type { RawValue } from '../../server/submissions/value-validation.js';

const RESULTS = path.resolve('test-results');
/** A ratio indicator of the departments' framework worth 40 points, linear (see slice.test.ts). */
const CODE = 'HDCQS.2';

describe('e2e: autosave, return with reasons per indicator, resubmission', function () {
  this.timeout(90_000);

  let t: TestApp | undefined;
  let session: BrowserSession | undefined;
  let page: Page;
  let snv = 0;
  const login = (username: string): Promise<void> => session!.login(username);
  const logout = (): Promise<void> => session!.logout();

  before(async function () {
    if (!fs.existsSync(CHROMIUM)) {
      this.skip();
      return;
    }
    t = await bootTestApp();
    const s = t.services;
    snv = await submissionId(s.db, 'SNV', 'DTI-SO-2026-N');
    // Arrange: the head has already completed every other indicator and attached the required evidence.
    const u = (await s.users.findByUsername('lanhdao'))!;
    const head: Actor = { id: u.id, username: u.username, fullName: u.fullName, role: u.role, agencyId: u.agencyId };
    const { indicators } = await frameworkFile('dti-so.yaml');
    const values: Record<string, RawValue> = {};
    for (const i of indicators) if (i.input.kind !== 'evidence' && i.code !== CODE) values[i.code] = validRaw(i);
    values[CODE] = { comment: 'Đang tổng hợp' };
    await s.submissions.saveDraft(head, snv, (await s.submissions.get(head, snv)).version, values);
    const have = new Set((await s.submissions.evidence(snv)).map((e) => e.nodeCode));
    for (const i of indicators.filter((x) => x.evidence === 'required' && !have.has(x.code))) {
      await s.submissions.addEvidence(head, snv, (await s.submissions.get(head, snv)).version, {
        indicator: i.code,
        docNumber: `7/QĐ-SNV-${i.code}`,
        issuedOn: '2026-10-01',
        summary: null,
        issuer: 'Sở Nội vụ',
      });
    }

    session = await openBrowser(t.app);
    page = session.page;
    fs.mkdirSync(RESULTS, { recursive: true });
  });

  after(async () => {
    await session?.close();
    await t?.close();
  });

  const row = () => page.locator(`tr[id="ind-${CODE}"]`);
  const stored = async () => (await storedValues(t!.services.db, snv)).get(CODE);

  it('when the officer types a value, then it is saved without pressing a button and "Đã lưu lúc hh:mm" shows', async () => {
    await login('chuyenvien');
    await page.goto(`/submissions/${snv}`);
    await row().locator(`input[name="v[${CODE}][value]"]`).fill('9');
    await row().locator(`input[name="v[${CODE}][denominator]"]`).fill('10');
    await page.waitForFunction(() => /^Đã lưu lúc \d{2}:\d{2}$/.test(document.getElementById('autosave-status')?.textContent ?? ''));
    expect(await stored()).to.include({ selfValue: 9, selfDenominator: 10 });
    await page.screenshot({ path: path.join(RESULTS, 'e2e-autosave.png') });
    // After a reload the value is there, and its points are counted.
    await page.reload();
    expect(await row().locator(`input[name="v[${CODE}][value]"]`).inputValue()).to.equal('9');
    expect((await row().locator('td').nth(4).textContent())?.trim()).to.equal('36,00');
    await logout();
  });

  it('when the head signs and sends the report, then it is submitted', async () => {
    await login('lanhdao');
    await page.goto(`/submissions/${snv}`);
    await page.getByRole('button', { name: 'Ký duyệt và gửi báo cáo' }).click();
    await page.waitForURL(/msg=submitted/);
    expect(await page.locator('.totals .state').textContent()).to.equal('Đã gửi, chờ thẩm định');
    await logout();
  });

  const REASON = 'Số văn bản ký số cao hơn số liệu của Văn phòng UBND tỉnh; đề nghị rà soát.';

  it('when the reviewer returns it with a reason on one indicator, then it is returned', async () => {
    await login('thamdinh');
    await page.goto(`/submissions/${snv}`);
    await page.getByLabel(`Ý kiến trả lại cho ${CODE}`).fill(REASON);
    await page.getByLabel('Ý kiến chung').fill('Đề nghị xem ý kiến tại từng chỉ số.');
    await page.getByRole('button', { name: 'Trả lại báo cáo' }).click();
    await page.waitForURL(/msg=returned/);
    expect(await page.locator('.totals .state').textContent()).to.equal('Bị trả lại');
    await logout();
  });

  it('when the officer opens the returned report, then the reason stands beside the indicator, and the fix is autosaved', async () => {
    await login('chuyenvien');
    await page.goto(`/submissions/${snv}`);
    expect(await page.locator('#return-notice').textContent()).to.include('Đề nghị xem ý kiến tại từng chỉ số.');
    expect((await row().locator('.return-reason').textContent())?.trim()).to.equal(`Ý kiến của Sở ${REASON}`);
    await page.screenshot({ path: path.join(RESULTS, 'e2e-returned.png'), fullPage: false });
    await row().locator(`input[name="v[${CODE}][value]"]`).fill('7');
    await page.waitForFunction(() => /^Đã lưu lúc/.test(document.getElementById('autosave-status')?.textContent ?? ''));
    expect(await stored()).to.include({ selfValue: 7, selfDenominator: 10 });
    await logout();
  });

  it('when the head resubmits and the reviewer approves, then the report is approved', async () => {
    await login('lanhdao');
    await page.goto(`/submissions/${snv}`);
    await page.getByRole('button', { name: 'Ký duyệt và gửi báo cáo' }).click();
    await page.waitForURL(/msg=submitted/);
    await logout();

    await login('thamdinh');
    await page.goto(`/submissions/${snv}`);
    await page.getByRole('button', { name: 'Phê duyệt báo cáo' }).click();
    await page.waitForURL(/msg=approved/);
    expect(await page.locator('.totals .state').textContent()).to.equal('Đã thẩm định');
    await page.getByRole('link', { name: 'Xem toàn bộ lịch sử thay đổi' }).click();
    await page.waitForURL(/\/audit$/);
    const actions = await page.locator('tbody tr td:nth-child(3)').allTextContents();
    expect(actions.slice(0, 4)).to.deep.equal(['Phê duyệt', 'Gửi báo cáo', 'Cập nhật số liệu', 'Trả lại báo cáo']);
    expect(session!.problems, session!.problems.join('\n')).to.deep.equal([]);
  });
});
