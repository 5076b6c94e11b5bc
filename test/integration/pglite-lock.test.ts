// The embedded database (PGlite) is PostgreSQL inside one process: a second process opening the same data directory
// would corrupt it, so the directory is locked by the process that has it open (server/db/database.ts).
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase } from '../../server/db/database.js';
import { AppError } from '../../server/errors.js';
import { runDti } from '../support/processes.js';

describe('the embedded database directory lock', function () {
  this.timeout(60_000);
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dti-lock-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('when the directory is open, then a second opening is refused with the holder named, and allowed once it is closed', async () => {
    const first = openDatabase({ dataDir: dir });
    await first.raw('SELECT 1');
    let refused: unknown;
    try {
      openDatabase({ dataDir: dir });
    } catch (err) {
      refused = err;
    }
    expect(refused).to.be.instanceOf(AppError);
    expect((refused as AppError).code).to.equal('conflict');
    expect((refused as AppError).message).to.include(`đang được tiến trình khác sử dụng (PID ${process.pid})`);
    await first.destroy();
    expect(fs.existsSync(path.join(dir, 'pglite.lock'))).to.equal(false);
    const second = openDatabase({ dataDir: dir });
    expect((await second.raw('SELECT 1 AS n')).rows).to.deep.equal([{ n: 1 }]);
    await second.destroy();
  });

  it('when the process that held it died, then its lock is taken over', async () => {
    const gone = spawnSync(process.execPath, ['-e', '0']).pid!;
    fs.writeFileSync(path.join(dir, 'pglite.lock'), String(gone));
    const db = openDatabase({ dataDir: dir });
    expect(fs.readFileSync(path.join(dir, 'pglite.lock'), 'utf8')).to.equal(String(process.pid));
    await db.destroy();
  });

  it('when `dti compute` is run while another process has the directory, then it stops with the reason and exit code 65', async () => {
    fs.writeFileSync(path.join(dir, 'pglite.lock'), String(process.pid));
    const r = await runDti(['compute'], { DATA_DIR: dir });
    expect(r.code, r.output).to.equal(65);
    expect(r.output).to.include('đang được tiến trình khác sử dụng');
    expect(fs.readFileSync(path.join(dir, 'pglite.lock'), 'utf8')).to.equal(String(process.pid));
  });
});
