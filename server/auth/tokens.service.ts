// API tokens for integration clients. A token is shown once; only its SHA-256 is stored. It acts as a restricted
// actor through the same policy as people: a results token reads published results like provincial leadership
// (and nothing else); a values token reads and writes one agency's drafts like that agency's reporter (and nothing
// else). Its writes are recorded under the token's name and the id of the admin who issued it.
import { createHash, randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import { z } from 'zod';
import { authorize, type Action, type Actor } from './policy.js';
import { notFound, validationError } from '../errors.js';
import type { AgencyService } from '../agencies/agencies.service.js';
import type { AuditService } from '../audit/audit.service.js';
import * as repo from './tokens.repository.js';

export type { TokenRow, TokenScope } from './tokens.repository.js';

export const TOKEN_SCOPES: Record<repo.TokenScope, { label: string; actions: readonly Action[] }> = {
  'results.read': { label: 'Đọc kết quả đã công bố', actions: ['rankings.read'] },
  'values.write': { label: 'Đọc và ghi số liệu nháp của một đơn vị', actions: ['submission.read', 'submission.edit'] },
};

const TOKEN_PREFIX = 'dti_';
const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

const newTokenSchema = z.object({
  name: z.string().trim().min(1, 'cần tên gợi nhớ của mã').max(100, 'tên tối đa 100 ký tự'),
  scope: z.enum(['results.read', 'values.write'], { message: 'phạm vi không hợp lệ' }),
  agencyCode: z.string().trim().max(50).default(''),
  days: z.coerce.number().int().min(0).max(3650).default(0),
});

export class ApiTokenService {
  constructor(
    private readonly db: Knex,
    private readonly deps: { agencies: AgencyService; audit: AuditService; now: () => Date },
  ) {}

  /** Creates a token; the returned secret is never stored and cannot be shown again. */
  async create(actor: Actor, input: z.input<typeof newTokenSchema>): Promise<{ id: number; secret: string }> {
    authorize(actor, 'security.manage');
    const parsed = newTokenSchema.safeParse(input);
    if (!parsed.success) {
      throw validationError(
        'Thông tin mã API chưa hợp lệ.',
        parsed.error.issues.map((i) => ({ field: i.path.join('.'), message: i.message })),
      );
    }
    const t = parsed.data;
    let agencyId: number | null = null;
    if (t.scope === 'values.write') {
      const agency = t.agencyCode ? await this.deps.agencies.findByCode(t.agencyCode) : undefined;
      if (!agency) throw validationError('Mã ghi số liệu cần một đơn vị hợp lệ.', [{ field: 'agencyCode', message: 'Chọn đơn vị.' }]);
      agencyId = agency.id;
    }
    const secret = TOKEN_PREFIX + randomBytes(32).toString('base64url');
    const now = this.deps.now();
    return this.db.transaction(async (trx) => {
      const id = await repo.insertToken(trx, {
        name: t.name,
        tokenHash: sha256(secret),
        prefix: secret.slice(0, TOKEN_PREFIX.length + 6),
        scope: t.scope,
        agencyId,
        createdBy: actor.id,
        createdAt: now,
        expiresAt: t.days > 0 ? new Date(now.getTime() + t.days * 86_400_000) : null,
      });
      await this.deps.audit.record(trx, actor, [
        { action: 'token.create', entity: 'api_token', entityId: id, agencyId, after: { name: t.name, scope: t.scope } },
      ]);
      return { id, secret };
    });
  }

  async revoke(actor: Actor, id: number): Promise<void> {
    authorize(actor, 'security.manage');
    const token = await repo.getToken(this.db, id);
    if (!token) throw notFound('mã API');
    await this.db.transaction(async (trx) => {
      if (!(await repo.revoke(trx, id, actor.id, this.deps.now()))) return;
      await this.deps.audit.record(trx, actor, [
        { action: 'token.revoke', entity: 'api_token', entityId: id, agencyId: token.agencyId, before: { name: token.name } },
      ]);
    });
  }

  async list(actor: Actor): Promise<repo.TokenRow[]> {
    authorize(actor, 'security.manage');
    return repo.listTokens(this.db);
  }

  /** The restricted actor a bearer token stands for, or undefined for an unknown, revoked or expired token. */
  async resolve(secret: string): Promise<Actor | undefined> {
    if (!secret.startsWith(TOKEN_PREFIX) || secret.length > 100) return undefined;
    const now = this.deps.now();
    const token = await repo.findLiveByHash(this.db, sha256(secret), now);
    if (!token) return undefined;
    await repo.touch(this.db, token.id, now);
    return {
      id: token.createdBy,
      username: `token:${token.prefix}`,
      fullName: `Mã API «${token.name}»`,
      role: token.scope === 'values.write' ? 'reporter' : 'leader',
      agencyId: token.agencyId,
      scope: TOKEN_SCOPES[token.scope].actions,
    };
  }
}
