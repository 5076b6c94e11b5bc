// The scoring core works on blocks of agencies in flat arrays (score.ts, InputBlock, ScoredBlock); the objects API
// and the stored rows are read off them. Properties over the shipped frameworks with random agencies (fast-check):
// scoring many agencies together is scoring each alone, a block says what the objects said, and the stored rows say
// what the scores say, with each agency's maximum points in a vector shared by the agencies that have the same.
import { expect } from 'chai';
import fc from 'fast-check';
import { fileURLToPath } from 'node:url';
import { loadFrameworkFile } from '../../../server/frameworks/framework.loader.js';
import { indicatorsOf, type FrameworkDef, type IndicatorDef } from '../../../server/frameworks/framework.types.js';
import { FLAG_LETTERS, NO_FLAG, sharedMaxima, storedScores } from '../../../server/scoring/result-rows.js';
import { agencyInputsOf, inputBlockOf, roundPublished, scoreAgencies, scoreAgency, scoreBlock } from '../../../server/scoring/score.js';
import type { AgencyInput, AgencyScore, IndicatorInput, ReportedValue } from '../../../server/scoring/scoring.types.js';

const file = (name: string): string => fileURLToPath(new URL(`../../../frameworks/${name}`, import.meta.url));

/** Anything an agency might have for an indicator: odd options, denominators of 0, a previous value, the reviewer's. */
function inputOf(ind: IndicatorDef): fc.Arbitrary<IndicatorInput | undefined> {
  const number = fc.oneof(fc.constant(null), fc.integer({ min: 0, max: 200 }), fc.double({ min: 0, max: 1000, noNaN: true }));
  const options = [...(ind.input.options ?? []).map((o) => o.code), 'không-có-trong-danh-sách'];
  const value: fc.Arbitrary<ReportedValue> = fc.record({
    value: number,
    denominator: ind.input.kind === 'ratio' ? number : fc.constant(null),
    option: ind.input.kind === 'choice' ? fc.option(fc.constantFrom(...options), { nil: null }) : fc.constant(null),
  });
  return fc.option(
    fc.record({ value: fc.option(value, { nil: null }), adjusted: fc.boolean(), previous: fc.option(value, { nil: null }) }),
    { nil: undefined, freq: 4 },
  );
}

function agenciesOf(fw: FrameworkDef): fc.Arbitrary<AgencyInput[]> {
  const indicators = indicatorsOf(fw.nodes);
  const codes = [...indicators.map((i) => i.code), ...fw.nodes.map((n) => n.code)];
  const agency = fc.record({
    group: fc.constantFrom(...fw.appliesTo),
    values: fc.tuple(...indicators.map(inputOf)).map((inputs) => Object.fromEntries(indicators.map((ind, i) => [ind.code, inputs[i]]))),
    notApplicable: fc.option(fc.subarray(codes, { maxLength: 3 }), { nil: undefined, freq: 3 }),
  });
  return fc.array(agency, { minLength: 1, maxLength: 12 }).map((list) => list.map((a, i) => ({ ...a, agencyId: i + 1 })));
}

const FRAMEWORKS = ['dti-so.yaml', 'dti-xa.yaml', 'dti-922-province.yaml'];

describe('scoring blocks of agencies', function () {
  this.timeout(60_000);
  for (const name of FRAMEWORKS) {
    describe(name, () => {
      let fw: FrameworkDef;
      before(async () => {
        fw = await loadFrameworkFile(file(name));
      });

      it('scoring agencies together gives each the scores it gets alone', () => {
        fc.assert(
          fc.property(agenciesOf(fw), (agencies) => {
            expect(scoreAgencies(fw, agencies)).to.deep.equal(agencies.map((a) => scoreAgency(fw, a)));
          }),
          { numRuns: 60 },
        );
      });

      it('a block holds what the objects held: read back, the agencies score the same', () => {
        fc.assert(
          fc.property(agenciesOf(fw), (agencies) => {
            expect(scoreAgencies(fw, agencyInputsOf(fw, inputBlockOf(fw, agencies)))).to.deep.equal(scoreAgencies(fw, agencies));
          }),
          { numRuns: 60 },
        );
      });

      it('the stored rows say what the scores say, figure by figure, with the published value as rank key', () => {
        fc.assert(
          fc.property(agenciesOf(fw), (agencies) => {
            const block = scoreBlock(fw, inputBlockOf(fw, agencies));
            const rows = storedScores(block);
            const scores: AgencyScore[] = block.agencyScores();
            const { codes, kinds, ranked } = rows.layout;
            const width = codes.length;
            const key = (v: number | null): number => (v === null ? NaN : roundPublished(v));
            scores.forEach((score, a) => {
              expect(rows.totalPoints[a]).to.equal(score.total.points);
              expect(rows.totalMax[a]).to.equal(score.total.max);
              expect(rows.totalKeys[a]).to.deep.equal(key(score.total.value));
              const flags = [...rows.flags.toString('latin1', a * width, (a + 1) * width)];
              expect(flags.length).to.equal(width);
              codes.forEach((code, e) => {
                const at = a * width + e;
                const figure =
                  kinds[e] === 'index' ? score.nodes.find((n) => n.code === code) : kinds[e] === 'subindex' ? score.subindices.find((n) => n.code === code) : undefined;
                const indicator = kinds[e] === 'indicator' ? score.indicators.find((i) => i.code === code) : undefined;
                const shown = figure ?? indicator!;
                expect(rows.points[at], code).to.equal(shown.points);
                expect(rows.max[at], code).to.equal(shown.max);
                expect(rows.measures[at], code).to.deep.equal(indicator?.measure ?? NaN);
                expect(flags[e], code).to.equal(indicator ? FLAG_LETTERS[indicator.flag] : NO_FLAG);
                if (e < ranked) {
                  const value = figure ? figure.value : indicator!.max > 0 ? indicator!.points / indicator!.max : null;
                  expect(rows.keys[a * ranked + e], code).to.deep.equal(key(value));
                }
              });
            });
          }),
          { numRuns: 40 },
        );
      });

      it('agencies share a vector of maximum points exactly when theirs are the same', () => {
        fc.assert(
          fc.property(agenciesOf(fw), (agencies) => {
            const rows = storedScores(scoreBlock(fw, inputBlockOf(fw, agencies)));
            const width = rows.layout.codes.length;
            const { vectors, of } = sharedMaxima(rows);
            const own = (a: number): number[] => [...rows.max.subarray(a * width, (a + 1) * width)];
            agencies.forEach((_, a) => {
              expect([...vectors[of[a]!]!], `agency ${a}`).to.deep.equal(own(a));
              agencies.forEach((__, b) => expect(of[a] === of[b], `agencies ${a}, ${b}`).to.equal(JSON.stringify(own(a)) === JSON.stringify(own(b))));
            });
            expect(new Set(of).size).to.equal(vectors.length);
          }),
          { numRuns: 40 },
        );
      });
    });
  }
});
