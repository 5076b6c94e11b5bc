// Reliability with real processes against PostgreSQL (skipped on PGlite, which one process owns): a computation
// or a report killed with SIGKILL half-way leaves the previous results and report intact and the next run
// succeeds; two app instances run the scheduled computation once; `dti serve` stops gracefully on SIGTERM.
// Half-way is made deterministic without timing: the test holds a table lock the computation needs late in its
// transaction (or, for the report, sets the test-only DTI_TEST_PAUSE_AT hook), and waits to see it blocked.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import type { Knex } from 'knex';
import { bootTestApp, type TestApp } from '../support/app.js';
import { usingPostgres } from '../support/database.js';
import { runDti, startDti, type DtiProcess } from '../support/processes.js';
import { DEMO_PASSWORD } from '../../server/demo/demo-province.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/** The child processes connect under this application_name (DB_APPLICATION_NAME), the test's own pool does not. */
const CHILD = 'dti-test-child';

/** Backends of the child processes waiting for a lock. */
async function blockedBackends(db: Knex, like: string): Promise<number> {
  const r = await db.raw(
    `SELECT count(*)::int AS n FROM pg_stat_activity
      WHERE datname = current_database() AND application_name = ? AND wait_event_type = 'Lock' AND query ILIKE ?`,
    [CHILD, like],
  );
  return r.rows[0].n as number;
}

async function appBackends(db: Knex): Promise<number> {
  const r = await db.raw(
    `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = ?`,
    [CHILD],
  );
  return r.rows[0].n as number;
}

