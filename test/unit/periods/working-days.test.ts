// Golden cases of deadline arithmetic on the seeded 2026–2027 calendar, worked by hand from a wall calendar: Tết
// Bính Ngọ (Mon 16/2 – Fri 20/2/2026 off, 14–22/2 with the weekends), the New Year swap (Fri 2/1/2026 off, Sat
// 10/1 worked), Quốc khánh 2026 (Mon 31/8 swapped with Sat 22/8, 1–2/9 off) and Tết Đinh Mùi 2027 (5/2 and 8–11/2).
import { expect } from 'chai';
import fc from 'fast-check';
import type { Knex } from 'knex';
import {
  WorkingCalendar,
  addDays,
  effectiveDeadline,
  isoWeekday,
  workingDaysLate,
  type CalendarDay,
} from '../../../server/periods/working-days.js';
import { up } from '../../../migrations/20261122_030_calendar_days.js';
import { parseDay, checkSchedule } from '../../../server/periods/period-calendar.js';

/** The rows the migration seeds, captured through a stand-in for knex that records the insert. */
async function seededDays(): Promise<CalendarDay[]> {
  let rows: CalendarDay[] = [];
  const table = () => ({ insert: async (r: CalendarDay[]) => void (rows = r) });
  const fake = Object.assign(table, {
    schema: { createTable: async () => undefined, alterTable: async () => undefined },
    raw: async () => undefined,
    fn: { now: () => undefined },
  });
  await up(fake as unknown as Knex);
  return rows;
}

