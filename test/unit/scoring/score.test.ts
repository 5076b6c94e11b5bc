import { expect } from 'chai';
import fc from 'fast-check';
import { fileURLToPath } from 'node:url';
import type { FrameworkDef, IndicatorDef, InputSpec, ScoreRule } from '../../../server/frameworks/framework.types.js';
import { loadFrameworkFile } from '../../../server/frameworks/framework.loader.js';
import { computeScores, pooledRate } from '../../../server/scoring/compute.js';
import { measureOf, roundPublished, scoreAgency, scoreIndicator, TOTAL_CODE } from '../../../server/scoring/score.js';
import type { AgencyInput, AgencyScore, IndicatorInput, NodeScore, ReportedValue } from '../../../server/scoring/scoring.types.js';

const QD922_MINI = fileURLToPath(new URL('../../fixtures/frameworks/qd922-mini.yaml', import.meta.url));

function indicator(input: InputSpec, score: ScoreRule, max: number, extra: Partial<IndicatorDef> = {}): IndicatorDef {
  return {
    type: 'indicator',
    code: 'X.1',
    name: 'Chỉ số thử',
    max,
    input,
    score,
    evidence: 'optional',
    missing: 'zero',
    periodicity: 'both',
    annualFrom: 'latest',
    ...extra,
  };
}

const value = (v: Partial<ReportedValue>): ReportedValue => ({ value: null, denominator: null, option: null, ...v });
const reported = (v: Partial<ReportedValue>): IndicatorInput => ({ value: value(v) });
const n = (x: number): Partial<ReportedValue> => ({ value: x });
const ratio = (num: number, den: number): Partial<ReportedValue> => ({ value: num, denominator: den });
const option = (code: string): Partial<ReportedValue> => ({ option: code });

const RATIO: InputSpec = { kind: 'ratio', numerator: 'Số đạt', denominator: 'Tổng số' };
const PERCENT: InputSpec = { kind: 'percent' };
const FRACTION: InputSpec = { kind: 'fraction' };
const COUNT: InputSpec = { kind: 'count' };
const YESNO: InputSpec = { kind: 'yesno' };
const APPRAISED: InputSpec = { kind: 'appraised' };
const STEERING_HEAD: InputSpec = {
  kind: 'choice',
  options: [
    { code: 'chu-tich', label: 'Chủ tịch hoặc Bí thư', points: 20 },
    { code: 'pho-chu-tich', label: 'Phó Chủ tịch', points: 10 },
    { code: 'khong', label: 'Chưa thành lập', points: 0 },
  ],
};
/** Steering-board meetings in the year (reference, "Component scoring seen in provincial sets"). */
const MEETINGS: ScoreRule = { rule: 'steps', steps: [[4, 20], [3, 15], [2, 10], [1, 5]] };
/** Security incidents: none → full, up to 2 → half, more → nothing. */
const INCIDENTS: ScoreRule = { rule: 'steps', direction: 'lower', steps: [[0, 50], [2, 25]] };

describe('roundPublished', () => {
  const cases: Array<[number, number]> = [
    [0.12345, 0.1235],
    [-0.12345, -0.1235],
    [0.81234, 0.8123],
    [0.81235, 0.8124],
    [0.1 + 0.2, 0.3],
    [1.00005, 1.0001],
    [1.005, 1.005],
    [14.999999999999998, 15],
    [123456.78905, 123456.7891],
    [2 / 3, 0.6667],
    [0, 0],
  ];
  for (const [x, expected] of cases) {
    it(`when the value is ${x}, then it publishes as ${expected}`, () => {
      expect(roundPublished(x)).to.equal(expected);
    });
  }

  it('when a small negative value rounds to zero, then the result is 0, not −0', () => {
    expect(Object.is(roundPublished(-0.00001), 0)).to.equal(true);
    expect(Object.is(roundPublished(-0), 0)).to.equal(true);
  });

  it('when any value is rounded, then it moves by at most half a unit of the fourth decimal and is symmetric in sign', () => {
    fc.assert(
      fc.property(fc.double({ min: -1e6, max: 1e6, noNaN: true }), (x) => {
        const r = roundPublished(x);
        expect(Math.abs(r - x)).to.be.at.most(0.00005 + 1e-9);
        expect(Number.isInteger(Math.round(r * 1e4 * 1e3) / 1e3)).to.equal(true);
        expect(roundPublished(-x)).to.equal(r === 0 ? 0 : -r);
      }),
    );
  });
});

