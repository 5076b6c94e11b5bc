// `dti backup` and `dti restore`: the database and the evidence files (<DATA_DIR>/files/) in one archive, for
// PostgreSQL and PGlite alike. The archive is gzip'd JSON lines: a header (format, migrations applied, tables in
// foreign-key order), each table's rows as PostgreSQL's own JSON text, each file (path, size, SHA-256, base64), and
// an end line with the counts, so a truncated archive is refused. A backup is taken in one repeatable-read
// transaction (a consistent snapshot) and written to a temporary file renamed at the end. A restore loads an empty
// database (or, with --force, replaces the data of one at the same schema) in one transaction, then checks the
// audit chain; the evidence files are staged and swapped in only after the data committed.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import zlib from 'node:zlib';
import type { Knex } from 'knex';
import { knownMigrations, migrateLatest, migrateTo } from '../db/database.js';
import { AppError } from '../errors.js';
import * as repo from './backup.repository.js';
import type { AuditService, ChainCheck } from '../audit/audit.service.js';

const FORMAT = 'dti-backup';
const VERSION = 1;
const BATCH = 500;

interface Header {
  format: string;
  version: number;
  createdAt: string;
  migrations: string[];
  tables: string[];
}

export interface BackupSummary {
  file: string;
  tables: Record<string, number>;
  files: number;
  bytes: number;
}

export interface RestoreSummary {
  tables: Record<string, number>;
  files: number;
  audit: ChainCheck;
}

function* walk(dir: string, base = dir): Generator<string> {
  if (!fs.existsSync(dir)) return;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(full, base);
    else if (entry.isFile()) yield path.relative(base, full).split(path.sep).join('/');
  }
}

const refuse = (message: string): AppError => new AppError('validation', message);

/** Tables whose rows migrations write, so a freshly migrated database already has some. */
const SEEDED_BY_MIGRATIONS = new Set(['calendar_days']);

export class BackupService {
  constructor(
    private readonly db: Knex,
    private readonly filesDir: string,
    private readonly audit: AuditService,
  ) {}

  async backup(out: string): Promise<BackupSummary> {
    const target = path.resolve(out);
    const tmp = `${target}.${process.pid}.tmp`;
    const counts: Record<string, number> = {};
    let files = 0;
    try {
      await this.db.transaction(
        async (trx) => {
          const header: Header = {
            format: FORMAT,
            version: VERSION,
            createdAt: new Date().toISOString(),
            migrations: await repo.appliedMigrations(trx),
            tables: await repo.tablesInDependencyOrder(trx),
          };
          const lines = async function* (filesDir: string): AsyncGenerator<string> {
            yield JSON.stringify(header) + '\n';
            for (const table of header.tables) {
              const rows = await repo.rowsAsJson(trx, table);
              counts[table] = rows.length;
              yield JSON.stringify({ table, rows: rows.length }) + '\n';
              for (const r of rows) yield r + '\n';
            }
            for (const rel of walk(filesDir)) {
              const body = fs.readFileSync(path.join(filesDir, rel));
              files += 1;
              yield JSON.stringify({ file: rel, size: body.length, sha256: createHash('sha256').update(body).digest('hex') }) + '\n';
              yield body.toString('base64') + '\n';
            }
            yield JSON.stringify({ end: true, tables: counts, files }) + '\n';
          };
          await pipeline(Readable.from(lines(this.filesDir)), zlib.createGzip(), fs.createWriteStream(tmp));
        },
        { isolationLevel: 'repeatable read', readOnly: true },
      );
      fs.renameSync(tmp, target);
    } finally {
      fs.rmSync(tmp, { force: true });
    }
    return { file: target, tables: counts, files, bytes: fs.statSync(target).size };
  }

