// The pure scoring core: one indicator, then one agency's tree. No database, no HTTP.
// Rules: DESIGN.md §3–4 and reference/dti-methodology.md (QĐ 922/QĐ-BTTTT: points add up the tree, a node's value
// is points / applicable max, the total is total points / total max — not a mean of the pillars).

import type {
  Aggregation,
  FrameworkDef,
  FrameworkNode,
  IndexNodeDef,
  IndicatorDef,
  InputSpec,
  ScoreRule,
} from '../frameworks/framework.types.js';
import { appliesToGroup, subindexNodeCodes } from '../frameworks/framework.types.js';
import { aggregateComposite } from './composite.js';
import {
  PUBLISHED_DECIMALS,
  type AgencyInput,
  type AgencyScore,
  type IndicatorInput,
  type IndicatorScore,
  type NodeScore,
  type ReportedValue,
  type ValueFlag,
} from './scoring.types.js';

/** Code of the total in an AgencyScore. */
export const TOTAL_CODE = 'TOTAL';

/**
 * Rounds to the published four decimals, half away from zero (0.12345 → 0.1235, −0.12345 → −0.1235).
 * Ties in ranking are decided on this value (DESIGN.md §4), so it must not depend on binary noise:
 * 0.12345 is stored as 0.123449999…, and 0.1 + 0.2 as 0.30000000000000004. Near a half, 15 significant digits
 * recover the decimal the computation meant and the decimal shift is done on the string, which is exact; elsewhere
 * the direction is not in doubt and plain arithmetic gives the same result faster.
 */
export function roundPublished(x: number): number {
  if (!Number.isFinite(x)) return x;
  if (Number.isInteger(x)) return x === 0 ? 0 : x;
  const scaled = Math.abs(x) * SCALE;
  const nearHalf = Math.abs(scaled - Math.floor(scaled) - 0.5) < 1e-6;
  const rounded = nearHalf ? roundDecimalString(Math.abs(x)) : Math.round(scaled) / SCALE;
  if (rounded === 0) return 0;
  return x < 0 ? -rounded : rounded;
}

const SCALE = 10 ** PUBLISHED_DECIMALS;

function roundDecimalString(x: number): number {
  const clean = Number(x.toPrecision(15));
  const [mantissa, exponent = '0'] = clean.toExponential().split('e');
  const scaled = Math.round(Number(`${mantissa}e${Number(exponent) + PUBLISHED_DECIMALS}`));
  return Number(`${scaled}e-${PUBLISHED_DECIMALS}`);
}

const finite = (x: number | null | undefined): x is number => typeof x === 'number' && Number.isFinite(x);

const clamp = (x: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, x));

/**
 * The input brought to the rules' scale (framework.types.ts, ScoreRule): ratio → n/d, percent → v/100,
 * fraction → v, count → v, yes/no → 1 or 0. Null when there is nothing to score, including a ratio whose
 * denominator is 0 or missing (0 of 0 officials trained is "not reported", not 0 % or 100 %).
 * A numerator above the denominator is kept; the rule caps the points.
 */
export function measureOf(input: InputSpec, v: ReportedValue): number | null {
  const value = v.value;
  if (!finite(value)) return null;
  let measure: number;
  switch (input.kind) {
    case 'ratio':
      if (!finite(v.denominator) || v.denominator <= 0) return null;
      measure = value / v.denominator;
      break;
    case 'percent':
      measure = value / 100;
      break;
    case 'fraction':
    case 'count':
      measure = value;
      break;
    case 'yesno':
      measure = value > 0 ? 1 : 0;
      break;
    case 'choice':
    case 'appraised':
    case 'evidence':
      return null;
  }
  return Number.isFinite(measure) ? measure : null;
}

/** Points before the cap, for the rules that work on the measure. */
function pointsFromMeasure(rule: ScoreRule, measure: number, max: number): number {
  const lower = 'direction' in rule && rule.direction === 'lower';
  switch (rule.rule) {
    case 'linear': {
      const share = measure / (rule.full ?? 1);
      return max * clamp(lower ? 1 - share : share, 0, 1);
    }
    case 'target':
      if (lower) return measure <= rule.target ? max : max * (rule.target / measure);
      return rule.target <= 0 ? max : max * Math.min(1, measure / rule.target);
    case 'steps':
      return stepPoints(rule.steps, measure, lower);
    case 'yesno':
      return measure >= 1 ? max : 0;
    case 'choice':
    case 'appraised':
    case 'none':
      return 0;
  }
}

