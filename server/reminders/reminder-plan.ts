// Which reminder is due for a period on a day, pure. Before the due date, the most urgent of the configured
// reminders whose day has come (a job that missed the 7-day day sends it on the next run, saying how many days are
// left); after the due date, one overdue notice with its escalation. Nothing outside the entry window.
import { addDays } from '../appeals/appeal-rules.js';

export type ReminderKind = 'before_due' | 'overdue';

export interface PlannedReminder {
  kind: ReminderKind;
  /** The day the reminder is scheduled for: the idempotency key with period, agency and kind. */
  day: string;
  /** Days left until the due date (before_due) or days past it (overdue). */
  days: number;
}

const dayNumber = (iso: string): number => Date.parse(`${iso}T00:00:00Z`) / 86_400_000;

export function planReminder(
  period: { opensOn: string; dueOn: string; closesOn: string },
  today: string,
  daysBefore: number[],
): PlannedReminder | null {
  if (today < period.opensOn || today > period.closesOn) return null;
  const left = dayNumber(period.dueOn) - dayNumber(today);
  if (left < 0) return { kind: 'overdue', day: addDays(period.dueOn, 1), days: -left };
  const due = daysBefore.filter((n) => n >= left);
  if (due.length === 0) return null;
  const n = Math.min(...due);
  return { kind: 'before_due', day: addDays(period.dueOn, -n), days: left };
}
