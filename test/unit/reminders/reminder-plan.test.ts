import { expect } from 'chai';
import { planReminder } from '../../../server/reminders/reminder-plan.js';

// The annual period's default dates: entry opens 15/11, due 15/12, closes 31/12.
const annual = { opensOn: '2026-11-15', dueOn: '2026-12-15', closesOn: '2026-12-31' };
const DAYS = [7, 3, 1];

describe('planReminder', () => {
  const cases: Array<[string, string, ReturnType<typeof planReminder>]> = [
    ['before the entry window opens', '2026-11-10', null],
    ['more days ahead than the earliest reminder', '2026-12-07', null],
    ['exactly seven days ahead', '2026-12-08', { kind: 'before_due', day: '2026-12-08', days: 7 }],
    ['five days ahead (the seven-day reminder is still the one due)', '2026-12-10', { kind: 'before_due', day: '2026-12-08', days: 5 }],
    ['three days ahead', '2026-12-12', { kind: 'before_due', day: '2026-12-12', days: 3 }],
    ['one day ahead', '2026-12-14', { kind: 'before_due', day: '2026-12-14', days: 1 }],
    ['on the due date (the one-day reminder is not repeated)', '2026-12-15', { kind: 'before_due', day: '2026-12-14', days: 0 }],
    ['the day after the due date', '2026-12-16', { kind: 'overdue', day: '2026-12-16', days: 1 }],
    ['a week late (the same overdue notice, never a second)', '2026-12-22', { kind: 'overdue', day: '2026-12-16', days: 7 }],
    ['on the closing day', '2026-12-31', { kind: 'overdue', day: '2026-12-16', days: 16 }],
    ['after entry has closed', '2027-01-01', null],
  ];
  for (const [when, today, expected] of cases) {
    it(`when it is ${today}, ${when}, then ${expected ? `the ${expected.kind} reminder of ${expected.day}` : 'nothing'} is due`, () => {
      expect(planReminder(annual, today, DAYS)).to.deep.equal(expected);
    });
  }

  it('when the due date falls early in a month, then the reminder days cross the month boundary', () => {
    expect(planReminder({ opensOn: '2026-02-01', dueOn: '2026-03-02', closesOn: '2026-03-20' }, '2026-02-23', DAYS)).to.deep.equal({
      kind: 'before_due',
      day: '2026-02-23',
      days: 7,
    });
  });
});
