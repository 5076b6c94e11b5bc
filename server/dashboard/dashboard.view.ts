import type { Knex } from 'knex';
import type { ExpectedAgency } from './completeness.js';

export interface ExpectedRow extends Omit<ExpectedAgency, 'firstSubmittedOn'> {
  firstSubmittedAt: Date | null;
  submittedAt: Date | null;
}

/** Every agency expected to report in the period (members of its framework's groups during the window). */
export async function expectedAgencies(db: Knex, periodId: number): Promise<ExpectedRow[]> {
  const rows = await db('periods as p')
    .join('framework_ranking_groups as fg', 'fg.framework_id', 'p.framework_id')
    .join('ranking_groups as g', 'g.id', 'fg.ranking_group_id')
    .join('agencies as a', 'a.ranking_group_id', 'g.id')
    .leftJoin('submissions as s', (j) => j.on('s.agency_id', 'a.id').andOn('s.period_id', 'p.id'))
    .where('p.id', periodId)
    .andWhere('a.valid_from', '<=', db.ref('p.data_to'))
    .andWhere((q) => q.whereNull('a.valid_to').orWhere('a.valid_to', '>=', db.ref('p.data_from')))
    .orderBy(['g.sort_order', 'g.id', 'a.name'])
    .select(
      'a.id as agency_id',
      'a.code as agency_code',
      'a.name as agency_name',
      'g.id as group_id',
      'g.name as group_name',
      's.id as submission_id',
      's.state',
      's.first_submitted_at',
      's.submitted_at',
    );
  return rows.map((r) => ({
    agencyId: r.agency_id,
    agencyCode: r.agency_code,
    agencyName: r.agency_name,
    groupId: r.group_id,
    groupName: r.group_name,
    submissionId: r.submission_id ?? null,
    state: r.state ?? null,
    firstSubmittedAt: r.first_submitted_at ?? null,
    submittedAt: r.submitted_at ?? null,
  }));
}
