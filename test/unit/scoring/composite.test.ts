// Composite-indicator aggregation: golden cases worked by hand and the invariants of the normalisations.
import { expect } from 'chai';
import fc from 'fast-check';
import type { Aggregation, FrameworkDef, IndicatorDef } from '../../../server/frameworks/framework.types.js';
import { aggregateComposite, minMax, weightedMean, zScores } from '../../../server/scoring/composite.js';
import { computeScores } from '../../../server/scoring/compute.js';
import { roundPublished } from '../../../server/scoring/score.js';
import type { AgencyInput, AgencyScore } from '../../../server/scoring/scoring.types.js';

const round = (xs: Array<number | null>): Array<number | null> => xs.map((x) => (x === null ? null : roundPublished(x)));

describe('minMax and zScores', () => {
  it('when values spread, then min-max maps the lowest to 0, the highest to 1 and the rest between', () => {
    // (0.2 − 0.2)/0.8 = 0, (0.6 − 0.2)/0.8 = 0.5, (1 − 0.2)/0.8 = 1; null stays null.
    expect(round(minMax([0.2, 0.6, 1, null]))).to.deep.equal([0, 0.5, 1, null]);
  });

  it('when every agency has the same value, then min-max leaves the values as they are', () => {
    expect(minMax([0.4, 0.4, null])).to.deep.equal([0.4, 0.4, null]);
  });

  it('when values spread, then z-scores are (v − mean)/sd with the population sd', () => {
    // mean 0.6, sd √((0.16 + 0 + 0.16)/3) = 0.326599 → ±1.224745.
    expect(round(zScores([0.2, 0.6, 1]))).to.deep.equal([-1.2247, 0, 1.2247]);
  });

  it('when every agency has the same value, then every z-score is 0', () => {
    expect(zScores([0.3, 0.3])).to.deep.equal([0, 0]);
    expect(zScores([null])).to.deep.equal([null]);
  });

  const values = fc.array(fc.option(fc.double({ min: -1e3, max: 1e3, noNaN: true }), { nil: null }), { minLength: 1, maxLength: 12 });
  const affine = fc.tuple(fc.double({ min: 0.01, max: 100, noNaN: true }), fc.double({ min: -100, max: 100, noNaN: true }));

  it('when min-max normalises anything, then results lie in [0, 1] and keep the order of the values', () => {
    fc.assert(
      fc.property(values, (xs) => {
        const ys = minMax(xs);
        xs.forEach((x, i) => {
          if (x === null) return expect(ys[i]).to.equal(null);
          const distinct = new Set(xs.filter((v) => v !== null)).size > 1;
          if (distinct) expect(ys[i]).to.be.within(0, 1);
          xs.forEach((other, j) => {
            if (other !== null && x < other) expect(ys[i]!).to.be.at.most(ys[j]!);
          });
        });
      }),
    );
  });

  it('when the values are rescaled and shifted (a·v + b, a > 0), then min-max and z-scores do not change', () => {
    // Whole numbers spread by at least 1, so the comparison measures the normalisation, not cancellation error.
    const wholes = fc.array(fc.option(fc.integer({ min: -1000, max: 1000 }), { nil: null }), { minLength: 1, maxLength: 12 });
    fc.assert(
      fc.property(wholes, affine, (xs, [a, b]) => {
        const moved = xs.map((x) => (x === null ? null : a * x + b));
        const spread = (list: Array<number | null>): number => {
          const present = list.filter((v): v is number => v !== null);
          return present.length ? Math.max(...present) - Math.min(...present) : 0;
        };
        fc.pre(spread(xs) >= 1);
        minMax(moved).forEach((y, i) => (y === null ? expect(minMax(xs)[i]).to.equal(null) : expect(y).to.be.closeTo(minMax(xs)[i]!, 1e-6)));
        zScores(moved).forEach((y, i) => (y === null ? expect(zScores(xs)[i]).to.equal(null) : expect(y).to.be.closeTo(zScores(xs)[i]!, 1e-6)));
      }),
    );
  });

  it('when values spread, then z-scores have mean 0 and standard deviation 1', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), { minLength: 2, maxLength: 12 }), (xs) => {
        fc.pre(Math.max(...xs) - Math.min(...xs) > 1e-3);
        const zs = zScores(xs) as number[];
        const mean = zs.reduce((s, z) => s + z, 0) / zs.length;
        const sd = Math.sqrt(zs.reduce((s, z) => s + (z - mean) ** 2, 0) / zs.length);
        expect(mean).to.be.closeTo(0, 1e-9);
        expect(sd).to.be.closeTo(1, 1e-9);
      }),
    );
  });
});

