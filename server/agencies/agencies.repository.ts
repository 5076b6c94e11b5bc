import type { Knex } from 'knex';

export interface RankingGroupRow {
  id: number;
  code: string;
  name: string;
  ranked: boolean;
  sortOrder: number;
}

export interface AgencyRow {
  id: number;
  code: string;
  name: string;
  kind: string;
  parentId: number | null;
  rankingGroupId: number | null;
  validFrom: string;
  validTo: string | null;
  successorId: number | null;
}

/** The columns an AgencyRow is made of (a run reads every agency of a province: no column it does not use). */
const AGENCY_COLUMNS = ['id', 'code', 'name', 'kind', 'parent_id', 'ranking_group_id', 'valid_from', 'valid_to', 'successor_id'];

const toAgency = (r: Record<string, unknown>): AgencyRow => ({
  id: r.id as number,
  code: r.code as string,
  name: r.name as string,
  kind: r.kind as string,
  parentId: (r.parent_id as number | null) ?? null,
  rankingGroupId: (r.ranking_group_id as number | null) ?? null,
  validFrom: r.valid_from as string,
  validTo: (r.valid_to as string | null) ?? null,
  successorId: (r.successor_id as number | null) ?? null,
});

export async function listGroups(db: Knex): Promise<RankingGroupRow[]> {
  const rows = await db('ranking_groups').orderBy(['sort_order', 'id']);
  return rows.map((r) => ({ id: r.id, code: r.code, name: r.name, ranked: r.ranked, sortOrder: r.sort_order }));
}

export async function insertGroup(db: Knex, g: Omit<RankingGroupRow, 'id'>): Promise<number> {
  const [row] = await db('ranking_groups')
    .insert({ code: g.code, name: g.name, ranked: g.ranked, sort_order: g.sortOrder })
    .returning('id');
  return (row as { id: number }).id;
}

export async function getAgency(db: Knex, id: number): Promise<AgencyRow | undefined> {
  const r = await db('agencies').where({ id }).first(AGENCY_COLUMNS);
  return r && toAgency(r);
}

export async function findAgencyByCode(db: Knex, code: string): Promise<AgencyRow | undefined> {
  const r = await db('agencies').where({ code }).first(AGENCY_COLUMNS);
  return r && toAgency(r);
}

export interface NewAgency {
  code: string;
  name: string;
  kind: string;
  parentId: number | null;
  rankingGroupId: number | null;
}

export async function insertAgency(db: Knex, a: NewAgency): Promise<number> {
  const [row] = await db('agencies')
    .insert({
      code: a.code,
      name: a.name,
      kind: a.kind,
      parent_id: a.parentId,
      ranking_group_id: a.rankingGroupId,
    })
    .returning('id');
  return (row as { id: number }).id;
}

/** Agencies of the given ranking groups that existed at some point of the window [from, to]: the one rule of who. */
const inGroupsDuring = (db: Knex, groupIds: number[], from: string, to: string): Knex.QueryBuilder =>
  db('agencies')
    .whereIn('ranking_group_id', groupIds)
    .andWhere('valid_from', '<=', to)
    .andWhere((q) => q.whereNull('valid_to').orWhere('valid_to', '>=', from));

/** Those agencies, whole, by group and name. */
export async function agenciesInGroups(
  db: Knex,
  groupIds: number[],
  from: string,
  to: string,
): Promise<AgencyRow[]> {
  const rows = await inGroupsDuring(db, groupIds, from, to).select(AGENCY_COLUMNS).orderBy(['ranking_group_id', 'name']);
  return rows.map(toAgency);
}

/** The same agencies, only their id and ranking group, by id: what a run needs of each (no names sorted, no dates). */
export async function agencyGroupsInGroups(
  db: Knex,
  groupIds: number[],
  from: string,
  to: string,
): Promise<Array<{ id: number; rankingGroupId: number }>> {
  const rows = (await inGroupsDuring(db, groupIds, from, to).select('id', 'ranking_group_id').orderBy('id')) as Array<{ id: number; ranking_group_id: number }>;
  return rows.map((r) => ({ id: r.id, rankingGroupId: r.ranking_group_id }));
}

export async function countAgencies(db: Knex): Promise<number> {
  const row = (await db('agencies').count<{ n: number }[]>('* as n'))[0];
  return Number(row?.n ?? 0);
}

export interface AgencyListRow extends AgencyRow {
  parentCode: string | null;
  parentName: string | null;
  groupCode: string | null;
  groupName: string | null;
  userCount: number;
}

/** Every agency with its parent and group, for the admin's list. */
export async function listAgencies(db: Knex): Promise<AgencyListRow[]> {
  const rows = await db('agencies as a')
    .leftJoin('agencies as p', 'p.id', 'a.parent_id')
    .leftJoin('ranking_groups as g', 'g.id', 'a.ranking_group_id')
    .select(
      'a.*',
      'p.code as parent_code',
      'p.name as parent_name',
      'g.code as group_code',
      'g.name as group_name',
      db('users as u').count('*').whereRaw('u.agency_id = a.id').as('user_count'),
    )
    .orderBy([{ column: 'g.sort_order', order: 'asc', nulls: 'first' }, 'a.name']);
  return rows.map((r) => ({
    ...toAgency(r),
    parentCode: r.parent_code ?? null,
    parentName: r.parent_name ?? null,
    groupCode: r.group_code ?? null,
    groupName: r.group_name ?? null,
    userCount: Number(r.user_count ?? 0),
  }));
}

export interface AgencyPatch {
  name: string;
  kind: string;
  parentId: number | null;
  rankingGroupId: number | null;
  validTo: string | null;
}

export async function updateAgency(db: Knex, id: number, p: AgencyPatch): Promise<void> {
  await db('agencies').where({ id }).update({
    name: p.name,
    kind: p.kind,
    parent_id: p.parentId,
    ranking_group_id: p.rankingGroupId,
    valid_to: p.validTo,
  });
}

/** Whether `ancestorId` is `id` itself or above it in the tree (a parent that would close a cycle). */
export async function isSelfOrDescendant(db: Knex, id: number, candidateParentId: number): Promise<boolean> {
  const rows = await db
    .withRecursive('below', (q) => {
      q.select('id').from('agencies').where('id', id).unionAll((u) => {
        u.select('a.id').from('agencies as a').join('below as b', 'a.parent_id', 'b.id');
      });
    })
    .select('id')
    .from('below')
    .where('id', candidateParentId);
  return rows.length > 0;
}
