// Completeness and timeliness worked by hand on the seeded calendar: deadline Friday 13/02/2026 (the last working
// day before Tết Bính Ngọ), today Wednesday 25/02/2026.
import { expect } from 'chai';
import { completeness, type ExpectedAgency } from '../../../server/dashboard/completeness.js';
import { WorkingCalendar } from '../../../server/periods/working-days.js';

const tet = ['2026-02-16', '2026-02-17', '2026-02-18', '2026-02-19', '2026-02-20'].map((day) => ({ day, kind: 'holiday' as const, name: 'Tết' }));
const cal = new WorkingCalendar(tet);

const agency = (id: number, groupId: number, state: ExpectedAgency['state'], firstSubmittedOn: string | null): ExpectedAgency => ({
  agencyId: id,
  agencyCode: `A${id}`,
  agencyName: `Đơn vị ${id}`,
  groupId,
  groupName: groupId === 1 ? 'Sở, ban, ngành' : 'UBND xã',
  submissionId: state ? id : null,
  state,
  firstSubmittedOn,
});

describe('completeness and timeliness', () => {
  const rows = [
    agency(1, 1, 'approved', '2026-02-12'), // on time
    agency(2, 1, 'submitted', '2026-02-14'), // Saturday after the deadline: not yet a working day late
    agency(3, 1, 'returned', '2026-02-23'), // first day back after Tết: 1 working day late, now back with the agency
    agency(4, 1, 'draft', null), // never sent
    agency(5, 2, null, null), // not started
    agency(6, 2, 'submitted', '2026-02-25'), // 23, 24, 25: 3 working days late
  ];
  const result = completeness(rows, '2026-02-13', '2026-02-25', cal);

  it('when reports arrive around Tết, then on time and late count working days only', () => {
    const byId = new Map(result.groups.flatMap((g) => g.agencies).map((a) => [a.agencyId, a]));
    expect([1, 2, 3, 4, 5, 6].map((id) => [byId.get(id)!.timeliness, byId.get(id)!.daysLate])).to.deep.equal([
      ['on_time', 0],
      ['on_time', 0],
      ['late', 1],
      ['missing', 3],
      ['missing', 3],
      ['late', 3],
    ]);
  });

  it('when counted per group and in total, then a returned report counts as submitted and as returned, never as missing', () => {
    expect(result.groups.map((g) => [g.groupName, g.counts])).to.deep.equal([
      ['Sở, ban, ngành', { expected: 4, submitted: 3, onTime: 2, late: 1, missing: 1, returned: 1 }],
      ['UBND xã', { expected: 2, submitted: 1, onTime: 0, late: 1, missing: 1, returned: 0 }],
    ]);
    expect(result.totals).to.deep.equal({ expected: 6, submitted: 4, onTime: 2, late: 2, missing: 2, returned: 1 });
  });

  it('when the deadline has not passed, then a missing report is not overdue', () => {
    const early = completeness([agency(4, 1, 'draft', null)], '2026-02-13', '2026-02-10', cal);
    expect(early.groups[0]!.agencies[0]).to.include({ timeliness: 'missing', daysLate: 0 });
  });
});