/**
 * Higher is better: the step with the largest threshold the measure reaches (meetings 4 → 20, 3 → 15, …).
 * Lower is better: the step with the smallest threshold the measure stays within.
 */
function stepPoints(steps: ReadonlyArray<readonly [number, number]>, measure: number, lower: boolean): number {
  let best: readonly [number, number] | undefined;
  for (const step of steps) {
    const [threshold] = step;
    const reached = lower ? measure <= threshold : measure >= threshold;
    if (!reached) continue;
    if (best === undefined || (lower ? threshold < best[0] : threshold > best[0])) best = step;
  }
  return best?.[1] ?? 0;
}

/** Whether a value holds what the indicator's rule needs; anything less falls to the missing-data policy. */
export function isUsableValue(def: IndicatorDef, v: ReportedValue | null | undefined): v is ReportedValue {
  return v != null && usable(def, v, measureOf(def.input, v));
}

/** isUsableValue with the value's measure already taken (it is taken once per value: this is the hot path of a run). */
function usable(def: IndicatorDef, v: ReportedValue, measure: number | null): boolean {
  switch (def.score.rule) {
    case 'choice':
      return v.option != null;
    case 'appraised':
      return finite(v.value);
    case 'none':
      return true;
    default:
      return measure !== null;
  }
}

function rawPoints(def: IndicatorDef, v: ReportedValue, measure: number | null, max: number): number {
  switch (def.score.rule) {
    case 'choice':
      return def.input.options?.find((o) => o.code === v.option)?.points ?? 0;
    case 'appraised':
      return v.value ?? 0;
    case 'none':
      return 0;
    default:
      return measure === null ? 0 : pointsFromMeasure(def.score, measure, max);
  }
}

/** Rounded to the published decimals so sums do not carry float noise (14.999999…). */
const tidy = (x: number): number => roundPublished(x);

function scoreValue(def: IndicatorDef, v: ReportedValue, measure: number | null, max: number, flag: ValueFlag): IndicatorScore {
  const raw = rawPoints(def, v, measure, max);
  // Rounding last could lift the points past a max with more than four decimals; the cap wins.
  const points = Number.isFinite(raw) ? Math.min(max, tidy(clamp(raw, 0, max))) : 0;
  return { code: def.code, points, max, measure, flag };
}

function unscored(def: IndicatorDef, max: number, flag: ValueFlag): IndicatorScore {
  return { code: def.code, points: 0, max, measure: null, flag };
}

/**
 * Scores one indicator. A value that was not reported falls to the indicator's missing-data policy
 * (DESIGN.md §3): zero points with the max still counted, the last approved value carried forward, or the
 * indicator left out of the max. A non-applicable indicator leaves both the score and the max.
 */
export function scoreIndicator(def: IndicatorDef, input: IndicatorInput | undefined, applicable: boolean): IndicatorScore {
  const max = finite(def.max) && def.max > 0 ? def.max : 0;
  if (!applicable) return unscored(def, 0, 'not_applicable');
  const value = input?.value;
  if (value != null) {
    const measure = measureOf(def.input, value);
    if (usable(def, value, measure)) return scoreValue(def, value, measure, max, input!.adjusted ? 'adjusted' : 'reported');
  }
  switch (def.missing) {
    case 'exclude':
      return unscored(def, 0, 'excluded');
    case 'carry': {
      const previous = input?.previous;
      if (previous != null) {
        const measure = measureOf(def.input, previous);
        if (usable(def, previous, measure)) return scoreValue(def, previous, measure, max, 'carried');
      }
      return unscored(def, max, 'missing');
    }
    case 'zero':
      return unscored(def, max, 'missing');
  }
}

function appliesTo(node: FrameworkNode, agency: AgencyInput, excluded: ReadonlySet<string>): boolean {
  return appliesToGroup(node, agency.group) && !excluded.has(node.code);
}

/** One node of the framework, flattened: indicators and index nodes in definition order, parent first. */
interface Slot {
  node: FrameworkNode;
  parent: number;
  children: number[];
  /** A top-level node: a main index, ranked even when it is an indicator (QĐ 922 at main-index level). */
  top: boolean;
}