describe('weightedMean', () => {
  it('when a child has no value, then the weights are renormalised over the others', () => {
    // (2·0.3 + 1·null + 1·0.9) → (2·0.3 + 0.9) / 3 = 0.5.
    expect(weightedMean('arithmetic', [0.3, null, 0.9], [2, 1, 1])).to.be.closeTo(0.5, 1e-12);
  });

  it('when the mean is geometric, then it is Π vᵢ^(wᵢ/Σw), and 0 when a child is 0', () => {
    // 0.25^(1/2) · 1^(1/2) = 0.5.
    expect(weightedMean('geometric', [0.25, 1], [1, 1])).to.be.closeTo(0.5, 1e-12);
    expect(weightedMean('geometric', [0, 1], [1, 1])).to.equal(0);
  });

  it('when no child has a value, then there is no mean', () => {
    expect(weightedMean('arithmetic', [null, null], [1, 1])).to.equal(null);
  });

  it('when any values are averaged, then the geometric mean never exceeds the arithmetic one', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0.1, max: 5, noNaN: true })), { minLength: 1, maxLength: 8 }), (parts) => {
        const vs = parts.map(([v]) => v);
        const ws = parts.map(([, w]) => w);
        expect(weightedMean('geometric', vs, ws)!).to.be.at.most(weightedMean('arithmetic', vs, ws)! + 1e-12);
      }),
    );
  });
});

describe('aggregateComposite — golden cases', () => {
  // Three agencies, two children: I1 = 0.2, 0.6, 1.0 and I2 = 0.9, 0.3, 0.6.
  const rows = [
    [0.2, 0.9],
    [0.6, 0.3],
    [1.0, 0.6],
  ];
  const agg = (a: Partial<Aggregation>): Aggregation => ({ method: 'arithmetic', normalise: 'none', ...a });

  const cases: Array<[string, Aggregation, Array<number | null>]> = [
    // No normalisation, weights 2:1 → (2·0.2 + 0.9)/3 = 0.4333, (1.2 + 0.3)/3 = 0.5, (2 + 0.6)/3 = 0.8667.
    ['arithmetic, weights 2:1, no normalisation', agg({ weights: { I1: 2, I2: 1 } }), [0.4333, 0.5, 0.8667]],
    // Min-max: I1 → 0, 0.5, 1; I2 → 1, 0, 0.5. Weights 2:1 → 1/3, 1/3, (2 + 0.5)/3 = 0.8333: the first two tie.
    ['arithmetic min-max, weights 2:1', agg({ normalise: 'minmax', weights: { I1: 2, I2: 1 } }), [0.3333, 0.3333, 0.8333]],
    // Geometric min-max, equal weights: √(0·1) = 0, √(0.5·0) = 0, √(1·0.5) = 0.7071.
    ['geometric min-max, equal weights', agg({ method: 'geometric', normalise: 'minmax' }), [0, 0, 0.7071]],
    // Z-scores: I1 → −1.2247, 0, 1.2247; I2 (mean 0.6, sd 0.2449) → 1.2247, −1.2247, 0. Equal weights → 0, −0.6124,
    // 0.6124; rescaled min-max → 0.5, 0, 1.
    ['arithmetic z-score, equal weights', agg({ normalise: 'zscore' }), [0.5, 0, 1]],
  ];
  for (const [when, a, expected] of cases) {
    it(`when ${when}, then the values are ${JSON.stringify(expected)}`, () => {
      expect(round(aggregateComposite(a, ['I1', 'I2'], rows))).to.deep.equal(expected);
    });
  }

  it('when one agency alone is compared, then no normalisation has anything to spread and the plain mean stands', () => {
    // (2·0.2 + 0.9)/3 = 0.4333 under every normalisation.
    for (const normalise of ['none', 'minmax', 'zscore'] as const) {
      expect(round(aggregateComposite(agg({ normalise, weights: { I1: 2, I2: 1 } }), ['I1', 'I2'], [[0.2, 0.9]]))).to.deep.equal([0.4333]);
    }
  });
});

