// Load: concurrent users saving drafts and reading rankings against `dti serve` on PostgreSQL over loopback.
// The bench builds its own province on a throwaway database: the demo, plus BENCH_USERS agencies of the department
// group, each with a reporter, an open draft and a session (written directly, as a login would), so every saving
// connection owns one report and tracks its optimistic version. Half the connections save drafts (the form's POST,
// with its CSRF token), the other half read the rankings page with the period's published results, for
// BENCH_LOAD_SECONDS (default 60). Afterwards every acknowledged save (303) must be in the database: each report's
// version is 1 + its acknowledged saves, its audit trail has one value.update per save, and the stored value is the
// last one acknowledged.
//
//   BENCH_DATABASE_URL   PostgreSQL server to create the bench database on (default postgres://root@127.0.0.1:5432/test)
//   BENCH_LOAD_SECONDS   duration (default 60)
//   BENCH_USERS          concurrent users, half saving and half reading (default 200)
//   BENCH_POOL_MAX       DB_POOL_MAX of the server under test (default 10)
//   BENCH_THINK_SECONDS  a user's mean pause between two requests in the paced phase (default 5)
//   BENCH_WARMUP_SECONDS untimed start of the paced phase, the same users acting (default 5)
//   BENCH_NODE_ARGS      node's own options for the server under test (e.g. --cpu-prof --cpu-prof-dir=/tmp/prof)
//
// Two phases run one after the other against the same server: "paced", where each of the 200 users acts on average
// once every BENCH_THINK_SECONDS, each on its own, as people at a form do (autosave, then reading), which is what the
// p99 target is about; and
// "saturated", where every connection fires its next request the moment the last one is answered — a stress test
// whose latency is only concurrency / throughput (Little's law), recorded to show the ceiling of one instance.
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
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
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 5);

