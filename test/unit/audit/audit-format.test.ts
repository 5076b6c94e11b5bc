import { expect } from 'chai';
import { describeChange } from '../../../server/audit/audit-format.js';

describe('how an audit event reads', () => {
  it('when a state changes, then both sides show the Vietnamese state label', () => {
    expect(describeChange({ state: 'submitted' }, { state: 'approved' })).to.deep.equal({
      before: 'Trạng thái: Đã gửi, chờ thẩm định',
      after: 'Trạng thái: Đã thẩm định',
    });
  });

  it('when a value and comment change, then the value reads as "n/d" and only the changed fields are shown', () => {
    const before = { value: { value: 3, denominator: 9, option: null }, comment: 'Giữ nguyên' };
    const after = { value: { value: 12.5, denominator: 20, option: null }, comment: 'Giữ nguyên' };
    expect(describeChange(before, after)).to.deep.equal({ before: 'Số liệu: 3/9', after: 'Số liệu: 12,50/20' });
  });

  it('when a period\'s dates change, then days read as dd/mm/yyyy and identifiers are left out', () => {
    const before = { id: 4, code: 'X', dueOn: '2026-12-15', graceDays: 0 };
    const after = { id: 4, code: 'X', dueOn: '2026-11-18', graceDays: 1 };
    expect(describeChange(before, after)).to.deep.equal({
      before: 'Hạn gửi: 15/12/2026; Gia hạn (ngày làm việc): 0',
      after: 'Hạn gửi: 18/11/2026; Gia hạn (ngày làm việc): 1',
    });
  });

  it('when there is only an after (a creation), then the before is empty', () => {
    expect(describeChange(null, { state: 'draft' })).to.deep.equal({ before: '', after: 'Trạng thái: Đang nhập' });
  });
});