describe('aggregateComposite — properties', () => {
  const method = fc.constantFrom<Aggregation['method']>('arithmetic', 'geometric');
  const normalise = fc.constantFrom<Aggregation['normalise']>('none', 'minmax', 'zscore');
  const aggregation = fc
    .tuple(method, normalise, fc.array(fc.double({ min: 0.1, max: 10, noNaN: true }), { minLength: 3, maxLength: 3 }))
    .filter(([m, n]) => !(m === 'geometric' && n === 'zscore'))
    .map(([m, n, w]): Aggregation => ({ method: m, normalise: n, weights: { A: w[0]!, B: w[1]!, C: w[2]! } }));
  const child = fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: null, freq: 6 });
  const table = fc.array(fc.array(child, { minLength: 3, maxLength: 3 }), { minLength: 1, maxLength: 10 });

  it('when any values are aggregated, then every result lies in [0, 1], null only without any child value', () => {
    fc.assert(
      fc.property(aggregation, table, (agg, rows) => {
        aggregateComposite(agg, ['A', 'B', 'C'], rows).forEach((v, i) => {
          if (rows[i]!.every((x) => x === null)) expect(v).to.equal(null);
          else expect(v).to.be.within(0, 1);
        });
      }),
    );
  });

  it('when the agencies come in another order, then each keeps its value', () => {
    fc.assert(
      fc.property(aggregation, table, fc.integer({ min: 0, max: 1000 }), (agg, rows, seed) => {
        const order = rows.map((_, i) => i).sort((a, b) => ((a * 7919 + seed) % 101) - ((b * 7919 + seed) % 101));
        const straight = aggregateComposite(agg, ['A', 'B', 'C'], rows);
        const shuffled = aggregateComposite(agg, ['A', 'B', 'C'], order.map((i) => rows[i]!));
        order.forEach((i, k) => (straight[i] === null ? expect(shuffled[k]).to.equal(null) : expect(shuffled[k]).to.be.closeTo(straight[i]!, 1e-9)));
      }),
    );
  });

  it('when every weight is multiplied by the same factor, then no value changes', () => {
    fc.assert(
      fc.property(aggregation, table, fc.double({ min: 0.1, max: 100, noNaN: true }), (agg, rows, k) => {
        const scaled: Aggregation = { ...agg, weights: Object.fromEntries(Object.entries(agg.weights!).map(([c, w]) => [c, w * k])) };
        const a = aggregateComposite(agg, ['A', 'B', 'C'], rows);
        aggregateComposite(scaled, ['A', 'B', 'C'], rows).forEach((v, i) => (v === null ? expect(a[i]).to.equal(null) : expect(v).to.be.closeTo(a[i]!, 1e-9)));
      }),
    );
  });

  it('when one agency is at least as good as another on every child, then its composite is at least as high', () => {
    fc.assert(
      fc.property(aggregation, table, fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 3, maxLength: 3 }), (agg, rows, base) => {
        // Agency "worse" has base values; agency "better" adds a non-negative amount to each, capped at 1.
        const better = base.map((b, i) => Math.min(1, b + (rows[0]?.[i] ?? 0) / 2));
        const all = [...rows, base, better];
        const out = aggregateComposite(agg, ['A', 'B', 'C'], all);
        expect(out[all.length - 1]!).to.be.at.least(out[all.length - 2]! - 1e-9);
      }),
    );
  });
});

