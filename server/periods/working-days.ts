// Working-day arithmetic for deadlines, pure. A day is a working day when it is Monday to Friday and not a holiday
// or day off of the calendar, or when it is a Saturday/Sunday the calendar marks as worked (làm bù). Dates are ISO
// calendar days in the province's zone.
//
// When the last day of a time limit is a weekend day or a holiday, the limit ends with the next working day
// (Bộ luật Dân sự 2015, Điều 148 khoản 5); the period's grace then adds whole working days after it.

export type CalendarDayKind = 'holiday' | 'day_off' | 'workday';

export interface CalendarDay {
  day: string;
  kind: CalendarDayKind;
  name: string;
}

const ISO_DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

/** Days since 1970-01-01 of an ISO day; throws on a malformed or impossible date. */
export function dayNumber(iso: string): number {
  const m = ISO_DAY.exec(iso);
  if (!m) throw new RangeError(`not an ISO day: ${iso}`);
  const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  if (new Date(t).toISOString().slice(0, 10) !== iso) throw new RangeError(`no such day: ${iso}`);
  return t / DAY_MS;
}

export const isoOfDayNumber = (n: number): string => new Date(n * DAY_MS).toISOString().slice(0, 10);

export const addDays = (iso: string, n: number): string => isoOfDayNumber(dayNumber(iso) + n);

/** ISO weekday: 1 = Monday … 7 = Sunday. */
export function isoWeekday(iso: string): number {
  const d = new Date(dayNumber(iso) * DAY_MS).getUTCDay();
  return d === 0 ? 7 : d;
}

export const isValidIsoDay = (s: string): boolean => {
  try {
    dayNumber(s);
    return true;
  } catch {
    return false;
  }
};

// Deadlines are never more than a few months from the days they count from; this bounds the loops.
const MAX_SCAN = 3660;

export class WorkingCalendar {
  private readonly byDay: Map<string, CalendarDay>;

  constructor(days: readonly CalendarDay[]) {
    this.byDay = new Map(days.map((d) => [d.day, d]));
  }

  entry(iso: string): CalendarDay | undefined {
    return this.byDay.get(iso);
  }

  isWorkingDay(iso: string): boolean {
    const marked = this.byDay.get(iso);
    if (marked) return marked.kind === 'workday';
    return isoWeekday(iso) <= 5;
  }

  /** The day itself when it is a working day, else the next working day. */
  nextWorkingDayFrom(iso: string): string {
    let d = dayNumber(iso);
    for (let i = 0; i < MAX_SCAN; i += 1, d += 1) {
      const s = isoOfDayNumber(d);
      if (this.isWorkingDay(s)) return s;
    }
    throw new RangeError(`no working day within ten years of ${iso}`);
  }

  /** The n-th working day after the given day (n ≥ 0; n = 0 is the day itself). */
  addWorkingDays(iso: string, n: number): string {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`working days must be a whole number ≥ 0, got ${n}`);
    let d = dayNumber(iso);
    for (let left = n, i = 0; left > 0; i += 1) {
      if (i > MAX_SCAN) throw new RangeError(`too far: ${n} working days after ${iso}`);
      d += 1;
      if (this.isWorkingDay(isoOfDayNumber(d))) left -= 1;
    }
    return isoOfDayNumber(d);
  }

  /** Working days in (from, to]: after `from`, up to and including `to`; 0 when `to` is not after `from`. */
  workingDaysBetween(from: string, to: string): number {
    const a = dayNumber(from);
    const b = dayNumber(to);
    if (b - a > MAX_SCAN * 10) throw new RangeError(`range too long: ${from} – ${to}`);
    let n = 0;
    for (let d = a + 1; d <= b; d += 1) if (this.isWorkingDay(isoOfDayNumber(d))) n += 1;
    return n;
  }
}

/** The last day a report counts as on time: the due date moved to a working day, plus the grace in working days. */
export function effectiveDeadline(dueOn: string, graceDays: number, cal: WorkingCalendar): string {
  return cal.addWorkingDays(cal.nextWorkingDayFrom(dueOn), graceDays);
}

/** How many working days after the deadline a report arrived on `day` (0 when on time). */
export function workingDaysLate(deadline: string, day: string, cal: WorkingCalendar): number {
  return cal.workingDaysBetween(deadline, day);
}