describe('measureOf', () => {
  const cases: Array<[string, InputSpec, Partial<ReportedValue>, number | null]> = [
    ['a ratio 30/40', RATIO, ratio(30, 40), 0.75],
    ['a ratio above 1 (the rule caps it)', RATIO, ratio(50, 40), 1.25],
    ['a ratio with denominator 0', RATIO, ratio(0, 0), null],
    ['a ratio without a denominator', RATIO, n(3), null],
    ['a percent of 20', PERCENT, n(20), 0.2],
    ['a fraction of 0.4', FRACTION, n(0.4), 0.4],
    ['a count of 3', COUNT, n(3), 3],
    ['yes', YESNO, n(1), 1],
    ['no', YESNO, n(0), 0],
    ['a choice', STEERING_HEAD, option('chu-tich'), null],
    ['an appraised score', APPRAISED, n(7), null],
    ['no value', COUNT, {}, null],
    ['a non-finite value', COUNT, n(Number.NaN), null],
  ];
  for (const [what, input, v, expected] of cases) {
    it(`when the input is ${what}, then the measure is ${expected}`, () => {
      expect(measureOf(input, value(v))).to.equal(expected);
    });
  }
});

describe('scoreIndicator — golden cases from the methodology', () => {
  interface Golden {
    when: string;
    def: IndicatorDef;
    given: Partial<ReportedValue>;
    points: number;
  }
  const linear: ScoreRule = { rule: 'linear' };
  const onlineFiling: ScoreRule = { rule: 'target', target: 0.2 }; // ≥ 20 % of dossiers filed online (NQ 17/NQ-CP)
  const cases: Golden[] = [
    { when: 'linear, 30 of 40 officials meet the standard, max 20', def: indicator(RATIO, linear, 20), given: ratio(30, 40), points: 15 },
    { when: 'linear, 50 of 40 (above the denominator)', def: indicator(RATIO, linear, 20), given: ratio(50, 40), points: 20 },
    { when: 'linear, 1 of 3, max 10', def: indicator(RATIO, linear, 10), given: ratio(1, 3), points: 3.3333 },
    { when: 'linear, 75 %', def: indicator(PERCENT, linear, 20), given: n(75), points: 15 },
    { when: 'linear, 0 %', def: indicator(PERCENT, linear, 20), given: n(0), points: 0 },
    { when: 'linear on a count, 4 courses of 10 for full points', def: indicator(COUNT, { rule: 'linear', full: 10 }, 20), given: n(4), points: 8 },
    { when: 'linear on a count, 12 courses of 10', def: indicator(COUNT, { rule: 'linear', full: 10 }, 20), given: n(12), points: 20 },
    { when: 'lower-is-better linear, 25 % late of 50 % for zero', def: indicator(PERCENT, { rule: 'linear', full: 0.5, direction: 'lower' }, 10), given: n(25), points: 5 },
    { when: 'lower-is-better linear, 0 % late', def: indicator(PERCENT, { rule: 'linear', full: 0.5, direction: 'lower' }, 10), given: n(0), points: 10 },
    { when: 'lower-is-better linear, 60 % late', def: indicator(PERCENT, { rule: 'linear', full: 0.5, direction: 'lower' }, 10), given: n(60), points: 0 },
    { when: 'target 20 % online filing, 10 % filed', def: indicator(PERCENT, onlineFiling, 10), given: n(10), points: 5 },
    { when: 'target 20 % online filing, 20 % filed', def: indicator(PERCENT, onlineFiling, 10), given: n(20), points: 10 },
    { when: 'target 20 % online filing, 25 % filed', def: indicator(PERCENT, onlineFiling, 10), given: n(25), points: 10 },
    { when: 'target 20 % online filing, 0 % filed', def: indicator(PERCENT, onlineFiling, 10), given: n(0), points: 0 },
    { when: 'target 1 computer per official, 45 for 50 officials', def: indicator(RATIO, { rule: 'target', target: 1 }, 50), given: ratio(45, 50), points: 45 },
    { when: 'lower-is-better target of 3 days, 2 days taken', def: indicator(COUNT, { rule: 'target', target: 3, direction: 'lower' }, 10), given: n(2), points: 10 },
    { when: 'lower-is-better target of 3 days, 6 days taken', def: indicator(COUNT, { rule: 'target', target: 3, direction: 'lower' }, 10), given: n(6), points: 5 },
    { when: 'steps, 4 steering-board meetings', def: indicator(COUNT, MEETINGS, 20), given: n(4), points: 20 },
    { when: 'steps, 3 meetings', def: indicator(COUNT, MEETINGS, 20), given: n(3), points: 15 },
    { when: 'steps, 2 meetings', def: indicator(COUNT, MEETINGS, 20), given: n(2), points: 10 },
    { when: 'steps, 1 meeting', def: indicator(COUNT, MEETINGS, 20), given: n(1), points: 5 },
    { when: 'steps, no meeting', def: indicator(COUNT, MEETINGS, 20), given: n(0), points: 0 },
    { when: 'steps, 6 meetings (beyond the top step)', def: indicator(COUNT, MEETINGS, 20), given: n(6), points: 20 },
    { when: 'steps whose points exceed the max', def: indicator(COUNT, MEETINGS, 12), given: n(4), points: 12 },
    { when: 'lower-is-better steps, no incident', def: indicator(COUNT, INCIDENTS, 50), given: n(0), points: 50 },
    { when: 'lower-is-better steps, 1 incident', def: indicator(COUNT, INCIDENTS, 50), given: n(1), points: 25 },
    { when: 'lower-is-better steps, 2 incidents', def: indicator(COUNT, INCIDENTS, 50), given: n(2), points: 25 },
    { when: 'lower-is-better steps, 3 incidents', def: indicator(COUNT, INCIDENTS, 50), given: n(3), points: 0 },
    { when: 'choice, the chairman heads the steering board', def: indicator(STEERING_HEAD, { rule: 'choice' }, 20), given: option('chu-tich'), points: 20 },
    { when: 'choice, a deputy heads it', def: indicator(STEERING_HEAD, { rule: 'choice' }, 20), given: option('pho-chu-tich'), points: 10 },
    { when: 'choice, no steering board', def: indicator(STEERING_HEAD, { rule: 'choice' }, 20), given: option('khong'), points: 0 },
    { when: 'choice, an unknown option', def: indicator(STEERING_HEAD, { rule: 'choice' }, 20), given: option('ai-do'), points: 0 },
    { when: 'choice worth more than the max', def: indicator(STEERING_HEAD, { rule: 'choice' }, 15), given: option('chu-tich'), points: 15 },
    { when: 'yes/no, yes', def: indicator(YESNO, { rule: 'yesno' }, 40), given: n(1), points: 40 },
    { when: 'yes/no, no', def: indicator(YESNO, { rule: 'yesno' }, 40), given: n(0), points: 0 },
    { when: 'appraised 7.5 of 10', def: indicator(APPRAISED, { rule: 'appraised' }, 10), given: n(7.5), points: 7.5 },
    { when: 'appraised 12 of 10', def: indicator(APPRAISED, { rule: 'appraised' }, 10), given: n(12), points: 10 },
    { when: 'appraised −1', def: indicator(APPRAISED, { rule: 'appraised' }, 10), given: n(-1), points: 0 },
    { when: 'evidence only', def: indicator({ kind: 'evidence' }, { rule: 'none' }, 0), given: {}, points: 0 },
  ];
  for (const c of cases) {
    it(`when ${c.when}, then it scores ${c.points} of ${c.def.max}`, () => {
      const score = scoreIndicator(c.def, reported(c.given), true);
      expect(score.points).to.equal(c.points);
      expect(score.max).to.equal(c.def.max);
      expect(score.flag).to.equal('reported');
    });
  }
});

