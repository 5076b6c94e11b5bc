// A fresh, migrated database for each test suite: a new database on the PostgreSQL server named by
// TEST_DATABASE_URL when it is set, otherwise an in-memory PGlite. The same suites pass on both.
import { randomBytes } from 'node:crypto';
import knexFactory from 'knex';
import { openDatabase, migrateLatest, type Db } from '../../server/db/database.js';

export interface TestDatabase {
  db: Db;
  /** Connection string of the test database on a real server (for child processes), if any. */
  url: string | undefined;
  drop(): Promise<void>;
}

export const usingPostgres = (): boolean => !!process.env.TEST_DATABASE_URL;

export async function freshDatabase(): Promise<TestDatabase> {
  const serverUrl = process.env.TEST_DATABASE_URL;
  if (!serverUrl) {
    const db = openDatabase({ dataDir: 'memory://' });
    await migrateLatest(db);
    return { db, url: undefined, drop: () => db.destroy() };
  }
  const name = `dti_test_${randomBytes(6).toString('hex')}`;
  const admin = knexFactory({ client: 'pg', connection: serverUrl, pool: { min: 0, max: 1 } });
  await admin.raw(`CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const db = openDatabase({ url: url.toString(), poolMax: 5 });
  await migrateLatest(db);
  return {
    db,
    url: url.toString(),
    async drop() {
      await db.destroy();
      await admin.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.destroy();
    },
  };
}
