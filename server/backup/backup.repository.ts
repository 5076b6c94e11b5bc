// Generic, schema-driven reads and writes for backup and restore: every table of the schema in foreign-key order,
// rows as PostgreSQL's own JSON text (row_to_json) and back (json_populate_recordset), so values round-trip exactly
// (numeric, timestamptz, jsonb) and tables added by later migrations are included without code changes.
import type { Knex } from 'knex';

/** Bookkeeping of knex, restored by running the migrations rather than copied. */
const SKIPPED = new Set(['knex_migrations', 'knex_migrations_lock']);

/** The data tables of the current schema, each after the tables it references. */
export async function tablesInDependencyOrder(db: Knex): Promise<string[]> {
  const tables = (
    await db.raw(
      `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = current_schema() AND c.relkind = 'r' ORDER BY c.relname`,
    )
  ).rows.map((r: { name: string }) => r.name).filter((t: string) => !SKIPPED.has(t)) as string[];
  const edges = (
    await db.raw(
      `SELECT cl.relname AS child, pl.relname AS parent FROM pg_constraint k
         JOIN pg_class cl ON cl.oid = k.conrelid JOIN pg_class pl ON pl.oid = k.confrelid
         JOIN pg_namespace n ON n.oid = cl.relnamespace
        WHERE k.contype = 'f' AND n.nspname = current_schema()`,
    )
  ).rows as Array<{ child: string; parent: string }>;
  const parents = new Map<string, Set<string>>(tables.map((t) => [t, new Set<string>()]));
  for (const e of edges) if (e.child !== e.parent && parents.has(e.child) && parents.has(e.parent)) parents.get(e.child)!.add(e.parent);
  const order: string[] = [];
  const done = new Set<string>();
  while (order.length < tables.length) {
    const ready = tables.filter((t) => !done.has(t) && [...parents.get(t)!].every((p) => done.has(p)));
    if (ready.length === 0) throw new Error(`foreign keys form a cycle among ${tables.filter((t) => !done.has(t)).join(', ')}`);
    for (const t of ready) {
      order.push(t);
      done.add(t);
    }
  }
  return order;
}

/** Whether a table references itself (its rows must then be inserted in one statement). */
export async function selfReferencing(db: Knex): Promise<Set<string>> {
  const rows = (
    await db.raw(
      `SELECT DISTINCT cl.relname AS name FROM pg_constraint k JOIN pg_class cl ON cl.oid = k.conrelid
         JOIN pg_namespace n ON n.oid = cl.relnamespace
        WHERE k.contype = 'f' AND k.conrelid = k.confrelid AND n.nspname = current_schema()`,
    )
  ).rows as Array<{ name: string }>;
  return new Set(rows.map((r) => r.name));
}

export async function hasMigrationsTable(db: Knex): Promise<boolean> {
  return db.schema.hasTable('knex_migrations');
}

export async function appliedMigrations(db: Knex): Promise<string[]> {
  if (!(await hasMigrationsTable(db))) return [];
  const rows = await db('knex_migrations').orderBy('id').select('name');
  return rows.map((r) => r.name as string);
}

/** Every row of a table as its JSON text. */
export async function rowsAsJson(db: Knex, table: string): Promise<string[]> {
  const r = await db.raw('SELECT row_to_json(t)::text AS j FROM ?? AS t', [table]);
  return (r.rows as Array<{ j: string }>).map((x) => x.j);
}

export async function rowCount(db: Knex, table: string): Promise<number> {
  const r = await db.raw('SELECT count(*)::int AS n FROM ??', [table]);
  return Number(r.rows[0].n);
}

/** Inserts rows given as JSON texts, exactly as row_to_json wrote them. */
export async function insertJsonRows(trx: Knex.Transaction, table: string, rows: string[]): Promise<void> {
  if (rows.length === 0) return;
  await trx.raw('INSERT INTO ?? SELECT * FROM json_populate_recordset(NULL::??, ?::json)', [table, table, `[${rows.join(',')}]`]);
}

export async function truncate(trx: Knex.Transaction, tables: string[]): Promise<void> {
  if (tables.length === 0) return;
  await trx.raw(`TRUNCATE ${tables.map(() => '??').join(', ')} RESTART IDENTITY CASCADE`, tables);
}

/**
 * Marks the transaction as a restore: triggers that keep derived counters (values_rev, migration 022) leave the
 * restored rows as the backup has them.
 */
export async function markRestoring(trx: Knex.Transaction): Promise<void> {
  await trx.raw("SELECT set_config('dti.restoring', 'on', true)");
}

/** Moves every serial sequence past the largest id restored. */
export async function resetSequences(trx: Knex.Transaction): Promise<void> {
  const cols = (
    await trx.raw(
      `SELECT table_name AS t, column_name AS c FROM information_schema.columns
        WHERE table_schema = current_schema() AND column_default LIKE 'nextval(%'`,
    )
  ).rows as Array<{ t: string; c: string }>;
  for (const { t, c } of cols) {
    await trx.raw('SELECT setval(pg_get_serial_sequence(?, ?), COALESCE((SELECT max(??) FROM ??), 0) + 1, false)', [t, c, c, t]);
  }
}
