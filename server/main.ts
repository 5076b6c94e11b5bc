// Boot: config → database → migrations → (demo seed on an empty database) → HTTP + scheduler; graceful shutdown.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from './config.js';
import { openDatabase, migrateLatest } from './db/database.js';
import { createServices } from './container.js';
import { createApp } from './app.js';
import { startScheduler } from './jobs/scheduler.js';
import { seedDemo } from './demo/demo.service.js';
import { DEMO_PASSWORD, demoUsers } from './demo/demo-province.js';
import { ROLE_LABELS } from './auth/policy.js';

export async function serve(config: Config): Promise<{ server: Server; close(): Promise<void> }> {
  const log = (msg: string): void => {
    if (config.logLevel !== 'silent') console.log(msg);
  };
  const db = openDatabase({
    url: config.databaseUrl,
    dataDir: config.dataDir,
    applicationName: config.dbApplicationName,
    poolMax: config.dbPoolMax,
  });
  const applied = await migrateLatest(db);
  if (applied.length) log(`Đã áp dụng ${applied.length} migration.`);
  const services = createServices(db, config);

  if (config.seedDemo && (await services.agencies.count()) === 0) {
    log('Cơ sở dữ liệu trống: đang nạp tỉnh mẫu…');
    const summary = await seedDemo(services, { currentYear: new Date().getFullYear() });
    log(`Đã nạp ${summary.agencies} đơn vị, ${summary.users} người dùng, các kỳ ${summary.periods.join(', ')}.`);
  }

  const app = createApp(services, { log: (m, e) => console.error(m, e) });
  const scheduler = config.scheduler
    ? startScheduler(services, { info: log, error: (m, e) => console.error(m, e) })
    : undefined;
  // Regeneration requests run in the background of every instance, scheduler or not (the web instance that took
  // one starts it at once; polling takes up those a dead instance left).
  services.reportRequests.start();
  const server = await new Promise<Server>((resolve) => {
    const srv = app.listen(config.port, config.host, () => resolve(srv));
  });
  const where = config.databaseUrl ? 'PostgreSQL' : `PGlite (${config.dataDir})`;
  const port = (server.address() as AddressInfo).port;
  log(`Nền tảng DTI đang chạy tại http://localhost:${port} — cơ sở dữ liệu: ${where}`);
  if (config.seedDemo) {
    log(`Tài khoản mẫu (mật khẩu ${DEMO_PASSWORD}):`);
    for (const u of demoUsers) log(`  ${u.username.padEnd(16)} ${ROLE_LABELS[u.role]}`);
  }

  // Graceful stop: no new connections or jobs; requests in flight finish (their connections then close) within
  // the grace period, after which the remaining connections are cut; then the pool closes.
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      server.on('request', (_req, res: import('node:http').ServerResponse) => {
        if (!res.headersSent) res.setHeader('Connection', 'close');
      });
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const cut = setTimeout(() => server.closeAllConnections(), config.shutdownGraceSeconds * 1000);
      cut.unref();
      const jobs = Promise.all([scheduler?.stop().then(() => log('Đã dừng lịch chạy.')), services.reportRequests.stop()]);
      await stopped;
      clearTimeout(cut);
      log('Đã xử lý xong các yêu cầu đang chạy.');
      await jobs;
      await db.destroy();
      log('Đã đóng kết nối cơ sở dữ liệu.');
    })());
  return { server, close };
}
