// The rules of an appeal that need neither database nor HTTP: the window after a publication and the shape of the
// change log kept with the new publication.
import type { AgencyDiff, RunDiff } from '../scoring/run-diff.js';

/** The ISO day `days` calendar days after an ISO day. */
export function addDays(iso: string, days: number): string {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/**
 * The last day an appeal may be filed: the publication day plus the configured number of calendar days, the
 * whole of that day included (a publication on 22/11 with 10 days may be appealed until the end of 02/12).
 */
export const appealDeadline = (publishedOn: string, days: number): string => addDays(publishedOn, days);

export const isWithinWindow = (today: string, deadline: string): boolean => today <= deadline;

/** The change log of a publication: the agencies whose result changed, from the run diff. */
export interface RunDiffLog {
  fromRunId: number;
  toRunId: number;
  fromPublication: number;
  toPublication: number;
  agencies: AgencyDiff[];
  movedUp: number;
  movedDown: number;
}

export function changeLogOf(
  diff: RunDiff,
  meta: { fromRunId: number; toRunId: number; fromPublication: number; toPublication: number },
): RunDiffLog {
  return { ...meta, agencies: diff.changed, movedUp: diff.movedUp.length, movedDown: diff.movedDown.length };
}
