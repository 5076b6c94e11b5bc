import { expect } from 'chai';
import fc from 'fast-check';
import { competitionRanks, rankAgencies } from '../../../server/scoring/rank.js';
import { roundPublished, TOTAL_CODE } from '../../../server/scoring/score.js';
import type { AgencyScore, NodeScore, RankingGroup } from '../../../server/scoring/scoring.types.js';

const ranksOf = (values: Array<number | null>): Array<number | null> => {
  const ranks = competitionRanks(values.map((value, key) => ({ key, value })));
  return values.map((_, key) => ranks.get(key) ?? null);
};

describe('competitionRanks', () => {
  const cases: Array<[string, Array<number | null>, Array<number | null>]> = [
    ['two share second place', [0.9, 0.8, 0.8, 0.7], [1, 2, 2, 4]],
    ['the input is unordered', [0.7, 0.8, 0.9, 0.8], [4, 2, 1, 2]],
    ['all are equal', [0.5, 0.5, 0.5], [1, 1, 1]],
    ['0.81231 and 0.81234 both publish as 0.8123', [0.81231, 0.81234, 0.8], [1, 1, 3]],
    ['0.81235 publishes as 0.8124 and 0.81234 as 0.8123', [0.81234, 0.81235], [2, 1]],
    ['values differ only by float noise (0.1 + 0.2 and 0.3)', [0.1 + 0.2, 0.3], [1, 1]],
    ['two share 15th place (QĐ 922), the next is 17th', [...Array.from({ length: 14 }, (_, i) => 1 - i / 100), 0.5, 0.5, 0.4], [...Array.from({ length: 14 }, (_, i) => i + 1), 15, 15, 17]],
    ['some are null', [null, 0.6, null, 0.7], [null, 2, null, 1]],
    ['all are null', [null, null], [null, null]],
    ['there are none', [], []],
  ];
  for (const [when, values, expected] of cases) {
    it(`when ${when}, then the ranks are ${JSON.stringify(expected)}`, () => {
      expect(ranksOf(values)).to.deep.equal(expected);
    });
  }

  const values = fc.array(fc.option(fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(0.81231, 0.81234, 0.5, 0.50004)), { nil: null }), { maxLength: 40 });

  it('when the input order changes, then every key keeps its rank', () => {
    fc.assert(
      fc.property(values.chain((vs) => fc.tuple(fc.constant(vs), fc.shuffledSubarray(vs.map((_, i) => i), { minLength: vs.length }))), ([vs, order]) => {
        const forward = competitionRanks(vs.map((value, key) => ({ key, value })));
        const shuffled = competitionRanks(order.map((key) => ({ key, value: vs[key] ?? null })));
        for (const key of vs.keys()) expect(shuffled.get(key)).to.equal(forward.get(key));
      }),
    );
  });

  it('when two values publish the same, then they share a rank', () => {
    fc.assert(
      fc.property(values, (vs) => {
        const ranks = ranksOf(vs);
        vs.forEach((a, i) =>
          vs.forEach((b, j) => {
            if (a !== null && b !== null && roundPublished(a) === roundPublished(b)) expect(ranks[i]).to.equal(ranks[j]);
          }),
        );
      }),
    );
  });

  it('when a value is ranked, then its rank is 1 + the number of strictly better published values', () => {
    fc.assert(
      fc.property(values, (vs) => {
        const ranks = ranksOf(vs);
        vs.forEach((v, i) => {
          if (v === null) return expect(ranks[i]).to.equal(null);
          const better = vs.filter((w) => w !== null && roundPublished(w) > roundPublished(v)).length;
          return expect(ranks[i]).to.equal(1 + better);
        });
      }),
    );
  });
});

function node(code: string, value: number | null): NodeScore {
  return { code, points: (value ?? 0) * 100, max: value === null ? 0 : 100, value, rank: null };
}

