// Rank uncertainty: how much an agency's rank depends on choices the methodology could have made differently
// (OECD/JRC Handbook on Constructing Composite Indicators, 2008, §1.7 "uncertainty analysis"). A Monte Carlo run
// with a seeded PRNG: each draw moves every node's max points by up to ±spread (children move with their parent, so
// the tree still adds up) and, optionally, picks the missing-data policy of each indicator at random among zero,
// carry and exclude; every agency is rescored and reranked within its group, and the 5th–95th percentile of its
// ranks is its rank interval. Pure: no database, no HTTP.

import { indicatorsOf, type FrameworkDef, type FrameworkNode, type MissingPolicy } from '../frameworks/framework.types.js';
import { competitionRanks } from './rank.js';
import { aggregationsOf, roundPublished, scoreAgencies } from './score.js';
import type { AgencyInput, RankingGroup } from './scoring.types.js';

export interface UncertaintyOptions {
  /** Number of draws. */
  draws: number;
  /** Largest relative change of a node's max points, 0.1 for ±10 %. */
  spread: number;
  /** Seed of the pseudo-random generator: the same seed gives the same result. */
  seed: number;
  /** Whether each draw also picks the missing-data policies at random (default true). */
  varyMissing?: boolean;
}

export interface RankInterval {
  agencyId: number;
  group: string;
  /** The rank under the framework as published (no perturbation). */
  rank: number | null;
  /** 5th and 95th percentile of the ranks over the draws (nearest rank); null for unranked agencies. */
  low: number | null;
  high: number | null;
  median: number | null;
  /** Share of draws in which the agency kept its rank. */
  stable: number | null;
}

export const DEFAULT_UNCERTAINTY: UncertaintyOptions = { draws: 1000, spread: 0.1, seed: 1, varyMissing: true };

const POLICIES: readonly MissingPolicy[] = ['zero', 'carry', 'exclude'];

/** mulberry32: a small, fast 32-bit PRNG, good enough for sampling and fully determined by its seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** The framework with one missing-data policy for every indicator. */
function withPolicy(nodes: readonly FrameworkNode[], missing: MissingPolicy): FrameworkNode[] {
  return nodes.map((n) => (n.type === 'indicator' ? { ...n, missing } : { ...n, children: withPolicy(n.children, missing) }));
}

/**
 * Each indicator's cumulative factor for one draw: every node, inner or leaf, draws its own factor in
 * [1 − spread, 1 + spread], and an indicator's weight moves by the product of its own and its ancestors' factors,
 * so a perturbed tree still adds up. Indicators come depth first, as scoreAgencies lists them.
 */
function drawFactors(nodes: readonly FrameworkNode[], random: () => number, spread: number, out: number[], inherited = 1): void {
  for (const node of nodes) {
    const factor = inherited * (spread > 0 ? 1 + spread * (2 * random() - 1) : 1);
    if (node.type === 'indicator') out.push(factor);
    else drawFactors(node.children, random, spread, out, factor);
  }
}

/**
 * Whether the analysis applies: it reweighs indicator points, which is the framework's own computation only where
 * points add up the tree. A composite node (a weighted mean of values, perhaps normalised across agencies) is
 * neither reweighed by moving max points nor scored per agency, so such frameworks are refused rather than given
 * intervals that describe another index.
 */
export function uncertaintyApplies(fw: FrameworkDef): boolean {
  return aggregationsOf(fw).length === 0;
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: ArrayLike<number>, p: number): number {
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1));
  return sorted[index]!;
}

/**
 * Runs the Monte Carlo analysis; the result follows the order of `agencies`. Each agency is scored once per
 * missing-data policy; a draw then only reweighs those points (an indicator's points are a share of its max, so
 * moving the max moves the points in proportion), which keeps a thousand draws over a province quick.
 */
export function rankUncertainty(
  fw: FrameworkDef,
  agencies: readonly AgencyInput[],
  groups: readonly RankingGroup[],
  options: Partial<UncertaintyOptions> = {},
): RankInterval[] {
  const opts = { ...DEFAULT_UNCERTAINTY, ...options };
  if (!uncertaintyApplies(fw)) throw new RangeError('rank uncertainty needs a framework whose points add up (no composite nodes)');
  if (!Number.isInteger(opts.draws) || opts.draws < 1) throw new RangeError('draws must be a positive integer');
  if (!(opts.spread >= 0 && opts.spread < 1)) throw new RangeError('spread must be in [0, 1)');
  const varyMissing = opts.varyMissing ?? true;
  const ranked = new Set(groups.filter((g) => g.ranked).map((g) => g.code));
  const declared = indicatorsOf(fw.nodes).map((i) => POLICIES.indexOf(i.missing));
  const variants = POLICIES.map((missing) => ({ ...fw, nodes: withPolicy(fw.nodes, missing) }));

  // Points and max of every indicator under each policy, per agency; and the rank as published.
  const members = new Map<string, number[]>();
  const points: Float64Array[][] = [];
  const maxes: Float64Array[][] = [];
  const values: Array<number | null> = [];
  // Every agency scored together, once per policy and once as declared.
  const byVariant = variants.map((v) => scoreAgencies(v, agencies));
  const declaredTotals = scoreAgencies(fw, agencies);
  agencies.forEach((agency, i) => {
    const scored = byVariant.map((list) => list[i]!.indicators);
    points.push(scored.map((list) => Float64Array.from(list, (x) => x.points)));
    maxes.push(scored.map((list) => Float64Array.from(list, (x) => x.max)));
    values.push(declaredTotals[i]!.total.value);
    if (!ranked.has(agency.group)) return;
    const list = members.get(agency.group);
    if (list) list.push(i);
    else members.set(agency.group, [i]);
  });
  const base: Array<number | null> = agencies.map(() => null);
  for (const list of members.values()) {
    for (const [i, rank] of competitionRanks(list.map((i) => ({ key: i, value: values[i]! })))) base[i] = rank;
  }

  const random = prng(opts.seed);
  const draws = agencies.map(() => new Int32Array(opts.draws));
  const indicators = declared.length;
  const choice = new Int8Array(indicators);
  for (let d = 0; d < opts.draws; d++) {
    const factors: number[] = [];
    drawFactors(fw.nodes, random, opts.spread, factors);
    for (let k = 0; k < indicators; k++) choice[k] = varyMissing ? Math.floor(random() * POLICIES.length) : declared[k]!;
    for (const list of members.values()) {
      const items = list.map((i) => {
        let p = 0;
        let m = 0;
        for (let k = 0; k < indicators; k++) {
          p += factors[k]! * points[i]![choice[k]!]![k]!;
          m += factors[k]! * maxes[i]![choice[k]!]![k]!;
        }
        // As published: sums to four decimals, then points / max (score.ts).
        const max = roundPublished(m);
        return { key: i, value: max > 0 ? roundPublished(p) / max : null };
      });
      // An agency with nothing left to score in a draw counts as last of its group.
      for (const [i, rank] of competitionRanks(items)) draws[i]![d] = rank ?? list.length;
    }
  }

  return agencies.map((agency, i) => {
    const rank = base[i] ?? null;
    if (rank === null) return { agencyId: agency.agencyId, group: agency.group, rank, low: null, high: null, median: null, stable: null };
    const sorted = draws[i]!.sort();
    let same = 0;
    for (const r of sorted) if (r === rank) same += 1;
    return {
      agencyId: agency.agencyId,
      group: agency.group,
      rank,
      low: percentile(sorted, 0.05),
      high: percentile(sorted, 0.95),
      median: percentile(sorted, 0.5),
      stable: same / opts.draws,
    };
  });
}
