// Importing framework definitions. A (code, version) is imported once; importing the same file again is a no-op,
// and importing changed content under an existing version is refused, so published results never change meaning.
import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { conflict, notFound, validationError } from '../errors.js';
import type { FrameworkDef } from './framework.types.js';
import * as repo from './frameworks.repository.js';
import type { AgencyService } from '../agencies/agencies.service.js';

export class FrameworkService {
  private readonly cache = new Map<number, repo.FrameworkRow>();

  constructor(
    private readonly db: Knex,
    private readonly agencies: AgencyService,
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

  nodeIds(frameworkId: number, db: Knex = this.db): Promise<Map<string, number>> {
    return repo.nodeIds(db, frameworkId);
  }

  /** Every framework, for the period admin's picker. */
  async list(db: Knex = this.db): Promise<repo.FrameworkRow[]> {
    return Promise.all((await repo.frameworkIds(db)).map((id) => this.get(id, db)));
  }
}