function agency(agencyId: number, group: string, total: number | null, nodes: Record<string, number | null> = {}, subs: Record<string, number | null> = {}): AgencyScore {
  return {
    agencyId,
    group,
    indicators: [{ code: 'A.1', points: 1, max: 2, measure: 0.5, flag: 'reported' }],
    nodes: Object.entries(nodes).map(([code, v]) => node(code, v)),
    subindices: Object.entries(subs).map(([code, v]) => node(code, v)),
    total: node(TOTAL_CODE, total),
  };
}

const GROUPS: RankingGroup[] = [
  { code: 'so', ranked: true },
  { code: 'xa', ranked: true },
  { code: 'khong-xep-hang', ranked: false },
];

describe('rankAgencies', () => {
  it('when agencies are in different groups, then each group is ranked on its own', () => {
    const ranked = rankAgencies([agency(1, 'so', 0.6), agency(2, 'xa', 0.5), agency(3, 'so', 0.7), agency(4, 'xa', 0.9)], GROUPS);
    expect(ranked.map((a) => [a.agencyId, a.total.rank])).to.deep.equal([[1, 2], [2, 2], [3, 1], [4, 1]]);
  });

  it('when a group is assessed but not ranked, then its agencies get null ranks everywhere', () => {
    const ranked = rankAgencies([agency(1, 'khong-xep-hang', 0.6, { NTS: 0.5 }, { CQS: 0.4 }), agency(2, 'khong-xep-hang', 0.7)], GROUPS);
    for (const a of ranked) {
      expect(a.total.rank).to.equal(null);
      expect([...a.nodes, ...a.subindices].map((x) => x.rank)).to.satisfy((rs: unknown[]) => rs.every((r) => r === null));
    }
  });

  it('when a group is not listed, then its agencies get null ranks', () => {
    expect(rankAgencies([agency(1, 'la', 0.6)], GROUPS)[0]?.total.rank).to.equal(null);
  });

  it('when ranking, then the total, each index node and each sub-index are ranked separately', () => {
    const ranked = rankAgencies(
      [agency(1, 'so', 0.8, { NTS: 0.5, HDCQS: 0.9 }, { CQS: 0.7 }), agency(2, 'so', 0.7, { NTS: 0.6, HDCQS: 0.9 }, { CQS: 0.8 })],
      GROUPS,
    );
    const view = (a: AgencyScore): unknown => ({ total: a.total.rank, nodes: a.nodes.map((x) => [x.code, x.rank]), subs: a.subindices.map((x) => [x.code, x.rank]) });
    expect(ranked.map(view)).to.deep.equal([
      { total: 1, nodes: [['NTS', 2], ['HDCQS', 1]], subs: [['CQS', 2]] },
      { total: 2, nodes: [['NTS', 1], ['HDCQS', 1]], subs: [['CQS', 1]] },
    ]);
  });

  it('when a node is assessed but not scored (max 0), then it has no rank', () => {
    const ranked = rankAgencies([agency(1, 'so', 0.8, { DTTM: null }), agency(2, 'so', 0.7, { DTTM: null })], GROUPS);
    expect(ranked.map((a) => a.nodes[0]?.rank)).to.deep.equal([null, null]);
  });

  it('when ranking, then the input scores are left unchanged and new objects returned', () => {
    const scores = [agency(1, 'so', 0.8, { NTS: 0.5 }, { CQS: 0.7 }), agency(2, 'so', 0.7, { NTS: 0.6 }, { CQS: 0.8 })];
    const before = structuredClone(scores);
    const ranked = rankAgencies(scores, GROUPS);
    expect(scores).to.deep.equal(before);
    expect(ranked[0]).to.not.equal(scores[0]);
    expect(ranked[0]?.total).to.not.equal(scores[0]?.total);
    expect(ranked[0]?.nodes[0]).to.not.equal(scores[0]?.nodes[0]);
  });

  it('when totals tie once published, then the agencies share the rank', () => {
    const ranked = rankAgencies([agency(1, 'so', 0.81231), agency(2, 'so', 0.81234), agency(3, 'so', 0.9)], GROUPS);
    expect(ranked.map((a) => a.total.rank)).to.deep.equal([2, 2, 1]);
  });
});
