// A full recompute reads its values with a cursor on a connection of its own (server/db/cursor.ts). When no such
// connection can be had, the run must still go on, reading inside its own transaction.
import { expect } from 'chai';
import type { Knex } from 'knex';
import { openCursor } from '../../../server/db/cursor.js';

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
    const cursor = await openCursor(trx, query);
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
});
