// Every route against every role, and the ways around the rules: another agency's ids, a missing or foreign CSRF
// token, unknown and malformed ids, wrong passwords and open redirects. Requests are built so that even an allowed
// one changes nothing (empty or invalid bodies, periods already computed and published), so the matrix can check
// after each request that no data moved.
import { expect } from 'chai';
import supertest from 'supertest';
import { bootTestApp, Client, type TestApp } from '../support/app.js';
import { agencyId, periodId, snapshot, stateOf, submissionId } from '../support/builders.js';
import { routeTable } from '../../server/app.js';
import { DEMO_PASSWORD } from '../../server/demo/demo-province.js';
import { ROLES, type Role } from '../../server/auth/policy.js';

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
}

interface RouteCase {
  method: 'get' | 'post';
  /** The path as written in the route table. */
  pattern: string;
  path: (ids: Ids) => string;
  body?: (who: Who) => Record<string, unknown>;
  /** Roles that may use the route; 'public' and 'authenticated' as in the route table. */
  allowed: Role[] | 'public' | 'authenticated';
  /** The request ends or replaces the session, so it gets a client of its own. */
  fresh?: boolean;
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
];

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
    };
    for (const role of ROLES) clients.set(role, await Client.login(t.app, USER_OF[role]));
  });

  after(async () => {
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
    };
  }

  async function send(rc: RouteCase, who: Who): Promise<supertest.Response> {
    const path = rc.path(ids);
    const body = rc.body?.(who) ?? {};
    if (who === 'anonymous') {
      const agent = supertest.agent(t.app);
      return rc.method === 'get' ? agent.get(path) : agent.post(path).type('form').send(body);
    }
    const client = rc.fresh ? await Client.login(t.app, USER_OF[who]) : clients.get(who)!;
    if (rc.method === 'get') return client.get(path);
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
        const outcome = allowed ? 'it is served' : who === 'anonymous' ? 'it is sent to the login page' : 'it is refused with 403';
        it(`when ${who === 'anonymous' ? 'an anonymous visitor' : a(who)} calls it, then ${outcome} and nothing changes`, async () => {
          const before = await fingerprint();
          const res = await send(rc, who);
          if (allowed) {
            expect(res.status, res.text?.slice(0, 300)).to.be.below(500);
            expect(res.status).to.not.be.oneOf([401, 403]);
            if (res.status === 303) expect(res.headers.location ?? '').to.not.match(/^\/login\?next=/);
            rc.expect?.(res, who);
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
