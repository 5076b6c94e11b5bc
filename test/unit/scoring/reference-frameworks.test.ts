// Golden cases worked by hand from reference/dti-methodology.md on the shipped national frameworks:
// QĐ 922/QĐ-BTTTT at main-index level (points add up; pillars share the foundation) and QĐ 1726/QĐ-BTTTT (the
// total is 0.4·CQS + 0.3·KTS + 0.3·XHS). Each case carries its arithmetic.
import { expect } from 'chai';
import fc from 'fast-check';
import { fileURLToPath } from 'node:url';
import type { FrameworkDef } from '../../../server/frameworks/framework.types.js';
import { loadFrameworkFile } from '../../../server/frameworks/framework.loader.js';
import { computeScores } from '../../../server/scoring/compute.js';
import { roundPublished } from '../../../server/scoring/score.js';
import type { AgencyInput, AgencyScore, IndicatorInput } from '../../../server/scoring/scoring.types.js';

const file = (name: string): string => fileURLToPath(new URL(`../../../frameworks/${name}`, import.meta.url));
const fraction = (v: number): IndicatorInput => ({ value: { value: v, denominator: null, option: null } });
const GROUPS = [{ code: 'tinh', ranked: true }];

type Values = Record<string, number>;
const agency = (agencyId: number, values: Values, notApplicable?: string[]): AgencyInput => ({
  agencyId,
  group: 'tinh',
  values: Object.fromEntries(Object.entries(values).map(([code, v]) => [code, fraction(v)])),
  ...(notApplicable ? { notApplicable } : {}),
});

/** Published value and rank of a figure: the total, a main index (node or indicator) or a sub-index. */
function figure(score: AgencyScore, code: string): { value: number | null; rank: number | null | undefined } {
  if (code === 'TOTAL') return { value: roundPublished(score.total.value!), rank: score.total.rank };
  const node = [...score.nodes, ...score.subindices].find((n) => n.code === code);
  if (node) return { value: node.value === null ? null : roundPublished(node.value), rank: node.rank };
  const ind = score.indicators.find((i) => i.code === code)!;
  return { value: ind.max > 0 ? roundPublished(ind.points / ind.max) : null, rank: ind.rank };
}

