// The Department's administration of users: add, edit (name, e-mail, role, agency), deactivate and reset a
// password. Deactivating, resetting a password or changing a role or agency ends the user's sessions, so the
// change takes effect at once. An admin cannot lock themselves out. Every change is audited (never the password).
import type { Knex } from 'knex';
import { z } from 'zod';
import { authorize, ROLE_LABELS, ROLES, type Actor } from '../auth/policy.js';
import { hashPassword } from '../auth/password.js';
import { notFound, validationError, type FieldProblem } from '../errors.js';
import type { AuditService } from '../audit/audit.service.js';
import type { AgencyService } from '../agencies/agencies.service.js';
import type { AuthService } from '../auth/auth.service.js';
import { newUserSchema } from './users.service.js';
import * as repo from './users.repository.js';

export type { UserListRow } from './users.repository.js';

const userRowSchema = newUserSchema.extend({
  // The same rules as the command line's, with a Vietnamese message where a field is missing or unknown.
  username: z.string({ error: 'cần tên đăng nhập' }).pipe(newUserSchema.shape.username),
  fullName: z.string({ error: 'cần họ và tên' }).pipe(newUserSchema.shape.fullName),
  role: z.enum(ROLES, { error: `vai trò không hợp lệ (${ROLES.map((r) => ROLE_LABELS[r]).join(', ')})` }),
  password: z.string().min(8, 'mật khẩu tối thiểu 8 ký tự').max(200).nullable().default(null),
  active: z.boolean().default(true),
});
const passwordSchema = newUserSchema.shape.password;

export type UserInput = z.input<typeof userRowSchema>;
export type UserRowOutcome = { action: 'create' | 'update' | 'unchanged'; id: number } | { action: 'refused'; problems: string[] };

export class UserAdminService {
  constructor(
    private readonly db: Knex,
    private readonly deps: { agencies: AgencyService; audit: AuditService; auth: AuthService },
  ) {}

  list(actor: Actor): Promise<repo.UserListRow[]> {
    authorize(actor, 'directory.manage');
    return repo.listUsers(this.db);
  }

  async get(actor: Actor, id: number): Promise<repo.UserRow> {
    authorize(actor, 'directory.manage');
    const u = await repo.findById(this.db, id);
    if (!u) throw notFound('người dùng');
    return u;
  }

  /** Creates (no id: the username must be new) or updates (id: the username cannot change) one user. */
  async save(actor: Actor, input: UserInput, id?: number): Promise<number> {
    authorize(actor, 'directory.manage');
    return this.db.transaction(async (trx) => {
      if (id !== undefined) {
        const existing = await repo.findById(trx, id);
        if (!existing) throw notFound('người dùng');
        input = { ...input, username: existing.username };
      } else if (await repo.findByUsername(trx, String(input.username ?? '').trim())) {
        throw validationError('Thông tin người dùng chưa hợp lệ.', [
          { field: 'username', message: `Tên đăng nhập ${String(input.username).trim().toLowerCase()} đã tồn tại.` },
        ]);
      }
      const outcome = await this.applyRow(trx, actor, input);
      if (outcome.action === 'refused') {
        throw validationError('Thông tin người dùng chưa hợp lệ.', outcome.problems.map((message): FieldProblem => ({ field: 'user', message })));
      }
      return outcome.id;
    });
  }

  /** The user with this username as an input row (no password), or null when the username is new. */
  async currentInput(trx: Knex.Transaction, username: string): Promise<UserInput | null> {
    const u = await repo.findByUsername(trx, username.trim());
    if (!u) return null;
    const agency = u.agencyId === null ? undefined : await this.deps.agencies.get(u.agencyId, trx);
    return { username: u.username, fullName: u.fullName, email: u.email, role: u.role, agencyCode: agency?.code ?? null, password: null, active: u.active };
  }

  async resetPassword(actor: Actor, id: number, password: string): Promise<void> {
    authorize(actor, 'directory.manage');
    const parsed = passwordSchema.safeParse(password);
    if (!parsed.success) {
      throw validationError('Mật khẩu mới chưa hợp lệ.', parsed.error.issues.map((i) => ({ field: 'password', message: i.message })));
    }
    const hash = await hashPassword(parsed.data);
    await this.db.transaction(async (trx) => {
      const u = await repo.findById(trx, id);
      if (!u) throw notFound('người dùng');
      await repo.setPasswordHash(trx, id, hash);
      await this.deps.auth.revokeSessionsOf(id, trx);
      await this.deps.audit.record(trx, actor, [{ action: 'user.password', entity: 'user', entityId: id, agencyId: u.agencyId }]);
    });
  }

  /** Applies one user row (by username: new → create, known → update) in the caller's transaction. */
  async applyRow(trx: Knex.Transaction, actor: Actor, input: Partial<UserInput>): Promise<UserRowOutcome> {
    authorize(actor, 'directory.manage');
    const parsed = userRowSchema.safeParse(input);
    if (!parsed.success) return { action: 'refused', problems: parsed.error.issues.map((i) => i.message) };
    const u = parsed.data;
    const problems: string[] = [];
    const agency = u.agencyCode ? await this.deps.agencies.findByCode(u.agencyCode.toUpperCase(), trx) : undefined;
    if (u.agencyCode && !agency) problems.push(`không có đơn vị mã ${u.agencyCode}`);
    if ((u.role === 'reporter' || u.role === 'head') && !u.agencyCode) problems.push('chuyên viên và lãnh đạo đơn vị phải thuộc một đơn vị');
    const existing = await repo.findByUsername(trx, u.username);
    if (!existing && !u.password) problems.push('người dùng mới cần mật khẩu (tối thiểu 8 ký tự)');
    if (existing?.id === actor.id && (!u.active || u.role !== 'admin')) {
      problems.push('không thể tự khóa hoặc bỏ vai trò quản trị của chính mình');
    }
    if (problems.length) return { action: 'refused', problems };

    const after = { fullName: u.fullName, email: u.email, role: u.role, agencyId: agency?.id ?? null, active: u.active };
    if (!existing) {
      const id = await repo.insertUser(trx, { username: u.username, passwordHash: await hashPassword(u.password!), ...after });
      if (!u.active) await repo.updateUser(trx, id, after);
      await this.deps.audit.record(trx, actor, [
        { action: 'user.create', entity: 'user', entityId: id, agencyId: after.agencyId, after: { username: u.username, ...after } },
      ]);
      return { action: 'create', id };
    }
    const before = { fullName: existing.fullName, email: existing.email, role: existing.role, agencyId: existing.agencyId, active: existing.active };
    const changed = JSON.stringify(before) !== JSON.stringify(after);
    if (!changed && !u.password) return { action: 'unchanged', id: existing.id };
    if (changed) await repo.updateUser(trx, existing.id, after);
    if (u.password) await repo.setPasswordHash(trx, existing.id, await hashPassword(u.password));
    // A narrower role, another agency, deactivation or a new password must not leave old sessions running.
    if (u.password || before.role !== after.role || before.agencyId !== after.agencyId || !after.active) {
      await this.deps.auth.revokeSessionsOf(existing.id, trx);
    }
    await this.deps.audit.record(trx, actor, [
      {
        action: 'user.update',
        entity: 'user',
        entityId: existing.id,
        agencyId: after.agencyId,
        before,
        after: { ...after, ...(u.password ? { password: 'đã đặt lại' } : {}) },
      },
    ]);
    return { action: 'update', id: existing.id };
  }
}