describe('scoreIndicator — missing data and applicability', () => {
  const linear20 = (extra: Partial<IndicatorDef> = {}): IndicatorDef => indicator(RATIO, { rule: 'linear' }, 20, extra);

  it('when nothing was reported under "zero", then it scores 0 with the max counted and is flagged missing', () => {
    expect(scoreIndicator(linear20(), undefined, true)).to.deep.equal({ code: 'X.1', points: 0, max: 20, measure: null, flag: 'missing' });
  });

  it('when the value is null under "zero", then it is flagged missing', () => {
    expect(scoreIndicator(linear20(), { value: null }, true).flag).to.equal('missing');
  });

  it('when a ratio has denominator 0, then it is treated as not reported', () => {
    const score = scoreIndicator(linear20(), reported(ratio(0, 0)), true);
    expect(score).to.include({ points: 0, max: 20, flag: 'missing' });
  });

  it('when nothing was reported under "carry" and an earlier value exists, then the earlier value is scored and flagged carried', () => {
    const score = scoreIndicator(linear20({ missing: 'carry' }), { value: null, previous: value(ratio(15, 20)) }, true);
    expect(score).to.deep.equal({ code: 'X.1', points: 15, max: 20, measure: 0.75, flag: 'carried' });
  });

  it('when nothing was reported under "carry" and there is no earlier value, then it scores as zero and is flagged missing', () => {
    expect(scoreIndicator(linear20({ missing: 'carry' }), { value: null }, true)).to.include({ points: 0, max: 20, flag: 'missing' });
  });

  it('when a value was reported under "carry", then the earlier value is ignored', () => {
    const score = scoreIndicator(linear20({ missing: 'carry' }), { value: value(ratio(5, 20)), previous: value(ratio(20, 20)) }, true);
    expect(score).to.include({ points: 5, flag: 'reported' });
  });

  it('when nothing was reported under "exclude", then the max is 0 too and it is flagged excluded', () => {
    expect(scoreIndicator(linear20({ missing: 'exclude' }), undefined, true)).to.include({ points: 0, max: 0, flag: 'excluded' });
  });

  it('when the indicator does not apply, then points and max are 0 and it is flagged not_applicable', () => {
    expect(scoreIndicator(linear20(), reported(ratio(20, 20)), false)).to.include({ points: 0, max: 0, flag: 'not_applicable' });
  });

  it('when the reviewer adjusted the value, then it is flagged adjusted', () => {
    const score = scoreIndicator(linear20(), { value: value(ratio(10, 20)), adjusted: true }, true);
    expect(score).to.include({ points: 10, flag: 'adjusted' });
  });

  it('when a choice has no option chosen, then it falls to the missing-data policy', () => {
    expect(scoreIndicator(indicator(STEERING_HEAD, { rule: 'choice' }, 20), reported({}), true).flag).to.equal('missing');
  });
});

