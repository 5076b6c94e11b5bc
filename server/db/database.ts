// knex over PostgreSQL (DATABASE_URL) or embedded PGlite under DATA_DIR: the same migrations and queries serve both.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import knexFactory, { type Knex } from 'knex';
import pg from 'pg';
import ClientPgLite from 'knex-pglite';
import { PGlite } from '@electric-sql/pglite';

export type Db = Knex;

const NUMERIC_OID = 1700;
const INT8_OID = 20;
const DATE_OID = 1082;

// One reading of column types for both drivers: numeric and bigint as JS numbers (points, counts and ids stay far
// below 2^53), and a DATE as its 'YYYY-MM-DD' text so a calendar day never shifts with the server's time zone.
const parsers: Record<number, (v: string) => unknown> = {
  [NUMERIC_OID]: (v) => Number.parseFloat(v),
  [INT8_OID]: (v) => Number.parseInt(v, 10),
  [DATE_OID]: (v) => v,
};
for (const [oid, parse] of Object.entries(parsers)) pg.types.setTypeParser(Number(oid), parse);

export const migrationsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../migrations');

export interface DatabaseOptions {
  /** PostgreSQL connection string; without it, PGlite in dataDir. */
  url?: string | undefined;
  /** Directory of the embedded database; 'memory://' for a throwaway in-memory one. */
  dataDir?: string;
  poolMax?: number;
}

export function openDatabase(opts: DatabaseOptions): Db {
  if (opts.url) {
    return knexFactory({
      client: 'pg',
      connection: { connectionString: opts.url, application_name: 'dti-platform' },
      pool: { min: 0, max: opts.poolMax ?? 10 },
      acquireConnectionTimeout: 10_000,
    });
  }
  const dir = opts.dataDir ?? './data';
  let location = dir;
  if (dir !== 'memory://') {
    location = path.join(dir, 'pglite');
    fs.mkdirSync(location, { recursive: true });
  }
  const pglite = new PGlite(location, { parsers });
  return knexFactory({
    client: ClientPgLite as unknown as typeof knexFactory.Client,
    dialect: 'postgres',
    connection: { pglite } as unknown as Knex.StaticConnectionConfig,
  });
}

export async function migrateLatest(db: Db): Promise<string[]> {
  const [, applied] = (await db.migrate.latest({ directory: migrationsDir, loadExtensions: ['.ts'] })) as [
    number,
    string[],
  ];
  return applied;
}

/** True when every migration in migrations/ has been applied. */
export async function migrationsCurrent(db: Db): Promise<boolean> {
  const [, pending] = (await db.migrate.list({ directory: migrationsDir, loadExtensions: ['.ts'] })) as [
    unknown[],
    unknown[],
  ];
  return pending.length === 0;
}

/** Whether the database answers at all. */
export async function ping(db: Db): Promise<void> {
  await db.raw('SELECT 1');
}
