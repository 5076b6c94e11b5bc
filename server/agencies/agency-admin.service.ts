// The Department's administration of agencies: add, edit, move in the tree, change ranking group, and deactivate
// (an agency is never deleted — it gets the day it ceased, valid_to, and its history stays). Every change is
// audited. Rows from a bulk import pass the same `applyRow` as the edit screen, so both follow the same rules.
import type { Knex } from 'knex';
import { z } from 'zod';
import type { Actor } from '../auth/policy.js';
import { authorize } from '../auth/policy.js';
import { notFound, validationError, type FieldProblem } from '../errors.js';
import type { AuditService } from '../audit/audit.service.js';
import * as repo from './agencies.repository.js';

export type { AgencyListRow } from './agencies.repository.js';

export const AGENCY_KINDS = ['province', 'department', 'district', 'commune', 'ward', 'other'] as const;
export const AGENCY_KIND_LABELS: Record<(typeof AGENCY_KINDS)[number], string> = {
  province: 'Tỉnh',
  department: 'Sở, ban, ngành',
  district: 'Huyện, thị xã, thành phố',
  commune: 'Xã',
  ward: 'Phường',
  other: 'Khác',
};

const isoDate = /^\d{4}-\d{2}-\d{2}$/;

const agencySchema = z.object({
  code: z
    .string({ error: 'cần mã đơn vị' })
    .trim()
    .toUpperCase()
    .regex(/^[A-Z0-9][A-Z0-9._-]{1,31}$/, 'mã đơn vị gồm 2–32 ký tự A–Z, 0–9, dấu chấm, gạch ngang, gạch dưới'),
  name: z.string({ error: 'cần tên đơn vị' }).trim().min(1, 'cần tên đơn vị').max(300, 'tên đơn vị tối đa 300 ký tự'),
  kind: z.enum(AGENCY_KINDS, { error: 'loại đơn vị không hợp lệ (Tỉnh, Sở ban ngành, Huyện, Xã, Phường, Khác)' }),
  parentCode: z.string().trim().toUpperCase().nullable().default(null),
  groupCode: z.string().trim().nullable().default(null),
  validTo: z.string().trim().regex(isoDate, 'ngày ngừng hoạt động không hợp lệ').nullable().default(null),
});

export type AgencyInput = z.input<typeof agencySchema>;
export type RowOutcome = { action: 'create' | 'update' | 'unchanged'; id: number } | { action: 'refused'; problems: string[] };

export class AgencyAdminService {
  constructor(
    private readonly db: Knex,
    private readonly deps: { audit: AuditService; today: () => string },
  ) {}

  /** Every agency; `active` says whether it still exists today (no day it ceased, or one still to come). */
  async list(actor: Actor): Promise<Array<repo.AgencyListRow & { active: boolean }>> {
    authorize(actor, 'directory.manage');
    const today = this.deps.today();
    return (await repo.listAgencies(this.db)).map((a) => ({ ...a, active: !a.validTo || a.validTo >= today }));
  }

  /** The agency with this code as an input row (parent and group by code), or null when the code is new. */
  async currentInput(trx: Knex.Transaction, code: string): Promise<AgencyInput | null> {
    const a = await repo.findAgencyByCode(trx, code.trim().toUpperCase());
    if (!a) return null;
    const parent = a.parentId === null ? undefined : await repo.getAgency(trx, a.parentId);
    const group = (await repo.listGroups(trx)).find((g) => g.id === a.rankingGroupId);
    return { code: a.code, name: a.name, kind: a.kind as AgencyInput['kind'], parentCode: parent?.code ?? null, groupCode: group?.code ?? null, validTo: a.validTo };
  }

  groups(): Promise<repo.RankingGroupRow[]> {
    return repo.listGroups(this.db);
  }

  async get(actor: Actor, id: number): Promise<repo.AgencyRow> {
    authorize(actor, 'directory.manage');
    const a = await repo.getAgency(this.db, id);
    if (!a) throw notFound('đơn vị');
    return a;
  }