/** The framework flattened once: slots in pre-order, the root (the total) last, and the index slots bottom-up. */
interface Plan {
  slots: Slot[];
  root: number;
  rootChildren: number[];
  /** Index-node slots with every child before its parent, the root excluded. */
  bottomUp: number[];
  /** Index-node slots in pre-order (parent first, depth first), as a score lists them. */
  indexSlots: number[];
  subindices: Array<{ code: string; slots: number[] }>;
}

const plans = new WeakMap<FrameworkDef, Plan>();

function planOf(fw: FrameworkDef): Plan {
  const cached = plans.get(fw);
  if (cached) return cached;
  const slots: Slot[] = [];
  const bottomUp: number[] = [];
  const place = (node: FrameworkNode, parent: number): number => {
    const i = slots.length;
    slots.push({ node, parent, children: [], top: parent === -1 });
    if (node.type === 'index') {
      slots[i]!.children = node.children.map((child) => place(child, i));
      bottomUp.push(i);
    }
    return i;
  };
  const rootChildren = fw.nodes.map((node) => place(node, -1));
  const slotOf = new Map(slots.map((slot, i) => [slot.node.code, i]));
  const subindices = fw.subindices.map((sub) => ({
    code: sub.code,
    slots: subindexNodeCodes(fw.subindices, sub.code)
      .map((code) => slotOf.get(code))
      .filter((i): i is number => i !== undefined),
  }));
  const indexSlots = slots.flatMap((slot, i) => (slot.node.type === 'index' ? [i] : []));
  const plan: Plan = { slots, root: slots.length, rootChildren, bottomUp, indexSlots, subindices };
  plans.set(fw, plan);
  return plan;
}

/**
 * Points, max and value of every slot of every agency, in flat arrays (agency-major: slot i of agency a is at
 * a × width + i; the root, the total, is the last slot): a province is a million slots, too many for an object each.
 * A value is points / max for a points node, the composite value for a composite one, NaN when there is none.
 */
class Tallies {
  readonly points: Float64Array;
  readonly max: Float64Array;
  readonly value: Float64Array;

  constructor(
    readonly width: number,
    agencies: number,
  ) {
    const size = width * agencies;
    if (scratch.length < size * 3) scratch = new Float64Array(Math.max(size * 3, scratch.length * 2));
    this.points = scratch.subarray(0, size);
    this.max = scratch.subarray(size, size * 2);
    this.value = scratch.subarray(size * 2, size * 3);
  }

  set(at: number, points: number, max: number, value: number | null): void {
    this.points[at] = points;
    this.max[at] = max;
    this.value[at] = value ?? NaN;
  }

  /** Adds up the published points and max of some slots of an agency (a points node, a sub-index). */
  sum(base: number, slots: readonly number[]): { points: number; max: number; value: number | null } {
    let points = 0;
    let max = 0;
    for (const slot of slots) {
      points += this.points[base + slot]!;
      max += this.max[base + slot]!;
    }
    points = tidy(points);
    max = tidy(max);
    return { points, max, value: max > 0 ? points / max : null };
  }

  node(code: string, at: number): NodeScore {
    const value = this.value[at]!;
    return { code, points: this.points[at]!, max: this.max[at]!, value: Number.isNaN(value) ? null : value, rank: null };
  }

  /** The value a child brings to a composite mean: its value on 0–1, or none when it carries no points here. */
  childValue(at: number): number | null {
    const value = this.value[at]!;
    return this.max[at]! > 0 && !Number.isNaN(value) ? value : null;
  }
}

/**
 * The tallies' memory, kept from one scoring to the next: a fresh buffer per call is external memory the garbage
 * collector answers with full collections of everything live. Scoring is synchronous, so one buffer serves all calls;
 * every slot is written before it is read.
 */
let scratch = new Float64Array(0);

const NO_EXCLUSIONS: ReadonlySet<string> = new Set();

/**
 * Scores every agency: each indicator, each index node bottom-up, each sub-index and the total. A points node adds
 * its children's published points, so a scorecard's columns add up; a node that does not apply takes its whole
 * subtree with it. A composite node (framework.types.ts, Aggregation) averages its children's values normalised
 * across the agencies of the same ranking group, which is why all agencies are scored together.
 * Index nodes are listed parent first, depth first; indicators in definition order.
 */