describe('computeScores with a composite framework', () => {
  const ind = (code: string): IndicatorDef => ({
    type: 'indicator',
    code,
    name: code,
    max: 10,
    input: { kind: 'fraction' },
    score: { rule: 'linear' },
    evidence: 'none',
    missing: 'zero',
    periodicity: 'both',
    annualFrom: 'latest',
  });
  /** D (composite of I1, I2, min-max, weights 2:1, max 20) beside E (a points indicator, max 10); total is points. */
  const fw: FrameworkDef = {
    code: 'DESI-LIKE',
    name: 'Composite',
    version: 1,
    appliesTo: ['so', 'xa'],
    periods: ['annual'],
    nodes: [
      { type: 'index', code: 'D', name: 'D', max: 20, children: [ind('I1'), ind('I2')], aggregate: { method: 'arithmetic', normalise: 'minmax', weights: { I1: 2, I2: 1 } } },
      ind('E'),
    ],
    subindices: [{ code: 'S', name: 'S', of: ['D'] }],
  };
  const agency = (agencyId: number, group: string, i1: number, i2: number, e: number): AgencyInput => ({
    agencyId,
    group,
    values: Object.fromEntries(
      Object.entries({ I1: i1, I2: i2, E: e }).map(([code, v]) => [code, { value: { value: v, denominator: null, option: null } }]),
    ),
  });
  const groups = [
    { code: 'so', ranked: true },
    { code: 'xa', ranked: true },
  ];
  const run = (): AgencyScore[] =>
    computeScores(fw, [agency(1, 'so', 0.2, 0.9, 0.5), agency(2, 'so', 0.6, 0.3, 0.5), agency(3, 'so', 1, 0.6, 0), agency(4, 'xa', 0.2, 0.9, 0.5)], groups);

  it('when agencies are scored, then the composite is normalised within each ranking group and its points are value × max', () => {
    const d = run().map((s) => s.nodes.find((n) => n.code === 'D')!);
    // Group so: min-max values 1/3, 1/3, 0.8333 (see the golden case above); × 20 points → 6.6667, 6.6667, 16.6667.
    // Group xa: agency 4 alone, nothing to spread: (2·0.2 + 0.9)/3 = 0.4333 → 8.6667 points.
    expect(d.map((n) => [roundPublished(n.value!), n.points, n.max, n.rank])).to.deep.equal([
      [0.3333, 6.6667, 20, 2],
      [0.3333, 6.6667, 20, 2],
      [0.8333, 16.6667, 20, 1],
      [0.4333, 8.6667, 20, 1],
    ]);
  });

  it('when a points parent holds a composite child, then it adds the composite points', () => {
    // Agency 1: D 6.6667 + E 5 = 11.6667 of 30 → 0.3889; agency 3: 16.6667 + 0 = 16.6667 → 0.5556.
    const totals = run().map((s) => [s.total.points, s.total.max, roundPublished(s.total.value!)]);
    expect(totals[0]).to.deep.equal([11.6667, 30, 0.3889]);
    expect(totals[2]).to.deep.equal([16.6667, 30, 0.5556]);
  });

  it('when a composite child does not apply to an agency, then its weight is shared by the others', () => {
    const scores = computeScores(fw, [{ ...agency(1, 'so', 0.2, 0.9, 0.5), notApplicable: ['I2'] }, agency(2, 'so', 0.6, 0.3, 0.5)], groups);
    // I1 over both agencies: 0.2 → 0, 0.6 → 1; I2 only agency 2 (alone: 0.3 stands). Agency 1: I1 alone → 0 with
    // max 10; agency 2: (2·1 + 1·0.3)/3 = 0.7667 with max 20.
    const d = scores.map((s) => s.nodes.find((n) => n.code === 'D')!);
    expect(d.map((n) => [roundPublished(n.value!), n.max])).to.deep.equal([[0, 10], [0.7667, 20]]);
  });

  it('when the agencies are given in any order, then every agency gets the same scores and ranks', () => {
    const byId = (list: AgencyScore[]): Record<number, AgencyScore> => Object.fromEntries(list.map((s) => [s.agencyId, s]));
    const straight = byId(run());
    fc.assert(
      fc.property(fc.shuffledSubarray([1, 2, 3, 4], { minLength: 4, maxLength: 4 }), (order) => {
        const inputs = order.map((id) => [agency(1, 'so', 0.2, 0.9, 0.5), agency(2, 'so', 0.6, 0.3, 0.5), agency(3, 'so', 1, 0.6, 0), agency(4, 'xa', 0.2, 0.9, 0.5)][id - 1]!);
        const shuffled = byId(computeScores(fw, inputs, groups));
        for (const id of [1, 2, 3, 4]) expect(shuffled[id]).to.deep.equal(straight[id]);
      }),
    );
  });

  it('when a total is formed by a framework-level aggregate, then the total is that mean of the main indices', () => {
    // Total = arithmetic mean of D and E with weights 1:3. Agency 4 alone: D 0.4333, E 0.5 → (0.4333 + 1.5)/4 = 0.4833.
    const composite: FrameworkDef = { ...fw, aggregate: { method: 'arithmetic', normalise: 'none', weights: { D: 1, E: 3 } } };
    const [score] = computeScores(composite, [agency(4, 'xa', 0.2, 0.9, 0.5)], groups);
    expect(roundPublished(score!.total.value!)).to.equal(0.4833);
    expect(score!.total.max).to.equal(30);
  });
});
