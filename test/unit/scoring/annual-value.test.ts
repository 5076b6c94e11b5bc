import { expect } from 'chai';
import type { AnnualFrom, IndicatorDef, InputSpec } from '../../../server/frameworks/framework.types.js';
import { annualInput, formedAnnually, notScoredIn, withAnnualValues, type HalfValue } from '../../../server/scoring/annual-value.js';
import { scoreIndicator } from '../../../server/scoring/score.js';
import type { ReportedValue } from '../../../server/scoring/scoring.types.js';

const COUNT: InputSpec = { kind: 'count' };
const RATIO: InputSpec = { kind: 'ratio', numerator: 'Số hồ sơ trực tuyến', denominator: 'Tổng số hồ sơ' };
const PERCENT: InputSpec = { kind: 'percent' };

function indicator(input: InputSpec, annualFrom: AnnualFrom, extra: Partial<IndicatorDef> = {}): IndicatorDef {
  return {
    type: 'indicator',
    code: 'K.1',
    name: 'Chỉ số 6 tháng',
    max: 20,
    input,
    score: input.kind === 'count' ? { rule: 'linear', full: 10 } : { rule: 'linear' },
    evidence: 'none',
    missing: 'zero',
    periodicity: 'semiannual',
    annualFrom,
    ...extra,
  };
}

const v = (value: number | null, denominator: number | null = null): ReportedValue => ({ value, denominator, option: null });
const half = (value: ReportedValue | null, adjusted = false): HalfValue => ({ value, adjusted });