export function scoreAgencies(fw: FrameworkDef, agencies: readonly AgencyInput[]): AgencyScore[] {
  const plan = planOf(fw);
  const width = plan.slots.length + 1;
  const tallies = new Tallies(width, agencies.length);
  const indicatorScores: IndicatorScore[][] = [];
  const applies = new Uint8Array(plan.slots.length);
  for (let a = 0; a < agencies.length; a++) {
    const agency = agencies[a]!;
    const excluded = agency.notApplicable?.length ? new Set(agency.notApplicable) : NO_EXCLUSIONS;
    const base = a * width;
    const scores: IndicatorScore[] = [];
    for (let i = 0; i < plan.slots.length; i++) {
      const slot = plan.slots[i]!;
      const applicable = (slot.parent === -1 || applies[slot.parent] === 1) && appliesTo(slot.node, agency, excluded);
      applies[i] = applicable ? 1 : 0;
      if (slot.node.type !== 'indicator') continue;
      const score = scoreIndicator(slot.node, agency.values[slot.node.code], applicable);
      if (slot.top) score.rank = null;
      scores.push(score);
      tallies.set(base + i, score.points, score.max, score.max > 0 ? score.points / score.max : null);
    }
    indicatorScores.push(scores);
  }

  const tallyNode = (slot: number, children: readonly number[], aggregate: Aggregation | undefined): void => {
    if (aggregate === undefined) {
      for (let base = slot; base < tallies.points.length; base += width) {
        const t = tallies.sum(base - slot, children);
        tallies.set(base, t.points, t.max, t.value);
      }
      return;
    }
    const codes = children.map((c) => plan.slots[c]!.node.code);
    for (const members of groupMembers(agencies).values()) {
      const rows = members.map((a) => children.map((c) => tallies.childValue(a * width + c)));
      const values = aggregateComposite(aggregate, codes, rows);
      members.forEach((a, k) => {
        const max = tidy(children.reduce((sum, c) => sum + tallies.max[a * width + c]!, 0));
        const value = values[k] ?? null;
        tallies.set(a * width + slot, value === null ? 0 : Math.min(max, tidy(value * max)), max, value);
      });
    }
  };
  for (const i of plan.bottomUp) {
    const node = plan.slots[i]!.node as IndexNodeDef;
    tallyNode(i, plan.slots[i]!.children, node.aggregate);
  }
  tallyNode(plan.root, plan.rootChildren, fw.aggregate);

  return agencies.map((agency, a) => {
    const base = a * width;
    const nodes: NodeScore[] = [];
    for (const i of plan.indexSlots) nodes.push(tallies.node(plan.slots[i]!.node.code, base + i));
    return {
      agencyId: agency.agencyId,
      group: agency.group,
      indicators: indicatorScores[a]!,
      nodes,
      subindices: plan.subindices.map((sub) => {
        const t = tallies.sum(base, sub.slots);
        return { code: sub.code, points: t.points, max: t.max, value: t.value, rank: null };
      }),
      total: tallies.node(TOTAL_CODE, base + plan.root),
    };
  });
}

/** Positions of the agencies of each ranking group, in input order. */
function groupMembers(agencies: readonly AgencyInput[]): Map<string, number[]> {
  const out = new Map<string, number[]>();
  agencies.forEach((agency, i) => {
    const list = out.get(agency.group);
    if (list === undefined) out.set(agency.group, [i]);
    else list.push(i);
  });
  return out;
}

/** Every aggregation of a framework: the total's and each composite index node's. */
export function aggregationsOf(fw: FrameworkDef): Aggregation[] {
  const out: Aggregation[] = fw.aggregate ? [fw.aggregate] : [];
  const walk = (nodes: readonly FrameworkNode[]): void => {
    for (const node of nodes) {
      if (node.type !== 'index') continue;
      if (node.aggregate) out.push(node.aggregate);
      walk(node.children);
    }
  };
  walk(fw.nodes);
  return out;
}

/**
 * Whether an agency's scores depend on the other agencies of its ranking group: a composite node normalised across
 * them (min-max or z-score). Then a group is only ever scored whole (scoreAgencies over all its agencies); otherwise
 * each agency's scores depend on its own inputs alone.
 */
export function scoresAcrossAgencies(fw: FrameworkDef): boolean {
  return aggregationsOf(fw).some((agg) => agg.normalise !== 'none');
}

/**
 * Scores one agency on its own. For a framework with composite nodes normalised across agencies this compares the
 * agency with itself only (every normalisation then leaves the values as they are), so it is no agency's result
 * there (scoresAcrossAgencies); computeScores scores a run.
 */
export function scoreAgency(fw: FrameworkDef, agency: AgencyInput): AgencyScore {
  return scoreAgencies(fw, [agency])[0]!;
}
