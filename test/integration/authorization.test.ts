// Every route against every role, and the ways around the rules: another agency's ids, a missing or foreign CSRF
// token, unknown and malformed ids, wrong passwords and open redirects. Requests are built so that even an allowed
// one changes nothing (empty or invalid bodies, periods already computed and published), so the matrix can check
// after each request that no data moved.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import supertest from 'supertest';
import { bootTestApp, Client, type TestApp } from '../support/app.js';
import { agencyId, periodId, snapshot, stateOf, submissionId } from '../support/builders.js';
import { routeTable } from '../../server/app.js';
import { DEMO_PASSWORD } from '../../server/demo/demo-province.js';
import { ROLES, can, type Role } from '../../server/auth/policy.js';

const USER_OF: Record<Role, string> = {
  reporter: 'chuyenvien',
  head: 'lanhdao',
  reviewer: 'thamdinh',
  admin: 'quantri',
  leader: 'lanhdaotinh',
};

type Who = Role | 'anonymous';
const EVERYONE: Who[] = [...ROLES, 'anonymous'];

interface Ids {
  /** Sở Nội vụ's report in the open annual period (draft): the demo reporter's and head's own. */
  snv: number;
  /** The open annual period of the departments. */
  open: number;
  /** The 2025 annual period: computed, published, nothing left to change. */
  published: number;
  snvAgency: number;
  openCode: string;
  publishedCode: string;
  /** Sở Nội vụ's archived scorecard of the published period. */
  snvScorecardFile: number;
}

interface RouteCase {
  method: 'get' | 'post' | 'put';
  /** The path as written in the route table. */
  pattern: string;
  path: (ids: Ids) => string;
  body?: (who: Who) => Record<string, unknown>;
  /** Roles that may use the route; 'public' and 'authenticated' as in the route table. */
  allowed: Role[] | 'public' | 'authenticated';
  /** The request ends or replaces the session, so it gets a client of its own. */
  fresh?: boolean;
  /** The request ends every session of the user, so the shared client signs in again afterwards. */
  endsAllSessions?: boolean;
  /** What an allowed role gets, when it is more than "not refused". */
  expect?: (res: supertest.Response, who: Who) => void;
}

const ALL: Role[] = [...ROLES];

