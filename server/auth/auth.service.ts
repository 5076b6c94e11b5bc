// Login and sessions. The cookie carries a random token; the database keeps only its SHA-256, so a leaked
// sessions table cannot be replayed. A new session is made at every login (no fixation).
import { createHash, randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import { AppError } from '../errors.js';
import { verifyPassword } from './password.js';
import type { Actor } from './policy.js';
import * as sessions from './sessions.repository.js';
import type { UserService, UserRow } from '../users/users.service.js';

export interface AuthenticatedSession {
  actor: Actor;
  csrfToken: string;
  sessionId: string;
}

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

export class AuthService {
  constructor(
    private readonly db: Knex,
    private readonly users: UserService,
    private readonly sessionHours: number,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Returns the new session's cookie token. */
  async login(username: string, password: string): Promise<{ token: string; actor: Actor }> {
    const user = await this.users.findByUsername(username.trim());
    // Same message and the same work for an unknown user and a wrong password.
    const ok = user
      ? await verifyPassword(password, user.passwordHash)
      : await verifyPassword(password, DUMMY_HASH).then(() => false);
    if (!user || !ok || !user.active) {
      throw new AppError('unauthenticated', 'Tên đăng nhập hoặc mật khẩu không đúng.');
    }
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
    if (!session) return undefined;
    const user = await this.users.findById(session.userId);
    if (!user || !user.active) return undefined;
    return { actor: toActor(user), csrfToken: session.csrfToken, sessionId: session.id };
  }

  async logout(token: string): Promise<void> {
    await sessions.deleteSession(this.db, sha256(token));
  }

  /** Ends every session of a user (password reset, deactivation, role change), in the caller's transaction. */
  revokeSessionsOf(userId: number, db: Knex = this.db): Promise<number> {
    return sessions.deleteSessionsOfUser(db, userId);
  }

  async purgeExpired(): Promise<number> {
    return sessions.deleteExpiredSessions(this.db, this.now());
  }
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
