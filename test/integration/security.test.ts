// Issue 6 through HTTP: sign-in throttling and lockout held in the database, session cookies, renewal, "log out
// everywhere" and an admin ending a user's sessions, API tokens (shown once, hashed, scoped, revocable, last use
// recorded) and the JSON API behind them, and hostile request bodies answered with a clear 4xx.
import { expect } from 'chai';
import supertest from 'supertest';
import { bootTestApp, Client, TEST_NOW, type TestApp } from '../support/app.js';
import { snapshot, stateOf, submissionId, userId } from '../support/builders.js';
import { createApp } from '../../server/app.js';
import { createServices } from '../../server/container.js';
import { DEMO_PASSWORD } from '../../server/demo/demo-province.js';

const OPEN = 'DTI-SO-2026-N';
const PUBLISHED = 'DTI-SO-2025-N';

const cookiesOf = (res: supertest.Response): string[] => (res.headers['set-cookie'] as unknown as string[] | undefined) ?? [];

describe('security: sign-in, sessions and API tokens', function () {
  this.timeout(120_000);

  let t: TestApp;
  let clock = TEST_NOW.getTime();
  const login = (app: TestApp['app'], username: string, password: string): supertest.Test =>
    supertest(app).post('/login').type('form').send({ username, password });

  before(async () => {
    t = await bootTestApp({ now: () => new Date(clock) });
  });
  after(async () => t?.close());

  describe('lockout after failed sign-ins', () => {
    it('when an account has 5 failed sign-ins, then it is locked for 15 minutes with a Vietnamese message, even for the right password, and the lock is audited', async () => {
      for (let i = 0; i < 4; i += 1) expect((await login(t.app, 'chuyenvien.stc', 'sai')).status).to.equal(401);
      const fifth = await login(t.app, 'chuyenvien.stc', 'sai');
      expect(fifth.status).to.equal(429);
      expect(fifth.text).to.include('Tài khoản tạm thời bị khóa do đăng nhập sai quá nhiều lần. Vui lòng thử lại sau 15 phút.');
      const right = await login(t.app, 'chuyenvien.stc', DEMO_PASSWORD);
      expect(right.status).to.equal(429);
      expect(cookiesOf(right)).to.deep.equal([]);
      const events = await t.services.db('audit_events').where({ action: 'auth.lockout', entity_id: 'chuyenvien.stc' });
      expect(events).to.have.length(1);
    });

    it('when a second app instance shares the database, then the lock holds there too', async () => {
      const other = createApp(createServices(t.services.db, t.services.config, () => new Date(clock)), { log: () => undefined });
      const res = await login(other, 'chuyenvien.stc', DEMO_PASSWORD);
      expect(res.status).to.equal(429);
    });

    it('when 15 minutes have passed, then the right password signs in again', async () => {
      clock += 15 * 60_000 + 1000;
      try {
        expect((await login(t.app, 'chuyenvien.stc', DEMO_PASSWORD)).status).to.equal(303);
      } finally {
        clock = TEST_NOW.getTime();
      }
    });

    it('when a user name differs only in case or spaces, then it counts against the same account', async () => {
      for (const name of ['LanhDao.Xa', ' lanhdao.xa', 'LANHDAO.XA', 'lanhdao.xa ', 'lanhdao.xa']) {
        await login(t.app, name, 'sai');
      }
      expect((await login(t.app, 'lanhdao.xa', DEMO_PASSWORD)).status).to.equal(429);
    });

    it('when failures are spread over more than the window, then the count starts over and no lock follows', async () => {
      for (let i = 0; i < 4; i += 1) await login(t.app, 'chuyenvien.xa', 'sai');
      clock += 16 * 60_000;
      try {
        for (let i = 0; i < 4; i += 1) expect((await login(t.app, 'chuyenvien.xa', 'sai')).status).to.equal(401);
        expect((await login(t.app, 'chuyenvien.xa', DEMO_PASSWORD)).status).to.equal(303);
      } finally {
        clock = TEST_NOW.getTime();
      }
    });

    it('when an account that does not exist is tried 5 times, then it answers exactly like a real locked account', async () => {
      for (let i = 0; i < 4; i += 1) expect((await login(t.app, 'khong-ai-ca', 'sai')).status).to.equal(401);
      const res = await login(t.app, 'khong-ai-ca', 'sai');
      expect(res.status).to.equal(429);
      expect(res.text).to.include('Tài khoản tạm thời bị khóa');
    });
  });

  describe('throttling by address', () => {
    it('when one address fails too often across many accounts, then it is turned away, and other addresses are not', async () => {
      const small = await bootTestApp({ env: { LOGIN_IP_MAX_FAILURES: '3' } });
      try {
        const from = (ip: string, username: string, password: string): supertest.Test =>
          // The app trusts the loopback proxy, so X-Forwarded-For names the client.
          supertest(small.app).post('/login').set('X-Forwarded-For', ip).type('form').send({ username, password });
        expect((await from('203.0.113.7', 'a1', 'x')).status).to.equal(401);
        expect((await from('203.0.113.7', 'a2', 'x')).status).to.equal(401);
        const third = await from('203.0.113.7', 'a3', 'x');
        expect(third.status).to.equal(429);
        expect(third.text).to.include('Có quá nhiều lần đăng nhập sai từ địa chỉ này.');
        expect((await from('203.0.113.7', 'thamdinh', DEMO_PASSWORD)).status).to.equal(429);
        expect((await from('198.51.100.9', 'thamdinh', DEMO_PASSWORD)).status).to.equal(303);
        expect(await small.services.db('audit_events').where({ action: 'auth.ip_lockout', entity_id: '203.0.113.7' })).to.have.length(1);
      } finally {
        await small.close();
      }
    });
  });

  describe('session cookies', () => {
    it('when a user signs in, then the cookie is HttpOnly, SameSite=Lax, not Secure over plain HTTP, and the database keeps only its hash', async () => {
      const res = await login(t.app, 'thamdinh', DEMO_PASSWORD);
      const cookie = cookiesOf(res).find((c) => c.startsWith('dti_sid='))!;
      expect(cookie).to.match(/HttpOnly/i).and.match(/SameSite=Lax/i);
      expect(cookie).to.not.match(/Secure/i);
      const token = decodeURIComponent(cookie.split(';')[0]!.slice('dti_sid='.length));
      expect(await t.services.db('sessions').where('id', token)).to.have.length(0);
    });

    it('when COOKIE_SECURE is set, then the cookie is Secure and HSTS is sent', async () => {
      const secure = createApp(
        createServices(t.services.db, { ...t.services.config, cookieSecure: true }, () => new Date(clock)),
        { log: () => undefined },
      );
      const res = await login(secure, 'thamdinh', DEMO_PASSWORD);
      expect(cookiesOf(res).find((c) => c.startsWith('dti_sid='))).to.match(/; Secure/i);
      expect(res.headers['strict-transport-security']).to.be.a('string');
    });

    it('when a signed-in user signs in again, then a new session replaces the old one, whose cookie no longer works', async () => {
      const agent = supertest.agent(t.app);
      const first = await agent.post('/login').type('form').send({ username: 'thamdinh', password: DEMO_PASSWORD });
      const oldCookie = cookiesOf(first)[0]!.split(';')[0]!;
      // Signed in, the login form carries the session's CSRF token (no login CSRF).
      const form = await agent.get('/login');
      const csrf = /name="_csrf" value="([^"]+)"/.exec(form.text)![1]!;
      const again = await agent.post('/login').type('form').send({ username: 'thamdinh', password: DEMO_PASSWORD, _csrf: csrf });
      expect(again.status).to.equal(303);
      expect((await agent.get('/review')).status).to.equal(200);
      const stale = await supertest(t.app).get('/review').set('Cookie', oldCookie);
      expect(stale.status).to.equal(303);
    });
  });

  describe('ending sessions', () => {
    it('when a user logs out everywhere, then every session of theirs ends and other users keep theirs', async () => {
      const laptop = await Client.login(t.app, 'lanhdaotinh');
      const phone = await Client.login(t.app, 'lanhdaotinh');
      const someoneElse = await Client.login(t.app, 'thamdinh');
      const res = await laptop.post('/account/sessions/end');
      expect(res.status).to.equal(303);
      expect((await laptop.get('/rankings')).status).to.equal(303);
      expect((await phone.get('/rankings')).status).to.equal(303);
      expect((await someoneElse.get('/rankings')).status).to.equal(200);
      expect(await t.services.db('sessions').where('user_id', await userId(t.services.db, 'lanhdaotinh'))).to.have.length(0);
    });

    it('when the admin ends a user\'s sessions from the security screen, then that user is signed out and the decision is audited', async () => {
      const user = await Client.login(t.app, 'lanhdao');
      const admin = await Client.login(t.app, 'quantri');
      const page = await admin.get('/admin/security');
      expect(page.status).to.equal(200);
      const id = await userId(t.services.db, 'lanhdao');
      expect(page.text).to.include(`/admin/users/${id}/sessions/end`);
      const res = await admin.post(`/admin/users/${id}/sessions/end`);
      expect(res.status).to.equal(303);
      expect((await user.get('/submissions')).status).to.equal(303);
      expect((await admin.get('/admin/security')).status).to.equal(200);
      const events = await t.services.db('audit_events').where({ action: 'session.end_all', entity_id: String(id) });
      expect(events).to.have.length(1);
    });

    it('when a reviewer tries to end another user\'s sessions, then 403 and they stay signed in', async () => {
      const user = await Client.login(t.app, 'chuyenvien');
      const reviewer = await Client.login(t.app, 'thamdinh');
      const res = await reviewer.post(`/admin/users/${await userId(t.services.db, 'chuyenvien')}/sessions/end`);
      expect(res.status).to.equal(403);
      expect((await user.get('/submissions')).status).to.equal(200);
    });
  });

  describe('API tokens', () => {
    let admin: Client;
    const createToken = async (form: Record<string, string>): Promise<string> => {
      const res = await admin.post('/admin/tokens', form);
      expect(res.status, res.text.slice(0, 500)).to.equal(201);
      expect(res.headers['cache-control']).to.equal('no-store');
      const m = /<code class="secret" id="new-token">([^<]+)<\/code>/.exec(res.text);
      return m![1]!;
    };
    const api = (): supertest.SuperTest<supertest.Test> => supertest(t.app) as unknown as supertest.SuperTest<supertest.Test>;

    before(async () => {
      admin = await Client.login(t.app, 'quantri');
    });

    it('when the admin creates a token, then it is shown once, only its hash is stored, and the list shows its prefix only', async () => {
      const secret = await createToken({ name: 'Cổng dữ liệu tỉnh', scope: 'results.read', days: '30' });
      expect(secret).to.match(/^dti_[A-Za-z0-9_-]{40,}$/);
      const rows = await t.services.db('api_tokens').select('*');
      expect(JSON.stringify(rows)).to.not.include(secret);
      const page = await admin.get('/admin/security');
      expect(page.text).to.include('Cổng dữ liệu tỉnh');
      expect(page.text).to.not.include(secret);
      expect(page.text).to.include(secret.slice(0, 10));
    });

    it('when a results token reads published results, then JSON comes back, no cookie is set, and its last use is recorded', async () => {
      const secret = await createToken({ name: 'Đọc kết quả', scope: 'results.read' });
      const res = await api().get(`/api/v1/periods/${PUBLISHED}/results`).set('Authorization', `Bearer ${secret}`);
      expect(res.status).to.equal(200);
      expect(res.body.period.code).to.equal(PUBLISHED);
      expect(res.body.groups[0].agencies[0]).to.include.keys('code', 'name', 'rank', 'value');
      expect(cookiesOf(res)).to.deep.equal([]);
      const row = await t.services.db('api_tokens').where({ name: 'Đọc kết quả' }).first();
      expect(row.last_used_at).to.be.instanceOf(Date);
    });

    it('when a results token asks for a period with no publication, or for agency values, then 404 and 403', async () => {
      const secret = await createToken({ name: 'Đọc 2', scope: 'results.read' });
      const none = await api().get(`/api/v1/periods/${OPEN}/results`).set('Authorization', `Bearer ${secret}`);
      expect(none.status).to.equal(404);
      const values = await api().get(`/api/v1/periods/${OPEN}/agencies/SNV/values`).set('Authorization', `Bearer ${secret}`);
      expect(values.status).to.equal(403);
    });

    it('when a values token of Sở Nội vụ reads and writes its drafts, then it works without a CSRF token, is validated like the form, and is audited under the token\'s name', async () => {
      const secret = await createToken({ name: 'Phần mềm QLVB Sở Nội vụ', scope: 'values.write', agencyCode: 'SNV' });
      const path = `/api/v1/periods/${OPEN}/agencies/SNV/values`;
      const got = await api().get(path).set('Authorization', `Bearer ${secret}`);
      expect(got.status).to.equal(200);
      const version = got.body.submission.version as number;
      expect(got.body.values['HDCQS.2'].kind).to.equal('ratio');

      // The form's own rule and message: a numerator above the denominator is refused, and nothing is written.
      const sub = await submissionId(t.services.db, 'SNV', OPEN);
      const before = await snapshot(t.services.db, sub);
      const bad = await api()
        .put(path)
        .set('Authorization', `Bearer ${secret}`)
        .send({ version, values: { 'HDCQS.2': { value: 12, denominator: 10 } } });
      expect(bad.status).to.equal(400);
      expect(bad.body.error.details[0].message).to.include('không được lớn hơn');
      expect(await snapshot(t.services.db, sub)).to.deep.equal(before);

      const ok = await api()
        .put(path)
        .set('Authorization', `Bearer ${secret}`)
        .send({ version, values: { 'HDCQS.2': { value: '9', denominator: '10', comment: 'Từ phần mềm' } } });
      expect(ok.status, JSON.stringify(ok.body)).to.equal(200);
      expect(ok.body).to.deep.equal({ saved: true, version: version + 1 });
      const after = await api().get(path).set('Authorization', `Bearer ${secret}`);
      expect(after.body.values['HDCQS.2']).to.include({ value: 9, denominator: 10, comment: 'Từ phần mềm' });
      const event = await t.services.db('audit_events').where({ submission_id: sub, action: 'value.update' }).orderBy('id', 'desc').first();
      expect(event.actor_name).to.include('Mã API «Phần mềm QLVB Sở Nội vụ»');

      // The old version is stale now: 409, nothing written.
      const stale = await api()
        .put(path)
        .set('Authorization', `Bearer ${secret}`)
        .send({ version, values: { 'HDCQS.2': { value: '1', denominator: '10' } } });
      expect(stale.status).to.equal(409);
      expect((await stateOf(t.services.db, sub)).version).to.equal(version + 1);
    });

    it('when a values token of Sở Nội vụ reaches for Sở Tài chính, results or the web pages, then it is refused', async () => {
      const secret = await createToken({ name: 'SNV 2', scope: 'values.write', agencyCode: 'SNV' });
      const auth = { Authorization: `Bearer ${secret}` };
      expect((await api().get(`/api/v1/periods/${OPEN}/agencies/STC/values`).set(auth)).status).to.equal(403);
      const stc = await submissionId(t.services.db, 'STC', OPEN);
      const before = await snapshot(t.services.db, stc);
      const { version } = await stateOf(t.services.db, stc);
      const put = await api()
        .put(`/api/v1/periods/${OPEN}/agencies/STC/values`)
        .set(auth)
        .send({ version, values: { 'HDCQS.2': { value: 1, denominator: 2 } } });
      expect(put.status).to.equal(403);
      expect(await snapshot(t.services.db, stc)).to.deep.equal(before);
      expect((await api().get(`/api/v1/periods/${PUBLISHED}/results`).set(auth)).status).to.equal(403);
      // Outside /api/ a token opens nothing, whatever the page.
      const page = await api().get(`/submissions/${await submissionId(t.services.db, 'SNV', OPEN)}`).set(auth);
      expect(page.status).to.be.oneOf([401, 303]);
      expect(page.text ?? '').to.not.include('values-form');
    });

    it('when a token is revoked, then it stops working at once; an unknown or malformed token gets 401 with WWW-Authenticate', async () => {
      const secret = await createToken({ name: 'Sẽ thu hồi', scope: 'results.read' });
      const url = `/api/v1/periods/${PUBLISHED}/results`;
      expect((await api().get(url).set('Authorization', `Bearer ${secret}`)).status).to.equal(200);
      const id = (await t.services.db('api_tokens').where({ name: 'Sẽ thu hồi' }).first()).id as number;
      expect((await admin.post(`/admin/tokens/${id}/revoke`)).status).to.equal(303);
      const after = await api().get(url).set('Authorization', `Bearer ${secret}`);
      expect(after.status).to.equal(401);
      expect(after.headers['www-authenticate']).to.equal('Bearer');
      expect(after.body.error.message).to.equal('Mã API không hợp lệ, đã bị thu hồi hoặc đã hết hạn.');
      expect(await t.services.db('audit_events').where({ action: 'token.revoke', entity_id: String(id) })).to.have.length(1);
      for (const bad of ['dti_khongco', 'x'.repeat(5000), '', 'dti_' + secret.slice(4, -1)]) {
        expect((await api().get(url).set('Authorization', `Bearer ${bad}`)).status).to.equal(401);
      }
    });

    it('when a token\'s validity has passed, then it no longer works', async () => {
      const secret = await createToken({ name: 'Một ngày', scope: 'results.read', days: '1' });
      const url = `/api/v1/periods/${PUBLISHED}/results`;
      expect((await api().get(url).set('Authorization', `Bearer ${secret}`)).status).to.equal(200);
      clock += 86_400_000 + 1000;
      try {
        expect((await api().get(url).set('Authorization', `Bearer ${secret}`)).status).to.equal(401);
      } finally {
        clock = TEST_NOW.getTime();
      }
    });

    it('when a bearer request also carries a session cookie, then the cookie is ignored and only the token\'s rights apply', async () => {
      const secret = await createToken({ name: 'Chỉ đọc', scope: 'results.read' });
      const res = await admin.agent
        .get(`/api/v1/periods/${OPEN}/agencies/SNV/values`)
        .set('Authorization', `Bearer ${secret}`);
      expect(res.status).to.equal(403);
    });

    it('when the token form is invalid or names no agency for a values token, then 400 with the reasons and no token', async () => {
      const before = await t.services.db('api_tokens').count<{ n: number }[]>('* as n');
      for (const form of [{ name: '', scope: 'results.read' }, { name: 'x', scope: 'values.write' }, { name: 'x', scope: 'admin' }]) {
        const res = await admin.post('/admin/tokens', form);
        expect(res.status).to.equal(400);
        expect(res.text).to.match(/Thông tin mã API chưa hợp lệ\.|Mã ghi số liệu cần một đơn vị hợp lệ\./);
      }
      const after = await t.services.db('api_tokens').count<{ n: number }[]>('* as n');
      expect(after[0]!.n).to.equal(before[0]!.n);
    });

    it('when a signed-in user calls the API with the cookie, then a write still needs the CSRF header', async () => {
      const reporter = await Client.login(t.app, 'chuyenvien');
      const path = `/api/v1/periods/${OPEN}/agencies/SNV/values`;
      const { version } = await stateOf(t.services.db, await submissionId(t.services.db, 'SNV', OPEN));
      const body = { version, values: { 'HDCQS.2': { value: '8', denominator: '10' } } };
      expect((await reporter.agent.put(path).send(body)).status).to.equal(403);
      expect((await reporter.agent.put(path).set('x-csrf-token', reporter.csrf).send(body)).status).to.equal(200);
    });
  });

  describe('hostile bodies', () => {
    let reporter: Client;
    before(async () => {
      reporter = await Client.login(t.app, 'chuyenvien');
    });
    const path = `/api/v1/periods/${OPEN}/agencies/SNV/values`;

    const cases: Array<[string, (r: supertest.Test) => supertest.Test, number]> = [
      ['a JSON array', (r) => r.set('Content-Type', 'application/json').send('[1,2,3]'), 400],
      ['malformed JSON', (r) => r.set('Content-Type', 'application/json').send('{"version": 1,'), 400],
      ['a __proto__ key', (r) => r.set('Content-Type', 'application/json').send('{"version":1,"values":{"__proto__":{"value":1}}}'), 400],
      ['a NUL character', (r) => r.send({ version: 1, values: { 'HDCQS.2': { comment: 'a\u0000b' } } }), 400],
      ['deep nesting', (r) => r.set('Content-Type', 'application/json').send('{"a":'.repeat(200) + '1' + '}'.repeat(200)), 400],
      ['a body over the size limit', (r) => r.send({ version: 1, values: {}, pad: 'x'.repeat(600_000) }), 413],
      ['text/plain', (r) => r.set('Content-Type', 'text/plain').send('version=1'), 415],
      ['a form in latin1', (r) => r.set('Content-Type', 'application/x-www-form-urlencoded; charset=latin1').send('version=1'), 415],
      ['a number where an object is expected', (r) => r.send({ version: 1, values: 5 }), 400],
      ['a string version', (r) => r.send({ version: '1', values: {} }), 400],
      ['an unknown field', (r) => r.send({ version: 1, values: {}, admin: true }), 400],
    ];
    for (const [what, build, status] of cases) {
      it(`when the API gets ${what}, then ${status} in JSON with a Vietnamese message and no stack trace`, async () => {
        const sub = await submissionId(t.services.db, 'SNV', OPEN);
        const before = await snapshot(t.services.db, sub);
        const res = await build(reporter.agent.put(path).set('x-csrf-token', reporter.csrf));
        expect(res.status).to.equal(status);
        expect(res.body.error.message).to.be.a('string').and.match(/[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹáàãéèíìóòõúùý]/i);
        expect(res.text).to.not.match(/at .*\.ts:\d+|node_modules|Error:/);
        expect(await snapshot(t.services.db, sub)).to.deep.equal(before);
        expect(({} as Record<string, unknown>).value).to.equal(undefined);
      });
    }

    it('when a form post carries __proto__ fields, then nothing is polluted and the request is refused or ignored', async () => {
      const sub = await submissionId(t.services.db, 'SNV', OPEN);
      const res = await reporter.agent
        .post(`/submissions/${sub}/values`)
        .type('form')
        .send(`_csrf=${encodeURIComponent(reporter.csrf)}&version=1&__proto__[polluted]=1&v[__proto__][polluted]=1&constructor[prototype][polluted]=1`);
      expect(res.status).to.be.below(500);
      expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
    });
  });
});
