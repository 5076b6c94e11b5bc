// One computation of the index over a set of agencies' inputs: score each agency, then rank within groups.

import type { FrameworkDef } from '../frameworks/framework.types.js';
import { rankAgencies } from './rank.js';
import { scoreAgencies } from './score.js';
import type { AgencyInput, AgencyScore, RankingGroup } from './scoring.types.js';

export function computeScores(fw: FrameworkDef, agencies: readonly AgencyInput[], groups: readonly RankingGroup[]): AgencyScore[] {
  return rankAgencies(scoreAgencies(fw, agencies), groups);
}

export interface PooledRate {
  /** Σ numerators / Σ denominators: the province-wide rate (DESIGN.md §4). */
  pooled: number | null;
  /** The plain mean of the agencies' own rates, shown beside the pooled one. */
  meanOfRates: number | null;
  /** How many agencies went into both figures. */
  agencies: number;
}

/**
 * Province-wide rate of a ratio indicator. Only agencies that reported both figures with a positive denominator
 * count, in both the pooled rate and the mean, so the two are over the same agencies.
 */
export function pooledRate(pairs: ReadonlyArray<{ numerator: number | null; denominator: number | null }>): PooledRate {
  let numerators = 0;
  let denominators = 0;
  let rates = 0;
  let agencies = 0;
  for (const { numerator, denominator } of pairs) {
    if (numerator === null || denominator === null) continue;
    if (!Number.isFinite(numerator) || !Number.isFinite(denominator) || denominator <= 0) continue;
    numerators += numerator;
    denominators += denominator;
    rates += numerator / denominator;
    agencies += 1;
  }
  if (agencies === 0) return { pooled: null, meanOfRates: null, agencies: 0 };
  return { pooled: numerators / denominators, meanOfRates: rates / agencies, agencies };
}
