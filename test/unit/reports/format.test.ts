import { expect } from 'chai';
import {
  NO_VALUE,
  flagLabel,
  formatDate,
  formatIndex,
  formatNumber,
  isFlagged,
  longDate,
  periodLabel,
  safeCell,
} from '../../../reports/format.js';

describe('reports/format', () => {
  describe('formatNumber', () => {
    it('when a number has thousands and decimals, then it uses "." for thousands and "," for decimals', () => {
      expect(formatNumber(1234.5, 1)).to.equal('1.234,5');
      expect(formatNumber(1234567, 0)).to.equal('1.234.567');
      expect(formatNumber(1000, 2)).to.equal('1.000,00');
    });

    it('when the value has more decimals than asked, then it is rounded to that many', () => {
      expect(formatNumber(0.81235, 4)).to.equal('0,8124');
      expect(formatNumber(2.5, 0)).to.equal('3');
      expect(formatNumber(12, 2)).to.equal('12,00');
    });

    it('when the number is negative, then it has an ASCII minus, unless it rounds to zero', () => {
      expect(formatNumber(-1234.25, 2)).to.equal('-1.234,25');
      expect(formatNumber(-0.04, 1)).to.equal('0,0');
    });

    it('when the value is not finite or the decimals are bad, then it throws instead of printing NaN', () => {
      expect(() => formatNumber(Number.NaN, 2)).to.throw(RangeError);
      expect(() => formatNumber(Number.POSITIVE_INFINITY, 2)).to.throw(RangeError);
      expect(() => formatNumber(1, -1)).to.throw(RangeError);
    });
  });

  describe('formatIndex', () => {
    it('when given a 0–1 value, then it shows four decimals with a decimal comma', () => {
      expect(formatIndex(0.8123)).to.equal('0,8123');
      expect(formatIndex(0.5)).to.equal('0,5000');
      expect(formatIndex(1)).to.equal('1,0000');
      expect(formatIndex(0)).to.equal('0,0000');
    });

    it('when the value is null (assessed, not scored), then it shows a dash', () => {
      expect(formatIndex(null)).to.equal('—');
      expect(NO_VALUE).to.equal('—');
    });
  });

  describe('formatDate', () => {
    it('when given an ISO date, then it shows dd/mm/yyyy with leading zeros', () => {
      expect(formatDate('2026-12-15')).to.equal('15/12/2026');
      expect(formatDate('2026-01-05')).to.equal('05/01/2026');
    });

    it('when given a UTC timestamp late in the evening, then it shows the calendar date in Vietnam (UTC+7)', () => {
      expect(formatDate('2026-12-14T20:00:00Z')).to.equal('15/12/2026');
      expect(formatDate('2026-12-14T20:00:00+07:00')).to.equal('14/12/2026');
    });

    it('when the date does not exist or is not ISO, then it throws', () => {
      expect(() => formatDate('2026-02-30')).to.throw(RangeError);
      expect(() => formatDate('15/12/2026')).to.throw(RangeError);
      expect(() => formatDate('')).to.throw(RangeError);
    });
  });

  describe('longDate', () => {
    it('when the day and month are two digits, then it writes the NĐ 30 place and date line', () => {
      expect(longDate('2026-12-15', 'Khánh Hòa')).to.equal('Khánh Hòa, ngày 15 tháng 12 năm 2026');
    });

    it('when the day is below 10 or the month is January or February, then they get a leading zero', () => {
      expect(longDate('2026-01-05', 'Khánh Hòa')).to.equal('Khánh Hòa, ngày 05 tháng 01 năm 2026');
      expect(longDate('2026-02-09', 'Hà Nội')).to.equal('Hà Nội, ngày 09 tháng 02 năm 2026');
      expect(longDate('2026-10-01', 'Hà Nội')).to.equal('Hà Nội, ngày 01 tháng 10 năm 2026');
    });

    it('when the month is March to September, then it has no leading zero', () => {
      expect(longDate('2026-03-05', 'Khánh Hòa')).to.equal('Khánh Hòa, ngày 05 tháng 3 năm 2026');
      expect(longDate('2026-09-20', 'Khánh Hòa')).to.equal('Khánh Hòa, ngày 20 tháng 9 năm 2026');
    });
  });

  describe('flagLabel and isFlagged', () => {
    it('when a value carries a flag, then the label says why in Vietnamese', () => {
      expect(flagLabel('adjusted')).to.equal('Điều chỉnh khi thẩm định');
      expect(flagLabel('missing')).to.equal('Không báo cáo (tính 0 điểm)');
      expect(flagLabel('carried')).to.equal('Lấy số liệu kỳ trước');
      expect(flagLabel('excluded')).to.equal('Không báo cáo (loại khỏi điểm tối đa)');
      expect(flagLabel('not_applicable')).to.equal('Không áp dụng');
    });

    it('when a value was reported as such, then it has no label and is not flagged', () => {
      expect(flagLabel('reported')).to.equal('');
      expect(isFlagged('reported')).to.equal(false);
      expect(isFlagged('carried')).to.equal(true);
    });
  });

  describe('periodLabel', () => {
    it('when the period is semiannual or annual, then it is named as report titles name it', () => {
      expect(periodLabel('semiannual', 2026)).to.equal('6 tháng đầu năm 2026');
      expect(periodLabel('annual', 2026)).to.equal('năm 2026');
    });
  });

  describe('safeCell', () => {
    it('when text starts with a formula trigger, then it gets a leading apostrophe', () => {
      for (const text of ['=1+1', '+1', '-1', '@SUM(A1)', '\t=1', '\r=1', '\n=1']) {
        expect(safeCell(text)).to.equal(`'${text}`);
      }
      expect(safeCell('=HYPERLINK("http://x","y")')).to.equal('\'=HYPERLINK("http://x","y")');
    });

    it('when text does not start with a trigger, then it is unchanged', () => {
      expect(safeCell('Sở Y tế')).to.equal('Sở Y tế');
      expect(safeCell('a=b')).to.equal('a=b');
      expect(safeCell('')).to.equal('');
    });
  });
});
