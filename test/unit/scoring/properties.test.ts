// Invariants of a whole computation over the shipped frameworks, with random agencies (fast-check).
import { expect } from 'chai';
import fc from 'fast-check';
import { fileURLToPath } from 'node:url';
import { loadFrameworkFile } from '../../../server/frameworks/framework.loader.js';
import { indicatorsOf, type FrameworkDef, type IndicatorDef } from '../../../server/frameworks/framework.types.js';
import { computeScores } from '../../../server/scoring/compute.js';
import { roundPublished } from '../../../server/scoring/score.js';
import type { AgencyInput, AgencyScore, IndicatorInput, RankingGroup } from '../../../server/scoring/scoring.types.js';

const file = (name: string): string => fileURLToPath(new URL(`../../../frameworks/${name}`, import.meta.url));

/** A value an agency might report for the indicator, or nothing at all. */
function valueOf(ind: IndicatorDef): fc.Arbitrary<IndicatorInput | undefined> {
  const v = (value: number | null, denominator: number | null = null, option: string | null = null): IndicatorInput => ({ value: { value, denominator, option } });
  const reported: fc.Arbitrary<IndicatorInput> = (() => {
    switch (ind.input.kind) {
      case 'ratio':
        return fc.tuple(fc.nat(500), fc.nat(500)).map(([a, b]) => v(Math.min(a, b), Math.max(a, b)));
      case 'count':
        return fc.nat(30).map((n) => v(n));
      case 'percent':
        return fc.integer({ min: 0, max: 1000 }).map((n) => v(n / 10));
      case 'fraction':
        return fc.integer({ min: 0, max: 1000 }).map((n) => v(n / 1000));
      case 'yesno':
        return fc.constantFrom(0, 1).map((n) => v(n));
      case 'choice':
        return fc.constantFrom(...(ind.input.options ?? []).map((o) => o.code)).map((o) => v(null, null, o));
      case 'appraised':
        return fc.integer({ min: 0, max: ind.max * 2 }).map((n) => v(n / 2));
      case 'evidence':
        return fc.constant(v(null));
    }
  })();
  return fc.option(reported, { nil: undefined, freq: 5 });
}

function agencyArb(fw: FrameworkDef, groups: readonly string[]): fc.Arbitrary<Omit<AgencyInput, 'agencyId'>> {
  const indicators = indicatorsOf(fw.nodes);
  return fc.record({
    group: fc.constantFrom(...groups),
    values: fc.tuple(...indicators.map(valueOf)).map((vals) => Object.fromEntries(indicators.map((ind, i) => [ind.code, vals[i]]))),
    notApplicable: fc.subarray(indicators.map((i) => i.code), { maxLength: 3 }),
  });
}

const withIds = (list: Array<Omit<AgencyInput, 'agencyId'>>): AgencyInput[] => list.map((a, agencyId) => ({ ...a, agencyId }));

/** Every figure of an agency with its rank: total, index nodes, main-index indicators, sub-indices. */
function figures(s: AgencyScore): Array<{ code: string; points: number; max: number; value: number | null; rank?: number | null }> {
  return [
    s.total,
    ...s.nodes,
    ...s.subindices,
    ...s.indicators.map((i) => ({ ...i, value: i.max > 0 ? i.points / i.max : null })),
  ];
}

for (const [name, groups] of [
  ['dti-so.yaml', ['so-nganh']],
  ['dti-xa.yaml', ['xa', 'phuong']],
  ['dti-922-province.yaml', ['tinh']],
  ['dti-1726-province.yaml', ['tinh']],
] as const) {
  describe(`computeScores — invariants on ${name}`, () => {
    let fw: FrameworkDef;
    const ranked: RankingGroup[] = groups.map((code) => ({ code, ranked: true }));
    before(async () => {
      fw = await loadFrameworkFile(file(name));
    });

    it('when any agencies are scored, then every figure has points within [0, max] and a value within [0, 1]', () => {
      fc.assert(
        fc.property(fc.array(agencyArb(fw, groups), { minLength: 1, maxLength: 6 }), (list) => {
          for (const score of computeScores(fw, withIds(list), ranked)) {
            for (const f of figures(score)) {
              expect(f.points, f.code).to.be.within(0, f.max);
              if (f.value !== null) expect(f.value, f.code).to.be.within(0, 1);
            }
          }
        }),
        { numRuns: 40 },
      );
    });

    it('when the agencies come in another order, then each keeps its scores and ranks', () => {
      fc.assert(
        fc.property(fc.array(agencyArb(fw, groups), { minLength: 2, maxLength: 6 }), fc.integer({ min: 1, max: 1000 }), (list, seed) => {
          const inputs = withIds(list);
          const shuffled = [...inputs].sort((a, b) => ((a.agencyId * 7919 + seed) % 997) - ((b.agencyId * 7919 + seed) % 997));
          const byId = (scores: AgencyScore[]): Map<number, AgencyScore> => new Map(scores.map((s) => [s.agencyId, s]));
          const a = byId(computeScores(fw, inputs, ranked));
          const b = byId(computeScores(fw, shuffled, ranked));
          for (const [id, score] of a) expect(b.get(id)).to.deep.equal(score);
        }),
        { numRuns: 30 },
      );
    });

    it('when two agencies of a group have equal published figures, then they share the rank; a better one ranks ahead', () => {
      fc.assert(
        fc.property(fc.array(agencyArb(fw, groups), { minLength: 1, maxLength: 5 }), (list) => {
          // Each agency twice: the copies must tie on every figure.
          const inputs = withIds([...list, ...list]);
          const scores = computeScores(fw, inputs, ranked);
          const n = list.length;
          for (let i = 0; i < n; i += 1) {
            const a = figures(scores[i]!);
            const b = figures(scores[i + n]!);
            a.forEach((f, k) => expect(b[k]!.rank, f.code).to.equal(f.rank));
          }
          for (const x of scores) {
            for (const y of scores) {
              if (x.group !== y.group || x.total.value === null || y.total.value === null) continue;
              if (roundPublished(x.total.value) > roundPublished(y.total.value)) expect(x.total.rank!).to.be.below(y.total.rank!);
            }
          }
        }),
        { numRuns: 30 },
      );
    });
  });
}

describe('computeScores — a better input never lowers the total (higher-is-better indicators of dti-so)', () => {
  let fw: FrameworkDef;
  before(async () => {
    fw = await loadFrameworkFile(file('dti-so.yaml'));
  });

  it('when one ratio indicator\'s numerator rises, then the total does not fall (and does not rise for a lower-is-better one)', () => {
    fc.assert(
      fc.property(agencyArb(fw, ['so-nganh']), fc.nat(100), fc.nat(), (agency, extra, pick) => {
        const ratios = indicatorsOf(fw.nodes).filter((i) => i.input.kind === 'ratio');
        const ind = ratios[pick % ratios.length]!;
        const base = agency.values[ind.code]?.value;
        fc.pre(base != null && base.denominator != null && base.denominator > 0);
        const raised = { ...base, value: Math.min(base.denominator!, base.value! + extra) };
        const score = (v: typeof base): number =>
          computeScores(fw, [{ ...agency, agencyId: 1, values: { ...agency.values, [ind.code]: { value: v } } }], [{ code: 'so-nganh', ranked: true }])[0]!.total.points;
        const lower = 'direction' in ind.score && ind.score.direction === 'lower';
        if (lower) expect(score(raised)).to.be.at.most(score(base));
        else expect(score(raised)).to.be.at.least(score(base));
      }),
      { numRuns: 60 },
    );
  });
});