/** Inputs of every numeric kind, with values that include the awkward ones (NaN, ±Infinity, negatives). */
const anyValue = fc.record({
  value: fc.option(fc.double(), { nil: null }),
  denominator: fc.option(fc.double(), { nil: null }),
  option: fc.option(fc.constantFrom('chu-tich', 'pho-chu-tich', 'khong', 'ai-do'), { nil: null }),
});
const anyMax = fc.oneof(fc.constant(0), fc.double({ min: 0, max: 1000, noNaN: true }));
const monotoneSteps = (direction: 'higher' | 'lower'): fc.Arbitrary<Array<[number, number]>> =>
  fc
    .uniqueArray(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: 1, maxLength: 6 })
    .chain((thresholds) =>
      fc.array(fc.double({ min: 0, max: 100, noNaN: true }), { minLength: thresholds.length, maxLength: thresholds.length }).map((points) => {
        const ts = [...thresholds].sort((a, b) => a - b);
        const ps = [...points].sort((a, b) => (direction === 'higher' ? a - b : b - a));
        return ts.map((t, i): [number, number] => [t, ps[i]!]);
      }),
    );
const numericRule = (direction: 'higher' | 'lower'): fc.Arbitrary<ScoreRule> =>
  fc.oneof(
    fc.double({ min: 0.01, max: 100, noNaN: true }).map((full): ScoreRule => ({ rule: 'linear', full, direction })),
    fc.double({ min: 0.01, max: 100, noNaN: true }).map((target): ScoreRule => ({ rule: 'target', target, direction })),
    monotoneSteps(direction).map((steps): ScoreRule => ({ rule: 'steps', steps, direction })),
  );
