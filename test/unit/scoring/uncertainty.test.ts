import { expect } from 'chai';
import fc from 'fast-check';
import { prng, rankUncertainty } from '../../../server/scoring/uncertainty.js';
import { computeScores } from '../../../server/scoring/compute.js';
import type { FrameworkDef, IndicatorDef } from '../../../server/frameworks/framework.types.js';
import type { AgencyInput, RankingGroup } from '../../../server/scoring/scoring.types.js';

const indicator = (code: string, max: number, missing: IndicatorDef['missing'] = 'zero'): IndicatorDef => ({
  type: 'indicator',
  code,
  name: code,
  max,
  input: { kind: 'percent' },
  score: { rule: 'linear' },
  evidence: 'none',
  missing,
  periodicity: 'both',
  annualFrom: 'latest',
});

const FW: FrameworkDef = {
  code: 'U',
  name: 'U',
  version: 1,
  appliesTo: ['a', 'b'],
  periods: ['annual'],
  nodes: [
    { type: 'index', code: 'X', name: 'X', max: 60, children: [indicator('X.1', 30), indicator('X.2', 30, 'carry')] },
    { type: 'index', code: 'Y', name: 'Y', max: 40, children: [indicator('Y.1', 20, 'exclude'), indicator('Y.2', 20)] },
  ],
  subindices: [],
};
const GROUPS: RankingGroup[] = [
  { code: 'a', ranked: true },
  { code: 'b', ranked: false },
];

const percent = (value: number | null) => ({ value: value === null ? null : { value, denominator: null, option: null } });

/** An agency with percentages for X.1, X.2, Y.1, Y.2 (null: not reported), and last period's X.2. */
function agency(agencyId: number, group: string, values: Array<number | null>, previousX2: number | null = null): AgencyInput {
  const [x1, x2, y1, y2] = values;
  return {
    agencyId,
    group,
    values: {
      'X.1': percent(x1 ?? null),
      'X.2': { ...percent(x2 ?? null), previous: previousX2 === null ? null : { value: previousX2, denominator: null, option: null } },
      'Y.1': percent(y1 ?? null),
      'Y.2': percent(y2 ?? null),
    },
  };
}

const PROVINCE: AgencyInput[] = [
  agency(1, 'a', [90, 80, 70, 60]),
  agency(2, 'a', [60, null, 80, 90], 95),
  agency(3, 'a', [70, 70, null, 70]),
  agency(4, 'a', [50, 90, 90, null]),
  agency(5, 'a', [65, 72, 68, 71]),
  agency(6, 'b', [10, 10, 10, 10]),
];

describe('rankUncertainty', () => {
  it('when run twice with the same seed, then the intervals are the same; another seed draws differently', () => {
    const a = rankUncertainty(FW, PROVINCE, GROUPS, { draws: 300, spread: 0.3, seed: 42 });
    const b = rankUncertainty(FW, PROVINCE, GROUPS, { draws: 300, spread: 0.3, seed: 42 });
    expect(a).to.deep.equal(b);
    const draws = (seed: number): number[] => Array.from({ length: 5 }, prng(seed));
    expect(draws(42)).to.deep.equal(draws(42));
    expect(draws(42)).to.not.deep.equal(draws(43));
  });

  it('when the spread is zero and policies are kept, then every interval is the published rank itself', () => {
    const published = computeScores(FW, PROVINCE, GROUPS);
    const result = rankUncertainty(FW, PROVINCE, GROUPS, { draws: 50, spread: 0, seed: 7, varyMissing: false });
    result.forEach((r, i) => {
      const rank = published[i]!.total.rank;
      expect(r.rank, `agency ${r.agencyId}`).to.equal(rank);
      expect([r.low, r.median, r.high], `agency ${r.agencyId}`).to.deep.equal(rank === null ? [null, null, null] : [rank, rank, rank]);
      if (rank !== null) expect(r.stable).to.equal(1);
    });
  });

  it('when the spread is zero and no value is missing, then varying the policies changes nothing either', () => {
    const complete = PROVINCE.map((a, i) => agency(a.agencyId, a.group, [10 + i * 7, 20 + i * 5, 90 - i * 9, 40 + (i % 3) * 11]));
    for (const r of rankUncertainty(FW, complete, GROUPS, { draws: 40, spread: 0, seed: 3 })) {
      if (r.rank !== null) expect([r.low, r.high]).to.deep.equal([r.rank, r.rank]);
    }
  });

  it('when an agency is far ahead of the rest, then it stays first in every draw', () => {
    const province = [agency(1, 'a', [100, 100, 100, 100]), ...PROVINCE.slice(1)];
    const [first] = rankUncertainty(FW, province, GROUPS, { draws: 500, spread: 0.25, seed: 11 });
    expect(first).to.include({ rank: 1, low: 1, high: 1, stable: 1 });
  });

  it('when an agency is in a group that is not ranked, then it has no rank and no interval', () => {
    const result = rankUncertainty(FW, PROVINCE, GROUPS, { draws: 20, spread: 0.1, seed: 1 });
    expect(result[5]).to.include({ rank: null, low: null, high: null });
  });

  it('when weights and policies vary, then every interval is ordered and within the group', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 }), fc.double({ min: 0, max: 0.5, noNaN: true }), (seed, spread) => {
        for (const r of rankUncertainty(FW, PROVINCE, GROUPS, { draws: 30, spread, seed })) {
          if (r.rank === null) continue;
          expect(r.low!).to.be.at.least(1);
          expect(r.low!).to.be.at.most(r.median!);
          expect(r.median!).to.be.at.most(r.high!);
          expect(r.high!).to.be.at.most(5);
        }
      }),
      { numRuns: 25 },
    );
  });

  it('when the missing-data policy of an agency with a gap varies, then its interval widens', () => {
    // Agency 2 has no X.2 this period but 95 % last period: carried forward it leads, scored zero it falls.
    const result = rankUncertainty(FW, PROVINCE, GROUPS, { draws: 400, spread: 0, seed: 5 });
    const second = result.find((r) => r.agencyId === 2)!;
    expect(second.high! - second.low!).to.be.greaterThan(0);
  });

  it('when the options are out of range, then it refuses', () => {
    expect(() => rankUncertainty(FW, PROVINCE, GROUPS, { draws: 0 })).to.throw(RangeError);
    expect(() => rankUncertainty(FW, PROVINCE, GROUPS, { spread: 1 })).to.throw(RangeError);
  });
});

describe('rank uncertainty of composite frameworks', () => {
  it('when the framework forms its total as a weighted mean (QĐ 1726), then the analysis is refused rather than reweighing points', async () => {
    const { loadFrameworkFile } = await import('../../../server/frameworks/framework.loader.js');
    const { uncertaintyApplies } = await import('../../../server/scoring/uncertainty.js');
    const path = await import('node:path');
    const composite = await loadFrameworkFile(path.resolve('frameworks/dti-1726-province.yaml'));
    const points = await loadFrameworkFile(path.resolve('frameworks/dti-922-province.yaml'));
    expect(uncertaintyApplies(composite)).to.equal(false);
    expect(uncertaintyApplies(points)).to.equal(true);
    const agencies: AgencyInput[] = [1, 2].map((agencyId) => ({ agencyId, group: 'tinh', values: {} }));
    expect(() => rankUncertainty(composite, agencies, [{ code: 'tinh', ranked: true }], { draws: 5 })).to.throw(RangeError);
  });
});
