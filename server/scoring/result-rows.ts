// How an agency's results are laid out in storage (migration 020): one row of arrays per agency, in a layout shared by
// every agency of a framework — ranked figures (index nodes, then sub-indices) first, then indicators. Pure.
import type { AgencyScore, NodeScore } from './scoring.types.js';
import { TOTAL_CODE } from './score.js';

export interface LayoutShape {
  codes: string[];
  kinds: Array<'index' | 'subindex' | 'indicator'>;
  ranked: number;
}

export function layoutOf(score: AgencyScore): LayoutShape {
  return {
    codes: [...score.nodes.map((n) => n.code), ...score.subindices.map((n) => n.code), ...score.indicators.map((i) => i.code)],
    kinds: [
      ...score.nodes.map(() => 'index' as const),
      ...score.subindices.map(() => 'subindex' as const),
      ...score.indicators.map(() => 'indicator' as const),
    ],
    ranked: score.nodes.length + score.subindices.length,
  };
}

/** The stored arrays of one agency's scores, in layout order. */
export function scoreArrays(score: AgencyScore): {
  points: number[];
  max: number[];
  measures: Array<number | null>;
  flags: Array<string | null>;
} {
  const points: number[] = [];
  const max: number[] = [];
  const measures: Array<number | null> = [];
  const flags: Array<string | null> = [];
  for (const n of score.nodes) {
    points.push(n.points);
    max.push(n.max);
    measures.push(null);
    flags.push(null);
  }
  for (const n of score.subindices) {
    points.push(n.points);
    max.push(n.max);
    measures.push(null);
    flags.push(null);
  }
  for (const i of score.indicators) {
    points.push(i.points);
    max.push(i.max);
    measures.push(i.measure);
    flags.push(i.flag);
  }
  return { points, max, measures, flags };
}

/** The ranks of the ranked figures, in layout order. */
export const rankArray = (score: AgencyScore): Array<number | null> => [
  ...score.nodes.map((n) => n.rank),
  ...score.subindices.map((n) => n.rank),
];

const figure = (code: string, points: number, max: number, rank: number | null): NodeScore => ({
  code,
  points,
  max,
  value: max > 0 ? points / max : null,
  rank,
});

/**
 * An agency's score rebuilt from its stored ranked figures, enough to rank it again beside freshly scored agencies
 * (indicators are not needed for ranking and are left out). Values are points / max as scoreAgency makes them.
 */
export function rankedFigures(
  agencyId: number,
  group: string,
  layout: LayoutShape,
  stored: { totalPoints: number; totalMax: number; headPoints: number[]; headMax: number[]; totalRank: number | null; ranks: Array<number | null> },
): AgencyScore {
  const nodes: NodeScore[] = [];
  const subindices: NodeScore[] = [];
  for (let i = 0; i < layout.ranked; i++) {
    const f = figure(layout.codes[i]!, stored.headPoints[i] ?? 0, stored.headMax[i] ?? 0, stored.ranks[i] ?? null);
    if (layout.kinds[i] === 'index') nodes.push(f);
    else subindices.push(f);
  }
  return {
    agencyId,
    group,
    indicators: [],
    nodes,
    subindices,
    total: figure(TOTAL_CODE, stored.totalPoints, stored.totalMax, stored.totalRank),
  };
}

/** Whether two rank lists are equal, position by position. */
export function sameRanks(a: ReadonlyArray<number | null>, b: ReadonlyArray<number | null>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if ((a[i] ?? null) !== (b[i] ?? null)) return false;
  return true;
}