describe('annualInput — forming the annual value from the year\'s semiannual values', () => {
  interface Golden {
    when: string;
    def: IndicatorDef;
    halves: HalfValue[];
    value: ReportedValue | null;
    points: number;
    flag: string;
  }
  const cases: Golden[] = [
    // Courses held: 3 in the first half, 4 in the second; sum 7 of 10 for full points → 0.7 × 20 = 14.
    { when: 'sum of counts 3 + 4', def: indicator(COUNT, 'sum'), halves: [half(v(3)), half(v(4))], value: v(7), points: 14, flag: 'reported' },
    // Mean (3 + 4)/2 = 3.5 → 0.35 × 20 = 7.
    { when: 'mean of counts 3 and 4', def: indicator(COUNT, 'mean'), halves: [half(v(3)), half(v(4))], value: v(3.5), points: 7, flag: 'reported' },
    // Latest: the second half, 4 → 0.4 × 20 = 8.
    { when: 'latest of counts 3 then 4', def: indicator(COUNT, 'latest'), halves: [half(v(3)), half(v(4))], value: v(4), points: 8, flag: 'reported' },
    // Dossiers filed online: 30/100 then 90/100; sum 120/200 = 0.6 → 12 (the pooled rate, not the mean 0.6 by chance:
    // see the next case).
    { when: 'sum of ratios 30/100 and 90/100', def: indicator(RATIO, 'sum'), halves: [half(v(30, 100)), half(v(90, 100))], value: v(120, 200), points: 12, flag: 'reported' },
    // 10/20 then 90/180: sum 100/200 = 0.5 → 10; the mean of the rates would also be 0.5; mean of counts 50/100.
    { when: 'mean of ratios 10/20 and 90/180', def: indicator(RATIO, 'mean'), halves: [half(v(10, 20)), half(v(90, 180))], value: v(50, 100), points: 10, flag: 'reported' },
    // 1/10 then 9/10 with uneven denominators 1/10 and 90/100: Σ 91/110 = 0.827272… → 16.5455.
    { when: 'sum of ratios 1/10 and 90/100', def: indicator(RATIO, 'sum'), halves: [half(v(1, 10)), half(v(90, 100))], value: v(91, 110), points: 16.5455, flag: 'reported' },
    // Percent mean (40 + 60)/2 = 50 % → 10.
    { when: 'mean of percents 40 and 60', def: indicator(PERCENT, 'mean'), halves: [half(v(40)), half(v(60))], value: v(50), points: 10, flag: 'reported' },
    // One half reviewed and changed: the formed value is flagged adjusted.
    { when: 'a half was adjusted by the reviewer', def: indicator(COUNT, 'sum'), halves: [half(v(3), true), half(v(4))], value: v(7), points: 14, flag: 'adjusted' },
    // A half missing under sum: no annual value, zero policy → 0 of 20, flagged missing.
    { when: 'sum with the second half missing', def: indicator(COUNT, 'sum'), halves: [half(v(3)), half(null)], value: null, points: 0, flag: 'missing' },
    // Latest with the second half missing, policy carry: the first half is carried → 3 → 6, flagged carried.
    { when: 'latest, second half missing, carry', def: indicator(COUNT, 'latest', { missing: 'carry' }), halves: [half(v(3)), half(null)], value: null, points: 6, flag: 'carried' },
    // Latest with the second half missing, policy zero: 0, flagged missing.
    { when: 'latest, second half missing, zero', def: indicator(COUNT, 'latest'), halves: [half(v(3)), half(null)], value: null, points: 0, flag: 'missing' },
    // Sum, a half missing, policy exclude: left out of the max.
    { when: 'sum, a half missing, exclude', def: indicator(COUNT, 'sum', { missing: 'exclude' }), halves: [half(null), half(v(4))], value: null, points: 0, flag: 'excluded' },
    // The platform's calendar has one semiannual period a year (NĐ 09/2019): the year's only half forms the value.
    { when: 'the year has one semiannual period, sum', def: indicator(COUNT, 'sum'), halves: [half(v(5))], value: v(5), points: 10, flag: 'reported' },
  ];
  for (const c of cases) {
    it(`when ${c.when}, then the annual value is ${JSON.stringify(c.value?.value ?? null)} and scores ${c.points} (${c.flag})`, () => {
      const input = annualInput(c.def, c.halves);
      expect(input.value).to.deep.equal(c.value);
      const score = scoreIndicator(c.def, input, true);
      expect([score.points, score.flag]).to.deep.equal([c.points, c.flag]);
    });
  }

  it('when a half holds a ratio with denominator 0, then it counts as not reported', () => {
    expect(annualInput(indicator(RATIO, 'sum'), [half(v(0, 0)), half(v(5, 10))]).value).to.equal(null);
  });

  it('when there is no semiannual period in the year, then the annual value is missing and the earlier value can be carried', () => {
    const input = annualInput(indicator(COUNT, 'latest', { missing: 'carry' }), [], v(2));
    expect(input).to.deep.include({ value: null, previous: v(2) });
  });
});

describe('withAnnualValues and the period rules', () => {
  const defs = [indicator(COUNT, 'sum'), { ...indicator(COUNT, 'latest'), code: 'K.2', periodicity: 'both' as const }];

  it('when an annual period is scored, then only semiannual-only indicators are formed from the halves', () => {
    expect(formedAnnually(defs).map((d) => d.code)).to.deep.equal(['K.1']);
    const values = withAnnualValues(formedAnnually(defs), { 'K.2': { value: v(9) } }, [new Map([['K.1', half(v(1))]]), new Map([['K.1', half(v(2))]])]);
    expect(values['K.1']?.value).to.deep.equal(v(3));
    expect(values['K.2']?.value).to.deep.equal(v(9));
  });

  it('when an agency reported nothing in a half, then the formed sum is missing', () => {
    const values = withAnnualValues(formedAnnually(defs), {}, [new Map([['K.1', half(v(1))]]), new Map()]);
    expect(values['K.1']?.value).to.equal(null);
  });

  it('when the period is semiannual, then annual-only indicators are not scored; when annual, every indicator is', () => {
    const nodes = [indicator(COUNT, 'latest', { code: 'A', periodicity: 'annual' }), indicator(COUNT, 'sum', { code: 'S' })];
    expect(notScoredIn(nodes, 'semiannual')).to.deep.equal(['A']);
    expect(notScoredIn(nodes, 'annual')).to.deep.equal([]);
  });
});
