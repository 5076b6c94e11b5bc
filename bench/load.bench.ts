// Load: concurrent users saving drafts and reading rankings against `dti serve` on PostgreSQL over loopback.
// The bench builds its own province on a throwaway database: the demo, plus BENCH_USERS agencies of the department
// group, each with a reporter, an open draft and a session (written directly, as a login would), so every saving
// connection owns one report and tracks its optimistic version. Half the connections save drafts (the form's POST,
// with its CSRF token), the other half read the rankings page, for BENCH_LOAD_SECONDS (default 60). Afterwards every
// acknowledged save (303) must be in the database: each report's version is 1 + its acknowledged saves, its audit
// trail has one value.update per save, and the stored value is the last one acknowledged.
//
//   BENCH_DATABASE_URL   PostgreSQL server to create the bench database on (default postgres://root@127.0.0.1:5432/test)
//   BENCH_LOAD_SECONDS   duration (default 60)
//   BENCH_USERS          concurrent users, half saving and half reading (default 200)
//   BENCH_POOL_MAX       DB_POOL_MAX of the server under test (default 10)
//   BENCH_THINK_SECONDS  a user's pause between two requests in the paced phase (default 5)
//
// Two phases run one after the other against the same server: "paced", where each of the 200 users acts once every
// BENCH_THINK_SECONDS as people at a form do (autosave, then reading), which is what the p99 target is about; and
// "saturated", where every connection fires its next request the moment the last one is answered — a stress test
// whose latency is only concurrency / throughput (Little's law), recorded to show the ceiling of one instance.
import { createHash, randomBytes } from 'node:crypto';
import autocannon from 'autocannon';
import knexFactory from 'knex';
import type { BenchRow } from './run.js';
import { openDatabase, migrateLatest } from '../server/db/database.js';
import { createServices } from '../server/container.js';
import { loadConfig } from '../server/config.js';
import { seedDemo } from '../server/demo/demo.service.js';
import { startDti } from '../test/support/processes.js';

export const name = 'load';

const SECONDS = Number(process.env.BENCH_LOAD_SECONDS ?? 60);
const USERS = Number(process.env.BENCH_USERS ?? 200);
const SERVER_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://root@127.0.0.1:5432/test';
const INDICATOR = 'HDCQS.2';
const SAVE_TARGET_MS = 100;
const THINK_SECONDS = Number(process.env.BENCH_THINK_SECONDS ?? 5);

interface Saver {
  cookie: string;
  csrf: string;
  submissionId: number;
  version: number;
  acked: number;
  lastValue: number | null;
  inFlight: number | null;
  /** Saves that committed without their answer being counted, when a phase's clients stopped mid-request. */
  unanswered: number;
  /** Saves sent so far; numbers each save's value, so no two saves of a report send the same one. */
  sent: number;
}