describe('working-day deadlines', () => {
  let cal: WorkingCalendar;
  let days: CalendarDay[];
  before(async () => {
    days = await seededDays();
    cal = new WorkingCalendar(days);
  });

  it('when the seeded calendar is read, then Tết Bính Ngọ is the five weekdays 16–20/02/2026 and Tết Đinh Mùi falls around Saturday 06/02/2027', () => {
    const tet2026 = days.filter((d) => d.name.includes('Bính Ngọ')).map((d) => d.day);
    expect(tet2026).to.deep.equal(['2026-02-16', '2026-02-17', '2026-02-18', '2026-02-19', '2026-02-20']);
    expect(isoWeekday('2026-02-17')).to.equal(2); // mùng 1 Tết Bính Ngọ is a Tuesday
    expect(isoWeekday('2027-02-06')).to.equal(6); // mùng 1 Tết Đinh Mùi is a Saturday
    for (const d of days) if (d.kind === 'workday') expect(isoWeekday(d.day), d.day).to.be.oneOf([6, 7]);
    // Eleven statutory holidays a year at most, plus the swaps and compensations.
    expect(days.filter((d) => d.day.startsWith('2026') && d.kind === 'holiday')).to.have.length(11 - 1); // Giỗ Tổ 2026 is a Sunday
  });

  const golden: Array<[string, string, number, string, string]> = [
    // what, due date, grace, deadline, why
    ['an ordinary Tuesday', '2026-12-15', 0, '2026-12-15', 'a working day stays'],
    ['the annual due date with two days of grace', '2026-12-15', 2, '2026-12-17', 'Wed 16, Thu 17'],
    ['a due date on a Saturday before Tết', '2026-02-14', 0, '2026-02-23', 'Sat 14 – Sun 22 are all off'],
    ['the Friday before Tết with one day of grace', '2026-02-13', 1, '2026-02-23', 'the nine days of Tết are skipped'],
    ['the Friday before Tết with three days of grace', '2026-02-13', 3, '2026-02-25', 'Mon 23, Tue 24, Wed 25'],
    ['mùng 1 Tết 2026', '2026-02-17', 0, '2026-02-23', 'moves to the first day back'],
    ['the day before the New Year swap', '2025-12-31', 1, '2026-01-05', '1/1 holiday, 2/1 swapped, 3–4 weekend'],
    ['the Friday before the worked Saturday', '2026-01-09', 1, '2026-01-10', 'Saturday 10/1 is worked'],
    ['the Friday before Quốc khánh 2026', '2026-08-28', 1, '2026-09-03', '31/8 swapped, 1/9 and 2/9 holidays'],
    ['a due date on the worked Saturday 22/8/2026', '2026-08-22', 0, '2026-08-22', 'it is a working day'],
    ['Giỗ Tổ 2026 falling on Sunday', '2026-04-26', 0, '2026-04-28', 'Monday 27/4 is the compensating day off'],
    ['30/4/2026', '2026-04-29', 1, '2026-05-04', '30/4 and 1/5 off, then the weekend'],
    ['the Thursday before Tết Đinh Mùi', '2027-02-04', 1, '2027-02-12', '5/2 and 8–11/2 off, 6–7/2 weekend'],
  ];
  for (const [what, due, grace, deadline, why] of golden) {
    it(`when the due date is ${what} (${due}, grace ${grace}), then the deadline is ${deadline} (${why})`, () => {
      expect(effectiveDeadline(due, grace, cal)).to.equal(deadline);
    });
  }

  it('when a report arrives on the first day back after Tết and the deadline was the Friday before, then it is one working day late', () => {
    expect(workingDaysLate('2026-02-13', '2026-02-23', cal)).to.equal(1);
    expect(workingDaysLate('2026-02-13', '2026-02-22', cal)).to.equal(0);
    expect(workingDaysLate('2026-02-13', '2026-02-13', cal)).to.equal(0);
    expect(workingDaysLate('2026-02-13', '2026-02-10', cal)).to.equal(0);
  });

  it('when a December report is counted across the year end, then 2026-12-15 to 2027-01-05 is 14 working days', () => {
    // 16–31/12: 12 weekdays; 1/1/2027 holiday; 4–5/1: 2.
    expect(workingDaysLate('2026-12-15', '2027-01-05', cal)).to.equal(14);
  });

  it('when any day and grace are given, then the deadline is a working day on or after the due date, with exactly the grace between', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 729 }), fc.integer({ min: 0, max: 15 }), (offset, grace) => {
        const due = addDays('2026-01-01', offset);
        const deadline = effectiveDeadline(due, grace, cal);
        expect(deadline >= due).to.equal(true);
        expect(cal.isWorkingDay(deadline)).to.equal(true);
        const firstWorking = cal.nextWorkingDayFrom(due);
        expect(cal.workingDaysBetween(firstWorking, deadline)).to.equal(grace);
      }),
    );
  });

  it('when the calendar is empty, then only weekends are skipped', () => {
    const plain = new WorkingCalendar([]);
    expect(effectiveDeadline('2026-02-13', 1, plain)).to.equal('2026-02-16');
    expect(plain.workingDaysBetween('2026-02-13', '2026-02-20')).to.equal(5);
  });

  it('when a day is malformed or does not exist, then it is refused', () => {
    expect(() => cal.isWorkingDay('2026-02-30')).to.throw(RangeError);
    expect(() => cal.addWorkingDays('2026-02-02', -1)).to.throw(RangeError);
  });
});

describe('period schedule input', () => {
  it('when a day is typed as dd/mm/yyyy or ISO, then both read the same and impossible days are refused', () => {
    expect(parseDay('15/12/2026')).to.equal('2026-12-15');
    expect(parseDay('5/2/2027')).to.equal('2027-02-05');
    expect(parseDay('2026-12-15')).to.equal('2026-12-15');
    expect(parseDay('31/02/2026')).to.equal(null);
    expect(parseDay('15-12-2026')).to.equal(null);
  });

  it('when the due date is after the close or the window is reversed, then each problem names its field', () => {
    const problems = checkSchedule({
      dataFrom: '2026-12-15',
      dataTo: '2026-06-14',
      opensOn: '2026-11-15',
      dueOn: '2027-01-10',
      closesOn: '2026-12-31',
      graceDays: -1,
    });
    expect(problems.map((p) => p.field)).to.deep.equal(['dataTo', 'closesOn', 'graceDays']);
  });
});
