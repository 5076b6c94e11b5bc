import type { Knex } from 'knex';

export interface SessionRow {
  id: string;
  userId: number;
  csrfToken: string;
  expiresAt: Date;
}

export async function insertSession(db: Knex, s: SessionRow): Promise<void> {
  await db('sessions').insert({ id: s.id, user_id: s.userId, csrf_token: s.csrfToken, expires_at: s.expiresAt });
}

export async function findLiveSession(db: Knex, id: string, now: Date): Promise<SessionRow | undefined> {
  const row = await db('sessions').where('id', id).andWhere('expires_at', '>', now).first();
  return row && { id: row.id, userId: row.user_id, csrfToken: row.csrf_token, expiresAt: row.expires_at };
}

export async function deleteSession(db: Knex, id: string): Promise<void> {
  await db('sessions').where('id', id).delete();
}

export async function deleteExpiredSessions(db: Knex, now: Date): Promise<number> {
  return db('sessions').where('expires_at', '<=', now).delete();
}

/** Ends every session of a user; returns how many there were. */
export async function deleteUserSessions(db: Knex, userId: number): Promise<number> {
  return db('sessions').where('user_id', userId).delete();
}
