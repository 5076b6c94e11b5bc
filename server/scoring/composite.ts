// Composite-indicator aggregation (DESI/EGDI style), pure. A composite node's value is a weighted arithmetic or
// geometric mean of its children's values, each child first normalised across the agencies compared together
// (one ranking group): min-max, z-score, or not at all. Decision and its reasons: docs/adr/0001-composite-aggregation.md.

import type { Aggregation } from '../frameworks/framework.types.js';

/** One agency's child values, in the order of the node's children; null where the child has no value for it. */
export type ChildValues = ReadonlyArray<number | null>;

const clamp01 = (x: number): number => Math.min(1, Math.max(0, x));

/**
 * (v − min) / (max − min) over the agencies that have a value. When every agency has the same value there is
 * nothing to spread, and the values, already on the 0–1 scale of points / max, stand as they are.
 */
export function minMax(values: ReadonlyArray<number | null>): Array<number | null> {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v === null) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const range = hi - lo;
  if (!(range > 0)) return values.map((v) => (v === null ? null : v));
  return values.map((v) => (v === null ? null : clamp01((v - lo) / range)));
}

/** (v − mean) / standard deviation (population) over the agencies that have a value; 0 for all when they are equal. */
export function zScores(values: ReadonlyArray<number | null>): Array<number | null> {
  let count = 0;
  let sum = 0;
  for (const v of values) {
    if (v === null) continue;
    count += 1;
    sum += v;
  }
  if (count === 0) return values.map(() => null);
  const mean = sum / count;
  let squares = 0;
  for (const v of values) if (v !== null) squares += (v - mean) ** 2;
  const sd = Math.sqrt(squares / count);
  return values.map((v) => (v === null ? null : sd > 0 ? (v - mean) / sd : 0));
}

/**
 * The weighted mean of the children that have a value, weights renormalised over them (a child that does not
 * apply to the agency leaves the mean, as it leaves the max in a points sum). Null when no child has a value.
 * Geometric: Π vᵢ^(wᵢ/Σw); a zero child makes the mean 0.
 */
export function weightedMean(method: Aggregation['method'], values: ChildValues, weights: readonly number[]): number | null {
  let total = 0;
  for (let i = 0; i < values.length; i += 1) if (values[i] !== null) total += weights[i]!;
  if (!(total > 0)) return null;
  if (method === 'arithmetic') {
    let mean = 0;
    for (let i = 0; i < values.length; i += 1) {
      const v = values[i];
      if (v !== null && v !== undefined) mean += (weights[i]! / total) * v;
    }
    return mean;
  }
  let logMean = 0;
  for (let i = 0; i < values.length; i += 1) {
    const v = values[i];
    if (v === null || v === undefined) continue;
    if (v <= 0) return 0;
    logMean += (weights[i]! / total) * Math.log(v);
  }
  return Math.exp(logMean);
}

/** The weight of each child, in order: as the definition names them, or equal. */
export function childWeights(agg: Aggregation, childCodes: readonly string[]): number[] {
  return childCodes.map((code) => (agg.weights === undefined ? 1 : (agg.weights[code] ?? 0)));
}

/**
 * The composite values of one node for the agencies compared together: `rows[a]` holds agency a's child values.
 * - none: the weighted mean of the values as they are;
 * - minmax: each child min-max normalised across the agencies, then the weighted mean;
 * - zscore: each child standardised, the weighted arithmetic mean of the z-scores, and that composite min-max
 *   rescaled to 0–1 across the agencies, as the UN's EGDI does; when the composites are all equal, the plain
 *   weighted mean of the values stands.
 * Results lie in [0, 1]; an agency with no child value gets null.
 */
export function aggregateComposite(agg: Aggregation, childCodes: readonly string[], rows: readonly ChildValues[]): Array<number | null> {
  const weights = childWeights(agg, childCodes);
  const plain = (): Array<number | null> => rows.map((row) => clampOrNull(weightedMean(agg.method, row, weights)));
  if (agg.normalise === 'none') return plain();

  const normalise = agg.normalise === 'minmax' ? minMax : zScores;
  const columns = childCodes.map((_, c) => normalise(rows.map((row) => row[c] ?? null)));
  const normalised = rows.map((_, a) => columns.map((column) => column[a] ?? null));
  if (agg.normalise === 'minmax') return normalised.map((row) => clampOrNull(weightedMean(agg.method, row, weights)));

  const composite = normalised.map((row) => weightedMean('arithmetic', row, weights));
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of composite) {
    if (v === null) continue;
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  return hi - lo > 0 ? minMax(composite) : plain();
}

function clampOrNull(x: number | null): number | null {
  return x === null || !Number.isFinite(x) ? null : clamp01(x);
}
