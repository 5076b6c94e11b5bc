import type { Knex } from 'knex';
import type { Actor } from './policy.js';
import { unreadCountOf } from '../notifications/notifications.repository.js';

export interface SessionRow {
  id: string;
  userId: number;
  csrfToken: string;
  expiresAt: Date;
}

export async function insertSession(db: Knex, s: SessionRow): Promise<void> {
  await db('sessions').insert({ id: s.id, user_id: s.userId, csrf_token: s.csrfToken, expires_at: s.expiresAt });
}

export interface LiveSession extends SessionRow {
  actor: Actor;
  /** Shown beside "Thông báo" in every page's header. */
  unreadNotifications: number;
}

/**
 * A live session of an active user, with that user as the actor and their unread count: one read, since every
 * request makes it.
 */
export async function findLiveSession(db: Knex, id: string, now: Date): Promise<LiveSession | undefined> {
  const row = await db('sessions as s')
    .join('users as u', 'u.id', 's.user_id')
    .where('s.id', id)
    .andWhere('s.expires_at', '>', now)
    .andWhere('u.active', true)
    .first(
      's.id',
      's.user_id',
      's.csrf_token',
      's.expires_at',
      'u.username',
      'u.full_name',
      'u.role',
      'u.agency_id',
      unreadCountOf(db, 'u.id').as('unread'),
    );
  return (
    row && {
      id: row.id,
      userId: row.user_id,
      csrfToken: row.csrf_token,
      expiresAt: row.expires_at,
      actor: { id: row.user_id, username: row.username, fullName: row.full_name, role: row.role, agencyId: row.agency_id },
      unreadNotifications: Number(row.unread),
    }
  );
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