  async restore(file: string, opts: { force?: boolean } = {}): Promise<RestoreSummary> {
    const source = path.resolve(file);
    if (!fs.existsSync(source)) throw new AppError('not_found', `Không có tệp ${source}.`);
    const input = fs.createReadStream(source).pipe(zlib.createGunzip());
    const rl = readline.createInterface({ input, crlfDelay: Infinity });
    const it = rl[Symbol.asyncIterator]();
    const next = async (): Promise<string> => {
      const r = await it.next();
      if (r.done) throw refuse('Tệp sao lưu bị cắt cụt hoặc hỏng.');
      return r.value;
    };
    const staging = `${this.filesDir}.restoring-${process.pid}`;
    try {
      let header: Header;
      try {
        header = JSON.parse(await next()) as Header;
      } catch (err) {
        if (err instanceof AppError) throw err;
        throw refuse('Tệp không phải bản sao lưu của nền tảng DTI.');
      }
      if (header.format !== FORMAT || header.version !== VERSION) throw refuse('Tệp không phải bản sao lưu của nền tảng DTI.');
      const known = await knownMigrations(this.db);
      const unknown = header.migrations.filter((m) => !known.includes(m));
      if (unknown.length) throw refuse(`Bản sao lưu có migration mà phiên bản này chưa có: ${unknown.join(', ')}. Hãy cập nhật phần mềm trước.`);

      const applied = await repo.appliedMigrations(this.db);
      const empty = await this.isEmpty();
      if (!empty && !opts.force) {
        throw refuse('Cơ sở dữ liệu đích đã có dữ liệu. Chỉ khôi phục vào cơ sở dữ liệu trống, hoặc dùng --force để thay thế toàn bộ dữ liệu hiện có.');
      }
      if (empty) await migrateTo(this.db, header.migrations);
      else if (applied.join('|') !== header.migrations.join('|')) {
        throw refuse('Bản sao lưu thuộc một phiên bản lược đồ khác; hãy khôi phục vào một cơ sở dữ liệu trống.');
      }
      const tables = await repo.tablesInDependencyOrder(this.db);
      const selfRef = await repo.selfReferencing(this.db);
      const missing = header.tables.filter((t) => !tables.includes(t));
      if (missing.length) throw refuse(`Lược đồ không có các bảng ${missing.join(', ')}.`);

      fs.rmSync(staging, { recursive: true, force: true });
      fs.mkdirSync(staging, { recursive: true });
      const counts: Record<string, number> = {};
      let files = 0;
      const audit = await this.db.transaction(async (trx) => {
        // Always cleared: even an "empty" database holds the reference rows its migrations seed (the holiday
        // calendar), which the backup brings back as they were.
        await repo.truncate(trx, tables);
        await repo.markRestoring(trx);
        for (const expected of header.tables) {
          const t = JSON.parse(await next()) as { table: string; rows: number };
          if (t.table !== expected) throw refuse('Tệp sao lưu bị hỏng (thứ tự bảng không khớp).');
          // A table that references itself goes in one statement, so its foreign keys are checked on the whole.
          const batch = selfRef.has(t.table) ? Number.MAX_SAFE_INTEGER : BATCH;
          let rows: string[] = [];
          for (let i = 0; i < t.rows; i += 1) {
            rows.push(await next());
            if (rows.length >= batch) {
              await repo.insertJsonRows(trx, t.table, rows);
              rows = [];
            }
          }
          await repo.insertJsonRows(trx, t.table, rows);
          counts[t.table] = t.rows;
        }
        for (;;) {
          const line = JSON.parse(await next()) as { file?: string; size?: number; sha256?: string; end?: boolean; tables?: Record<string, number>; files?: number };
          if (line.end) {
            if (JSON.stringify(line.tables) !== JSON.stringify(counts) || line.files !== files) throw refuse('Tệp sao lưu bị hỏng (số bản ghi không khớp).');
            break;
          }
          const rel = line.file ?? '';
          const dest = path.resolve(staging, rel);
          if (!rel || !dest.startsWith(staging + path.sep)) throw refuse('Tệp sao lưu chứa đường dẫn tệp không hợp lệ.');
          const body = Buffer.from(await next(), 'base64');
          if (body.length !== line.size || createHash('sha256').update(body).digest('hex') !== line.sha256) {
            throw refuse(`Tệp ${rel} trong bản sao lưu bị hỏng.`);
          }
          fs.mkdirSync(path.dirname(dest), { recursive: true });
          fs.writeFileSync(dest, body);
          files += 1;
        }
        await repo.resetSequences(trx);
        return this.audit.verify(trx);
      });
      await migrateLatest(this.db);
      // The data committed: swap the evidence files in.
      const old = `${this.filesDir}.replaced-${process.pid}`;
      if (fs.existsSync(this.filesDir)) fs.renameSync(this.filesDir, old);
      fs.mkdirSync(path.dirname(this.filesDir), { recursive: true });
      fs.renameSync(staging, this.filesDir);
      fs.rmSync(old, { recursive: true, force: true });
      return { tables: counts, files, audit };
    } finally {
      rl.close();
      input.destroy();
      fs.rmSync(staging, { recursive: true, force: true });
    }
  }

  /** True when no data table has a row (a database never migrated counts as empty). */
  /** A database nobody has used yet: no rows but the reference rows its migrations seed (the holiday calendar). */
  async isEmpty(): Promise<boolean> {
    if (!(await repo.hasMigrationsTable(this.db))) return true;
    for (const t of await repo.tablesInDependencyOrder(this.db)) {
      if (SEEDED_BY_MIGRATIONS.has(t)) continue;
      if ((await repo.rowCount(this.db, t)) > 0) return false;
    }
    return true;
  }
}
