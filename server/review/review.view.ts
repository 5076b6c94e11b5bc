import type { Knex } from 'knex';
import type { SubmissionState } from '../submissions/workflow.js';

export interface QueueRow {
  agencyId: number;
  agencyName: string;
  groupName: string;
  submissionId: number | null;
  state: SubmissionState | null;
  submittedAt: Date | null;
}

/** Every agency expected in the period with its submission (if any), submitted ones first. */
export async function reviewQueue(db: Knex, periodId: number): Promise<{ rows: QueueRow[]; counts: Record<string, number> }> {
  const rows = await db('periods as p')
    .join('framework_ranking_groups as fg', 'fg.framework_id', 'p.framework_id')
    .join('ranking_groups as g', 'g.id', 'fg.ranking_group_id')
    .join('agencies as a', 'a.ranking_group_id', 'g.id')
    .leftJoin('submissions as s', (j) => j.on('s.agency_id', 'a.id').andOn('s.period_id', 'p.id'))
    .where('p.id', periodId)
    .andWhere('a.valid_from', '<=', db.ref('p.data_to'))
    .andWhere((q) => q.whereNull('a.valid_to').orWhere('a.valid_to', '>=', db.ref('p.data_from')))
    .orderByRaw(`CASE s.state WHEN 'submitted' THEN 0 WHEN 'returned' THEN 1 WHEN 'draft' THEN 2 WHEN 'approved' THEN 3 WHEN 'published' THEN 4 ELSE 5 END`)
    .orderBy(['g.sort_order', 'a.name'])
    .select('a.id as agency_id', 'a.name as agency_name', 'g.name as group_name', 's.id as submission_id', 's.state', 's.submitted_at');
  const out: QueueRow[] = rows.map((r) => ({
    agencyId: r.agency_id,
    agencyName: r.agency_name,
    groupName: r.group_name,
    submissionId: r.submission_id,
    state: r.state,
    submittedAt: r.submitted_at,
  }));
  const counts: Record<string, number> = { total: out.length, none: 0 };
  for (const r of out) counts[r.state ?? 'none'] = (counts[r.state ?? 'none'] ?? 0) + 1;
  return { rows: out, counts };
}
