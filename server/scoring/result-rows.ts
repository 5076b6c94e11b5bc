// How an agency's results are laid out in storage (migration 020): one row of arrays per agency, in a layout shared by
// every agency of a framework — ranked figures first (index nodes, then sub-indices, then the indicators that are
// main indices themselves: top-level nodes, ranked as rank.ts does), then the other indicators. Pure.
import type { AgencyScore, IndicatorScore } from './scoring.types.js';
import { roundPublished } from './score.js';

/** The order of the per-agency arrays, stored once per distinct layout (score_layouts). */
export interface LayoutShape {
  codes: string[];
  kinds: Array<'index' | 'subindex' | 'indicator'>;
  /** How many leading entries are ranked (index nodes, sub-indices, main indices that are indicators). */
  ranked: number;
}

/** An indicator that is a main index carries a rank field (score.ts, rank.ts). */
const isMainIndex = (i: IndicatorScore): boolean => i.rank !== undefined;

/** An agency's indicators in layout order: main indices first (ranked), then the rest, each in definition order. */
function indicatorOrder(score: AgencyScore): IndicatorScore[] {
  const mains: IndicatorScore[] = [];
  const others: IndicatorScore[] = [];
  for (const i of score.indicators) (isMainIndex(i) ? mains : others).push(i);
  return mains.length === 0 ? others : [...mains, ...others];
}

const rankedCount = (score: AgencyScore): number =>
  score.nodes.length + score.subindices.length + score.indicators.filter(isMainIndex).length;

export function layoutOf(score: AgencyScore): LayoutShape {
  const indicators = indicatorOrder(score);
  return {
    codes: [...score.nodes.map((n) => n.code), ...score.subindices.map((n) => n.code), ...indicators.map((i) => i.code)],
    kinds: [
      ...score.nodes.map(() => 'index' as const),
      ...score.subindices.map(() => 'subindex' as const),
      ...indicators.map(() => 'indicator' as const),
    ],
    ranked: rankedCount(score),
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
  for (const list of [score.nodes, score.subindices]) {
    for (const n of list) {
      points.push(n.points);
      max.push(n.max);
      measures.push(null);
      flags.push(null);
    }
  }
  for (const i of indicatorOrder(score)) {
    points.push(i.points);
    max.push(i.max);
    measures.push(i.measure);
    flags.push(i.flag);
  }
  return { points, max, measures, flags };
}

const key = (value: number | null): number | null => (value === null || !Number.isFinite(value) ? null : roundPublished(value));

/**
 * Rank keys: the published (rounded) value of the total and of each ranked figure, in layout order — for an
 * indicator that is a main index, points / max as rank.ts ranks it. Ranks are competition ranks on these keys
 * within a group (rank.ts), computed when a snapshot is read.
 */
export function rankKeys(score: AgencyScore): { totalKey: number | null; keys: Array<number | null> } {
  return {
    totalKey: key(score.total.value),
    keys: [
      ...score.nodes.map((n) => key(n.value)),
      ...score.subindices.map((n) => key(n.value)),
      ...score.indicators.filter(isMainIndex).map((i) => key(i.max > 0 ? i.points / i.max : null)),
    ],
  };
}
