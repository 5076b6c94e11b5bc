// Read queries for reports: who was expected to report in a run, and when each submitted.
import type { Knex } from 'knex';

export interface CompletenessRow {
  agencyName: string;
  groupName: string;
  state: string | null;
  submittedAt: Date | null;
}

export async function completenessRows(db: Knex, runId: number, periodId: number): Promise<CompletenessRow[]> {
  const rows = await db('run_results as r')
    .join('agencies as a', 'a.id', 'r.agency_id')
    .join('ranking_groups as g', 'g.id', 'r.ranking_group_id')
    .leftJoin('submissions as s', function () {
      this.on('s.agency_id', '=', 'r.agency_id').andOn('s.period_id', '=', db.raw('?', [periodId]));
    })
    .where('r.run_id', runId)
    .orderBy([{ column: 'g.sort_order' }, { column: 'g.id' }, { column: 'a.name' }])
    .select('a.name as agency_name', 'g.name as group_name', 's.state', 's.submitted_at');
  return rows.map((r) => ({
    agencyName: r.agency_name,
    groupName: r.group_name,
    state: r.state ?? null,
    submittedAt: r.submitted_at ?? null,
  }));
}
