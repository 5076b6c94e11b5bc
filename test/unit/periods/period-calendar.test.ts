import { expect } from 'chai';
import {
  defaultPeriodDates,
  isEntryOpen,
  isoDay,
  periodCode,
  periodName,
} from '../../../server/periods/period-calendar.js';

// NĐ 09/2019/NĐ-CP as the province applies it (DESIGN.md §5): the semiannual period runs from 15/12 of the previous
// year to 14/6, the annual one from 15/12 of the previous year to 14/12; the annual report is due by 15/12.
describe('period calendar', () => {
  describe('defaultPeriodDates', () => {
    for (const year of [2025, 2026, 2000]) {
      it(`when a semiannual period of ${year} is created, then its data run from 15/12/${year - 1} to 14/6/${year}`, () => {
        const d = defaultPeriodDates('semiannual', year);
        expect(d.dataFrom).to.equal(`${year - 1}-12-15`);
        expect(d.dataTo).to.equal(`${year}-06-14`);
      });

      it(`when an annual period of ${year} is created, then its data run from 15/12/${year - 1} to 14/12/${year}, due 15/12`, () => {
        const d = defaultPeriodDates('annual', year);
        expect(d.dataFrom).to.equal(`${year - 1}-12-15`);
        expect(d.dataTo).to.equal(`${year}-12-14`);
        expect(d.dueOn).to.equal(`${year}-12-15`);
      });
    }

    for (const kind of ['semiannual', 'annual'] as const) {
      it(`when a ${kind} period is created, then it opens before it is due and closes on or after the due date`, () => {
        const d = defaultPeriodDates(kind, 2026);
        expect(d.opensOn <= d.dueOn, 'opens before due').to.equal(true);
        expect(d.dueOn <= d.closesOn, 'due before close').to.equal(true);
        // The report is due after the data cut-off, never before it.
        expect(d.dueOn > d.dataTo, 'due after the cut-off').to.equal(true);
        for (const v of Object.values(d)) expect(v).to.match(/^\d{4}-\d{2}-\d{2}$/);
      });
    }

    it('when the annual and semiannual periods of a year are created, then they share the start of the data window', () => {
      expect(defaultPeriodDates('annual', 2026).dataFrom).to.equal(defaultPeriodDates('semiannual', 2026).dataFrom);
    });

    it('when a period of the next year is created, then its data start the day after this year\'s annual cut-off', () => {
      const thisYear = defaultPeriodDates('annual', 2026);
      const next = defaultPeriodDates('annual', 2027);
      const dayAfter = new Date(`${thisYear.dataTo}T00:00:00Z`);
      dayAfter.setUTCDate(dayAfter.getUTCDate() + 1);
      expect(next.dataFrom).to.equal(dayAfter.toISOString().slice(0, 10));
    });
  });

  describe('isEntryOpen', () => {
    const period = { opensOn: '2026-11-15', closesOn: '2026-12-31' };
    const cases: Array<[string, string, boolean]> = [
      ['the day before it opens', '2026-11-14', false],
      ['the opening day', '2026-11-15', true],
      ['a day inside the window', '2026-11-22', true],
      ['the due date', '2026-12-15', true],
      ['the closing day', '2026-12-31', true],
      ['the day after it closes', '2027-01-01', false],
      ['a year earlier', '2025-11-22', false],
    ];
    for (const [when, today, open] of cases) {
      it(`when today is ${when} (${today}), then entry is ${open ? 'open' : 'closed'}`, () => {
        expect(isEntryOpen(period, today)).to.equal(open);
      });
    }

    it('when a period opens and closes on the same day, then entry is open that day only', () => {
      const p = { opensOn: '2026-06-15', closesOn: '2026-06-15' };
      expect(isEntryOpen(p, '2026-06-14')).to.equal(false);
      expect(isEntryOpen(p, '2026-06-15')).to.equal(true);
      expect(isEntryOpen(p, '2026-06-16')).to.equal(false);
    });

    it('when the default annual dates are used, then entry is open on the due date and closed after the close', () => {
      const d = defaultPeriodDates('annual', 2026);
      expect(isEntryOpen(d, d.dueOn)).to.equal(true);
      expect(isEntryOpen(d, '2027-01-01')).to.equal(false);
    });
  });

  describe('isoDay', () => {
    it('when it is 23:30 UTC on 14/12, then it is already 15/12 in Vietnam (UTC+7)', () => {
      expect(isoDay(new Date('2026-12-14T23:30:00Z'))).to.equal('2026-12-15');
    });
    it('when it is 16:59 UTC on 14/12, then it is still 14/12 in Vietnam', () => {
      expect(isoDay(new Date('2026-12-14T16:59:59Z'))).to.equal('2026-12-14');
    });
    it('when it is 17:00 UTC on 31/12, then it is already the new year in Vietnam', () => {
      expect(isoDay(new Date('2026-12-31T17:00:00Z'))).to.equal('2027-01-01');
    });
  });

  describe('codes and names', () => {
    it('when periods are named, then the code ends in -N (annual) or -6T (semiannual)', () => {
      expect(periodCode('DTI-SO', 'annual', 2026)).to.equal('DTI-SO-2026-N');
      expect(periodCode('DTI-XA', 'semiannual', 2026)).to.equal('DTI-XA-2026-6T');
    });
    it('when periods are named, then the name is in Vietnamese', () => {
      expect(periodName('annual', 2026)).to.equal('Năm 2026');
      expect(periodName('semiannual', 2026)).to.equal('6 tháng đầu năm 2026');
    });
  });
});
