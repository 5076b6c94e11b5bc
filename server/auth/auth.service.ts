// Login and sessions. The cookie carries a random token; the database keeps only its SHA-256, so a leaked
// sessions table cannot be replayed. A new session is made at every login (no fixation).
import { createHash, randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import { AppError } from '../errors.js';
import { verifyPassword } from './password.js';
import { authorize, type Actor } from './policy.js';
import * as sessions from './sessions.repository.js';
import * as throttle from './throttle.repository.js';
import type { UserService, UserRow } from '../users/users.service.js';
import type { AuditService } from '../audit/audit.service.js';
import type { Config } from '../config.js';

export interface AuthenticatedSession {
  actor: Actor;
  csrfToken: string;
  sessionId: string;
  unreadNotifications: number;
}

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

export class AuthService {
  constructor(
    private readonly db: Knex,
    private readonly users: UserService,
    private readonly sessionHours: number,
    private readonly now: () => Date = () => new Date(),
    private readonly opts: { audit?: AuditService; login?: Config['login'] } = {},
  ) {}

  /** The clock the services run on. */
  time(): Date {
    return this.now();
  }

  private get limits(): Config['login'] {
    return this.opts.login ?? { maxFailures: 5, lockMinutes: 15, ipMaxFailures: 50 };
  }

  /**
   * Returns the new session's cookie token. Failed attempts are counted per account and per client address in the
   * database: after `maxFailures` failures within `lockMinutes` the account is locked for `lockMinutes` (audited),
   * and an address with too many failures is turned away the same way. Unknown usernames are counted like known
   * ones, so the answers do not tell which accounts exist.
   */
  async login(username: string, password: string, ip = 'unknown'): Promise<{ token: string; actor: Actor }> {
    const name = username.trim().toLowerCase();
    const userKey = `user:${name}`;
    const ipKey = `ip:${ip}`;
    const locked = await throttle.lockedKeys(this.db, [userKey, ipKey], this.now());
    if (locked.length) throw lockedError(locked, this.now());
    const user = await this.users.findByUsername(name);
    // Same message and the same work for an unknown user and a wrong password.
    const ok = user
      ? await verifyPassword(password, user.passwordHash)
      : await verifyPassword(password, DUMMY_HASH).then(() => false);
    if (!user || !ok || !user.active) {
      const lock = await this.recordFailure(userKey, ipKey, name, ip);
      if (lock) throw lock;
      throw new AppError('unauthenticated', 'Tên đăng nhập hoặc mật khẩu không đúng.');
    }
    await throttle.clearKey(this.db, userKey);
    const token = randomBytes(32).toString('base64url');
    await sessions.insertSession(this.db, {
      id: sha256(token),
      userId: user.id,
      csrfToken: randomBytes(24).toString('base64url'),
      expiresAt: new Date(this.now().getTime() + this.sessionHours * 3600_000),
    });
    return { token, actor: toActor(user) };
  }

  async resolve(token: string): Promise<AuthenticatedSession | undefined> {
    const session = await sessions.findLiveSession(this.db, sha256(token), this.now());
    return session && { actor: session.actor, csrfToken: session.csrfToken, sessionId: session.id, unreadNotifications: session.unreadNotifications };
  }

  async logout(token: string): Promise<void> {
    await sessions.deleteSession(this.db, sha256(token));
  }

  /** Ends every session of a user (password reset, deactivation, role change), in the caller's transaction. */
  revokeSessionsOf(userId: number, db: Knex = this.db): Promise<number> {
    return sessions.deleteUserSessions(db, userId);
  }

  /** Ends every session of a user: "log out everywhere" for oneself, or an admin's decision for another user. */
  async endSessions(actor: Actor, userId: number): Promise<number> {
    if (userId !== actor.id) authorize(actor, 'security.manage');
    return this.db.transaction(async (trx) => {
      const n = await sessions.deleteUserSessions(trx, userId);
      // An admin ending someone else's sessions is a decision on record; logging oneself out everywhere is not.
      if (userId !== actor.id) {
        await this.opts.audit?.record(trx, actor, [
          { action: 'session.end_all', entity: 'user', entityId: userId, after: { sessions: n } },
        ]);
      }
      return n;
    });
  }

  async purgeExpired(): Promise<number> {
    await throttle.purgeStale(this.db, new Date(this.now().getTime() - this.limits.lockMinutes * 60_000));
    return sessions.deleteExpiredSessions(this.db, this.now());
  }

  /** Counts a failure against the account and the address; returns the error to answer with when one is now locked. */
  private async recordFailure(userKey: string, ipKey: string, username: string, ip: string): Promise<AppError | undefined> {
    const now = this.now();
    const windowMs = this.limits.lockMinutes * 60_000;
    return this.db.transaction(async (trx) => {
      const lockedNow: throttle.ThrottleRow[] = [];
      for (const [key, max] of [
        [userKey, this.limits.maxFailures],
        [ipKey, this.limits.ipMaxFailures],
      ] as const) {
        const row = await throttle.lockRow(trx, key, now);
        if (row.lockedUntil && row.lockedUntil > now) {
          lockedNow.push(row);
          continue;
        }
        if (now.getTime() - row.windowStartedAt.getTime() > windowMs || row.lockedUntil) {
          row.failures = 0;
          row.windowStartedAt = now;
          row.lockedUntil = null;
        }
        row.failures += 1;
        if (row.failures >= max) {
          row.lockedUntil = new Date(now.getTime() + windowMs);
          row.failures = 0;
          lockedNow.push(row);
          await this.opts.audit?.record(trx, null, [
            {
              action: key === userKey ? 'auth.lockout' : 'auth.ip_lockout',
              entity: key === userKey ? 'user' : 'address',
              entityId: key === userKey ? username : ip,
              after: { lockedUntil: row.lockedUntil.toISOString(), ip },
            },
          ]);
        }
        await throttle.saveRow(trx, row);
      }
      return lockedNow.length ? lockedError(lockedNow, now) : undefined;
    });
  }
}

function lockedError(rows: throttle.ThrottleRow[], now: Date): AppError {
  const until = Math.max(...rows.map((r) => r.lockedUntil!.getTime()));
  const minutes = Math.max(1, Math.ceil((until - now.getTime()) / 60_000));
  const account = rows.some((r) => r.key.startsWith('user:'));
  return new AppError(
    'rate_limited',
    account
      ? `Tài khoản tạm thời bị khóa do đăng nhập sai quá nhiều lần. Vui lòng thử lại sau ${minutes} phút.`
      : `Có quá nhiều lần đăng nhập sai từ địa chỉ này. Vui lòng thử lại sau ${minutes} phút.`,
  );
}

const toActor = (u: UserRow): Actor => ({
  id: u.id,
  username: u.username,
  fullName: u.fullName,
  role: u.role,
  agencyId: u.agencyId,
});

// A real scrypt hash of a random password, so that an unknown user costs as much time as a known one.
const DUMMY_HASH =
  'scrypt$16384$8$1$c2FsdHNhbHRzYWx0c2FsdA==$Zm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyMTI=';
