// Notifications: every message is an in-app notification of its recipient and, for recipients with an email
// address, a row of the mail outbox — both written in the caller's transaction, so they exist exactly when the
// event does. A worker sends the outbox through SMTP with retries; each user reads only their own notifications.
import type { Knex } from 'knex';
import type { Actor } from '../auth/policy.js';
import { notFound } from '../errors.js';
import type { Mailer } from './mailer.js';
import * as repo from './notifications.repository.js';

export type { NotificationRow } from './notifications.repository.js';

export interface Recipient {
  id: number;
  email: string | null;
}

export interface Message {
  /** What the message is about: 'submission.return', 'appeal.decided', 'reminder.before_due', … */
  kind: string;
  subject: string;
  /** Plain text, Vietnamese; the mail adds the link under it. */
  body: string;
  /** A path inside the site, e.g. /submissions/12. */
  link: string | null;
}

export interface OutboxOutcome {
  sent: number;
  retried: number;
  failed: number;
  skipped: number;
}

/** Attempts before a message is given up, and the wait after each failed one. */
export const MAX_ATTEMPTS = 5;
const BACKOFF_MS = [60_000, 5 * 60_000, 15 * 60_000, 60 * 60_000];
const LEASE_MS = 5 * 60_000;
const BATCH = 50;

export class NotificationService {
  constructor(
    private readonly db: Knex,
    private readonly deps: { mailer: Mailer | null; publicUrl: string; now?: () => Date; log?: (msg: string) => void },
  ) {}

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  /** Records the message for each recipient inside the caller's transaction (once per user). */
  async notify(trx: Knex.Transaction, recipients: Recipient[], message: Message): Promise<void> {
    const unique = [...new Map(recipients.map((r) => [r.id, r])).values()];
    if (unique.length === 0) return;
    const at = this.now();
    const ids = await repo.insertNotifications(
      trx,
      unique.map((r) => ({ userId: r.id, kind: message.kind, subject: message.subject, body: message.body, link: message.link, createdAt: at })),
    );
    const text = this.mailText(message);
    await repo.insertMail(
      trx,
      unique.flatMap((r, i) =>
        r.email ? [{ notificationId: ids[i] ?? null, userId: r.id, to: r.email, subject: message.subject, body: text, createdAt: at }] : [],
      ),
    );
  }

  /** The absolute address of a path of the site, for mail. */
  url(link: string): string {
    return `${this.deps.publicUrl}${link}`;
  }

  private mailText(m: Message): string {
    const lines = [m.body];
    if (m.link) lines.push('', `Xem chi tiết: ${this.url(m.link)}`);
    lines.push('', '—', 'Thư này được gửi tự động từ Nền tảng đánh giá chuyển đổi số của tỉnh; vui lòng không trả lời thư.');
    return lines.join('\n');
  }

  list(actor: Actor, limit = 100): Promise<repo.NotificationRow[]> {
    return repo.listForUser(this.db, actor.id, limit);
  }

  /**
   * Marks one of the actor's notifications read and returns the page it leads to (a path of this site only).
   * Another user's notification is "not found": its existence is not revealed.
   */
  async markRead(actor: Actor, id: number): Promise<string | null> {
    const n = await repo.markRead(this.db, actor.id, id, this.now());
    if (!n) throw notFound('thông báo');
    return n.link && /^\/(?![/\\])/.test(n.link) ? n.link : null;
  }

  markAllRead(actor: Actor): Promise<number> {
    return repo.markAllRead(this.db, actor.id, this.now());
  }

  /**
   * One pass of the outbox worker: sends what is due, retries failures with growing waits, gives up after
   * MAX_ATTEMPTS. Several instances may run it at once (leases, SKIP LOCKED).
   */
  async deliverOutbox(): Promise<OutboxOutcome> {
    const out: OutboxOutcome = { sent: 0, retried: 0, failed: 0, skipped: 0 };
    const mailer = this.deps.mailer;
    if (!mailer) {
      out.skipped = await repo.skipPending(this.db, this.now());
      if (out.skipped) this.deps.log?.(`SMTP chưa được cấu hình: ${out.skipped} thư chỉ hiển thị trong ứng dụng.`);
      return out;
    }
    for (;;) {
      const batch = await repo.leaseDue(this.db, this.now(), LEASE_MS, BATCH);
      if (batch.length === 0) return out;
      for (const m of batch) {
        try {
          await mailer.send({ to: m.to, subject: m.subject, text: m.body });
          await repo.markSent(this.db, m.id, this.now());
          out.sent += 1;
        } catch (err) {
          const message = err instanceof Error ? err.message : String(err);
          if (m.attempts >= MAX_ATTEMPTS) {
            await repo.markFailed(this.db, m.id, message);
            this.deps.log?.(`Gửi thư #${m.id} tới ${m.to} thất bại sau ${m.attempts} lần: ${message}`);
            out.failed += 1;
          } else {
            const wait = BACKOFF_MS[Math.min(m.attempts - 1, BACKOFF_MS.length - 1)]!;
            await repo.markRetry(this.db, m.id, new Date(this.now().getTime() + wait), message);
            out.retried += 1;
          }
        }
      }
      if (batch.length < BATCH) return out;
    }
  }
}
