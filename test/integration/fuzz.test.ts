// Random and hostile bodies thrown at every state-changing route of the route table (enumerated, so a route added
// later is fuzzed without touching this file): wrong types, huge strings, prototype-pollution keys, unicode,
// nested objects, arrays where strings are expected, as forms, JSON and raw text. Each request is sent by a user
// the route admits (with a valid CSRF header), so the bodies reach validation. No answer may be a 5xx or carry a
// stack trace, a refused request (4xx) must leave the database as it was, and Object.prototype stays clean.
import { expect } from 'chai';
import fc from 'fast-check';
import type { Express } from 'express';
import supertest from 'supertest';
import { bootTestApp, Client, DEMO_USER_OF_ROLE, type TestApp } from '../support/app.js';
import { agencyId, periodId, submissionId, userId } from '../support/builders.js';
import { routeTable } from '../../server/app.js';
import { can, ROLES, type Actor, type Role } from '../../server/auth/policy.js';
import type { Db } from '../../server/db/database.js';
import { UPLOAD_ROUTES } from '../../server/http/uploads.js';

const USER_OF: Record<Role, string> = DEMO_USER_OF_ROLE;
/** Total requests, spread over the routes. */
const TOTAL_RUNS = Number(process.env.FUZZ_RUNS ?? 300);

const FIELDS = [
  'username', 'password', 'next', 'version', 'v', 'values', 'docNumber', 'indicator', 'issuedOn', 'summary', 'issuer',
  'reason', 'value', 'denominator', 'option', 'comment', 'name', 'scope', 'agencyCode', 'days', 'file', 'period',
];
const HOSTILE_STRINGS = [
  '', ' ', '<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', "' OR 1=1 --", '=HYPERLINK("http://x")',
  '+1', '-1', '@SUM(A1)', '\u0000', 'a\u0000b', '\ud800', '\udfff', 'x'.repeat(70_000), '../../../etc/passwd', '1e309',
  'NaN', 'Infinity', '-0', '0x10', '١٢٣', '１２３', 'Đ̛̣', '😀'.repeat(50), '\u202e', '%00', '{{7*7}}', '${7*7}', 'null',
  'true', '[]', '{}', '__proto__', 'HDCQS.2', 'NLS.1', '1', '0', '9', '10', '2026-02-30', '99999999999999999999999',
];

const key = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...FIELDS) },
  { weight: 1, arbitrary: fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty') },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
);
const text = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
  { weight: 2, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) },
);
const leaf = fc.oneof(text, fc.integer(), fc.double(), fc.boolean(), fc.constant(null));
const { value } = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(key, tie('value'), { maxKeys: 4 }),
  ),
}));
/** Values keyed like the submission forms, so the value validation itself is exercised. */
const indicatorValues = fc.dictionary(
  fc.constantFrom('HDCQS.2', 'NLS.1', 'CDCQS.1', 'KHONGCO', '__proto__'),
  fc.oneof(value, fc.record({ value: leaf, denominator: leaf, option: leaf, comment: leaf }, { requiredKeys: [] })),
  { maxKeys: 3 },
);
const body = fc
  .tuple(
    fc.dictionary(key, value, { maxKeys: 6 }),
    fc.record({ version: fc.oneof(leaf, fc.constant('CURRENT')), v: indicatorValues, values: indicatorValues }, { requiredKeys: [] }),
  )
  .map(([a, b]) => ({ ...a, ...b }) as Record<string, unknown>);
const request = fc.record({
  encoding: fc.constantFrom('form', 'form', 'json', 'json', 'raw'),
  /** On a route that takes uploads, form bodies go as multipart with this file (any content, any field name). */
  upload: fc.record({
    field: fc.constantFrom('file', 'items[HDCQS.2][file]', 'items[NLS.1][file]', 'items[__proto__][file]', 'x', 'items'),
    name: fc.constantFrom('a.pdf', 'quyết định.pdf', '../../etc/passwd', '<img src=x>.png', ''),
    data: fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.constant(new Uint8Array(Buffer.from('%PDF-1.4\n%%EOF\n')))),
  }),
  body,
  raw: fc.oneof(
    fc.string({ maxLength: 200 }),
    fc.constantFrom(
      '__proto__[polluted]=1',
      'constructor[prototype][polluted]=1',
      'v[HDCQS.2][value][]=1&v[HDCQS.2][value][]=2',
      'version[]=1&version[]=2',
      'v[__proto__][polluted]=1',
      'a[b][c][d][e][f][g][h][i][j][k][l][m][n]=1',
      '%E0%A4%A=1',
      'version=1&'.repeat(6000),
    ),
  ),
});