const ROUTES: RouteCase[] = [
  { method: 'get', pattern: '/healthz', path: () => '/healthz', allowed: 'public', expect: (r) => expect(r.status).to.equal(200) },
  { method: 'get', pattern: '/readyz', path: () => '/readyz', allowed: 'public', expect: (r) => expect(r.status).to.equal(200) },
  {
    method: 'get',
    pattern: '/',
    path: () => '/',
    allowed: 'public',
    expect: (r, who) => {
      expect(r.status).to.equal(303);
      if (who === 'anonymous') expect(r.headers.location).to.equal('/login');
      else expect(r.headers.location).to.not.equal('/login');
    },
  },
  { method: 'get', pattern: '/login', path: () => '/login', allowed: 'public', expect: (r) => expect(r.status).to.equal(200) },
  {
    method: 'post',
    pattern: '/login',
    path: () => '/login',
    body: (who) => ({ username: who === 'anonymous' ? 'chuyenvien' : USER_OF[who], password: DEMO_PASSWORD }),
    allowed: 'public',
    fresh: true,
    expect: (r) => expect(r.status).to.equal(303),
  },
  {
    method: 'post',
    pattern: '/logout',
    path: () => '/logout',
    allowed: 'authenticated',
    fresh: true,
    expect: (r) => {
      expect(r.status).to.equal(303);
      expect(r.headers.location).to.equal('/login');
    },
  },
  {
    method: 'get',
    pattern: '/submissions',
    path: () => '/submissions',
    allowed: ALL,
    expect: (r, who) => expect(r.status).to.equal(who === 'reporter' || who === 'head' ? 200 : 303),
  },
  {
    // Opening the report of a period that already has one only leads to it.
    method: 'post',
    pattern: '/periods/:periodId/submissions',
    path: (ids) => `/periods/${ids.open}/submissions`,
    allowed: ['reporter', 'head'],
    expect: (r, _who) => expect(r.status).to.equal(303),
  },
  { method: 'get', pattern: '/submissions/:id', path: (ids) => `/submissions/${ids.snv}`, allowed: ALL, expect: (r) => expect(r.status).to.equal(200) },
  // Without a version, every change is refused as invalid before anything is written.
  { method: 'post', pattern: '/submissions/:id/values', path: (ids) => `/submissions/${ids.snv}/values`, allowed: ['reporter', 'head'], expect: (r) => expect(r.status).to.equal(400) },
  { method: 'post', pattern: '/submissions/:id/evidence', path: (ids) => `/submissions/${ids.snv}/evidence`, allowed: ['reporter', 'head'], expect: (r) => expect(r.status).to.equal(400) },
  {
    method: 'post',
    pattern: '/submissions/:id/evidence/:evidenceId/delete',
    path: (ids) => `/submissions/${ids.snv}/evidence/1/delete`,
    allowed: ['reporter', 'head'],
    expect: (r) => expect(r.status).to.equal(400),
  },
  { method: 'post', pattern: '/submissions/:id/submit', path: (ids) => `/submissions/${ids.snv}/submit`, allowed: ['head'], expect: (r) => expect(r.status).to.equal(400) },
  { method: 'get', pattern: '/review', path: () => '/review', allowed: ['reviewer', 'admin'], expect: (r) => expect(r.status).to.equal(200) },
  // The report is a draft, so the Department's decisions are invalid transitions (409), never performed.
  { method: 'post', pattern: '/submissions/:id/return', path: (ids) => `/submissions/${ids.snv}/return`, body: () => ({ reason: 'Thử' }), allowed: ['reviewer', 'admin'], expect: (r) => expect(r.status).to.equal(409) },
  { method: 'post', pattern: '/submissions/:id/approve', path: (ids) => `/submissions/${ids.snv}/approve`, allowed: ['reviewer', 'admin'], expect: (r) => expect(r.status).to.equal(409) },
  {
    method: 'post',
    pattern: '/submissions/:id/appraise',
    path: (ids) => `/submissions/${ids.snv}/appraise`,
    body: () => ({ indicator: 'HDCQS.2', value: '1', denominator: '2', reason: 'Thử' }),
    allowed: ['reviewer', 'admin'],
    expect: (r) => expect(r.status).to.equal(409),
  },
  { method: 'get', pattern: '/rankings', path: () => '/rankings', allowed: ALL, expect: (r) => expect(r.status).to.equal(200) },
  {
    method: 'get',
    pattern: '/rankings/:periodId/agencies/:agencyId',
    path: (ids) => `/rankings/${ids.published}/agencies/${ids.snvAgency}`,
    allowed: ALL,
    expect: (r) => {
      expect(r.status).to.equal(200);
      expect(r.text).to.include('Sở Nội vụ');
    },
  },
  {
    // The published period's inputs have not changed: the run is "unchanged", nothing is written.
    method: 'post',
    pattern: '/periods/:periodId/runs',
    path: (ids) => `/periods/${ids.published}/runs`,
    allowed: ['admin'],
    expect: (r) => expect(r.headers.location).to.match(/msg=unchanged$/),
  },
  {
    method: 'post',
    pattern: '/periods/:periodId/publish',
    path: (ids) => `/periods/${ids.published}/publish`,
    allowed: ['admin'],
    expect: (r) => expect(r.status).to.equal(409),
  },
  {
    method: 'get',
    pattern: '/reports/:periodId/bao-cao.:format',
    path: (ids) => `/reports/${ids.published}/bao-cao.html`,
    allowed: ['reviewer', 'admin', 'leader'],
    expect: (r) => {
      expect(r.status).to.equal(200);
      expect(r.text).to.include('BÁO CÁO');
    },
  },  // Notifications: everyone has their own; one of no such id (or someone else's) is not found.
  { method: 'get', pattern: '/notifications', path: () => '/notifications', allowed: ALL, expect: (r) => expect(r.status).to.equal(200) },
  { method: 'post', pattern: '/notifications/:id/read', path: () => '/notifications/999999/read', allowed: ALL, expect: (r) => expect(r.status).to.equal(404) },
  { method: 'post', pattern: '/notifications/read-all', path: () => '/notifications/read-all', allowed: ALL, expect: (r) => expect(r.status).to.equal(303) },
  // Appeals: the 2025 results were published "today", so the head may open the form; an empty filing is invalid.
  { method: 'get', pattern: '/appeals', path: () => '/appeals', allowed: ['reporter', 'head', 'reviewer', 'admin'], expect: (r) => expect(r.status).to.equal(200) },
  {
    method: 'get',
    pattern: '/periods/:periodId/appeals/new',
    path: (ids) => `/periods/${ids.published}/appeals/new`,
    allowed: ['head'],
    expect: (r) => expect(r.status).to.equal(200),
  },
  {
    method: 'get',
    pattern: '/rankings/:periodId/uncertainty',
    path: (ids) => `/rankings/${ids.published}/uncertainty?draws=40`,
    allowed: ALL,
    expect: (r) => {
      expect(r.status).to.equal(200);
      expect(r.text).to.include('Khoảng xếp hạng');
    },
  },
  {
    method: 'post',
    pattern: '/periods/:periodId/agencies/:agencyId/appeals',
    path: (ids) => `/periods/${ids.published}/agencies/${ids.snvAgency}/appeals`,
    allowed: ['head'],
    expect: (r) => expect(r.status).to.equal(400),
  },
  { method: 'get', pattern: '/appeals/:id', path: () => '/appeals/999999', allowed: ['reporter', 'head', 'reviewer', 'admin'], expect: (r) => expect(r.status).to.equal(404) },
  // The file of an appeal's evidence: the appeal's readers get 404 for an appeal that does not exist (appeal-files.test.ts
  // covers the real file and another agency's users).
  {
    method: 'get',
    pattern: '/appeals/:id/evidence/:evidenceId/file',
    path: () => '/appeals/999999/evidence/1/file',
    allowed: ['reporter', 'head', 'reviewer', 'admin'],
    expect: (r) => expect(r.status).to.equal(404),
  },
  { method: 'post', pattern: '/appeals/:id/accept', path: () => '/appeals/999999/accept', allowed: ['admin'], expect: (r) => expect(r.status).to.equal(404) },
  { method: 'post', pattern: '/appeals/:id/reject', path: () => '/appeals/999999/reject', body: () => ({ reason: 'Thử' }), allowed: ['admin'], expect: (r) => expect(r.status).to.equal(404) },
  { method: 'post', pattern: '/appeals/:id/publish', path: () => '/appeals/999999/publish', allowed: ['admin'], expect: (r) => expect(r.status).to.equal(404) },
  {
    method: 'get',
    pattern: '/periods/:periodId/runs/compare',
    path: (ids) => `/periods/${ids.published}/runs/compare`,
    allowed: ['reviewer', 'admin'],
    expect: (r) => expect(r.status).to.equal(200),
  },
  // The reporting cycle (h-cycle): autosave and heartbeat, the calendar admin, the dashboard and the audit trail.
  // Empty bodies are refused as invalid and unknown ids are not found, so an allowed request changes nothing.
  { method: 'post', pattern: '/api/submissions/:id/values', path: (ids) => `/api/submissions/${ids.snv}/values`, allowed: ['reporter', 'head'], expect: (r) => expect(r.status).to.equal(400) },
  {
    method: 'post',
    pattern: '/api/submissions/:id/presence',
    path: (ids) => `/api/submissions/${ids.snv}/presence`,
    allowed: ALL,
    expect: (r) => {
      expect(r.status).to.equal(200);
      expect(r.body.version).to.be.a('number');
    },
  },
  { method: 'get', pattern: '/admin/periods', path: () => '/admin/periods', allowed: ['admin'], expect: (r) => expect(r.status).to.equal(200) },
  { method: 'post', pattern: '/admin/periods', path: () => '/admin/periods', allowed: ['admin'], expect: (r) => expect(r.status).to.equal(400) },
  { method: 'get', pattern: '/admin/periods/:periodId', path: (ids) => `/admin/periods/${ids.open}`, allowed: ['admin'], expect: (r) => expect(r.status).to.equal(200) },
  { method: 'post', pattern: '/admin/periods/:periodId', path: (ids) => `/admin/periods/${ids.open}`, allowed: ['admin'], expect: (r) => expect(r.status).to.equal(400) },
  { method: 'post', pattern: '/admin/periods/:periodId/exceptions', path: (ids) => `/admin/periods/${ids.open}/exceptions`, allowed: ['admin'], expect: (r) => expect(r.status).to.equal(400) },
  {
    method: 'post',
    pattern: '/admin/periods/:periodId/exceptions/:exceptionId/revoke',
    path: (ids) => `/admin/periods/${ids.open}/exceptions/999999/revoke`,
    allowed: ['admin'],
    expect: (r) => expect(r.status).to.equal(404),
  },
  { method: 'get', pattern: '/admin/holidays', path: () => '/admin/holidays', allowed: ['admin'], expect: (r) => expect(r.status).to.equal(200) },
  { method: 'post', pattern: '/admin/holidays', path: () => '/admin/holidays', allowed: ['admin'], expect: (r) => expect(r.status).to.equal(400) },
  { method: 'post', pattern: '/admin/holidays/:day/delete', path: () => '/admin/holidays/2026-03-03/delete', allowed: ['admin'], expect: (r) => expect(r.status).to.equal(404) },
  { method: 'get', pattern: '/dashboard', path: () => '/dashboard', allowed: ['reviewer', 'admin', 'leader'], expect: (r) => expect(r.status).to.equal(200) },
  {
    method: 'get',
    pattern: '/dashboard/:periodId/export.:format',
    path: (ids) => `/dashboard/${ids.open}/export.csv`,
    allowed: ['reviewer', 'admin', 'leader'],
    expect: (r) => {
      expect(r.status).to.equal(200);
      expect(r.text).to.include('Sở Nội vụ');
    },
  },
  { method: 'get', pattern: '/submissions/:id/audit', path: (ids) => `/submissions/${ids.snv}/audit`, allowed: ['reporter', 'head', 'reviewer', 'admin'], expect: (r) => expect(r.status).to.equal(200) },
  { method: 'get', pattern: '/agencies/:agencyId/audit', path: (ids) => `/agencies/${ids.snvAgency}/audit`, allowed: ['reporter', 'head', 'reviewer', 'admin'], expect: (r) => expect(r.status).to.equal(200) },
  // Evidence files and the Excel round trip: without a version or a file, an allowed upload is refused as invalid.
  { method: 'post', pattern: '/submissions/:id/evidence-files', path: (ids) => `/submissions/${ids.snv}/evidence-files`, allowed: ['reporter', 'head'], expect: (r) => expect(r.status).to.equal(400) },
  {
    // The demo's evidence are document references without a file: nothing to download, for those who may read.
    method: 'get',
    pattern: '/submissions/:id/evidence/:evidenceId/file',
    path: (ids) => `/submissions/${ids.snv}/evidence/1/file`,
    allowed: ALL,
    expect: (r) => expect(r.status).to.equal(404),
  },
  {
    method: 'get',
    pattern: '/submissions/:id/workbook.xlsx',
    path: (ids) => `/submissions/${ids.snv}/workbook.xlsx`,
    allowed: ['reporter', 'head'],
    expect: (r) => {
      expect(r.status).to.equal(200);
      expect(r.headers['content-type']).to.equal('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    },
  },
  { method: 'post', pattern: '/submissions/:id/workbook', path: (ids) => `/submissions/${ids.snv}/workbook`, allowed: ['reporter', 'head'], expect: (r) => expect(r.status).to.equal(400) },
  // The admin's screens; posts with empty forms are refused as invalid (every real change is audited, so the
  // audit count in the fingerprint would show one).
  { method: 'get', pattern: '/admin/agencies', path: () => '/admin/agencies', allowed: ['admin'], expect: (r) => expect(r.status).to.equal(200) },
  { method: 'get', pattern: '/admin/agencies/new', path: () => '/admin/agencies/new', allowed: ['admin'], expect: (r) => expect(r.status).to.equal(200) },
  { method: 'post', pattern: '/admin/agencies', path: () => '/admin/agencies', allowed: ['admin'], expect: (r) => expect(r.status).to.equal(400) },
  { method: 'get', pattern: '/admin/agencies/:id', path: (ids) => `/admin/agencies/${ids.snvAgency}`, allowed: ['admin'], expect: (r) => expect(r.status).to.equal(200) },
  { method: 'post', pattern: '/admin/agencies/:id', path: (ids) => `/admin/agencies/${ids.snvAgency}`, allowed: ['admin'], expect: (r) => expect(r.status).to.equal(400) },
  { method: 'get', pattern: '/admin/users', path: () => '/admin/users', allowed: ['admin'], expect: (r) => expect(r.status).to.equal(200) },
  { method: 'get', pattern: '/admin/users/new', path: () => '/admin/users/new', allowed: ['admin'], expect: (r) => expect(r.status).to.equal(200) },
  { method: 'post', pattern: '/admin/users', path: () => '/admin/users', allowed: ['admin'], expect: (r) => expect(r.status).to.equal(400) },
  { method: 'get', pattern: '/admin/users/:id', path: () => '/admin/users/1', allowed: ['admin'], expect: (r) => expect(r.status).to.equal(200) },
  { method: 'post', pattern: '/admin/users/:id', path: () => '/admin/users/1', allowed: ['admin'], expect: (r) => expect(r.status).to.equal(400) },
  { method: 'post', pattern: '/admin/users/:id/password', path: () => '/admin/users/1/password', body: () => ({ password: 'ngan' }), allowed: ['admin'], expect: (r) => expect(r.status).to.equal(400) },
  { method: 'get', pattern: '/admin/import', path: () => '/admin/import', allowed: ['admin'], expect: (r) => expect(r.status).to.equal(200) },
  { method: 'post', pattern: '/admin/import', path: () => '/admin/import', allowed: ['admin'], expect: (r) => expect(r.status).to.equal(400) },
  {
    method: 'get',
    pattern: '/reports/:periodId/bao-cao',
    path: (ids) => `/reports/${ids.published}/bao-cao`,
    allowed: ['reviewer', 'admin', 'leader'],
    expect: (r) => {
      expect(r.status).to.equal(200);
      expect(r.text).to.include('/static/vendor/chart.umd.js');
    },
  },
  {
    // The demo reporter's and head's own agency: they may read its scorecard.
    method: 'get',
    pattern: '/reports/:periodId/agencies/:agencyId/phieu-diem.:format',
    path: (ids) => `/reports/${ids.published}/agencies/${ids.snvAgency}/phieu-diem.html`,
    allowed: ALL,
    expect: (r) => {
      expect(r.status).to.equal(200);
      expect(r.text).to.include('PHIẾU ĐIỂM');
      expect(r.text).to.include('Sở Nội vụ');
    },
  },
  {
    method: 'get',
    pattern: '/reports/:periodId/agencies/:agencyId/phieu-diem',
    path: (ids) => `/reports/${ids.published}/agencies/${ids.snvAgency}/phieu-diem`,
    allowed: ALL,
    expect: (r) => expect(r.status).to.equal(200),
  },
  { method: 'get', pattern: '/reports', path: () => '/reports', allowed: ALL, expect: (r) => expect(r.status).to.equal(200) },
  {
    method: 'get',
    pattern: '/reports/archive/:id',
    path: (ids) => `/reports/archive/${ids.snvScorecardFile}`,
    allowed: ALL,
    expect: (r) => {
      expect(r.status).to.equal(200);
      expect(r.headers['content-disposition']).to.include('phieu-diem-');
    },
  },
  {
    // Regenerating queues a request whose job archives new files (neither in the fingerprint) and changes no data.
    method: 'post',
    pattern: '/reports/:periodId/regenerate',
    path: (ids) => `/reports/${ids.published}/regenerate`,
    allowed: ['admin'],
    expect: (r) => {
      expect(r.status).to.equal(303);
      expect(r.headers.location).to.equal('/reports?msg=report-queued');
    },
  },
  {
    method: 'get',
    pattern: '/periods/:periodId/exemptions',
    path: (ids) => `/periods/${ids.open}/exemptions`,
    allowed: ['admin'],
    expect: (r) => {
      expect(r.status).to.equal(200);
      expect(r.text).to.include('Chỉ số không áp dụng cho đơn vị');
    },
  },
  // Without an agency the decision names nothing to exempt: 404, nothing written.
  { method: 'post', pattern: '/periods/:periodId/exemptions', path: (ids) => `/periods/${ids.open}/exemptions`, allowed: ['admin'], expect: (r) => expect(r.status).to.equal(404) },
  { method: 'post', pattern: '/periods/:periodId/exemptions/delete', path: (ids) => `/periods/${ids.open}/exemptions/delete`, allowed: ['admin'], expect: (r) => expect(r.status).to.equal(404) },
];

// Issue 6: security screens and the JSON API.
ROUTES.push(
  {
    method: 'post',
    pattern: '/account/sessions/end',
    path: () => '/account/sessions/end',
    allowed: 'authenticated',
    fresh: true,
    endsAllSessions: true,
    expect: (r) => {
      expect(r.status).to.equal(303);
      expect(r.headers.location).to.equal('/login');
    },
  },
  {
    method: 'get',
    pattern: '/admin/security',
    path: () => '/admin/security',
    allowed: ['admin'],
    expect: (r) => {
      expect(r.status).to.equal(200);
      expect(r.text).to.include('Mã API');
    },
  },
  // An empty form is invalid: nothing is created.
  { method: 'post', pattern: '/admin/tokens', path: () => '/admin/tokens', allowed: ['admin'], expect: (r) => expect(r.status).to.equal(400) },
  { method: 'post', pattern: '/admin/tokens/:tokenId/revoke', path: () => '/admin/tokens/999999/revoke', allowed: ['admin'], expect: (r) => expect(r.status).to.equal(404) },
  {
    method: 'post',
    pattern: '/admin/users/:userId/sessions/end',
    path: () => '/admin/users/999999/sessions/end',
    allowed: ['admin'],
    expect: (r) => expect(r.status).to.equal(404),
  },
  {
    method: 'get',
    pattern: '/api/v1/periods/:periodCode/results',
    path: (ids) => `/api/v1/periods/${ids.publishedCode}/results`,
    allowed: ALL,
    expect: (r) => {
      expect(r.status).to.equal(200);
      expect(r.body.publication.number).to.be.a('number');
    },
  },
  {
    method: 'get',
    pattern: '/api/v1/periods/:periodCode/agencies/:agencyCode/values',
    path: (ids) => `/api/v1/periods/${ids.openCode}/agencies/SNV/values`,
    allowed: ALL,
    expect: (r) => {
      expect(r.status).to.equal(200);
      expect(r.body.agency.code).to.equal('SNV');
    },
  },
  {
    // The report exists already: opening it only names it.
    method: 'post',
    pattern: '/api/v1/periods/:periodCode/agencies/:agencyCode/submission',
    path: (ids) => `/api/v1/periods/${ids.openCode}/agencies/SNV/submission`,
    allowed: ['reporter', 'head'],
    expect: (r) => expect(r.status).to.equal(200),
  },
  {
    // Without a version the body is invalid: 400 before anything is written.
    method: 'put',
    pattern: '/api/v1/periods/:periodCode/agencies/:agencyCode/values',
    path: (ids) => `/api/v1/periods/${ids.openCode}/agencies/SNV/values`,
    body: () => ({ values: {} }),
    allowed: ['reporter', 'head'],
    expect: (r) => {
      expect(r.status).to.equal(400);
      expect(r.body.error.code).to.equal('validation');
    },
  },
);

const a = (role: string): string => `${/^[aeiou]/.test(role) ? 'an' : 'a'} ${role}`;

const mayUse = (rc: RouteCase, who: Who): boolean => {
  if (rc.allowed === 'public') return true;
  if (who === 'anonymous') return false;
  return rc.allowed === 'authenticated' || rc.allowed.includes(who);
};

describe('authorisation of every route', function () {
  this.timeout(120_000);

  let t: TestApp;
  let ids: Ids;
  const clients = new Map<Role, Client>();

  before(async () => {
    t = await bootTestApp();
    const db = t.services.db;
    ids = {
      snv: await submissionId(db, 'SNV', 'DTI-SO-2026-N'),
      open: await periodId(db, 'DTI-SO-2026-N'),
      published: await periodId(db, 'DTI-SO-2025-N'),
      snvAgency: await agencyId(db, 'SNV'),
      openCode: 'DTI-SO-2026-N',
      publishedCode: 'DTI-SO-2025-N',
      snvScorecardFile: 0,
    };
    // Archived report files go to a directory of this test's own.
    t.services.config.dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dti-authz-'));
    const cli = { id: 0, username: 'cli', fullName: 'Dòng lệnh', role: 'admin' as const, agencyId: null };
    await t.services.reportArchive.generate(cli, ids.published, 'cli');
    ids.snvScorecardFile = Number(
      (await db('report_archive').where({ kind: 'scorecard', agency_id: ids.snvAgency, format: 'html' }).first('id'))!.id,
    );
    for (const role of ROLES) clients.set(role, await Client.login(t.app, USER_OF[role]));
  });

  after(async () => {
    if (t) fs.rmSync(t.services.config.dataDir, { recursive: true, force: true });
    await t?.close();
  });

  /** Everything the matrix could conceivably change. */
  async function fingerprint(): Promise<unknown> {
    const db = t.services.db;
    const count = async (table: string): Promise<number> => Number((await db(table).count('* as n'))[0]!.n);
    return {
      snv: await snapshot(db, ids.snv),
      submissions: await count('submissions'),
      values: await count('submission_values'),
      evidence: await count('evidence'),
      runs: await count('runs'),
      publications: await count('publications'),
      audit: await count('audit_events'),
      periods: await db('periods').orderBy('id').select('*'),
      calendarDays: await count('calendar_days'),
      exceptions: await count('entry_exceptions'),
      returns: await count('submission_returns'),
    };
  }

  async function send(rc: RouteCase, who: Who): Promise<supertest.Response> {
    const path = rc.path(ids);
    const body = rc.body?.(who) ?? {};
    if (who === 'anonymous') {
      const agent = supertest.agent(t.app);
      if (rc.method === 'put') return agent.put(path).send(body);
      return rc.method === 'get' ? agent.get(path) : agent.post(path).type('form').send(body);
    }
    const client = rc.fresh ? await Client.login(t.app, USER_OF[who]) : clients.get(who)!;
    if (rc.endsAllSessions) {
      const res = await client.post(path, body);
      clients.set(who, await Client.login(t.app, USER_OF[who]));
      return res;
    }
    if (rc.method === 'get') return client.get(path);
    if (rc.method === 'put') return client.agent.put(path).set('x-csrf-token', client.csrf).send(body);
    return client.post(path, body);
  }

  it('when the route table is listed, then every route of the application is in this matrix', () => {
    const actual = routeTable(t.services).map((r) => `${r.method.toUpperCase()} ${r.path}`);
    const tested = ROUTES.map((r) => `${r.method.toUpperCase()} ${r.pattern}`);
    expect(tested).to.have.members(actual);
  });

  for (const rc of ROUTES) {
    describe(`${rc.method.toUpperCase()} ${rc.pattern}`, () => {
      for (const who of EVERYONE) {
        const allowed = mayUse(rc, who);
        const outcome = allowed
          ? 'it is served'
          : who === 'anonymous'
            ? rc.pattern.startsWith('/api/') ? 'it is refused with 401' : 'it is sent to the login page'
            : 'it is refused with 403';
        it(`when ${who === 'anonymous' ? 'an anonymous visitor' : a(who)} calls it, then ${outcome} and nothing changes`, async () => {
          const before = await fingerprint();
          const res = await send(rc, who);
          if (allowed) {
            expect(res.status, res.text?.slice(0, 300)).to.be.below(500);
            expect(res.status).to.not.be.oneOf([401, 403]);
            if (res.status === 303) expect(res.headers.location ?? '').to.not.match(/^\/login\?next=/);
            rc.expect?.(res, who);
          } else if (who === 'anonymous' && rc.path(ids).startsWith('/api/')) {
            // A JSON client is told 401, not redirected to a login page it cannot use.
          } else if (who === 'anonymous' && rc.pattern.startsWith('/api/')) {
            expect(res.status).to.equal(401);
            expect(res.body.error.code).to.equal('unauthenticated');
          } else if (who === 'anonymous') {
            expect(res.status).to.equal(303);
            expect(res.headers.location).to.equal(`/login?next=${encodeURIComponent(rc.path(ids))}`);
          } else {
            expect(res.status).to.equal(403);
            expect(res.text).to.include('không được phép');
          }
          expect(await fingerprint()).to.deep.equal(before);
        });
      }
    });
  }

  describe('API tokens against every route', () => {
    const tokens = new Map<string, string>();
    before(async () => {
      const admin = (await t.services.users.findByUsername('quantri'))!;
      tokens.set('results.read', (await t.services.tokens.create(admin, { name: 'Ma tran doc', scope: 'results.read' })).secret);
      tokens.set('values.write', (await t.services.tokens.create(admin, { name: 'Ma tran ghi', scope: 'values.write', agencyCode: 'SNV' })).secret);
    });

    for (const rc of ROUTES) {
      for (const scope of ['results.read', 'values.write']) {
        it(`when a ${scope} token calls ${rc.method.toUpperCase()} ${rc.pattern}, then only what its scope and agency allow is served, and nothing changes`, async () => {
          const route = routeTable(t.services).find((r) => r.method === rc.method && r.path === rc.pattern)!;
          const actor = await t.services.tokens.resolve(tokens.get(scope)!);
          const allowed =
            rc.pattern.startsWith('/api/') &&
            (route.access === 'public' || (route.access !== 'authenticated' && can(actor!, route.access, ids.snvAgency)));
          const path = rc.path(ids);
          const before = await fingerprint();
          const agent = supertest(t.app);
          const req = rc.method === 'get' ? agent.get(path) : rc.method === 'put' ? agent.put(path) : agent.post(path);
          const res = await req.set('Authorization', `Bearer ${tokens.get(scope)}`).send(rc.body?.('anonymous') ?? {});
          if (allowed) {
            expect(res.status, res.text?.slice(0, 300)).to.be.below(500);
            expect(res.status).to.not.be.oneOf([401, 403]);
          } else {
            expect(res.status).to.equal(rc.pattern.startsWith('/api/') ? 403 : 401);
          }
          expect(res.headers['set-cookie'] ?? []).to.deep.equal([]);
          expect(await fingerprint()).to.deep.equal(before);
        });
      }
    }
  });

  describe('answers in JSON', () => {
    it('when an anonymous API caller asks for a protected route, then 401 with a JSON error', async () => {
      const res = await supertest(t.app).get(`/submissions/${ids.snv}`).set('Accept', 'application/json');
      expect(res.status).to.equal(401);
      expect(res.body.error).to.include({ code: 'unauthenticated', message: 'Bạn cần đăng nhập.' });
    });

    it('when a role without the permission asks in JSON, then 403 with a JSON error', async () => {
      const c = clients.get('leader')!;
      const res = await c.agent.post(`/periods/${ids.published}/runs`).set('Accept', 'application/json').set('x-csrf-token', c.csrf);
      expect(res.status).to.equal(403);
      expect(res.body.error.code).to.equal('forbidden');
      expect(res.body.error.message).to.be.a('string').and.match(/không được phép/);
    });
  });

  describe('another agency\'s report', () => {
    let stc: Client;
    before(async () => {
      stc = await Client.login(t.app, 'chuyenvien.stc');
    });

    it('when the reporter of Sở Tài chính opens Sở Nội vụ\'s report, then 403 and none of its data is shown', async () => {
      const res = await stc.get(`/submissions/${ids.snv}`);
      expect(res.status).to.equal(403);
      expect(res.text).to.include('Bạn chỉ được làm việc với số liệu của đơn vị mình.');
      expect(res.text).to.not.include('values-form');
      expect(res.text).to.not.include('Sở Nội vụ');
    });

    const attempts: Array<[string, (v: number) => [string, Record<string, unknown>]]> = [
      ['saves values in it', (v) => [`/submissions/${ids.snv}/values`, { version: v, v: { 'HDCQS.2': { value: '1', denominator: '2' } } }]],
      ['adds evidence to it', (v) => [`/submissions/${ids.snv}/evidence`, { version: v, indicator: 'NLS.1', docNumber: '1/QĐ-STC' }]],
      ['deletes its evidence', (v) => [`/submissions/${ids.snv}/evidence/EVIDENCE/delete`, { version: v }]],
      ['attaches a file to it', (v) => [`/submissions/${ids.snv}/evidence-files`, { version: v, indicator: 'NLS.1' }]],
      ['uploads a workbook to it', () => [`/submissions/${ids.snv}/workbook`, {}]],
    ];
    for (const [what, request] of attempts) {
      it(`when the reporter of Sở Tài chính ${what} with the right version, then 403 and nothing changes`, async () => {
        const db = t.services.db;
        const evidence = await db('evidence').where({ submission_id: ids.snv }).first('id');
        const { version } = await stateOf(db, ids.snv);
        const [path, body] = request(version);
        const before = await fingerprint();
        const res = await stc.post(path.replace('EVIDENCE', String(evidence.id)), body);
        expect(res.status).to.equal(403);
        expect(await fingerprint()).to.deep.equal(before);
      });
    }

    it('when the reporter of Sở Tài chính opens Sở Nội vụ\'s audit trail or its agency trail, then 403 and none of it is shown', async () => {
      for (const path of [`/submissions/${ids.snv}/audit`, `/agencies/${ids.snvAgency}/audit`]) {
        const res = await stc.get(path);
        expect(res.status, path).to.equal(403);
        expect(res.text).to.not.include('Sở Nội vụ');
      }
    });

    it('when the reporter of Sở Tài chính autosaves into Sở Nội vụ\'s report with the right version, then 403 and nothing changes', async () => {
      const { version } = await stateOf(t.services.db, ids.snv);
      const before = await fingerprint();
      const res = await stc.agent
        .post(`/api/submissions/${ids.snv}/values`)
        .set('x-csrf-token', stc.csrf)
        .send({ version, values: { 'HDCQS.2': { value: '1', denominator: '2' } } });
      expect(res.status).to.equal(403);
      expect(res.body.error.code).to.equal('forbidden');
      expect(await fingerprint()).to.deep.equal(before);
    });

    it('when the reporter of Sở Tài chính reads or writes Sở Nội vụ\'s values through the JSON API, then 403 and nothing changes', async () => {
      const { version } = await stateOf(t.services.db, ids.snv);
      const path = `/api/v1/periods/${ids.openCode}/agencies/SNV/values`;
      const before = await fingerprint();
      const read = await stc.agent.get(path);
      expect(read.status).to.equal(403);
      expect(read.text).to.not.include('HDCQS.2');
      const write = await stc.agent
        .put(path)
        .set('x-csrf-token', stc.csrf)
        .send({ version, values: { 'HDCQS.2': { value: '1', denominator: '2' } } });
      expect(write.status).to.equal(403);
      const open = await stc.agent.post(`/api/v1/periods/${ids.openCode}/agencies/SNV/submission`).set('x-csrf-token', stc.csrf);
      expect(open.status).to.equal(403);
      expect(await fingerprint()).to.deep.equal(before);
    });

    it('when an agency code or period code that does not exist is guessed in the JSON API, then 403 or 404 and never data', async () => {
      const c = clients.get('reporter')!;
      expect((await c.agent.get(`/api/v1/periods/${ids.openCode}/agencies/KHONGCO/values`)).status).to.equal(404);
      expect((await c.agent.get(`/api/v1/periods/KHONGCO/agencies/SNV/values`)).status).to.equal(404);
      expect((await c.agent.get(`/api/v1/periods/KHONGCO/agencies/STC/values`)).status).to.equal(403);
      expect((await c.agent.get(`/api/v1/periods/${ids.openCode}/agencies/${encodeURIComponent('SNV\' OR 1=1')}/values`)).status).to.equal(404);
      expect((await c.agent.get(`/api/v1/periods/KHONGCO/results`)).status).to.equal(404);
    });

    it('when the head of a commune submits a department\'s report, then 403 and nothing changes', async () => {
      const head = await Client.login(t.app, 'lanhdao.xa');
      const { version } = await stateOf(t.services.db, ids.snv);
      const before = await fingerprint();
      const res = await head.post(`/submissions/${ids.snv}/submit`, { version });
      expect(res.status).to.equal(403);
      expect(await fingerprint()).to.deep.equal(before);
    });

    it('when the head of a commune opens a report in the departments\' period, then 403 and no report is created', async () => {
      const head = await Client.login(t.app, 'lanhdao.xa');
      const before = await fingerprint();
      const res = await head.post(`/periods/${ids.open}/submissions`);
      expect(res.status).to.equal(403);
      expect(res.text).to.include('Đơn vị không thuộc đối tượng báo cáo của kỳ này.');
      expect(await fingerprint()).to.deep.equal(before);
    });

    it('when a department reporter opens a report in the communes\' period, then 403 and no report is created', async () => {
      const before = await fingerprint();
      const res = await clients.get('reporter')!.post(`/periods/${await periodId(t.services.db, 'DTI-XA-2026-N')}/submissions`);
      expect(res.status).to.equal(403);
      expect(await fingerprint()).to.deep.equal(before);
    });

    it('when the head of Sở Nội vụ approves its own report, then 403', async () => {
      const before = await fingerprint();
      const res = await clients.get('head')!.post(`/submissions/${ids.snv}/approve`);
      expect(res.status).to.equal(403);
      expect(await fingerprint()).to.deep.equal(before);
    });

    it('when the reviewer saves values in an agency\'s report, then 403 and nothing changes', async () => {
      const { version } = await stateOf(t.services.db, ids.snv);
      const before = await fingerprint();
      const res = await clients.get('reviewer')!.post(`/submissions/${ids.snv}/values`, {
        version,
        v: { 'HDCQS.2': { value: '1', denominator: '2' } },
      });
      expect(res.status).to.equal(403);
      expect(await fingerprint()).to.deep.equal(before);
    });

    it('when the leader starts a computation, then 403 and no run is made', async () => {
      const before = await fingerprint();
      const res = await clients.get('leader')!.post(`/periods/${ids.open}/runs`);
      expect(res.status).to.equal(403);
      expect(await fingerprint()).to.deep.equal(before);
    });

    it('when the reporter of Sở Tài chính downloads Sở Nội vụ\'s workbook, then 403', async () => {
      const res = await stc.get(`/submissions/${ids.snv}/workbook.xlsx`);
      expect(res.status).to.equal(403);
    });

    it('when the reporter of Sở Tài chính opens Sở Nội vụ\'s scorecard, then 403 in every form and nothing is shown', async () => {
      for (const suffix of ['.xlsx', '.html', '']) {
        const res = await stc.get(`/reports/${ids.published}/agencies/${ids.snvAgency}/phieu-diem${suffix}`);
        expect(res.status, suffix).to.equal(403);
        expect(res.text).to.not.include('PHIẾU ĐIỂM');
      }
      const archived = await stc.get(`/reports/archive/${ids.snvScorecardFile}`);
      expect(archived.status).to.equal(403);
    });

    it('when the reporter of Sở Tài chính lists the archive, then only its own scorecards are listed', async () => {
      const res = await stc.get('/reports');
      expect(res.status).to.equal(200);
      expect(res.text).to.include('Phiếu điểm: Sở Tài chính');
      expect(res.text).to.not.include('Phiếu điểm: Sở Nội vụ');
      expect(res.text).to.not.include('<th scope="row">Báo cáo tỉnh</th>');
    });

    it('when a reporter downloads an archived provincial report, then 403', async () => {
      const province = await t.services.db('report_archive').where({ kind: 'province' }).first('id');
      const res = await clients.get('reporter')!.get(`/reports/archive/${province!.id}`);
      expect(res.status).to.equal(403);
    });

    it('when a reporter downloads the provincial report, then 403 in both formats', async () => {
      for (const format of ['xlsx', 'html']) {
        const res = await clients.get('reporter')!.get(`/reports/${ids.published}/bao-cao.${format}`);
        expect(res.status, format).to.equal(403);
      }
    });
  });

  describe('CSRF', () => {
    const values = (version: number): Record<string, unknown> => ({ version, v: { 'HDCQS.2': { value: '1', denominator: '2' } } });

    it('when a form is posted without the CSRF token, then 403 and nothing changes', async () => {
      const c = clients.get('reporter')!;
      const { version } = await stateOf(t.services.db, ids.snv);
      const before = await fingerprint();
      const res = await c.agent.post(`/submissions/${ids.snv}/values`).type('form').send(values(version));
      expect(res.status).to.equal(403);
      expect(res.text).to.include('Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp lệ.');
      expect(await fingerprint()).to.deep.equal(before);
    });

    it('when a form is posted with a wrong CSRF token, then 403 and nothing changes', async () => {
      const c = clients.get('reporter')!;
      const { version } = await stateOf(t.services.db, ids.snv);
      const before = await fingerprint();
      const res = await c.agent.post(`/submissions/${ids.snv}/values`).type('form').send({ _csrf: 'x'.repeat(c.csrf.length), ...values(version) });
      expect(res.status).to.equal(403);
      expect(await fingerprint()).to.deep.equal(before);
    });

    it('when a form is posted with the CSRF token of another session, then 403 and nothing changes', async () => {
      const c = clients.get('reporter')!;
      const other = await Client.login(t.app, 'chuyenvien');
      expect(other.csrf).to.not.equal(c.csrf);
      const { version } = await stateOf(t.services.db, ids.snv);
      const before = await fingerprint();
      const res = await c.agent.post(`/submissions/${ids.snv}/values`).type('form').send({ _csrf: other.csrf, ...values(version) });
      expect(res.status).to.equal(403);
      expect(await fingerprint()).to.deep.equal(before);
    });

    it('when the admin publishes without the CSRF token, then 403 and nothing is published', async () => {
      const c = clients.get('admin')!;
      const before = await fingerprint();
      const res = await c.agent.post(`/periods/${ids.open}/publish`).type('form').send({});
      expect(res.status).to.equal(403);
      expect(await fingerprint()).to.deep.equal(before);
    });

    it('when the token comes in the x-csrf-token header, then it is accepted', async () => {
      const c = clients.get('admin')!;
      const res = await c.agent.post(`/periods/${ids.published}/runs`).set('x-csrf-token', c.csrf);
      expect(res.status).to.equal(303);
    });
  });

  describe('unknown and malformed ids', () => {
    // [who, method, path as shown in the test name, path, body]
    const unknown: Array<[Role, 'get' | 'post', string, (ids: Ids) => string, Record<string, unknown>?]> = [
      ['reviewer', 'get', '/submissions/999999', () => '/submissions/999999'],
      ['reporter', 'get', '/submissions/999999', () => '/submissions/999999'],
      ['reporter', 'post', '/submissions/999999/values', () => '/submissions/999999/values', { version: 1 }],
      ['head', 'post', '/submissions/999999/submit', () => '/submissions/999999/submit', { version: 1 }],
      ['reviewer', 'post', '/submissions/999999/approve', () => '/submissions/999999/approve'],
      ['reporter', 'post', '/periods/999999/submissions', () => '/periods/999999/submissions'],
      ['leader', 'get', '/rankings/999999/agencies/:snv', (i) => `/rankings/999999/agencies/${i.snvAgency}`],
      ['leader', 'get', '/rankings/:published/agencies/999999', (i) => `/rankings/${i.published}/agencies/999999`],
      ['leader', 'get', '/reports/999999/bao-cao.xlsx', () => '/reports/999999/bao-cao.xlsx'],
      ['leader', 'get', '/reports/:published/bao-cao.pdf', (i) => `/reports/${i.published}/bao-cao.pdf`],
      ['admin', 'post', '/periods/999999/runs', () => '/periods/999999/runs'],
      ['admin', 'post', '/periods/999999/publish', () => '/periods/999999/publish'],
      ['reporter', 'get', '/khong-co-trang-nay', () => '/khong-co-trang-nay'],
    ];
    for (const [role, method, label, path, body] of unknown) {
      it(`when ${a(role)} asks for ${method.toUpperCase()} ${label}, then 404 and nothing changes`, async () => {
        const c = clients.get(role)!;
        const before = await fingerprint();
        const res = method === 'get' ? await c.get(path(ids)) : await c.post(path(ids), body ?? {});
        expect(res.status).to.equal(404);
        expect(res.text).to.include('Không tìm thấy');
        expect(await fingerprint()).to.deep.equal(before);
      });
    }

    it('when evidence of no such id is deleted from a report, then 404 and nothing changes', async () => {
      const { version } = await stateOf(t.services.db, ids.snv);
      const before = await fingerprint();
      const res = await clients.get('reporter')!.post(`/submissions/${ids.snv}/evidence/999999/delete`, { version });
      expect(res.status).to.equal(404);
      expect(await fingerprint()).to.deep.equal(before);
    });

    it('when evidence of another agency\'s report is deleted through one\'s own report, then 404 and it stays', async () => {
      const stc = await submissionId(t.services.db, 'STC', 'DTI-SO-2026-N');
      const foreign = await t.services.db('evidence').where({ submission_id: stc }).first('id');
      const { version } = await stateOf(t.services.db, ids.snv);
      const before = await fingerprint();
      const res = await clients.get('reporter')!.post(`/submissions/${ids.snv}/evidence/${foreign.id}/delete`, { version });
      expect(res.status).to.equal(404);
      expect(await fingerprint()).to.deep.equal(before);
      expect(await t.services.db('evidence').where({ id: foreign.id })).to.have.length(1);
    });

    const malformed = ['abc', '1.5', '-1', '0', '1e3', '0x10', '99999999999999999999', '%20', '41abc'];
    for (const bad of malformed) {
      it(`when a submission id is "${bad}", then 404, never 500`, async () => {
        const reviewer = clients.get('reviewer')!;
        expect((await reviewer.get(`/submissions/${bad}`)).status).to.equal(404);
        expect((await reviewer.post(`/submissions/${bad}/approve`)).status).to.equal(404);
        expect((await clients.get('reporter')!.post(`/submissions/${bad}/values`, { version: 1 })).status).to.equal(404);
      });
    }

    it('when period or agency ids in other routes are not numbers, then 404, never 500', async () => {
      const leader = clients.get('leader')!;
      const admin = clients.get('admin')!;
      expect((await leader.get(`/rankings/abc/agencies/${ids.snvAgency}`)).status).to.equal(404);
      expect((await leader.get(`/rankings/${ids.published}/agencies/x`)).status).to.equal(404);
      expect((await leader.get('/reports/abc/bao-cao.html')).status).to.equal(404);
      expect((await admin.post('/periods/abc/runs')).status).to.equal(404);
      expect((await admin.post('/periods/1.5/publish')).status).to.equal(404);
      expect((await clients.get('reporter')!.post('/periods/abc/submissions')).status).to.equal(404);
      const { version } = await stateOf(t.services.db, ids.snv);
      expect((await clients.get('reporter')!.post(`/submissions/${ids.snv}/evidence/abc/delete`, { version })).status).to.equal(404);
    });

    it('when a malformed id is asked for in JSON, then the error is JSON with code not_found', async () => {
      const res = await clients.get('reviewer')!.agent.get('/submissions/abc').set('Accept', 'application/json');
      expect(res.status).to.equal(404);
      expect(res.body.error).to.include({ code: 'not_found' });
      expect(res.body.error.message).to.be.a('string').and.match(/^Không tìm thấy/);
    });

    it('when the period query of a page is not a number, then the page still answers 200', async () => {
      expect((await clients.get('reviewer')!.get('/review?period=abc')).status).to.equal(200);
      expect((await clients.get('leader')!.get('/rankings?period=abc')).status).to.equal(200);
    });
  });

  describe('signing in', () => {
    it('when the password is wrong, then 401 with the login page in Vietnamese and no session', async () => {
      const res = await supertest(t.app).post('/login').type('form').send({ username: 'chuyenvien', password: 'sai-mat-khau' });
      expect(res.status).to.equal(401);
      expect(res.text).to.include('<html lang="vi">');
      expect(res.text).to.include('Tên đăng nhập hoặc mật khẩu không đúng.');
      expect(res.text).to.include('value="chuyenvien"');
      expect(res.headers['set-cookie'] ?? []).to.deep.equal([]);
    });

    it('when the user does not exist, then the same 401 answer as for a wrong password', async () => {
      const res = await supertest(t.app).post('/login').type('form').send({ username: 'khong-ton-tai', password: DEMO_PASSWORD });
      expect(res.status).to.equal(401);
      expect(res.text).to.include('Tên đăng nhập hoặc mật khẩu không đúng.');
    });

    it('when a visitor is sent to log in from a page, then after logging in they are taken back to it', async () => {
      const agent = supertest.agent(t.app);
      const first = await agent.get(`/submissions/${ids.snv}`);
      expect(first.status).to.equal(303);
      const next = new URL(first.headers.location!, 'http://x').searchParams.get('next');
      expect(next).to.equal(`/submissions/${ids.snv}`);
      const login = await agent.get(first.headers.location!);
      expect(login.text).to.include(`name="next" value="/submissions/${ids.snv}"`);
      const res = await agent.post('/login').type('form').send({ username: 'chuyenvien', password: DEMO_PASSWORD, next });
      expect(res.status).to.equal(303);
      expect(res.headers.location).to.equal(`/submissions/${ids.snv}`);
    });

    const evil = ['//evil.example', '//evil.example/submissions', 'https://evil.example/', '/\\evil.example', '\\\\evil.example', ' //evil.example', '/login?next=//evil.example', 'javascript:alert(1)', '/\r\nLocation: https://evil.example'];
    for (const next of evil) {
      it(`when the login form carries next=${JSON.stringify(next)}, then it is not followed`, async () => {
        const res = await supertest(t.app).post('/login').type('form').send({ username: 'chuyenvien', password: DEMO_PASSWORD, next });
        expect(res.status).to.equal(303);
        expect(res.headers.location).to.equal('/submissions');
      });
    }

    it('when the login page is opened with next=//evil.example, then the form does not carry it', async () => {
      const res = await supertest(t.app).get('/login?next=%2F%2Fevil.example');
      expect(res.status).to.equal(200);
      expect(res.text).to.not.include('evil.example');
    });

    it('when a user logs out, then the old session cookie no longer opens any page', async () => {
      const login = await supertest(t.app).post('/login').type('form').send({ username: 'thamdinh', password: DEMO_PASSWORD });
      const cookie = (login.headers['set-cookie'] as unknown as string[])[0]!.split(';')[0]!;
      const page = await supertest(t.app).get('/review').set('Cookie', cookie);
      expect(page.status).to.equal(200);
      const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!;
      const out = await supertest(t.app).post('/logout').set('Cookie', cookie).type('form').send({ _csrf: csrf });
      expect(out.status).to.equal(303);
      const res = await supertest(t.app).get('/review').set('Cookie', cookie);
      expect(res.status).to.equal(303);
      expect(res.headers.location).to.match(/^\/login/);
    });
  });

  describe('where each role lands', () => {
    for (const role of ROLES) {
      it(`when ${a(role)} opens the agency report list, then they end on a page they may see`, async () => {
        const c = clients.get(role)!;
        let res = await c.get('/submissions');
        for (let hops = 0; res.status === 303 && hops < 3; hops += 1) res = await c.get(res.headers.location!);
        expect(res.status).to.equal(200);
      });

      it(`when ${a(role)} opens the home page, then they end on a page they may see`, async () => {
        const c = clients.get(role)!;
        let res = await c.get('/');
        for (let hops = 0; res.status === 303 && hops < 3; hops += 1) res = await c.get(res.headers.location!);
        expect(res.status).to.equal(200);
      });
    }
  });
});
