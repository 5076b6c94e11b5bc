// When PostgreSQL goes away, requests fail fast with a clear 503 (a Vietnamese page, or JSON for API callers),
// /readyz says so while /healthz stays up, and the app recovers by itself when the database returns. The database
// is cut and restored with a TCP proxy between the app and PostgreSQL, so the server itself is never touched.
import net from 'node:net';
import { expect } from 'chai';
import supertest from 'supertest';
import { bootTestApp, Client, type TestApp } from '../support/app.js';
import { usingPostgres } from '../support/database.js';
import { openDatabase, type Db } from '../../server/db/database.js';
import { createServices } from '../../server/container.js';
import { createApp } from '../../server/app.js';

class CuttableProxy {
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  async open(): Promise<void> {
    this.server = net.createServer((client) => {
      const upstream = net.connect(this.target.port, this.target.host);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.server!.address() as net.AddressInfo).port;
  }

  /** The database "goes away": every connection is dropped and new ones are refused. */
  async cut(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server!.close(() => resolve()));
    for (const s of this.sockets) s.destroy();
    await closed;
  }
}

describe('database outage and recovery (PostgreSQL)', function () {
  this.timeout(180_000);
  let t: TestApp;
  let proxy: CuttableProxy;
  let db: Db;
  let app: ReturnType<typeof createApp>;

  before(async function () {
    if (!usingPostgres()) this.skip();
    t = await bootTestApp();
    const url = new URL(t.database.url!);
    proxy = new CuttableProxy({ host: url.hostname, port: Number(url.port || 5432) });
    await proxy.open();
    const viaProxy = new URL(url);
    viaProxy.port = String(proxy.port);
    viaProxy.hostname = '127.0.0.1';
    db = openDatabase({ url: viaProxy.toString(), poolMax: 4 });
    app = createApp(createServices(db, t.services.config, () => new Date()), { log: () => undefined });
  });
  after(async () => {
    await db?.destroy().catch(() => undefined);
    await t?.close();
  });

  it('when the database goes away and comes back, then pages answer 503 in Vietnamese meanwhile and work again afterwards without a restart', async () => {
    const leader = await Client.login(app, 'lanhdaotinh');
    expect((await leader.get('/rankings')).status).to.equal(200);
    expect((await supertest(app).get('/readyz')).status).to.equal(200);

    await proxy.cut();

    const page = await leader.get('/rankings');
    expect(page.status).to.equal(503);
    expect(page.headers['retry-after']).to.equal('30');
    expect(page.text).to.include('<html lang="vi">');
    expect(page.text).to.include('Hệ thống tạm thời không kết nối được cơ sở dữ liệu.');
    expect(page.text).to.not.match(/ECONNREFUSED|at .*\.ts:\d+|node_modules/);

    const json = await leader.agent.get('/api/v1/periods/DTI-SO-2025-N/results').set('Accept', 'application/json');
    expect(json.status).to.equal(503);
    expect(json.body.error.code).to.equal('unavailable');
    expect(json.body.error.message).to.equal('Hệ thống tạm thời không kết nối được cơ sở dữ liệu. Vui lòng thử lại sau ít phút.');

    const login = await supertest(app).post('/login').type('form').send({ username: 'thamdinh', password: 'x' });
    expect(login.status).to.equal(503);

    const ready = await supertest(app).get('/readyz');
    expect(ready.status).to.equal(503);
    expect(ready.body.status).to.equal('database unavailable');
    expect((await supertest(app).get('/healthz')).status).to.equal(200);

    await proxy.open();

    let status = 0;
    for (let attempt = 0; attempt < 20 && status !== 200; attempt += 1) {
      status = (await leader.get('/rankings')).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 250));
    }
    expect(status).to.equal(200);
    expect((await supertest(app).get('/readyz')).status).to.equal(200);
  });
});
