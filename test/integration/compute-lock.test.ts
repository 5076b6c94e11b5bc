import { expect } from 'chai';
import { bootTestApp, type TestApp } from '../support/app.js';
import { usingPostgres } from '../support/database.js';
import { tryLockPeriod } from '../../server/scoring/runs.repository.js';

describe('the per-period compute lock', function () {
  let t: TestApp;

  before(async function () {
    // PGlite has a single connection, so a second holder of the lock cannot exist there.
    if (!usingPostgres()) this.skip();
    t = await bootTestApp();
  });
  after(async () => t?.close());

  it('when another instance holds the period lock, then a computation reports busy and writes no run', async () => {
    const period = (await t.services.periods.findByCode('DTI-SO-2026-N'))!;
    const before = await t.services.db('runs').count<{ n: number }[]>('* as n');
    const trx = await t.services.db.transaction();
    try {
      expect(await tryLockPeriod(trx, period.id)).to.equal(true);
      const outcome = await t.services.scoring.computePeriod(period.id, { trigger: 'manual', force: true });
      expect(outcome.status).to.equal('busy');
    } finally {
      await trx.rollback();
    }
    const after = await t.services.db('runs').count<{ n: number }[]>('* as n');
    expect(after[0]!.n).to.equal(before[0]!.n);
    const outcome = await t.services.scoring.computePeriod(period.id, { trigger: 'manual', force: true });
    expect(outcome.status).to.equal('computed');
  });
});