describe('QĐ 922 provincial framework (frameworks/dti-922-province.yaml)', () => {
  let fw: FrameworkDef;
  before(async () => {
    fw = await loadFrameworkFile(file('dti-922-province.yaml'));
  });

  // Province A. Points: NTS 0.8×100 = 80, TCS 70, HTS 90, NLS 60, ATTT 50 → foundation F = 350 of 500;
  // DTTM 0 points (assessed, not scored); HDCQS 0.75×200 = 150, HDKTS 0.6×150 = 90, HDXHS 0.8×150 = 120.
  const A: Values = { NTS: 0.8, TCS: 0.7, HTS: 0.9, NLS: 0.6, ATTT: 0.5, DTTM: 0.3, HDCQS: 0.75, HDKTS: 0.6, HDXHS: 0.8 };
  // Province B: NTS 1.0 (100) and TCS 0.5 (50), the rest as A → F = 100 + 50 + 90 + 60 + 50 = 350 again, the same
  // total as A.
  const B: Values = { ...A, NTS: 1, TCS: 0.5 };
  // Province C: every main index 0.5 → F = 250, HDCQS 100, HDKTS 75, HDXHS 75 → 500 points.
  const C: Values = { NTS: 0.5, TCS: 0.5, HTS: 0.5, NLS: 0.5, ATTT: 0.5, DTTM: 0.5, HDCQS: 0.5, HDKTS: 0.5, HDXHS: 0.5 };

  it('when the file is loaded, then it has the nine main indices worth 1000 points, DTTM worth 0', () => {
    expect(fw.nodes.map((n) => [n.code, n.max])).to.deep.equal([
      ['NTS', 100], ['TCS', 100], ['HTS', 100], ['NLS', 100], ['ATTT', 100], ['DTTM', 0], ['HDCQS', 200], ['HDKTS', 150], ['HDXHS', 150],
    ]);
    expect(fw.nodes.every((n) => n.type === 'indicator' && n.input.kind === 'fraction')).to.equal(true);
  });

  interface Golden {
    when: string;
    code: string;
    points: number;
    max: number;
    value: number;
  }
  const golden: Golden[] = [
    // (350 + 150 + 90 + 120) / 1000 — total points over 1000, not the mean of the pillars (0.7048).
    { when: 'the total', code: 'TOTAL', points: 710, max: 1000, value: 0.71 },
    // F / 500 = 350 / 500.
    { when: 'the foundation', code: 'NEN-TANG', points: 350, max: 500, value: 0.7 },
    // (F + 200·HDCQS) / 700 = (350 + 150) / 700 = 0.714285…
    { when: 'Chính quyền số', code: 'CQS', points: 500, max: 700, value: 0.7143 },
    // (F + 150·HDKTS) / 650 = (350 + 90) / 650 = 0.676923…
    { when: 'Kinh tế số', code: 'KTS', points: 440, max: 650, value: 0.6769 },
    // (F + 150·HDXHS) / 650 = (350 + 120) / 650 = 0.723076…
    { when: 'Xã hội số', code: 'XHS', points: 470, max: 650, value: 0.7231 },
  ];
  for (const g of golden) {
    it(`when province A is scored, then ${g.when} is ${g.points}/${g.max} = ${g.value}`, () => {
      const [score] = computeScores(fw, [agency(1, A)], GROUPS);
      const node = g.code === 'TOTAL' ? score!.total : score!.subindices.find((s) => s.code === g.code)!;
      expect([node.points, node.max, roundPublished(node.value!)]).to.deep.equal([g.points, g.max, g.value]);
    });
  }

  it('when the pillars are computed, then they overlap: each counts the foundation once and its own activity index', () => {
    const [score] = computeScores(fw, [agency(1, A)], GROUPS);
    const sum = score!.subindices.filter((s) => ['CQS', 'KTS', 'XHS'].includes(s.code)).reduce((s, p) => s + p.points, 0);
    // 500 + 440 + 470 = 1410 = 3 × 350 (the foundation three times) + 150 + 90 + 120.
    expect(sum).to.equal(3 * 350 + 150 + 90 + 120);
  });

  it('when DTTM is reported, then it is kept as a measure but earns no points and has no rank', () => {
    const [score] = computeScores(fw, [agency(1, A)], GROUPS);
    expect(score!.indicators.find((i) => i.code === 'DTTM')).to.deep.include({ points: 0, max: 0, measure: 0.3, rank: null });
  });

  it('when two provinces have the same total, then they share rank 1 and the next is 3rd ("1, 1, 3")', () => {
    const scores = computeScores(fw, [agency(3, C), agency(1, A), agency(2, B)], GROUPS);
    // A and B: 710 → 0.71; C: 500 → 0.5.
    expect(scores.map((s) => [s.agencyId, figure(s, 'TOTAL').value, s.total.rank])).to.deep.equal([[3, 0.5, 3], [1, 0.71, 1], [2, 0.71, 1]]);
  });

  it('when ranking, then each main index and each pillar is ranked on its own', () => {
    const scores = computeScores(fw, [agency(1, A), agency(2, B), agency(3, C)], GROUPS);
    const ranks = (code: string): Array<number | null | undefined> => scores.map((s) => figure(s, code).rank);
    expect(ranks('NTS')).to.deep.equal([2, 1, 3]); // 0.8, 1.0, 0.5
    expect(ranks('TCS')).to.deep.equal([1, 2, 2]); // 0.7, 0.5, 0.5
    expect(ranks('HTS')).to.deep.equal([1, 1, 3]); // 0.9, 0.9, 0.5
    expect(ranks('DTTM')).to.deep.equal([null, null, null]); // not scored, not ranked
    expect(ranks('CQS')).to.deep.equal([1, 1, 3]); // 500/700 twice, then 350/700
  });

  it('when totals differ only past the fourth decimal, then they tie on the published value', () => {
    // A1: HDXHS 0.8154 → 122.31 points → 712.31 / 1000 = 0.71231; A2: HDXHS 0.8156 → 122.34 → 0.71234.
    // Both publish as 0.7123 and share rank 1; C (0.5) is 3rd.
    const scores = computeScores(fw, [agency(1, { ...A, HDXHS: 0.8154 }), agency(2, { ...A, HDXHS: 0.8156 }), agency(3, C)], GROUPS);
    expect(scores.map((s) => [s.total.points, s.total.rank])).to.deep.equal([[712.31, 1], [712.34, 1], [500, 3]]);
  });

  it('when a province has no value for a main index, then it scores 0 with the max still counted and is flagged', () => {
    // A without HDKTS: 710 − 90 = 620 of 1000; KTS = (350 + 0) / 650 = 0.538461…
    const { HDKTS: _, ...withoutHdkts } = A;
    const [score] = computeScores(fw, [agency(1, withoutHdkts)], GROUPS);
    expect([score!.total.points, score!.total.max]).to.deep.equal([620, 1000]);
    expect(figure(score!, 'KTS').value).to.equal(0.5385);
    expect(score!.indicators.find((i) => i.code === 'HDKTS')?.flag).to.equal('missing');
  });

  it('when a main index does not apply to a province, then it leaves both points and max', () => {
    // A with HDKTS not applicable: 620 of 850 = 0.729411…; KTS = 350 / 500 = 0.7.
    const [score] = computeScores(fw, [agency(1, A, ['HDKTS'])], GROUPS);
    expect([score!.total.points, score!.total.max, figure(score!, 'TOTAL').value]).to.deep.equal([620, 850, 0.7294]);
    expect(figure(score!, 'KTS').value).to.equal(0.7);
    expect(score!.indicators.find((i) => i.code === 'HDKTS')).to.include({ flag: 'not_applicable', rank: null });
  });

  it('when any values are scored, then the total is always total points / 1000 and each pillar shares the foundation', () => {
    const codes = ['NTS', 'TCS', 'HTS', 'NLS', 'ATTT', 'DTTM', 'HDCQS', 'HDKTS', 'HDXHS'];
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 10_000 }), { minLength: 9, maxLength: 9 }), (raw) => {
        const values = Object.fromEntries(codes.map((c, i) => [c, raw[i]! / 10_000]));
        const [score] = computeScores(fw, [agency(1, values)], GROUPS);
        const points = (c: string): number => score!.indicators.find((i) => i.code === c)!.points;
        const f = ['NTS', 'TCS', 'HTS', 'NLS', 'ATTT'].reduce((s, c) => s + points(c), 0);
        expect(score!.total.value).to.be.closeTo((f + points('HDCQS') + points('HDKTS') + points('HDXHS')) / 1000, 1e-9);
        expect(score!.subindices.find((s) => s.code === 'CQS')!.value).to.be.closeTo((f + points('HDCQS')) / 700, 1e-9);
        expect(score!.subindices.find((s) => s.code === 'KTS')!.value).to.be.closeTo((f + points('HDKTS')) / 650, 1e-9);
      }),
    );
  });
});

