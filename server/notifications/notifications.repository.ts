import type { Knex } from 'knex';

export interface NotificationRow {
  id: number;
  userId: number;
  kind: string;
  subject: string;
  body: string;
  link: string | null;
  createdAt: Date;
  readAt: Date | null;
}

const toNotification = (r: Record<string, unknown>): NotificationRow => ({
  id: Number(r.id),
  userId: r.user_id as number,
  kind: r.kind as string,
  subject: r.subject as string,
  body: r.body as string,
  link: (r.link as string | null) ?? null,
  createdAt: r.created_at as Date,
  readAt: (r.read_at as Date | null) ?? null,
});

export type NewNotification = Omit<NotificationRow, 'id' | 'readAt'>;

export async function insertNotifications(trx: Knex, rows: NewNotification[]): Promise<number[]> {
  if (rows.length === 0) return [];
  const out = await trx('notifications')
    .insert(
      rows.map((n) => ({
        user_id: n.userId,
        kind: n.kind,
        subject: n.subject,
        body: n.body,
        link: n.link,
        created_at: n.createdAt,
      })),
    )
    .returning('id');
  return out.map((r: { id: number | string }) => Number(r.id));
}

export interface NewMail {
  notificationId: number | null;
  userId: number | null;
  to: string;
  subject: string;
  body: string;
  createdAt: Date;
}

export async function insertMail(trx: Knex, rows: NewMail[]): Promise<void> {
  if (rows.length === 0) return;
  await trx('mail_outbox').insert(
    rows.map((m) => ({
      notification_id: m.notificationId,
      user_id: m.userId,
      to_address: m.to,
      subject: m.subject,
      body: m.body,
      state: 'pending',
      created_at: m.createdAt,
      next_attempt_at: m.createdAt,
    })),
  );
}

export async function listForUser(db: Knex, userId: number, limit: number): Promise<NotificationRow[]> {
  const rows = await db('notifications').where({ user_id: userId }).orderBy('id', 'desc').limit(limit);
  return rows.map(toNotification);
}

/**
 * The number of unread notifications of the user whose id is in `userIdColumn` of the outer query, as a subquery:
 * the session read, which every page makes, carries it for the page header without a round trip of its own.
 */
export function unreadCountOf(db: Knex, userIdColumn: string): Knex.QueryBuilder {
  return db('notifications as unread').whereRaw('unread.user_id = ??', [userIdColumn]).whereNull('unread.read_at').count('*');
}

/** Marks one of the user's own notifications read and returns it; undefined when it is not theirs (or none). */
export async function markRead(db: Knex, userId: number, id: number, at: Date): Promise<NotificationRow | undefined> {
  const found = await db('notifications').where({ id, user_id: userId }).first();
  if (!found) return undefined;
  if (found.read_at === null) await db('notifications').where({ id, user_id: userId }).update({ read_at: at });
  return toNotification(found);
}

export async function markAllRead(db: Knex, userId: number, at: Date): Promise<number> {
  return db('notifications').where({ user_id: userId }).whereNull('read_at').update({ read_at: at });
}

export interface MailRow {
  id: number;
  to: string;
  subject: string;
  body: string;
  attempts: number;
}

/**
 * Leases up to `limit` due messages: their next attempt moves `leaseMs` ahead and the attempt is counted before
 * anything is sent, so a second worker (SKIP LOCKED) never takes the same message and a worker that dies mid-send
 * leaves the message to be retried when the lease runs out.
 */
export async function leaseDue(db: Knex, now: Date, leaseMs: number, limit: number): Promise<MailRow[]> {
  const r = await db.raw(
    `UPDATE mail_outbox SET attempts = attempts + 1, next_attempt_at = ?
      WHERE id IN (SELECT id FROM mail_outbox WHERE state = 'pending' AND next_attempt_at <= ?
                   ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED)
      RETURNING id, to_address, subject, body, attempts`,
    [new Date(now.getTime() + leaseMs), now, limit],
  );
  return (r.rows as Array<Record<string, unknown>>)
    .map((x) => ({
      id: Number(x.id),
      to: x.to_address as string,
      subject: x.subject as string,
      body: x.body as string,
      attempts: x.attempts as number,
    }))
    .sort((a, b) => a.id - b.id);
}

export async function markSent(db: Knex, id: number, at: Date): Promise<void> {
  await db('mail_outbox').where({ id }).update({ state: 'sent', sent_at: at, last_error: null });
}

export async function markRetry(db: Knex, id: number, nextAttemptAt: Date, error: string): Promise<void> {
  await db('mail_outbox').where({ id }).update({ next_attempt_at: nextAttemptAt, last_error: error });
}

export async function markFailed(db: Knex, id: number, error: string): Promise<void> {
  await db('mail_outbox').where({ id }).update({ state: 'failed', last_error: error });
}

/** Without an SMTP relay, pending mail is closed as in-app only. */
export async function skipPending(db: Knex, now: Date): Promise<number> {
  return db('mail_outbox')
    .where({ state: 'pending' })
    .andWhere('next_attempt_at', '<=', now)
    .update({ state: 'skipped', last_error: 'SMTP chưa được cấu hình' });
}