const anyIndicator = fc.oneof(
  fc.tuple(fc.constantFrom(RATIO, PERCENT, FRACTION, COUNT, YESNO), fc.oneof(numericRule('higher'), numericRule('lower'))),
  fc.constant<[InputSpec, ScoreRule]>([YESNO, { rule: 'yesno' }]),
  fc.constant<[InputSpec, ScoreRule]>([STEERING_HEAD, { rule: 'choice' }]),
  fc.constant<[InputSpec, ScoreRule]>([APPRAISED, { rule: 'appraised' }]),
);

describe('scoreIndicator — properties', () => {
  it('when any rule meets any value, then the points are finite and within [0, max]', () => {
    fc.assert(
      fc.property(anyIndicator, anyMax, anyValue, fc.constantFrom('zero', 'carry', 'exclude') , ([input, rule], max, v, missing) => {
        const score = scoreIndicator(indicator(input, rule, max, { missing }), { value: v, previous: v }, true);
        expect(Number.isFinite(score.points)).to.equal(true);
        expect(score.points).to.be.within(0, score.max);
        expect(score.max).to.be.within(0, max);
      }),
    );
  });

  for (const direction of ['higher', 'lower'] as const) {
    const trend = direction === 'higher' ? 'never fall' : 'never rise';
    it(`when the measure rises under a ${direction}-is-better rule, then the points ${trend}`, () => {
      fc.assert(
        fc.property(numericRule(direction), anyMax, fc.double({ min: -20, max: 20, noNaN: true }), fc.double({ min: -20, max: 20, noNaN: true }), (rule, max, a, b) => {
          const def = indicator(FRACTION, rule, max);
          const [lo, hi] = a <= b ? [a, b] : [b, a];
          const low = scoreIndicator(def, reported(n(lo)), true).points;
          const high = scoreIndicator(def, reported(n(hi)), true).points;
          if (direction === 'higher') expect(high).to.be.at.least(low);
          else expect(high).to.be.at.most(low);
        }),
      );
    });
  }
});