interface Saver {
  cookie: string;
  csrf: string;
  submissionId: number;
  version: number;
  acked: number;
  lastValue: number | null;
  inFlight: number | null;
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
        savers.push({ cookie, csrf, submissionId, version: 1, acked: 0, lastValue: null, inFlight: null, sent: 0 });
      } else {
        readerCookies.push(cookie);
      }
    }
    // Rankings to read: the period's results, published, as the agencies read them (an unpublished run would show
    // them only a notice that nothing is published yet).
    const publisher = await db('users').where({ role: 'admin' }).first('id', 'username', 'full_name', 'agency_id');
    await services.scoring.publish(
      { id: publisher.id, username: publisher.username, fullName: publisher.full_name, role: 'admin', agencyId: publisher.agency_id },
      period.id,
    );

    server = startDti(['serve'], {
      DATABASE_URL: url.toString(),
      PORT: '0',
      HOST: '127.0.0.1',
      SCHEDULER: 'false',
      LOG_LEVEL: 'error',
      NODE_ENV: 'production',
      DB_POOL_MAX: process.env.BENCH_POOL_MAX ?? '10',
    }, process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean));
    const port = Number((await server.waitFor(/localhost:(\d+)/, 120_000))[1]);
    const base = `http://127.0.0.1:${port}`;

    let saveErrors = 0;
    const saveStatuses: Record<string, number> = {};
    let readErrors = 0;
    const rankingsPath = `/rankings?period=${period.id}`;
    /** The form's POST of one save: a new value each time, so every save is a real change. */
    const saveBody = (s: Saver): string => {
      // Counted by saves sent, not acknowledged: after one cut off unanswered, the next still changes the value
      // (a save that changes nothing advances the version without a value.update event).
      s.sent += 1;
      const value = (s.sent * 7) % 1000;
      s.inFlight = value;
      return new URLSearchParams({
        _csrf: s.csrf,
        version: String(s.version),
        [`v[${INDICATOR}][value]`]: String(value),
        [`v[${INDICATOR}][denominator]`]: '1000',
      }).toString();
    };
    const saveAnswered = (s: Saver, status: number): void => {
      if (status === 303) {
        s.version += 1;
        s.acked += 1;
        s.lastValue = s.inFlight;
      } else {
        saveErrors += 1;
        saveStatuses[status] = (saveStatuses[status] ?? 0) + 1;
      }
    };

    /**
     * Paced: each user on its own, as independent people are — a random pause (exponential, mean THINK_SECONDS, so
     * together the users' requests arrive as a Poisson stream), one request, its answer, the next pause. Each user
     * keeps its own connection alive, as a browser does. The same users first act for WARMUP_SECONDS untimed, so
     * the figures are those of a running server, not of its first second (connections to the database opened,
     * code compiled); then every request is timed, for SECONDS. A user stops after its last answer, so no save is
     * left in flight at the end of the phase.
     */
    const pacedPhase = async (): Promise<[Timing, Timing]> => {
      const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
      const saves: number[] = [];
      const reads: number[] = [];
      const timedFrom = performance.now() + WARMUP_SECONDS * 1000;
      const end = timedFrom + SECONDS * 1000;
      const pause = (): Promise<void> =>
        new Promise((resolve) =>
          setTimeout(resolve, Math.min(-Math.log(1 - Math.random()) * THINK_SECONDS * 1000, end - performance.now())),
        );
      const user = async (act: () => Promise<void>): Promise<void> => {
        // The first request after a pause too, so the users do not all start at the same instant.
        for (await pause(); performance.now() < end; await pause()) await act();
      };
      const timed = async (into: number[], req: Request): Promise<number> => {
        const t0 = performance.now();
        const status = await send(agent, port, req);
        if (t0 >= timedFrom) into.push(performance.now() - t0);
        return status;
      };
      await Promise.all([
        ...savers.slice(0, nSavers).map((s) =>
          user(async () => {
            const body = saveBody(s);
            const status = await timed(saves, {
              method: 'POST',
              path: `/submissions/${s.submissionId}/values`,
              headers: { cookie: s.cookie, 'content-type': 'application/x-www-form-urlencoded' },
              body,
            });
            saveAnswered(s, status);
          }),
        ),
        ...readerCookies.map((cookie) =>
          user(async () => {
            const status = await timed(reads, { method: 'GET', path: rankingsPath, headers: { cookie } });
            if (status !== 200) readErrors += 1;
          }),
        ),
      ]);
      agent.destroy();
      return [timing(saves, SECONDS), timing(reads, SECONDS)];
    };

    /** Saturated: every connection fires its next request the moment the last one is answered (autocannon). */
    const saturatedPhase = async (): Promise<[autocannon.Result, autocannon.Result]> => {
      const free = [...savers];
      // autocannon resets a request's context after every request, so each connection is given its report (and
      // each reader its session) once, when the connection is set up.
      const saving = autocannon({
        url: base,
        connections: nSavers,
        duration: SECONDS,
        pipelining: 1,
        // A save that took long is still acknowledged (or not) by its answer; a client-side timeout would leave the
        // version unknown, so the bench waits.
        timeout: 120,
        setupClient: (client) => {
          const s = free.shift();
          if (!s) throw new Error('more saving connections than reports');
          client.setRequests([
            {
              method: 'POST',
              path: `/submissions/${s.submissionId}/values`,
              setupRequest: (req) => ({
                ...req,
                headers: { ...req.headers, cookie: s.cookie, 'content-type': 'application/x-www-form-urlencoded' },
                body: saveBody(s),
              }),
              onResponse: (status) => saveAnswered(s, status),
            },
          ]);
        },
      });
      let nextReader = 0;
      const reading = autocannon({
        url: base,
        connections: readerCookies.length,
        duration: SECONDS,
        timeout: 120,
        setupClient: (client) => {
          const cookie = readerCookies[nextReader++ % readerCookies.length]!;
          client.setRequests([
            {
              method: 'GET',
              path: rankingsPath,
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
    // The paced users wait for every answer, so each report's version is known when the saturated phase starts.
    const [pSave, pRead] = await pacedPhase();
    const [save, read] = await saturatedPhase();

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
      const unanswered = row.version - 1 - s.acked;
      const expected = unanswered === 1 ? s.inFlight : s.lastValue;
      if (unanswered < 0 || unanswered > 1 || events !== row.version - 1 || value !== expected) {
        lost += 1;
        console.log(
          `  report #${s.submissionId}: acknowledged ${s.acked}, version ${row.version}, value.update events ${events}, stored ${value}, expected ${expected}`,
        );
      }
    }
    const acked = savers.reduce((a, s) => a + s.acked, 0);
    // Saves and reads answered otherwise than expected in either phase (counted as they came), and autocannon's
    // connection errors and timeouts in the saturated one; the paced users' own would have failed the run.
    const errors = (r: autocannon.Result, mine: number): number => r.errors + r.timeouts + mine;
    const rows: BenchRow[] = [
      {
        name: `draft save p99, ${USERS} users pausing ${THINK_SECONDS} s`,
        value: pSave.p99,
        unit: 'ms',
        target: `< ${SAVE_TARGET_MS} ms`,
        ok: pSave.p99 < SAVE_TARGET_MS,
        p50: pSave.p50,
        max: pSave.max,
        requests: pSave.count,
        throughput: pSave.throughput,
        seconds: SECONDS,
      },
      {
        name: `rankings read p99, ${USERS} users pausing ${THINK_SECONDS} s`,
        value: pRead.p99,
        unit: 'ms',
        p50: pRead.p50,
        max: pRead.max,
        requests: pRead.count,
        throughput: pRead.throughput,
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
        value: errors(save, saveErrors),
        unit: 'requests',
        target: '0',
        ok: errors(save, saveErrors) === 0,
        statuses: saveStatuses,
      },
      { name: 'acknowledged saves missing afterwards', value: lost, unit: 'reports', target: '0', ok: lost === 0 },
      {
        name: 'rankings read errors',
        value: errors(read, readErrors),
        unit: 'requests',
        target: '0',
        ok: errors(read, readErrors) === 0,
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

interface Timing {
  p50: number;
  p99: number;
  max: number;
  count: number;
  /** Requests per second over the phase. */
  throughput: number;
}

/** Percentiles (nearest rank) of latencies in ms, rounded to 0.1 ms. */
function timing(ms: number[], seconds: number): Timing {
  const sorted = [...ms].sort((a, b) => a - b);
  const at = (p: number): number => {
    if (!sorted.length) return NaN;
    return Math.round(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]! * 10) / 10;
  };
  return { p50: at(50), p99: at(99), max: at(100), count: sorted.length, throughput: Math.round((sorted.length / seconds) * 10) / 10 };
}

interface Request {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

/** One HTTP request on a keep-alive agent; resolves with the status once the whole answer is read. */
function send(agent: http.Agent, port: number, req: Request): Promise<number> {
  return new Promise((resolve, reject) => {
    const r = http.request(
      { agent, host: '127.0.0.1', port, method: req.method, path: req.path, headers: req.headers },
      (res) => {
        res.on('data', () => {});
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      },
    );
    r.on('error', reject);
    r.end(req.body);
  });
}