/** A body as the name/value pairs of a form (nested objects and arrays in bracket notation). */
function formPairs(v: unknown, name: string, out: Array<[string, string]> = []): Array<[string, string]> {
  if (v !== null && typeof v === 'object') {
    for (const [k, child] of Object.entries(v)) formPairs(child, name ? `${name}[${k}]` : k, out);
  } else if (name) out.push([name, v === null ? '' : String(v)]);
  return out;
}

/**
 * Per table: row count and the newest row version (max xmin). Any committed insert, update or delete changes one
 * of them, so equal fingerprints mean nothing was written. Sessions and sign-in counters are left out: a refused
 * sign-in is meant to count, and its lockout to be audited.
 */
async function fingerprint(db: Db): Promise<Record<string, string>> {
  const tables = (
    await db.raw(
      `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = current_schema() AND c.relkind = 'r'
          AND c.relname NOT IN ('sessions', 'login_throttle', 'knex_migrations', 'knex_migrations_lock') ORDER BY 1`,
    )
  ).rows as Array<{ name: string }>;
  const parts = tables.map(({ name }) =>
    name === 'audit_events'
      ? `SELECT '${name}' AS t, count(*)::text || '/' || coalesce(max(xmin::text::bigint), 0)::text AS f FROM audit_events WHERE action NOT LIKE 'auth.%'`
      : `SELECT '${name}' AS t, count(*)::text || '/' || coalesce(max(xmin::text::bigint), 0)::text AS f FROM "${name}"`,
  );
  const rows = (await db.raw(parts.join(' UNION ALL '))).rows as Array<{ t: string; f: string }>;
  return Object.fromEntries(rows.map((r) => [r.t, r.f]));
}

