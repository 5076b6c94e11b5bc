import { expect } from 'chai';
import { addDays, appealDeadline, isWithinWindow } from '../../../server/appeals/appeal-rules.js';

describe('the appeal window', () => {
  it('when results are published on 22/11 with 10 days, then appeals are accepted until the end of 02/12', () => {
    const deadline = appealDeadline('2026-11-22', 10);
    expect(deadline).to.equal('2026-12-02');
    expect(isWithinWindow('2026-11-22', deadline)).to.equal(true);
    expect(isWithinWindow('2026-12-02', deadline)).to.equal(true);
    expect(isWithinWindow('2026-12-03', deadline)).to.equal(false);
  });

  it('when days are added across a month, a year end or a leap day, then the calendar is followed', () => {
    expect(addDays('2026-12-25', 10)).to.equal('2027-01-04');
    expect(addDays('2028-02-25', 5)).to.equal('2028-03-01');
    expect(addDays('2026-03-02', -7)).to.equal('2026-02-23');
  });
});
