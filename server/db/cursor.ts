// A large query read a part at a time inside a transaction, so the work on one part overlaps the database producing
// the next. On PostgreSQL the query is read on a connection of its own that sees exactly what the transaction sees
// (the transaction exports its snapshot, the reader imports it: the mechanism pg_dump uses to read in parallel), so
// the transaction's own statements — a run's writes — go on beside it, on another server process; there it is read
// as a COPY in binary, each field the bytes PostgreSQL holds (nothing printed as text by the server, nothing parsed
// back by Node), when the caller says how to make a row of them. On PGlite, which has one connection, in a nested
// transaction, and when no connection can be spared, a cursor is declared in the transaction itself and its reads
// take turns with the writes.
import type { Knex } from 'knex';
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import type { Readable } from 'node:stream';
import { sendsBinaryParameters } from './database.js';

export interface Cursor<Row> {
  /** Reads on a connection of its own: a fetch may be in flight while the transaction runs a statement. */
  readonly alongside: boolean;
  /** The next rows (fewer than asked at the end, none after it). */
  fetch(rows: number): Promise<Row[]>;
  /** Ends the reading; safe to call more than once and after a failure. */
  close(): Promise<void>;
}

/** The query as a COPY … TO STDOUT (FORMAT binary), and how a row is made of its fields' bytes (null for NULL). */
export interface BinaryCopy<Row> {
  query: Knex.Raw;
  row(fields: ReadonlyArray<Buffer | null>): Row;
}

const NAME = 'read_cursor';

/**
 * Opens a reading of `query` that sees what `trx` sees: a COPY of `copy.query` on a connection of its own where it
 * can, else a cursor over `query` in the transaction. Both must return the same rows.
 */
export async function openCursor<Row>(trx: Knex.Transaction, query: Knex.Raw, copy: BinaryCopy<Row>): Promise<Cursor<Row>> {
  const client = await readerSharingSnapshot(trx);
  if (!client) return inTransaction<Row>(trx, query.toQuery());
  return copyReader(client, copy);
}

/**
 * A connection in a read-only transaction on the snapshot `trx` exports, or null where there can be none: PGlite, a
 * nested transaction (a savepoint cannot export a snapshot), or a server with no connection to spare.
 */
async function readerSharingSnapshot(trx: Knex.Transaction): Promise<pg.Client | null> {
  const nested = (trx as { parentTransaction?: unknown }).parentTransaction !== undefined;
  if (!sendsBinaryParameters(trx) || nested) return null;
  const { rows } = (await trx.raw('SELECT pg_export_snapshot() AS snapshot')) as { rows: Array<{ snapshot: string }> };
  const client = new pg.Client(trx.client.connectionSettings as pg.ClientConfig);
  // A connection lost while reading fails the reading (the stream errors, the fetch throws); it must not also be an
  // unhandled 'error' event of the client, which would end the process.
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    await client.query(`SET TRANSACTION SNAPSHOT '${rows[0]!.snapshot.replace(/'/g, '')}'`);
    return client;
  } catch {
    // No connection to spare (max_connections reached, say): the transaction reads for itself, only slower.
    await client.end().catch(() => undefined);
    return null;
  }
}

/**
 * The rows of a binary COPY as they arrive, parsed while the server goes on producing the next ones; the stream is
 * paused while more than two parts wait to be fetched.
 */
function copyReader<Row>(client: pg.Client, copy: BinaryCopy<Row>): Cursor<Row> {
  const stream: Readable = client.query(copyTo(`COPY (${copy.query.toQuery()}) TO STDOUT (FORMAT binary)`));
  const parser = new BinaryCopyParser();
  const ready: Row[] = [];
  let ended = false;
  let failure: unknown = null;
  let wanted = 0;
  let wake: (() => void) | null = null;
  const notify = (): void => {
    wake?.();
    wake = null;
  };
  stream.on('data', (chunk: Buffer) => {
    try {
      for (const fields of parser.push(chunk)) ready.push(copy.row(fields));
    } catch (e) {
      failure = e;
      stream.destroy();
    }
    if (ready.length > 2 * wanted && wanted > 0) stream.pause();
    notify();
  });
  stream.on('end', () => {
    ended = true;
    if (!parser.complete) failure ??= new Error('the COPY stream ended before its trailer');
    notify();
  });
  stream.on('error', (e) => {
    failure ??= e;
    ended = true;
    notify();
  });
  let open = true;
  return {
    alongside: true,
    async fetch(count: number): Promise<Row[]> {
      wanted = count;
      while (ready.length < count && !ended && failure === null) {
        stream.resume();
        await new Promise<void>((resolve) => (wake = resolve));
      }
      if (failure !== null) throw failure;
      const rows = ready.splice(0, count);
      if (ready.length <= 2 * count) stream.resume();
      return rows;
    },
    async close(): Promise<void> {
      if (!open) return;
      open = false;
      stream.destroy();
      // Read only: ending the session ends its transaction (and any COPY still sending), and nothing needs keeping.
      await client.end().catch(() => undefined);
    },
  };
}

/**
 * PostgreSQL's binary COPY format (the COPY documentation, "Binary Format"), parsed from chunks as they come: an
 * 11-byte signature, flags and a header extension, then per row its field count and each field as its length (−1 for
 * NULL) and bytes, and a field count of −1 at the end. A row split across chunks waits for the rest.
 */
export class BinaryCopyParser {
  private tail: Buffer | null = null;
  private header = true;
  /** Whether the trailer has been read. */
  complete = false;

  /** The rows completed by this chunk; their fields are views of the chunks, not copies. */
  push(chunk: Buffer): Array<Array<Buffer | null>> {
    const buf = this.tail ? Buffer.concat([this.tail, chunk]) : chunk;
    const rows: Array<Array<Buffer | null>> = [];
    let at = 0;
    if (this.header) {
      if (buf.length < 19) return this.keep(buf, 0, rows);
      if (!buf.subarray(0, 11).equals(SIGNATURE)) throw new Error('not a binary COPY stream');
      const extension = buf.readInt32BE(15);
      if (buf.length < 19 + extension) return this.keep(buf, 0, rows);
      at = 19 + extension;
      this.header = false;
    }
    while (!this.complete && buf.length - at >= 2) {
      const count = buf.readInt16BE(at);
      if (count === -1) {
        this.complete = true;
        at += 2;
        break;
      }
      const fields = new Array<Buffer | null>(count);
      let p = at + 2;
      let whole = true;
      for (let f = 0; f < count; f++) {
        if (buf.length - p < 4) {
          whole = false;
          break;
        }
        const length = buf.readInt32BE(p);
        p += 4;
        if (length < 0) {
          fields[f] = null;
          continue;
        }
        if (buf.length - p < length) {
          whole = false;
          break;
        }
        fields[f] = buf.subarray(p, p + length);
        p += length;
      }
      if (!whole) break;
      rows.push(fields);
      at = p;
    }
    return this.keep(buf, at, rows);
  }

  private keep(buf: Buffer, at: number, rows: Array<Array<Buffer | null>>): Array<Array<Buffer | null>> {
    this.tail = at < buf.length ? buf.subarray(at) : null;
    return rows;
  }
}

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');

async function inTransaction<Row>(trx: Knex.Transaction, sql: string): Promise<Cursor<Row>> {
  await trx.raw(`DECLARE ${NAME} NO SCROLL CURSOR FOR ${sql}`);
  let open = true;
  return {
    alongside: false,
    async fetch(count: number): Promise<Row[]> {
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
