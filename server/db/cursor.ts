// A large query read a part at a time inside a transaction, so the work on one part overlaps the database producing
// the next. On PostgreSQL the cursor lives on a connection of its own that sees exactly what the transaction sees
// (the transaction exports its snapshot, the reader imports it: the mechanism pg_dump uses to read in parallel), so
// the transaction's own statements — a run's writes — go on beside it, on another server process. On PGlite, which
// has one connection, and in a nested transaction, the cursor is declared in the transaction itself and its reads
// take turns with the writes.
import type { Knex } from 'knex';
import pg from 'pg';
import { sendsBinaryParameters } from './database.js';

export interface Cursor {
  /** Reads on a connection of its own: a fetch may be in flight while the transaction runs a statement. */
  readonly alongside: boolean;
  /** The next rows (fewer than asked at the end, none after it). */
  fetch<Row>(rows: number): Promise<Row[]>;
  /** Ends the reading; safe to call more than once and after a failure. */
  close(): Promise<void>;
}

const NAME = 'read_cursor';

/** Opens a cursor over `query` that sees what `trx` sees. */
export async function openCursor(trx: Knex.Transaction, query: Knex.Raw): Promise<Cursor> {
  const sql = query.toQuery();
  // A snapshot can only be exported from a transaction's top level, not from a savepoint (a nested knex transaction).
  const nested = (trx as { parentTransaction?: unknown }).parentTransaction !== undefined;
  if (!sendsBinaryParameters(trx) || nested) return inTransaction(trx, sql);
  const { rows } = (await trx.raw('SELECT pg_export_snapshot() AS snapshot')) as { rows: Array<{ snapshot: string }> };
  const client = new pg.Client(trx.client.connectionSettings as pg.ClientConfig);
  try {
    await client.connect();
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    await client.query(`SET TRANSACTION SNAPSHOT '${rows[0]!.snapshot.replace(/'/g, '')}'`);
    await client.query(`DECLARE ${NAME} NO SCROLL CURSOR FOR ${sql}`);
  } catch {
    // No connection to spare (max_connections reached, say): the transaction reads for itself, only slower.
    await client.end().catch(() => undefined);
    return inTransaction(trx, sql);
  }
  let open = true;
  return {
    alongside: true,
    async fetch<Row>(count: number): Promise<Row[]> {
      return (await client.query(`FETCH ${Math.trunc(count)} FROM ${NAME}`)).rows as Row[];
    },
    async close(): Promise<void> {
      if (!open) return;
      open = false;
      // Read only: ending the session ends its transaction, and nothing it did needs keeping.
      await client.end().catch(() => undefined);
    },
  };
}

async function inTransaction(trx: Knex.Transaction, sql: string): Promise<Cursor> {
  await trx.raw(`DECLARE ${NAME} NO SCROLL CURSOR FOR ${sql}`);
  let open = true;
  return {
    alongside: false,
    async fetch<Row>(count: number): Promise<Row[]> {
      const result = (await trx.raw(`FETCH ${Math.trunc(count)} FROM ${NAME}`)) as { rows: Row[] };
      return result.rows;
    },
    async close(): Promise<void> {
      if (!open) return;
      open = false;
      await trx.raw(`CLOSE ${NAME}`).catch(() => undefined);
    },
  };
}
