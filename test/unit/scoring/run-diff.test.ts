import { expect } from 'chai';
import fc from 'fast-check';
import { diffRuns, type RunSide, type RunTotalRow } from '../../../server/scoring/run-diff.js';

const total = (agencyId: number, points: number, rank: number | null, groupId = 1): RunTotalRow => ({
  agencyId,
  agencyName: `Đơn vị ${agencyId}`,
  groupId,
  groupName: `Khối ${groupId}`,
  points,
  value: points / 100,
  rank,
});

describe('diffRuns', () => {
  const before: RunSide = {
    totals: [total(1, 80, 1), total(2, 70, 2), total(3, 60, 3)],
    indicators: [
      { agencyId: 1, code: 'A.1', points: 40 },
      { agencyId: 1, code: 'A.2', points: 40 },
      { agencyId: 2, code: 'A.1', points: 30 },
      { agencyId: 2, code: 'A.2', points: 40 },
      { agencyId: 3, code: 'A.1', points: 20 },
      { agencyId: 3, code: 'A.2', points: 40 },
    ],
  };

  it('when agency 3 gains 25 points on one indicator, then it moves from 3rd to 1st and the others each move down one', () => {
    const after: RunSide = {
      totals: [total(3, 85, 1), total(1, 80, 2), total(2, 70, 3)],
      indicators: before.indicators.map((i) => (i.agencyId === 3 && i.code === 'A.1' ? { ...i, points: 45 } : i)),
    };
    const d = diffRuns(before, after);
    expect(d.agencies.map((a) => a.agencyId)).to.deep.equal([3, 1, 2]);
    const three = d.agencies[0]!;
    expect(three).to.deep.include({ before: { points: 60, value: 0.6, rank: 3 }, after: { points: 85, value: 0.85, rank: 1 }, pointsDelta: 25, rankDelta: 2, movement: 'up' });
    expect(three.indicators).to.deep.equal([{ code: 'A.1', before: 20, after: 45, delta: 25 }]);
    expect(d.movedUp.map((a) => a.agencyId)).to.deep.equal([3]);
    expect(d.movedDown.map((a) => [a.agencyId, a.rankDelta])).to.deep.equal([[1, -1], [2, -1]]);
    // Agencies 1 and 2 changed rank without any change of their own points: they are in the change log.
    expect(d.changed.map((a) => a.agencyId)).to.deep.equal([3, 1, 2]);
    expect(d.agencies[1]!.indicators).to.deep.equal([]);
  });

  it('when an agency appears only in the later run, or only in the earlier one, then it is added or removed', () => {
    const after: RunSide = { totals: [total(1, 80, 1), total(2, 70, 2), total(4, 10, 3)], indicators: before.indicators.filter((i) => i.agencyId !== 3) };
    const d = diffRuns(before, after);
    expect(d.agencies.find((a) => a.agencyId === 4)).to.deep.include({ movement: 'added', before: null, pointsDelta: 10 });
    const gone = d.agencies.find((a) => a.agencyId === 3)!;
    expect(gone).to.deep.include({ movement: 'removed', after: null, pointsDelta: -60, rankDelta: null });
    expect(gone.indicators.map((i) => [i.code, i.after])).to.deep.equal([['A.2', null], ['A.1', null]]);
  });

  it('when a group is assessed but not ranked, then a points change is reported without a rank movement', () => {
    const unranked: RunSide = { totals: [total(9, 50, null, 2)], indicators: [{ agencyId: 9, code: 'A.1', points: 10 }] };
    const later: RunSide = { totals: [total(9, 55, null, 2)], indicators: [{ agencyId: 9, code: 'A.1', points: 15 }] };
    const d = diffRuns(unranked, later);
    expect(d.changed).to.have.length(1);
    expect(d.changed[0]).to.deep.include({ movement: 'same', rankDelta: null, pointsDelta: 5 });
  });

  it('when points differ only by float noise, then nothing is reported as changed', () => {
    const noisy: RunSide = {
      totals: before.totals.map((r) => ({ ...r, points: r.points + 1e-9 })),
      indicators: before.indicators.map((i) => ({ ...i, points: i.points + 1e-9 })),
    };
    expect(diffRuns(before, noisy).changed).to.deep.equal([]);
  });

  const side = fc
    .uniqueArray(fc.integer({ min: 1, max: 30 }), { minLength: 1, maxLength: 12 })
    .chain((ids) =>
      fc.record({
        totals: fc.tuple(...ids.map((id) => fc.record({ points: fc.integer({ min: 0, max: 1000 }), rank: fc.option(fc.integer({ min: 1, max: 12 }), { nil: null }) }).map((r) => total(id, r.points / 10, r.rank)))),
        indicators: fc.tuple(...ids.map((id) => fc.integer({ min: 0, max: 100 }).map((p) => ({ agencyId: id, code: 'X.1', points: p })))),
      }),
    );

  it('when a run is compared with itself, then nothing changed (property)', () => {
    fc.assert(
      fc.property(side, (s) => {
        const d = diffRuns(s, s);
        return d.changed.length === 0 && d.movedUp.length === 0 && d.movedDown.length === 0 && d.agencies.length === s.totals.length;
      }),
    );
  });

  it('when two runs are compared both ways, then who moved up one way moved down the other, by the same places (property)', () => {
    fc.assert(
      fc.property(side, side, (a, b) => {
        const ab = diffRuns(a, b);
        const ba = diffRuns(b, a);
        const up = ab.movedUp.map((x) => `${x.agencyId}:${x.rankDelta}`).sort();
        const down = ba.movedDown.map((x) => `${x.agencyId}:${-x.rankDelta!}`).sort();
        return JSON.stringify(up) === JSON.stringify(down) && ab.changed.length === ba.changed.length;
      }),
    );
  });
});
