import type { Knex } from 'knex';

export interface ThrottleRow {
  key: string;
  failures: number;
  windowStartedAt: Date;
  lockedUntil: Date | null;
}

const toRow = (r: Record<string, unknown>): ThrottleRow => ({
  key: r.key as string,
  failures: r.failures as number,
  windowStartedAt: r.window_started_at as Date,
  lockedUntil: (r.locked_until as Date | null) ?? null,
});

/** The keys among `keys` locked at `now`. */
export async function lockedKeys(db: Knex, keys: string[], now: Date): Promise<ThrottleRow[]> {
  const rows = await db('login_throttle').whereIn('key', keys).andWhere('locked_until', '>', now);
  return rows.map(toRow);
}

/** Locks the key's row for the rest of the transaction, creating it first if needed. */
export async function lockRow(trx: Knex.Transaction, key: string, now: Date): Promise<ThrottleRow> {
  await trx('login_throttle').insert({ key, failures: 0, window_started_at: now }).onConflict('key').ignore();
  const row = await trx('login_throttle').where('key', key).forUpdate().first();
  return toRow(row);
}

export async function saveRow(trx: Knex.Transaction, row: ThrottleRow): Promise<void> {
  await trx('login_throttle')
    .where('key', row.key)
    .update({ failures: row.failures, window_started_at: row.windowStartedAt, locked_until: row.lockedUntil });
}

export async function clearKey(db: Knex, key: string): Promise<void> {
  await db('login_throttle').where('key', key).delete();
}

/** Rows whose window and lock are both over. */
export async function purgeStale(db: Knex, before: Date): Promise<number> {
  return db('login_throttle')
    .where('window_started_at', '<', before)
    .andWhere((q) => q.whereNull('locked_until').orWhere('locked_until', '<', before))
    .delete();
}
