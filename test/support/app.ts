// Boots the whole application on a fresh database with the demo province, at a fixed date inside the annual
// 2026 entry window, for integration tests driven through HTTP.
import type { Express } from 'express';
import supertest from 'supertest';
import { loadConfig, type Config } from '../../server/config.js';
import { createServices, type Services } from '../../server/container.js';
import { createApp } from '../../server/app.js';
import { seedDemo } from '../../server/demo/demo.service.js';
import { DEMO_PASSWORD } from '../../server/demo/demo-province.js';
import { freshDatabase, type TestDatabase } from './database.js';

export const TEST_NOW = new Date('2026-11-22T09:00:00+07:00');

/** One demo user of each role (Sở Nội vụ's reporter and head, the Department's reviewer and admin, the leader). */
export const DEMO_USER_OF_ROLE = {
  reporter: 'chuyenvien',
  head: 'lanhdao',
  reviewer: 'thamdinh',
  admin: 'quantri',
  leader: 'lanhdaotinh',
} as const;

export interface TestApp {
  app: Express;
  services: Services;
  database: TestDatabase;
  close(): Promise<void>;
}

export async function bootTestApp(
  opts: { seed?: boolean; now?: () => Date; config?: Partial<Config>; env?: Record<string, string> } = {},
): Promise<TestApp> {
  const database = await freshDatabase();
  const config: Config = {
    ...loadConfig({ NODE_ENV: 'test', SCHEDULER: 'false', LOG_LEVEL: 'silent', ...opts.env }),
    ...opts.config,
  };
  const services = createServices(database.db, config, opts.now ?? (() => TEST_NOW));
  if (opts.seed !== false) await seedDemo(services, { currentYear: 2026 });
  const app = createApp(services, { log: () => undefined });
  return {
    app,
    services,
    database,
    async close() {
      // Background work a request started (report regeneration) finishes before its database goes.
      await services.reportRequests.stop();
      await database.drop();
    },
  };
}

/** A logged-in browser-like client: keeps the session cookie and reads the CSRF token from pages. */
export interface UploadFile {
  name: string;
  data: Buffer;
  type?: string;
}

export class Client {
  readonly agent: ReturnType<typeof supertest.agent>;
  csrf = '';

  constructor(app: Express) {
    this.agent = supertest.agent(app);
  }

  static async login(app: Express, username: string, password = DEMO_PASSWORD): Promise<Client> {
    const c = new Client(app);
    const res = await c.agent.post('/login').type('form').send({ username, password });
    if (res.status !== 303) throw new Error(`login ${username} failed: ${res.status}`);
    await c.get(res.headers.location ?? '/');
    return c;
  }

  async get(path: string): Promise<supertest.Response> {
    const res = await this.agent.get(path);
    const m = /name="_csrf" value="([^"]+)"/.exec(res.text ?? '');
    if (m?.[1]) this.csrf = m[1];
    return res;
  }

  post(path: string, form: Record<string, unknown> = {}): supertest.Test {
    return this.agent.post(path).type('form').send({ _csrf: this.csrf, ...form });
  }

  /** A multipart form with one file in the field "file", as a browser sends an upload form. */
  upload(path: string, fields: Record<string, string | number>, file: UploadFile): supertest.Test {
    return this.multipart(path, fields, { file });
  }

  /** A multipart form with files in the named fields (field names as a browser writes them, e.g. "items[A.1][file]"). */
  multipart(path: string, fields: Record<string, string | number>, files: Record<string, UploadFile>): supertest.Test {
    let req = this.agent.post(path).field('_csrf', this.csrf);
    for (const [k, v] of Object.entries(fields)) req = req.field(k, String(v));
    for (const [k, f] of Object.entries(files)) req = req.attach(k, f.data, { filename: f.name, contentType: f.type ?? 'application/octet-stream' });
    return req;
  }
}

/** The version hidden field of a submission form page. */
export function versionOf(html: string): number {
  const m = /name="version" value="(\d+)"/.exec(html);
  if (!m?.[1]) throw new Error('no version on page');
  return Number(m[1]);
}
