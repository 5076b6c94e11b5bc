// How an agency's results are laid out in storage (migration 020): one row of arrays per agency, in a layout shared by
// every agency of a framework — ranked figures (index nodes, then sub-indices) first, then indicators. Pure.
import type { AgencyScore, NodeScore } from './scoring.types.js';
import { roundPublished } from './score.js';

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
  /** The leading, ranked part of points and max. */
  headPoints: number[];
  headMax: number[];
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
  const ranked = score.nodes.length + score.subindices.length;
  return { points, max, measures, flags, headPoints: points.slice(0, ranked), headMax: max.slice(0, ranked) };
}

/**
 * Rank keys: the published (rounded) value of the total and of each ranked figure, in layout order. Ranks are
 * competition ranks on these keys within a group (rank.ts), computed when a snapshot is read.
 */
export function rankKeys(score: AgencyScore): { totalKey: number | null; keys: Array<number | null> } {
  const key = (n: NodeScore): number | null => (n.value === null || !Number.isFinite(n.value) ? null : roundPublished(n.value));
  return { totalKey: key(score.total), keys: [...score.nodes.map(key), ...score.subindices.map(key)] };
}
