// Ranking within a ranking group. Standard competition ranking, "1, 2, 2, 4": equal values share a rank and the
// next rank is skipped (QĐ 922/QĐ-BTTTT: two provinces 15th, the next 17th). Values are compared as published,
// to four decimals (DESIGN.md §4), so 0.81231 and 0.81234 tie.

import { roundPublished } from './score.js';
import type { AgencyScore, IndicatorScore, NodeScore, RankingGroup } from './scoring.types.js';

/**
 * Rank = 1 + the number of items with a strictly greater published value; null values are not ranked.
 * The result does not depend on the order of the items. Keys are expected to be distinct.
 */
export function competitionRanks<K>(items: ReadonlyArray<{ key: K; value: number | null }>): Map<K, number | null> {
  const result = new Map<K, number | null>();
  const ranked: Array<{ key: K; value: number }> = [];
  for (const { key, value } of items) {
    if (value === null || !Number.isFinite(value)) result.set(key, null);
    else ranked.push({ key, value: roundPublished(value) });
  }
  ranked.sort((a, b) => b.value - a.value);
  let rank = 0;
  ranked.forEach((item, position) => {
    if (position === 0 || item.value !== ranked[position - 1]!.value) rank = position + 1;
    result.set(item.key, rank);
  });
  return result;
}

type Ranks = Map<number, number | null>;
type Figure = (score: AgencyScore) => ReadonlyArray<{ code: string; value: number | null }>;

/** An indicator that is a main index itself carries a rank field; its value is points / max. */
const isMainIndex = (i: IndicatorScore): boolean => i.rank !== undefined;

/**
 * The figures ranked for each agency: the total, each index node, each indicator that is a main index, each
 * sub-index (each ranked by its code).
 */
const FIGURES: Record<'total' | 'nodes' | 'indicators' | 'subindices', Figure> = {
  total: (s) => [s.total],
  nodes: (s) => s.nodes,
  indicators: (s) => s.indicators.filter(isMainIndex).map((i) => ({ code: i.code, value: i.max > 0 ? i.points / i.max : null })),
  subindices: (s) => s.subindices,
};

/** Ranks of one kind of figure within one group: code → position in `scores` → rank. */
function rankFigure(scores: readonly AgencyScore[], positions: readonly number[], figure: Figure, into: Map<string, Ranks>): void {
  const items = new Map<string, Array<{ key: number; value: number | null }>>();
  for (const i of positions) {
    for (const node of figure(scores[i]!)) {
      const list = items.get(node.code);
      const item = { key: i, value: node.value };
      if (list === undefined) items.set(node.code, [item]);
      else list.push(item);
    }
  }
  for (const [code, list] of items) {
    const ranks = into.get(code) ?? new Map<number, number | null>();
    for (const [i, rank] of competitionRanks(list)) ranks.set(i, rank);
    into.set(code, ranks);
  }
}

/**
 * Fills in the rank of the total, every index node and every sub-index within each ranking group.
 * Agencies in a group that is assessed but not ranked, or in a group not listed, get null ranks.
 * Returns new objects; the input is not changed.
 */
export function rankAgencies(scores: readonly AgencyScore[], groups: readonly RankingGroup[]): AgencyScore[] {
  const ranked = new Set(groups.filter((g) => g.ranked).map((g) => g.code));
  const members = new Map<string, number[]>();
  scores.forEach((score, i) => {
    if (!ranked.has(score.group)) return;
    const list = members.get(score.group);
    if (list === undefined) members.set(score.group, [i]);
    else list.push(i);
  });

  const totalRanks = new Map<string, Ranks>();
  const nodeRanks = new Map<string, Ranks>();
  const indicatorRanks = new Map<string, Ranks>();
  const subRanks = new Map<string, Ranks>();
  for (const positions of members.values()) {
    rankFigure(scores, positions, FIGURES.total, totalRanks);
    rankFigure(scores, positions, FIGURES.nodes, nodeRanks);
    rankFigure(scores, positions, FIGURES.indicators, indicatorRanks);
    rankFigure(scores, positions, FIGURES.subindices, subRanks);
  }

  const withRank = (node: NodeScore, ranks: Map<string, Ranks>, i: number): NodeScore => ({
    ...node,
    rank: ranks.get(node.code)?.get(i) ?? null,
  });
  return scores.map((score, i) => ({
    ...score,
    indicators: score.indicators.map((ind) =>
      isMainIndex(ind) ? { ...ind, rank: indicatorRanks.get(ind.code)?.get(i) ?? null } : ind,
    ),
    nodes: score.nodes.map((n) => withRank(n, nodeRanks, i)),
    subindices: score.subindices.map((n) => withRank(n, subRanks, i)),
    total: withRank(score.total, totalRanks, i),
  }));
}