describe('scoreAgency — a QĐ 922-shaped framework', () => {
  let fw: FrameworkDef;
  before(async () => {
    fw = await loadFrameworkFile(QD922_MINI);
  });

  /**
   * Worked by hand:
   * NTS 15 (3 meetings) + 15 (deputy) + 50 = 80; TCS 40 + 30 = 70; HTS 45 (45/50 computers, target 1) + 45 = 90;
   * NLS 180/300 → 60; ATTT 25 (1 incident) + 25 = 50; foundation F = 350 of 500; DTTM assessed, max 0;
   * HDCQS 100 (25 % ≥ 20 %) + 50 (45 % of a 90 % target) = 150 of 200; HDKTS 90 of 150; HDXHS 0.8 × 150 = 120.
   * Total 710 / 1000 = 0.71; CQS (350 + 150) / 700; KTS (350 + 90) / 650; XHS (350 + 120) / 650.
   */
  const example = (agencyId: number, group = 'tinh'): AgencyInput => ({
    agencyId,
    group,
    values: {
      'NTS.1': reported(n(3)),
      'NTS.2': reported(option('pho-chu-tich')),
      'NTS.3': reported(n(50)),
      'TCS.1': reported(n(1)),
      'TCS.2': reported(n(30)),
      'HTS.1': reported(ratio(45, 50)),
      'HTS.2': reported(n(90)),
      'NLS.1': reported(ratio(180, 300)),
      'ATTT.1': reported(n(1)),
      'ATTT.2': reported(n(25)),
      'DTTM.1': reported({}),
      'HDCQS.1': reported(n(25)),
      'HDCQS.2': reported(ratio(450, 1000)),
      'HDKTS.1': reported(n(90)),
      'HDXHS.1': reported(n(0.8)),
    },
  });
  const byCode = (list: NodeScore[]): Record<string, Omit<NodeScore, 'code' | 'rank'>> =>
    Object.fromEntries(list.map(({ code, points, max, value: v }) => [code, { points, max, value: v }]));

  it('when the worked example is scored, then each main index is points / max', () => {
    const nodes = byCode(scoreAgency(fw, example(1)).nodes);
    expect(nodes).to.deep.equal({
      NTS: { points: 80, max: 100, value: 0.8 },
      TCS: { points: 70, max: 100, value: 0.7 },
      HTS: { points: 90, max: 100, value: 0.9 },
      NLS: { points: 60, max: 100, value: 0.6 },
      ATTT: { points: 50, max: 100, value: 0.5 },
      DTTM: { points: 0, max: 0, value: null },
      HDCQS: { points: 150, max: 200, value: 0.75 },
      HDKTS: { points: 90, max: 150, value: 0.6 },
      HDXHS: { points: 120, max: 150, value: 0.8 },
    });
  });

  it('when the worked example is scored, then the total is total points / 1000, not the mean of the pillars', () => {
    const score = scoreAgency(fw, example(1));
    expect(score.total).to.deep.equal({ code: TOTAL_CODE, points: 710, max: 1000, value: 0.71, rank: null });
    const pillarMean = score.subindices.reduce((s, p) => s + (p.value ?? 0), 0) / 3;
    expect(roundPublished(pillarMean)).to.not.equal(0.71);
  });

  it('when the worked example is scored, then the pillars share the foundation: CQS /700, KTS and XHS /650', () => {
    const subs = scoreAgency(fw, example(1)).subindices;
    expect(subs.map((s) => [s.code, s.points, s.max])).to.deep.equal([
      ['CQS', 500, 700],
      ['KTS', 440, 650],
      ['XHS', 470, 650],
    ]);
    expect(subs.map((s) => roundPublished(s.value ?? Number.NaN))).to.deep.equal([0.7143, 0.6769, 0.7231]);
  });

  it('when an indicator is scored, then the agency lists it with its flag, depth first', () => {
    const score = scoreAgency(fw, example(1));
    expect(score.indicators.map((i) => i.code).slice(0, 4)).to.deep.equal(['NTS.1', 'NTS.2', 'NTS.3', 'TCS.1']);
    expect(score.indicators.find((i) => i.code === 'HTS.1')).to.deep.equal({ code: 'HTS.1', points: 45, max: 50, measure: 0.9, flag: 'reported' });
  });

  it('when a main index does not apply to the agency, then its subtree leaves both points and max', () => {
    const score = scoreAgency(fw, { ...example(1), notApplicable: ['HDKTS'] });
    expect(score.total).to.include({ points: 620, max: 850 });
    expect(score.indicators.find((i) => i.code === 'HDKTS.1')?.flag).to.equal('not_applicable');
    expect(score.subindices.find((s) => s.code === 'KTS')).to.include({ points: 350, max: 500 });
  });

  it('when an indicator under "exclude" is missing, then the node value is points over the applicable max', () => {
    const framework = twoIndicatorFramework({ missing: 'exclude' });
    const score = scoreAgency(framework, { agencyId: 1, group: 'so', values: { 'A.1': reported(ratio(1, 2)) } });
    expect(score.nodes[0]).to.deep.equal({ code: 'A', points: 5, max: 10, value: 0.5, rank: null });
  });

  it('when a node applies only to another group, then it does not count for this agency', () => {
    const framework = twoIndicatorFramework({ appliesTo: ['xa'] });
    const score = scoreAgency(framework, { agencyId: 1, group: 'so', values: { 'A.1': reported(ratio(1, 2)), 'A.2': reported(ratio(1, 1)) } });
    expect(score.indicators.map((i) => i.flag)).to.deep.equal(['reported', 'not_applicable']);
    expect(score.total).to.include({ points: 5, max: 10 });
  });

  it('when a sub-index lists an indicator, then it sums that indicator alone', () => {
    const framework: FrameworkDef = { ...twoIndicatorFramework({}), subindices: [{ code: 'S', name: 'S', of: ['A.2'] }] };
    const score = scoreAgency(framework, { agencyId: 1, group: 'so', values: { 'A.2': reported(ratio(3, 4)) } });
    expect(score.subindices).to.deep.equal([{ code: 'S', points: 7.5, max: 10, value: 0.75, rank: null }]);
  });

  it('when groups and indicators nest, then every index node is listed parent first', () => {
    const inner = twoIndicatorFramework({}).nodes[0]!;
    const framework: FrameworkDef = { ...twoIndicatorFramework({}), nodes: [{ type: 'index', code: 'OUTER', name: 'O', max: 20, children: [inner] }] };
    const score = scoreAgency(framework, { agencyId: 1, group: 'so', values: {} });
    expect(score.nodes.map((x) => x.code)).to.deep.equal(['OUTER', 'A']);
  });

  it('when agencies are computed together, then totals are ranked within their group', () => {
    const weaker = example(2);
    weaker.values['HDKTS.1'] = reported(n(60));
    const scores = computeScores(fw, [weaker, example(1), example(3), example(4, 'tinh-thi-diem')], [
      { code: 'tinh', ranked: true },
      { code: 'tinh-thi-diem', ranked: false },
    ]);
    const ranks = (s: AgencyScore[]): Array<[number, number | null]> => s.map((x) => [x.agencyId, x.total.rank]);
    expect(ranks(scores)).to.deep.equal([[2, 3], [1, 1], [3, 1], [4, null]]);
  });
});