describe('crash safety, two instances and graceful shutdown (PostgreSQL)', function () {
  this.timeout(240_000);
  let t: TestApp;
  let work: string;
  let env: Record<string, string>;
  const children: DtiProcess[] = [];

  before(async function () {
    if (!usingPostgres()) this.skip();
    t = await bootTestApp();
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'dti-proc-'));
    env = { DATABASE_URL: t.database.url!, DATA_DIR: work, SCHEDULER: 'false', LOG_LEVEL: 'info', DB_APPLICATION_NAME: CHILD };
  });
  afterEach(() => {
    for (const c of children.splice(0)) if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill('SIGKILL');
  });
  after(async () => {
    await t?.close();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it('when `dti compute` is killed with SIGKILL half-way through writing a run, then the previous results stay and the next run succeeds', async () => {
    const db = t.services.db;
    const period = 'DTI-SO-2026-N';
    const periodRow = (await db('periods').where({ code: period }).first())!;
    const before = {
      runs: await db('runs').orderBy('id').select('id', 'status'),
      results: Number((await db('run_results').count('* as n'))[0]!.n),
      nodes: Number((await db('run_node_scores').count('* as n'))[0]!.n),
    };
    const lock = await db.transaction();
    let proc: DtiProcess;
    try {
      // Results are stored in agency_scores (run_results and run_node_scores are views over it, migration 020).
      await lock.raw('LOCK TABLE agency_scores IN EXCLUSIVE MODE');
      proc = startDti(['compute', '--period', period, '--force'], env);
      children.push(proc);
      // The run row (and its layout) are written; the score rows wait for the lock: half-way.
      await until('the computation to block', async () => (await blockedBackends(db, '%agency_scores%')) > 0);
      proc.child.kill('SIGKILL');
      await proc.exited;
    } finally {
      await lock.commit();
    }
    await until('the killed backend to end', async () => (await appBackends(db)) === 0);
    expect(await db('runs').orderBy('id').select('id', 'status')).to.deep.equal(before.runs);
    expect(Number((await db('run_results').count('* as n'))[0]!.n)).to.equal(before.results);
    expect(Number((await db('run_node_scores').count('* as n'))[0]!.n)).to.equal(before.nodes);

    const next = await runDti(['compute', '--period', period, '--force'], env);
    expect(next.code, next.output).to.equal(0);
    expect(next.output).to.match(new RegExp(`${period}: đã tính \\(lần tính #\\d+\\)`));
    expect(await db('runs').count('* as n')).to.deep.equal([{ n: before.runs.length + 1 }]);
    const latest = await db('runs').where({ period_id: periodRow.id }).orderBy('id', 'desc').first();
    expect(latest.id).to.be.greaterThan(Math.max(0, ...before.runs.map((r) => r.id as number)));
    expect(Number((await db('run_node_scores').where({ run_id: latest.id }).count('* as n'))[0]!.n)).to.be.greaterThan(0);
  });

  it('when `dti compute --force` runs without a period, then every period is computed again, and without --force none is', async () => {
    const periods = (await t.services.db('periods').orderBy('id').select('code')).map((p: { code: string }) => p.code);
    const forced = await runDti(['compute', '--force'], env);
    expect(forced.code, forced.output).to.equal(0);
    for (const code of periods) expect(forced.output).to.match(new RegExp(`${code}: đã tính \\(lần tính #\\d+\\)`));
    const again = await runDti(['compute'], env);
    expect(again.code, again.output).to.equal(0);
    expect(again.output).to.not.include('đã tính');
  });

  it('when `dti report` is killed with SIGKILL half-way through writing, then the previous report file is intact and the next run writes a whole one', async () => {
    const out = path.join(work, 'bao-cao.html');
    const first = await runDti(['report', '--period', 'DTI-SO-2025-N', '--format', 'html', '--out', out], env);
    expect(first.code, first.output).to.equal(0);
    const previous = fs.readFileSync(out);
    fs.writeFileSync(out, Buffer.concat([previous, Buffer.from('<!-- bản trước -->')]));
    const marked = fs.readFileSync(out);

    const proc = startDti(['report', '--period', 'DTI-SO-2025-N', '--format', 'html', '--out', out], { ...env, DTI_TEST_PAUSE_AT: 'report-write' });
    children.push(proc);
    await proc.waitFor(/PAUSED report-write/);
    proc.child.kill('SIGKILL');
    await proc.exited;
    expect(fs.readFileSync(out).equals(marked)).to.equal(true);

    const next = await runDti(['report', '--period', 'DTI-SO-2025-N', '--format', 'html', '--out', out], env);
    expect(next.code, next.output).to.equal(0);
    const body = fs.readFileSync(out, 'utf8');
    expect(body).to.include('BÁO CÁO');
    expect(body.trimEnd()).to.match(/<\/html>$/);
  });

  it('when two app instances share one database and the schedule fires, then each period is computed once', async () => {
    const version = `hai-may-${Date.now()}`;
    const common = { ...env, SCHEDULER: 'true', COMPUTE_SCHEDULE: '*/2 * * * * *', PORT: '0', GIT_COMMIT: version };
    const a = startDti(['serve'], common);
    const b = startDti(['serve'], common);
    children.push(a, b);
    await Promise.all([a.waitFor(/đang chạy tại/), b.waitFor(/đang chạy tại/)]);
    const db = t.services.db;
    const periods = (await db('periods').select('id')).length;
    const runsOfVersion = async (): Promise<Array<{ period_id: number; n: number }>> =>
      (await db('runs').where('code_version', 'like', `%+${version}`).groupBy('period_id').select('period_id').count('* as n')).map(
        (r) => ({ period_id: r.period_id as number, n: Number(r.n) }),
      );
    await until('every period to be computed', async () => (await runsOfVersion()).length === periods, 90_000);
    // Several more ticks on both instances: nothing changed, so nothing more is written.
    await sleep(6000);
    const runs = await runsOfVersion();
    expect(runs).to.have.length(periods);
    for (const r of runs) expect(r.n, `period ${r.period_id}`).to.equal(1);
    a.child.kill('SIGTERM');
    b.child.kill('SIGTERM');
    expect((await a.exited).code).to.equal(0);
    expect((await b.exited).code).to.equal(0);
  });

  it('when `dti serve` gets SIGTERM, then it stops taking connections, finishes the request in flight, stops the scheduler, closes the pool and exits 0', async () => {
    const db = t.services.db;
    const proc = startDti(['serve'], { ...env, PORT: '0', SCHEDULER: 'true', SHUTDOWN_GRACE_SECONDS: '60' });
    children.push(proc);
    const port = Number((await proc.waitFor(/localhost:(\d+)/))[1]);
    const base = `http://127.0.0.1:${port}`;
    const login = await fetch(`${base}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username: 'lanhdaotinh', password: DEMO_PASSWORD }),
    });
    expect(login.status).to.equal(303);
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;

    const lock = await db.transaction();
    let inFlight: Promise<Response>;
    try {
      await lock.raw('LOCK TABLE agency_scores IN ACCESS EXCLUSIVE MODE');
      inFlight = fetch(`${base}/rankings`, { headers: { cookie } });
      await until('the request to block', async () => (await blockedBackends(db, '%agency_scores%')) > 0);
      proc.child.kill('SIGTERM');
      await proc.waitFor(/Đang dừng máy chủ/);
      // New connections are refused while the request in flight is still running.
      const refused = await until('new connections to be refused', async () => {
        try {
          await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(2000) });
          return false;
        } catch {
          return true;
        }
      });
      expect(refused).to.equal(true);
      expect(proc.child.exitCode).to.equal(null);
    } finally {
      await lock.commit();
    }
    const res = await inFlight!;
    expect(res.status).to.equal(200);
    expect(await res.text()).to.include('Xếp hạng');
    const { code } = await proc.exited;
    expect(code, proc.output()).to.equal(0);
    const log = proc.output();
    expect(log).to.include('Đã dừng lịch chạy.');
    expect(log).to.include('Đã xử lý xong các yêu cầu đang chạy.');
    expect(log).to.include('Đã đóng kết nối cơ sở dữ liệu.');
    expect(log.indexOf('Đã đóng kết nối cơ sở dữ liệu.')).to.be.greaterThan(log.indexOf('Đã xử lý xong các yêu cầu đang chạy.'));
    expect(await appBackends(db)).to.equal(0);
  });
});
