// A full recompute reads its values as a binary COPY on a connection of its own (server/db/cursor.ts). When no such
// connection can be had, the run must still go on, reading inside its own transaction; and the COPY's rows must be
// read whole however the stream is cut into chunks.
import { expect } from 'chai';
import fc from 'fast-check';
import type { Knex } from 'knex';
import { BinaryCopyParser, openCursor } from '../../../server/db/cursor.js';

describe('read cursor', () => {
  it('when no connection of its own can be opened, then the cursor is declared in the transaction and reads there', async () => {
    const statements: string[] = [];
    // A node-postgres transaction whose server refuses new connections (nothing listens on port 1).
    const trx = {
      client: { config: { client: 'pg' }, connectionSettings: { host: '127.0.0.1', port: 1, connectionTimeoutMillis: 2000 } },
      raw: async (sql: string) => {
        statements.push(sql);
        return { rows: sql.startsWith('SELECT pg_export_snapshot') ? [{ snapshot: '00000003-0000001B-1' }] : [{ n: 1 }] };
      },
    } as unknown as Knex.Transaction;
    const query = { toQuery: () => 'SELECT 1 AS n' } as unknown as Knex.Raw;
    const cursor = await openCursor(trx, query, { query, row: () => ({ n: 0 }) });
    expect(cursor.alongside).to.equal(false);
    expect(await cursor.fetch(10)).to.deep.equal([{ n: 1 }]);
    await cursor.close();
    await cursor.close();
    expect(statements).to.deep.equal([
      'SELECT pg_export_snapshot() AS snapshot',
      'DECLARE read_cursor NO SCROLL CURSOR FOR SELECT 1 AS n',
      'FETCH 10 FROM read_cursor',
      'CLOSE read_cursor',
    ]);
  });

  /** A binary COPY stream of these rows (the COPY documentation, "Binary Format"), with a header extension. */
  function copyStream(rows: ReadonlyArray<ReadonlyArray<Buffer | null>>, extension: Buffer): Buffer {
    const parts: Buffer[] = [Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), Buffer.alloc(4), int32(extension.length), extension];
    for (const row of rows) {
      parts.push(int16(row.length));
      for (const field of row) parts.push(...(field === null ? [int32(-1)] : [int32(field.length), field]));
    }
    parts.push(int16(-1));
    return Buffer.concat(parts);
  }
  const int16 = (n: number): Buffer => {
    const b = Buffer.alloc(2);
    b.writeInt16BE(n);
    return b;
  };
  const int32 = (n: number): Buffer => {
    const b = Buffer.alloc(4);
    b.writeInt32BE(n);
    return b;
  };

  it('when a binary COPY arrives cut anywhere into chunks, then every row is read whole, nulls and empty fields included', () => {
    const field = fc.option(fc.uint8Array({ maxLength: 40 }).map((a) => Buffer.from(a)), { nil: null, freq: 4 });
    const rows = fc.array(fc.array(field, { maxLength: 8 }), { maxLength: 30 });
    fc.assert(
      fc.property(rows, fc.uint8Array({ maxLength: 6 }), fc.array(fc.nat(), { maxLength: 12 }), (input, extension, cuts) => {
        const stream = copyStream(input, Buffer.from(extension));
        const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
        const parser = new BinaryCopyParser();
        const read: Array<Array<Buffer | null>> = [];
        let from = 0;
        for (const to of [...points, stream.length]) {
          read.push(...parser.push(stream.subarray(from, to)));
          from = to;
        }
        expect(parser.complete).to.equal(true);
        expect(read.map((r) => r.map((f) => (f === null ? null : [...f])))).to.deep.equal(input.map((r) => r.map((f) => (f === null ? null : [...f]))));
      }),
      { numRuns: 300 },
    );
  });

  it('when the stream is not a binary COPY, then it is refused', () => {
    expect(() => new BinaryCopyParser().push(Buffer.from('COPY 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19'))).to.throw('not a binary COPY stream');
  });
});