function twoIndicatorFramework(second: Partial<IndicatorDef>): FrameworkDef {
  const child = (code: string, extra: Partial<IndicatorDef>): IndicatorDef => ({ ...indicator(RATIO, { rule: 'linear' }, 10, extra), code });
  return {
    code: 'T',
    name: 'T',
    version: 1,
    appliesTo: ['so', 'xa'],
    periods: ['annual'],
    nodes: [{ type: 'index', code: 'A', name: 'A', max: 20, children: [child('A.1', {}), child('A.2', second)] }],
    subindices: [],
  };
}

describe('pooledRate', () => {
  it('when agencies report ratios, then the pooled rate is Σn/Σd beside the mean of the rates', () => {
    const rate = pooledRate([
      { numerator: 9, denominator: 10 },
      { numerator: 10, denominator: 100 },
    ]);
    expect(rate).to.deep.equal({ pooled: 19 / 110, meanOfRates: 0.5, agencies: 2 });
  });

  it('when an agency is missing a figure or has denominator 0, then it is left out of both', () => {
    const rate = pooledRate([
      { numerator: 1, denominator: 4 },
      { numerator: null, denominator: 10 },
      { numerator: 3, denominator: null },
      { numerator: 0, denominator: 0 },
    ]);
    expect(rate).to.deep.equal({ pooled: 0.25, meanOfRates: 0.25, agencies: 1 });
  });

  it('when no agency reported, then both rates are null', () => {
    expect(pooledRate([])).to.deep.equal({ pooled: null, meanOfRates: null, agencies: 0 });
  });
});
