import type { Knex } from 'knex';
import type { SubmissionState } from '../submissions/workflow.js';
import { expectedAgencies } from '../dashboard/dashboard.view.js';

export interface QueueRow {
  agencyId: number;
  agencyName: string;
  groupName: string;
  submissionId: number | null;
  state: SubmissionState | null;
  submittedAt: Date | null;
}

// Reports waiting for the Department first, then those back with the agency, then the rest.
const ORDER: Record<string, number> = { submitted: 0, returned: 1, draft: 2, approved: 3, published: 4, none: 5 };

/** Every agency expected in the period with its submission (if any), submitted ones first. */
export async function reviewQueue(db: Knex, periodId: number): Promise<{ rows: QueueRow[]; counts: Record<string, number> }> {
  const expected = await expectedAgencies(db, periodId);
  // A stable sort keeps the group and name order of the query within each state.
  const out: QueueRow[] = expected
    .map((r) => ({
      agencyId: r.agencyId,
      agencyName: r.agencyName,
      groupName: r.groupName,
      submissionId: r.submissionId,
      state: r.state,
      submittedAt: r.submittedAt,
    }))
    .sort((a, b) => ORDER[a.state ?? 'none']! - ORDER[b.state ?? 'none']!);
  const counts: Record<string, number> = { total: out.length, none: 0 };
  for (const r of out) counts[r.state ?? 'none'] = (counts[r.state ?? 'none'] ?? 0) + 1;
  return { rows: out, counts };
}