describe('fuzzing every form and JSON endpoint', function () {
  this.timeout(600_000);
  let t: TestApp;
  let app: Express;
  const clients = new Map<Role, Client>();
  let params: Record<string, string>;
  let snvAgency: number;
  let snv: number;

  before(async () => {
    t = await bootTestApp({ env: { LOGIN_IP_MAX_FAILURES: '100000' } });
    app = t.app;
    const db = t.services.db;
    snv = await submissionId(db, 'SNV', 'DTI-SO-2026-N');
    snvAgency = await agencyId(db, 'SNV');
    const evidence = await db('evidence').where({ submission_id: snv }).first('id');
    for (const role of ROLES) clients.set(role, await Client.login(app, USER_OF[role]));
    const admin = clients.get('admin')!;
    await admin.post('/admin/tokens', { name: 'Mã thử', scope: 'results.read' });
    const token = await db('api_tokens').first('id');
    params = {
      id: String(snv),
      periodId: String(await periodId(db, 'DTI-SO-2026-N')),
      agencyId: String(snvAgency),
      evidenceId: String(evidence?.id ?? 1),
      // Ending the sessions of the leader does not sign out any client the fuzz posts with.
      userId: String(await userId(db, 'lanhdaotinh')),
      tokenId: String(token?.id ?? 1),
      periodCode: 'DTI-SO-2026-N',
      agencyCode: 'SNV',
      format: 'html',
      // Unknown ids and days: an allowed request is refused as not found and changes nothing.
      exceptionId: '999999',
      day: '2026-03-03',
    };
  });
  after(async () => t?.close());

  /** The role that sends a route's requests: the first the policy admits on Sở Nội vụ; 'authenticated' → leader. */
  function senderOf(access: string): Role | 'anonymous' {
    if (access === 'public') return 'anonymous';
    if (access === 'authenticated') return 'leader';
    for (const role of ROLES) {
      const actor: Actor = { id: 0, username: '', fullName: '', role, agencyId: snvAgency };
      if (can(actor, access as Parameters<typeof can>[1], snvAgency)) return role;
    }
    throw new Error(`no role may use ${access}`);
  }

  /** A route's path with its parameters filled in: known names get real ids, any other '1'. */
  const pathOf = (pattern: string): string => pattern.replace(/:(\w+)/g, (_m, name: string) => params[name] ?? '1');

  it('when the route table is enumerated, then every state-changing route is fuzzed with a sender the policy admits', () => {
    const routes = routeTable(t.services).filter((r) => r.method !== 'get');
    expect(routes.length).to.be.greaterThan(10);
    for (const r of routes) expect(() => senderOf(r.access), r.path).to.not.throw();
    // The routes of this branch all get real ids (a route added later with a new parameter name gets '1').
    const unknown = routes.flatMap((r) => (r.path.match(/:(\w+)/g) ?? []).map((n) => n.slice(1))).filter((n) => !(n in params));
    if (unknown.length) console.warn(`fuzz: parameters without a real id: ${[...new Set(unknown)].join(', ')}`);
  });

  it('when random and hostile bodies are posted to every state-changing route, then no answer is a 5xx and refused ones change nothing', async () => {
    const routes = routeTable(t.services).filter((r) => r.method !== 'get');
    const perRoute = Math.max(6, Math.floor(TOTAL_RUNS / routes.length));
    const db = t.services.db;
    let known = await fingerprint(db);
    const statuses: Record<string, Record<number, number>> = {};

    for (const route of routes) {
      const path = pathOf(route.path);
      const who = senderOf(route.access);
      const label = `${route.method.toUpperCase()} ${route.path}`;
      const upload = route.method === 'post' && UPLOAD_ROUTES.some((u) => u.path.test(path));
      statuses[label] = {};
      await fc.assert(
        fc.asyncProperty(request, async (req) => {
          const client = who === 'anonymous' ? undefined : clients.get(who)!;
          const agent = client?.agent ?? supertest.agent(app);
          const version = (await db('submissions').where({ id: snv }).first('version')).version as number;
          const payload = { ...req.body };
          if (payload.version === 'CURRENT') payload.version = String(version);
          let test = route.method === 'put' ? agent.put(path) : agent.post(path);
          if (client) test = test.set('x-csrf-token', client.csrf);
          if (req.encoding === 'json') test = test.set('Content-Type', 'application/json').send(JSON.stringify(payload));
          else if (req.encoding === 'raw') test = test.set('Content-Type', 'application/x-www-form-urlencoded').send(req.raw);
          else if (upload) {
            for (const [k, v] of formPairs(payload, '')) test = test.field(k, v);
            test = test.attach(req.upload.field, Buffer.from(req.upload.data), { filename: req.upload.name || 'x' });
          } else test = test.type('form').send(payload as Record<string, string>);
          const res = await test;

          statuses[label]![res.status] = (statuses[label]![res.status] ?? 0) + 1;
          expect(res.status, `${label} → ${res.status}: ${String(res.text).slice(0, 300)}`).to.be.below(500);
          expect(String(res.text)).to.not.match(/\n\s+at .+:\d+:\d+|node_modules\//);
          expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
          // Work a request started in the background (a report regeneration) is part of what it wrote.
          await t.services.reportRequests.idle();
          const now = await fingerprint(db);
          if (res.status >= 400) {
            expect(now, `${label} refused with ${res.status} but wrote`).to.deep.equal(known);
          } else {
            known = now;
            // A route that may end or replace sessions: the sender signs in again.
            if (client && (route.access === 'authenticated' || route.access === 'security.manage')) {
              clients.set(who as Role, await Client.login(app, USER_OF[who as Role]));
            }
          }
        }),
        { numRuns: perRoute, seed: Number(process.env.FUZZ_SEED ?? 20261122), endOnFailure: true },
      );
    }
    if (process.env.FUZZ_VERBOSE) console.log(statuses);
    // Each route refused at least some bodies: the fuzz reached it rather than bouncing off a login or CSRF wall.
    for (const [label, byStatus] of Object.entries(statuses)) {
      expect(Object.keys(byStatus).map(Number).some((s) => s >= 400 && s !== 401 && s !== 403) || byStatus[303] || byStatus[200], label).to.be.ok;
    }
  });
});