describe('QĐ 1726 provincial framework (frameworks/dti-1726-province.yaml)', () => {
  let fw: FrameworkDef;
  before(async () => {
    fw = await loadFrameworkFile(file('dti-1726-province.yaml'));
  });

  const total = (values: Values, notApplicable?: string[]): AgencyScore => computeScores(fw, [agency(1, values, notApplicable)], GROUPS)[0]!;

  interface Golden {
    when: string;
    values: Values;
    notApplicable?: string[];
    value: number;
    points: number;
    max: number;
  }
  const golden: Golden[] = [
    // 0.4·0.5 + 0.3·0.3 + 0.3·0.4 = 0.2 + 0.09 + 0.12 = 0.41 (above 0.40: the top band of the national map).
    { when: 'CQS 0.5, KTS 0.3, XHS 0.4', values: { CQS: 0.5, KTS: 0.3, XHS: 0.4 }, value: 0.41, points: 410, max: 1000 },
    // 0.4·0.35 + 0.3·0.45 + 0.3·0.3 = 0.14 + 0.135 + 0.09 = 0.365 (the 0.325–0.40 band).
    { when: 'CQS 0.35, KTS 0.45, XHS 0.3', values: { CQS: 0.35, KTS: 0.45, XHS: 0.3 }, value: 0.365, points: 365, max: 1000 },
    // 0.4·1 + 0.3·1 + 0.3·1 = 1.
    { when: 'every pillar at 1', values: { CQS: 1, KTS: 1, XHS: 1 }, value: 1, points: 1000, max: 1000 },
    // XHS missing under "zero": 0.4·0.5 + 0.3·0.3 + 0.3·0 = 0.29, the max still 1000.
    { when: 'XHS is missing', values: { CQS: 0.5, KTS: 0.3 }, value: 0.29, points: 290, max: 1000 },
    // KTS not applicable: weights renormalised over CQS and XHS, (0.4·0.5 + 0.3·0.4) / 0.7 = 0.32 / 0.7 = 0.457142…;
    // points 0.457142… × 700 = 320.
    { when: 'KTS does not apply', values: { CQS: 0.5, KTS: 0.3, XHS: 0.4 }, notApplicable: ['KTS'], value: 0.4571, points: 320, max: 700 },
  ];
  for (const g of golden) {
    it(`when ${g.when}, then DTI = ${g.value} (${g.points} of ${g.max} points)`, () => {
      const score = total(g.values, g.notApplicable);
      expect([roundPublished(score.total.value!), score.total.points, score.total.max]).to.deep.equal([g.value, g.points, g.max]);
    });
  }

  it('when the pillars are scored, then each is value × its 400/300/300 points and ranked', () => {
    const scores = computeScores(fw, [agency(1, { CQS: 0.5, KTS: 0.3, XHS: 0.4 }), agency(2, { CQS: 0.35, KTS: 0.45, XHS: 0.3 })], GROUPS);
    expect(scores[0]!.indicators.map((i) => [i.code, i.points, i.max, i.rank])).to.deep.equal([
      ['CQS', 200, 400, 1],
      ['KTS', 90, 300, 2],
      ['XHS', 120, 300, 1],
    ]);
    expect(scores.map((s) => s.total.rank)).to.deep.equal([1, 2]);
  });

  it('when any pillar values are scored, then the total is exactly the weighted mean 0.4·CQS + 0.3·KTS + 0.3·XHS', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 0, max: 10_000 }), (c, k, x) => {
        const score = total({ CQS: c / 10_000, KTS: k / 10_000, XHS: x / 10_000 });
        expect(score.total.value).to.be.closeTo((0.4 * c + 0.3 * k + 0.3 * x) / 10_000, 1e-12);
      }),
    );
  });
});