  /**
   * Creates or updates one agency from the screen. `id` names the agency edited (its code cannot change); without
   * it the code must be new. Refusals are validation errors listing every problem.
   */
  async save(actor: Actor, input: AgencyInput, id?: number): Promise<number> {
    authorize(actor, 'directory.manage');
    return this.db.transaction(async (trx) => {
      if (id !== undefined) {
        const existing = await repo.getAgency(trx, id);
        if (!existing) throw notFound('đơn vị');
        input = { ...input, code: existing.code };
      } else if (await repo.findAgencyByCode(trx, String(input.code ?? '').trim().toUpperCase())) {
        throw validationError('Thông tin đơn vị chưa hợp lệ.', [{ field: 'code', message: `Mã đơn vị ${String(input.code).trim().toUpperCase()} đã tồn tại.` }]);
      }
      const outcome = await this.applyRow(trx, actor, input);
      if (outcome.action === 'refused') {
        throw validationError('Thông tin đơn vị chưa hợp lệ.', outcome.problems.map((message): FieldProblem => ({ field: 'agency', message })));
      }
      return outcome.id;
    });
  }

  /** Applies one agency row (by its code: new → create, known → update) in the caller's transaction. */
  async applyRow(trx: Knex.Transaction, actor: Actor, input: Partial<AgencyInput>): Promise<RowOutcome> {
    authorize(actor, 'directory.manage');
    const parsed = agencySchema.safeParse(input);
    if (!parsed.success) return { action: 'refused', problems: parsed.error.issues.map((i) => i.message) };
    const a = parsed.data;
    const problems: string[] = [];
    const existing = await repo.findAgencyByCode(trx, a.code);
    let parentId: number | null = null;
    if (a.parentCode) {
      const parent = await repo.findAgencyByCode(trx, a.parentCode);
      if (!parent) problems.push(`không có đơn vị cấp trên mã ${a.parentCode}`);
      else if (existing && (await repo.isSelfOrDescendant(trx, existing.id, parent.id))) {
        problems.push('đơn vị cấp trên không được là chính đơn vị hoặc đơn vị trực thuộc của nó');
      } else parentId = parent.id;
    }
    let groupId: number | null = null;
    if (a.groupCode) {
      const group = (await repo.listGroups(trx)).find((g) => g.code === a.groupCode);
      if (!group) problems.push(`không có khối xếp hạng mã ${a.groupCode}`);
      else groupId = group.id;
    }
    if (a.validTo && existing && a.validTo < existing.validFrom) problems.push('ngày ngừng hoạt động trước ngày bắt đầu hoạt động');
    if (problems.length) return { action: 'refused', problems };

    const after = { code: a.code, name: a.name, kind: a.kind, parentId, rankingGroupId: groupId, validTo: a.validTo };
    if (!existing) {
      const id = await repo.insertAgency(trx, { code: a.code, name: a.name, kind: a.kind, parentId, rankingGroupId: groupId });
      if (a.validTo) await repo.updateAgency(trx, id, { ...after });
      await this.deps.audit.record(trx, actor, [{ action: 'agency.create', entity: 'agency', entityId: id, agencyId: id, after }]);
      return { action: 'create', id };
    }
    const before = {
      code: existing.code,
      name: existing.name,
      kind: existing.kind,
      parentId: existing.parentId,
      rankingGroupId: existing.rankingGroupId,
      validTo: existing.validTo,
    };
    if (JSON.stringify(before) === JSON.stringify(after)) return { action: 'unchanged', id: existing.id };
    await repo.updateAgency(trx, existing.id, after);
    await this.deps.audit.record(trx, actor, [
      { action: 'agency.update', entity: 'agency', entityId: existing.id, agencyId: existing.id, before, after },
    ]);
    return { action: 'update', id: existing.id };
  }
}
