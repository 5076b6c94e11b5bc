// Importing framework definitions. A (code, version) is imported once; importing the same file again is a no-op,
// and importing changed content under an existing version is refused, so published results never change meaning.
import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { conflict, notFound, validationError } from '../errors.js';
import { authorize, type Actor } from '../auth/policy.js';
import type { FrameworkDef, FrameworkNode } from './framework.types.js';
import * as repo from './frameworks.repository.js';
import type { AgencyService } from '../agencies/agencies.service.js';
import type { AuditService } from '../audit/audit.service.js';

export type { ExemptionRow } from './frameworks.repository.js';

const MAX_REASON = 1000;

export class FrameworkService {
  private readonly cache = new Map<number, repo.FrameworkRow>();
  private readonly nodeIdCache = new Map<number, Map<string, number>>();

  constructor(
    private readonly db: Knex,
    private readonly agencies: AgencyService,
    private readonly audit: AuditService,
  ) {}

  async importFramework(def: FrameworkDef): Promise<{ id: number; created: boolean }> {
    const hash = createHash('sha256').update(JSON.stringify(def)).digest('hex');
    return this.db.transaction(async (trx) => {
      const existing = await repo.findFramework(trx, def.code, def.version);
      if (existing) {
        if (existing.sourceHash !== hash) {
          throw conflict(
            `Bộ chỉ số ${def.code} phiên bản ${def.version} đã được nạp với nội dung khác; hãy tăng số phiên bản.`,
          );
        }
        return { id: existing.id, created: false };
      }
      const groups = await this.agencies.groupIdsByCode(def.appliesTo, trx);
      const missing = def.appliesTo.filter((c) => !groups.has(c));
      if (missing.length) throw validationError(`Khối xếp hạng chưa có trong hệ thống: ${missing.join(', ')}.`);
      const id = await repo.insertFramework(trx, def, hash, [...groups.values()]);
      return { id, created: true };
    });
  }

  /** Frameworks never change once imported, so they are cached for the life of the process. */
  async get(id: number, db: Knex = this.db): Promise<repo.FrameworkRow> {
    const cached = this.cache.get(id);
    if (cached) return cached;
    const row = await repo.getFramework(db, id);
    if (!row) throw notFound('bộ chỉ số');
    this.cache.set(id, row);
    return row;
  }

  /** Code → node id of a framework's nodes; cached like the framework, whose nodes are written with it. */
  async nodeIds(frameworkId: number, db: Knex = this.db): Promise<Map<string, number>> {
    let ids = this.nodeIdCache.get(frameworkId);
    if (!ids) {
      ids = await repo.nodeIds(db, frameworkId);
      this.nodeIdCache.set(frameworkId, ids);
    }
    return ids;
  }

  /** Every framework, for the period admin's picker. */
  async list(db: Knex = this.db): Promise<repo.FrameworkRow[]> {
    return Promise.all((await repo.frameworkIds(db)).map((id) => this.get(id, db)));
  }

  /** A period's per-agency exemptions: agency id → codes of the nodes that do not apply to it. */
  async exemptions(periodId: number, db: Knex = this.db): Promise<Map<number, string[]>> {
    const out = new Map<number, string[]>();
    for (const e of await repo.exemptionsOf(db, periodId)) {
      const list = out.get(e.agencyId) ?? [];
      list.push(e.nodeCode);
      out.set(e.agencyId, list);
    }
    return out;
  }

  /** Codes of the nodes that do not apply to one agency in a period. */
  async exemptCodes(periodId: number, agencyId: number, db: Knex = this.db): Promise<Set<string>> {
    return new Set((await repo.exemptionsOf(db, periodId, agencyId)).map((e) => e.nodeCode));
  }

  listExemptions(actor: Actor, periodId: number): Promise<repo.ExemptionRow[]> {
    authorize(actor, 'frameworks.manage');
    return repo.exemptionsOf(this.db, periodId);
  }

  /**
   * Decides that a node (an indicator or a whole index node of the period's framework version) does not apply to
   * an agency in a period: it leaves both the agency's points and its max from the next run on, and leaves its
   * report form. The reason is kept and audited.
   */
  async exempt(actor: Actor, input: ExemptionTarget & { reason: string }): Promise<void> {
    authorize(actor, 'frameworks.manage');
    const fw = await this.get(input.period.frameworkId);
    const reason = input.reason.trim();
    if (!hasNode(fw.definition.nodes, input.nodeCode)) {
      throw validationError(`Bộ chỉ số ${fw.code} phiên bản ${fw.version} không có chỉ số ${input.nodeCode}.`);
    }
    if (reason === '' || reason.length > MAX_REASON) throw validationError(`Cần nêu lý do (tối đa ${MAX_REASON} ký tự).`);
    const agency = await this.agencies.get(input.agencyId);
    const group = await this.agencies.groupCodeOf(agency);
    if (group === null || !fw.definition.appliesTo.includes(group)) {
      throw validationError(`Đơn vị ${agency.name} không thuộc khối đánh giá theo bộ chỉ số ${fw.code}.`);
    }
    await this.db.transaction(async (trx) => {
      const row = { periodId: input.period.id, agencyId: agency.id, nodeCode: input.nodeCode, reason };
      const before = await repo.upsertExemption(trx, row, actor.id > 0 ? actor.id : null);
      await this.audit.record(trx, auditActor(actor), [
        { action: 'exemption.set', entity: 'period', entityId: input.period.id, agencyId: agency.id, before: before ?? null, after: row, reason },
      ]);
    });
  }

  async unexempt(actor: Actor, input: ExemptionTarget): Promise<boolean> {
    authorize(actor, 'frameworks.manage');
    const { period, agencyId, nodeCode } = input;
    return this.db.transaction(async (trx) => {
      const [before] = (await repo.exemptionsOf(trx, period.id, agencyId)).filter((e) => e.nodeCode === nodeCode);
      if (!before) return false;
      await repo.deleteExemption(trx, period.id, agencyId, nodeCode);
      await this.audit.record(trx, auditActor(actor), [
        { action: 'exemption.remove', entity: 'period', entityId: period.id, agencyId, before, after: null },
      ]);
      return true;
    });
  }
}

/** Which node, for which agency, in which period (and so which framework version). */
export interface ExemptionTarget {
  period: { id: number; frameworkId: number };
  agencyId: number;
  nodeCode: string;
}

function hasNode(nodes: readonly FrameworkNode[], code: string): boolean {
  return nodes.some((n) => n.code === code || (n.type === 'index' && hasNode(n.children, code)));
}

/** The command line acts without a user row (id 0); its changes are recorded as the system's. */
const auditActor = (actor: Actor): Actor | null => (actor.id > 0 ? actor : null);
