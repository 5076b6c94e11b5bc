// knex over PostgreSQL (DATABASE_URL) or embedded PGlite under DATA_DIR: the same migrations and queries serve both.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import knexFactory, { type Knex } from 'knex';
import pg from 'pg';
import ClientPgLite from 'knex-pglite';
import { PGlite } from '@electric-sql/pglite';
import { AppError } from '../errors.js';

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
  /** application_name of the connections, as pg_stat_activity shows them. */
  applicationName?: string;
}

export function openDatabase(opts: DatabaseOptions): Db {
  if (opts.url) {
    return knexFactory({
      client: 'pg',
      connection: { connectionString: opts.url, application_name: opts.applicationName ?? 'dti-platform' },
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
  const release = dir === 'memory://' ? () => undefined : lockDataDir(dir);
  const pglite = new PGlite(location, { parsers });
  const db = knexFactory({
    client: ClientPgLite as unknown as typeof knexFactory.Client,
    dialect: 'postgres',
    connection: { pglite } as unknown as Knex.StaticConnectionConfig,
  });
  // knex closes through its client; the lock goes with it.
  const client = db.client as { destroy(callback?: unknown): Promise<unknown> };
  const destroy = client.destroy.bind(client);
  client.destroy = async (callback?: unknown) => {
    try {
      return await destroy(callback);
    } finally {
      release();
    }
  };
  return db;
}

/**
 * PGlite is PostgreSQL inside one process: two processes opening the same data directory (the server and a
 * `dti compute` beside it, say) would each write its files unaware of the other and corrupt them. So the directory
 * is taken with a lock file naming the process; a second opening is refused while that process lives, and a lock
 * left by a process that died is taken over. Released when the database is closed or the process exits.
 */
function lockDataDir(dir: string): () => void {
  const file = path.join(dir, 'pglite.lock');
  for (let attempt = 0; ; attempt += 1) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw err;
      const holder = Number.parseInt(fs.readFileSync(file, 'utf8'), 10);
      if (Number.isInteger(holder) && holder > 0 && processAlive(holder)) {
        throw new AppError(
          'conflict',
          `Cơ sở dữ liệu nhúng ở ${dir} đang được tiến trình khác sử dụng (PID ${holder}), chẳng hạn máy chủ đang chạy. ` +
            'Hãy dừng tiến trình đó trước, hoặc dùng PostgreSQL (DATABASE_URL) để nhiều tiến trình cùng truy cập.',
        );
      }
      fs.rmSync(file, { force: true });
    }
  }
  let held = true;
  const release = (): void => {
    if (!held) return;
    held = false;
    process.off('exit', release);
    fs.rmSync(file, { force: true });
  };
  process.on('exit', release);
  return release;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists, only not ours to signal.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether the connection is node-postgres, which sends a Buffer parameter in PostgreSQL's binary format (PGlite's
 * driver would take it for bytea). Lets a hot write send numbers without printing and parsing them.
 */
export const sendsBinaryParameters = (db: Knex): boolean => db.client.config.client === 'pg';

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

/** Names of every migration in migrations/, in order. */
export async function knownMigrations(db: Db): Promise<string[]> {
  const [done, pending] = (await db.migrate.list({ directory: migrationsDir, loadExtensions: ['.ts'] })) as [
    Array<{ name: string }>,
    Array<{ file: string }>,
  ];
  return [...done.map((m) => m.name), ...pending.map((m) => m.file)].sort();
}

/**
 * Brings the schema to exactly the migrations named (a prefix of the known ones), one step up or down at a time;
 * used by restore to load a backup into the schema it was taken from. Only for an empty database.
 */
export async function migrateTo(db: Db, target: string[]): Promise<void> {
  const cfg = { directory: migrationsDir, loadExtensions: ['.ts'] };
  for (let guard = 0; guard < 1000; guard += 1) {
    const [done] = (await db.migrate.list(cfg)) as [Array<{ name: string }>, unknown[]];
    const applied = done.map((m) => m.name);
    if (applied.length === target.length && applied.every((n, i) => n === target[i])) return;
    if (applied.length < target.length) await db.migrate.up(cfg);
    else await db.migrate.down(cfg);
  }
  throw new Error('could not reach the schema of the backup');
}
