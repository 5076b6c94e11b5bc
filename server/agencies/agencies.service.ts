import type { Knex } from 'knex';
import { notFound } from '../errors.js';
import * as repo from './agencies.repository.js';

export type { AgencyRow, RankingGroupRow } from './agencies.repository.js';

export class AgencyService {
  constructor(private readonly db: Knex) {}

  listGroups(db: Knex = this.db): Promise<repo.RankingGroupRow[]> {
    return repo.listGroups(db);
  }

  async groupIdsByCode(codes: string[], db: Knex = this.db): Promise<Map<string, number>> {
    const groups = await repo.listGroups(db);
    return new Map(groups.filter((g) => codes.includes(g.code)).map((g) => [g.code, g.id]));
  }

  /** The code of the agency's ranking group, or null for an agency outside every group (the province itself). */
  async groupCodeOf(agency: repo.AgencyRow, db: Knex = this.db): Promise<string | null> {
    if (agency.rankingGroupId === null) return null;
    return (await repo.listGroups(db)).find((g) => g.id === agency.rankingGroupId)?.code ?? null;
  }

  async get(id: number, db: Knex = this.db): Promise<repo.AgencyRow> {
    const a = await repo.getAgency(db, id);
    if (!a) throw notFound('đơn vị');
    return a;
  }

  findByCode(code: string, db: Knex = this.db): Promise<repo.AgencyRow | undefined> {
    return repo.findAgencyByCode(db, code);
  }

  /** The agencies expected to report in a period: members of its framework's groups, in existence during the window. */
  expectedAgencies(groupIds: number[], from: string, to: string, db: Knex = this.db): Promise<repo.AgencyRow[]> {
    return repo.agenciesInGroups(db, groupIds, from, to);
  }

  /** expectedAgencies as a run takes them: id and ranking group, by id. */
  expectedAgencyGroups(groupIds: number[], from: string, to: string, db: Knex = this.db): Promise<Array<{ id: number; rankingGroupId: number }>> {
    return repo.agencyGroupsInGroups(db, groupIds, from, to);
  }

  createGroup(g: Omit<repo.RankingGroupRow, 'id'>, db: Knex = this.db): Promise<number> {
    return repo.insertGroup(db, g);
  }

  createAgency(a: repo.NewAgency, db: Knex = this.db): Promise<number> {
    return repo.insertAgency(db, a);
  }

  count(db: Knex = this.db): Promise<number> {
    return repo.countAgencies(db);
  }
}
