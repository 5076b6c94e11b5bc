// Completeness and timeliness of a period, pure: which expected agencies have sent their report, on time or late
// (in working days past the deadline), which are missing, and which are back with the agency after a return.
// A report is on time when it first reached the Department on or before the deadline; a resubmission after a
// return does not make it late, and a return does not make it missing.
import type { SubmissionState } from '../submissions/workflow.js';
import { workingDaysLate, type WorkingCalendar } from '../periods/working-days.js';

export interface ExpectedAgency {
  agencyId: number;
  agencyCode: string;
  agencyName: string;
  groupId: number;
  groupName: string;
  submissionId: number | null;
  state: SubmissionState | null;
  /** The day (in the province's zone) the report first reached the Department, if it has. */
  firstSubmittedOn: string | null;
}

export type Timeliness = 'on_time' | 'late' | 'missing';

export const TIMELINESS_LABELS: Record<Timeliness, string> = {
  on_time: 'Đúng hạn',
  late: 'Trễ hạn',
  missing: 'Chưa gửi',
};

export interface AgencyStatus extends ExpectedAgency {
  timeliness: Timeliness;
  /** Working days past the deadline: when it arrived, or so far for a missing report once the deadline passed. */
  daysLate: number;
}

export interface Counts {
  expected: number;
  submitted: number;
  onTime: number;
  late: number;
  missing: number;
  returned: number;
}

export interface GroupCompleteness {
  groupId: number;
  groupName: string;
  counts: Counts;
  agencies: AgencyStatus[];
}

export interface Completeness {
  deadline: string;
  today: string;
  groups: GroupCompleteness[];
  totals: Counts;
}

const zero = (): Counts => ({ expected: 0, submitted: 0, onTime: 0, late: 0, missing: 0, returned: 0 });

function add(c: Counts, a: AgencyStatus): void {
  c.expected += 1;
  if (a.timeliness !== 'missing') c.submitted += 1;
  if (a.timeliness === 'on_time') c.onTime += 1;
  if (a.timeliness === 'late') c.late += 1;
  if (a.timeliness === 'missing') c.missing += 1;
  if (a.state === 'returned') c.returned += 1;
}

export function completeness(rows: readonly ExpectedAgency[], deadline: string, today: string, cal: WorkingCalendar): Completeness {
  const groups = new Map<number, GroupCompleteness>();
  const totals = zero();
  for (const r of rows) {
    let status: AgencyStatus;
    if (r.firstSubmittedOn === null) {
      status = { ...r, timeliness: 'missing', daysLate: today > deadline ? workingDaysLate(deadline, today, cal) : 0 };
    } else {
      const late = workingDaysLate(deadline, r.firstSubmittedOn, cal);
      // A report sent on a non-working day after the deadline but before the next working day is not yet late.
      status = { ...r, timeliness: r.firstSubmittedOn > deadline && late > 0 ? 'late' : 'on_time', daysLate: late };
    }
    let g = groups.get(r.groupId);
    if (!g) {
      g = { groupId: r.groupId, groupName: r.groupName, counts: zero(), agencies: [] };
      groups.set(r.groupId, g);
    }
    g.agencies.push(status);
    add(g.counts, status);
    add(totals, status);
  }
  return { deadline, today, groups: [...groups.values()], totals };
}