export async function run(): Promise<BenchRow[]> {
  const dbName = `dti_bench_${randomBytes(4).toString('hex')}`;
  const admin = knexFactory({ client: 'pg', connection: SERVER_URL, pool: { min: 0, max: 1 } });
  await admin.raw(`CREATE DATABASE ${dbName}`);
  const url = new URL(SERVER_URL);
  url.pathname = `/${dbName}`;
  const db = openDatabase({ url: url.toString(), poolMax: 5 });
  let server: ReturnType<typeof startDti> | undefined;
  try {
    await migrateLatest(db);
    const config = loadConfig({ NODE_ENV: 'production', SCHEDULER: 'false', LOG_LEVEL: 'silent' });
    const services = createServices(db, config);
    await seedDemo(services, { currentYear: new Date().getFullYear() });

    // The dataset: agencies, reporters, open drafts and sessions.
    const periods = await services.periods.list();
    const period = periods.find((p) => p.code.startsWith('DTI-SO-') && services.periods.isOpen(p));
    if (!period) throw new Error('no open period of the departments framework: the bench needs one');
    const group = (await services.agencies.listGroups()).find((g) => g.code === 'so-nganh')!;
    const passwordHash = (await db('users').first('password_hash')).password_hash as string;
    const savers: Saver[] = [];
    const readerCookies: string[] = [];
    const expires = new Date(Date.now() + 6 * 3600_000);
    const nSavers = Math.ceil(USERS / 2);
    // Spare reports, in case autocannon sets up more clients than connections: a report must never be shared by
    // two connections (its version would go stale).
    const SPARE = 4;
    for (let i = 0; i < USERS + SPARE; i += 1) {
      const agencyId = await services.agencies.createAgency({
        code: `BENCH${i}`,
        name: `Đơn vị thử tải ${i}`,
        kind: 'department',
        parentId: null,
        rankingGroupId: group.id,
      });
      const [u] = await db('users')
        .insert({ username: `bench${i}`, full_name: `Người dùng thử tải ${i}`, password_hash: passwordHash, role: 'reporter', agency_id: agencyId })
        .returning('id');
      const userId = (u as { id: number }).id;
      const token = randomBytes(32).toString('base64url');
      const csrf = randomBytes(24).toString('base64url');
      await db('sessions').insert({ id: createHash('sha256').update(token).digest('hex'), user_id: userId, csrf_token: csrf, expires_at: expires });
      const cookie = `dti_sid=${token}`;
      if (i < nSavers + SPARE) {
        const actor = { id: userId, username: `bench${i}`, fullName: '', role: 'reporter' as const, agencyId };
        const submissionId = await services.submissions.open(actor, period.id, agencyId);
        savers.push({ cookie, csrf, submissionId, version: 1, acked: 0, lastValue: null, inFlight: null, unanswered: 0, sent: 0 });
      } else {
        readerCookies.push(cookie);
      }
    }
    // Rankings to read: a computed run of the period.
    await services.scoring.computePeriod(period.id, { trigger: 'cli', force: true });

    server = startDti(['serve'], {
      DATABASE_URL: url.toString(),
      PORT: '0',
      HOST: '127.0.0.1',
      SCHEDULER: 'false',
      LOG_LEVEL: 'error',
      NODE_ENV: 'production',
      DB_POOL_MAX: process.env.BENCH_POOL_MAX ?? '10',
    });
    const port = Number((await server.waitFor(/localhost:(\d+)/, 120_000))[1]);
    const base = `http://127.0.0.1:${port}`;

    let saveErrors = 0;
    const saveStatuses: Record<string, number> = {};
    let readErrors = 0;
    /** One phase: every saver and reader connected; `rate` caps each side's requests per second (paced users). */
    const phase = async (rate: number | undefined): Promise<[autocannon.Result, autocannon.Result]> => {
      const free = [...savers];
      /** The save request of one connection: it owns one report and follows its version. */
      const saveRequest = (s: Saver): autocannon.Request => ({
        method: 'POST',
        path: `/submissions/${s.submissionId}/values`,
        setupRequest: (req) => {
          // A new value each time (0..999 of 1000 documents), so every save is a real change.
          // Counted by saves sent, not acknowledged: after one cut off unanswered, the next still changes the value
          // (a save that changes nothing advances the version without a value.update event).
          s.sent += 1;
          const value = (s.sent * 7) % 1000;
          s.inFlight = value;
          const form = new URLSearchParams({
            _csrf: s.csrf,
            version: String(s.version),
            [`v[${INDICATOR}][value]`]: String(value),
            [`v[${INDICATOR}][denominator]`]: '1000',
          });
          return {
            ...req,
            headers: { ...req.headers, cookie: s.cookie, 'content-type': 'application/x-www-form-urlencoded' },
            body: form.toString(),
          };
        },
        onResponse: (status) => {
          if (status === 303) {
            s.version += 1;
            s.acked += 1;
            s.lastValue = s.inFlight;
          } else {
            saveErrors += 1;
            saveStatuses[status] = (saveStatuses[status] ?? 0) + 1;
          }
        },
      });
      // autocannon resets a request's context after every request, so each connection is given its report (and
      // each reader its session) once, when the connection is set up.
      const saving = autocannon({
        url: base,
        connections: nSavers,
        duration: SECONDS,
        pipelining: 1,
        ...(rate ? { overallRate: rate } : {}),
        // A save that took long is still acknowledged (or not) by its answer; a client-side timeout would leave the
        // version unknown, so the bench waits.
        timeout: 120,
        setupClient: (client) => {
          const s = free.shift();
          if (!s) throw new Error('more saving connections than reports');
          client.setRequests([saveRequest(s)]);
        },
      });
      let nextReader = 0;
      const reading = autocannon({
        url: base,
        connections: readerCookies.length,
        duration: SECONDS,
        ...(rate ? { overallRate: rate } : {}),
        timeout: 120,
        setupClient: (client) => {
          const cookie = readerCookies[nextReader++ % readerCookies.length]!;
          client.setRequests([
            {
              method: 'GET',
              path: `/rankings?period=${period.id}`,
              headers: { cookie },
              onResponse: (status) => {
                if (status !== 200) readErrors += 1;
              },
            },
          ]);
        },
      });
      return Promise.all([saving, reading]);
    };
    const paced = await phase((USERS / 2) / THINK_SECONDS);
    // A save in flight when the paced clients stopped may still have committed: each report's version is read back
    // so the next phase does not send a stale one.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    for (const s of savers) {
      const row = await db('submissions').where({ id: s.submissionId }).first('version');
      const extra = (row.version as number) - s.version;
      if (extra > 0) {
        s.unanswered += extra;
        s.lastValue = s.inFlight;
        s.version = row.version as number;
      }
    }
    const [save, read] = await phase(undefined);

    // Every acknowledged save is there. The server stops first (gracefully), so the saves still in flight when
    // the clients stopped have finished: such a save may have committed without its answer being counted, so a
    // report may be one save ahead of what was acknowledged, never behind.
    server.child.kill('SIGTERM');
    await server.exited;
    let lost = 0;
    for (const s of savers) {
      const row = await db('submissions').where({ id: s.submissionId }).first('version');
      const events = Number(
        (await db('audit_events').where({ submission_id: s.submissionId, action: 'value.update' }).count('* as n'))[0]!.n,
      );
      const stored = await db('submission_values as v')
        .join('framework_nodes as n', 'n.id', 'v.node_id')
        .where({ 'v.submission_id': s.submissionId, 'n.code': INDICATOR })
        .first('v.self_value');
      const value = stored ? Number(stored.self_value) : null;
      const unanswered = row.version - 1 - s.acked - s.unanswered;
      const expected = unanswered === 1 ? s.inFlight : s.lastValue;
      if (unanswered < 0 || unanswered > 1 || events !== row.version - 1 || value !== expected) {
        lost += 1;
        console.log(
          `  report #${s.submissionId}: acknowledged ${s.acked}, version ${row.version}, value.update events ${events}, stored ${value}, expected ${expected}`,
        );
      }
    }
    const acked = savers.reduce((a, s) => a + s.acked, 0);
    const errors = (r: autocannon.Result, mine: number): number => r.errors + r.timeouts + mine;
    const [pSave, pRead] = paced;
    const rows: BenchRow[] = [
      {
        name: `draft save p99, ${USERS} users pausing ${THINK_SECONDS} s`,
        value: pSave.latency.p99,
        unit: 'ms',
        target: `< ${SAVE_TARGET_MS} ms`,
        ok: pSave.latency.p99 < SAVE_TARGET_MS,
        p50: pSave.latency.p50,
        throughput: Math.round(pSave.requests.average),
        seconds: SECONDS,
      },
      {
        name: `rankings read p99, ${USERS} users pausing ${THINK_SECONDS} s`,
        value: pRead.latency.p99,
        unit: 'ms',
        p50: pRead.latency.p50,
        throughput: Math.round(pRead.requests.average),
        seconds: SECONDS,
      },
      { name: 'saturated: draft save p50', value: save.latency.p50, unit: 'ms', connections: nSavers, seconds: SECONDS },
      { name: 'saturated: draft save p99', value: save.latency.p99, unit: 'ms', connections: nSavers, seconds: SECONDS },
      { name: 'saturated: draft save throughput', value: Math.round(save.requests.average), unit: 'req/s' },
      { name: 'saturated: rankings read p50', value: read.latency.p50, unit: 'ms', connections: readerCookies.length, seconds: SECONDS },
      { name: 'saturated: rankings read p99', value: read.latency.p99, unit: 'ms', connections: readerCookies.length, seconds: SECONDS },
      { name: 'saturated: rankings read throughput', value: Math.round(read.requests.average), unit: 'req/s' },
      { name: 'draft saves acknowledged', value: acked, unit: 'saves' },
      {
        name: 'draft save errors',
        value: errors(save, saveErrors) + errors(pSave, 0),
        unit: 'requests',
        target: '0',
        ok: errors(save, saveErrors) + errors(pSave, 0) === 0,
        statuses: saveStatuses,
      },
      { name: 'acknowledged saves missing afterwards', value: lost, unit: 'reports', target: '0', ok: lost === 0 },
      {
        name: 'rankings read errors',
        value: errors(read, readErrors) + errors(pRead, 0),
        unit: 'requests',
        target: '0',
        ok: errors(read, readErrors) + errors(pRead, 0) === 0,
      },
    ];
    return rows;
  } finally {
    if (server && server.child.exitCode === null) {
      server.child.kill('SIGTERM');
      await server.exited;
    }
    await db.destroy();
    await admin.raw(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.destroy();
  }
}
