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
  if (v == null) return false;
  switch (def.score.rule) {
    case 'choice':
      return v.option != null;
    case 'appraised':
      return finite(v.value);
    case 'none':
      return true;
    default:
      return measureOf(def.input, v) !== null;
  }
}

function rawPoints(def: IndicatorDef, v: ReportedValue, max: number): number {
  switch (def.score.rule) {
    case 'choice':
      return def.input.options?.find((o) => o.code === v.option)?.points ?? 0;
    case 'appraised':
      return v.value ?? 0;
    case 'none':
      return 0;
    default: {
      const measure = measureOf(def.input, v);
      return measure === null ? 0 : pointsFromMeasure(def.score, measure, max);
    }
  }
}

/** Rounded to the published decimals so sums do not carry float noise (14.999999…). */
const tidy = (x: number): number => roundPublished(x);

function scoreValue(def: IndicatorDef, v: ReportedValue, max: number, flag: ValueFlag): IndicatorScore {
  const raw = rawPoints(def, v, max);
  // Rounding last could lift the points past a max with more than four decimals; the cap wins.
  const points = Number.isFinite(raw) ? Math.min(max, tidy(clamp(raw, 0, max))) : 0;
  return {
    code: def.code,
    points,
    max,
    measure: measureOf(def.input, v),
    flag,
  };
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
  if (isUsableValue(def, input?.value)) return scoreValue(def, input.value, max, input.adjusted ? 'adjusted' : 'reported');
  switch (def.missing) {
    case 'exclude':
      return unscored(def, 0, 'excluded');
    case 'carry':
      if (isUsableValue(def, input?.previous)) return scoreValue(def, input.previous, max, 'carried');
      return unscored(def, max, 'missing');
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
  const plan: Plan = { slots, root: slots.length, rootChildren, bottomUp, subindices };
  plans.set(fw, plan);
  return plan;
}

interface Tally {
  points: number;
  max: number;
  /** points / max for a points node, the composite value for a composite one; null when there is none. */
  value: number | null;
}

const NO_TALLY: Tally = { points: 0, max: 0, value: null };

function pointsTally(parts: readonly Tally[]): Tally {
  let points = 0;
  let max = 0;
  for (const part of parts) {
    points += part.points;
    max += part.max;
  }
  points = tidy(points);
  max = tidy(max);
  return { points, max, value: max > 0 ? points / max : null };
}

function nodeScore(code: string, tally: Tally): NodeScore {
  return { code, points: tally.points, max: tally.max, value: tally.value, rank: null };
}

/** The value a child brings to a composite mean: its value on 0–1, or none when it carries no points here. */
const childValue = (t: Tally): number | null => (t.max > 0 ? t.value : null);

/**
 * Scores every agency: each indicator, each index node bottom-up, each sub-index and the total. A points node adds
 * its children's published points, so a scorecard's columns add up; a node that does not apply takes its whole
 * subtree with it. A composite node (framework.types.ts, Aggregation) averages its children's values normalised
 * across the agencies of the same ranking group, which is why all agencies are scored together.
 * Index nodes are listed parent first, depth first; indicators in definition order.
 */
export function scoreAgencies(fw: FrameworkDef, agencies: readonly AgencyInput[]): AgencyScore[] {
  const plan = planOf(fw);
  const tallies: Tally[][] = [];
  const indicatorScores: IndicatorScore[][] = [];
  for (const agency of agencies) {
    const excluded = new Set(agency.notApplicable ?? []);
    const row: Tally[] = new Array<Tally>(plan.slots.length + 1);
    const scores: IndicatorScore[] = [];
    const applies: boolean[] = new Array<boolean>(plan.slots.length);
    plan.slots.forEach((slot, i) => {
      applies[i] = (slot.parent === -1 || applies[slot.parent]!) && appliesTo(slot.node, agency, excluded);
      if (slot.node.type !== 'indicator') return;
      const score = scoreIndicator(slot.node, agency.values[slot.node.code], applies[i]!);
      if (slot.top) score.rank = null;
      scores.push(score);
      row[i] = { points: score.points, max: score.max, value: score.max > 0 ? score.points / score.max : null };
    });
    tallies.push(row);
    indicatorScores.push(scores);
  }

  const tallyNode = (slot: number, children: readonly number[], aggregate: Aggregation | undefined): void => {
    if (aggregate === undefined) {
      for (const row of tallies) row[slot] = pointsTally(children.map((c) => row[c]!));
      return;
    }
    const codes = children.map((c) => plan.slots[c]!.node.code);
    for (const members of groupMembers(agencies).values()) {
      const rows = members.map((a) => children.map((c) => childValue(tallies[a]![c]!)));
      const values = aggregateComposite(aggregate, codes, rows);
      members.forEach((a, k) => {
        const row = tallies[a]!;
        const max = tidy(children.reduce((sum, c) => sum + row[c]!.max, 0));
        const value = values[k] ?? null;
        row[slot] = { points: value === null ? 0 : Math.min(max, tidy(value * max)), max, value };
      });
    }
  };
  for (const i of plan.bottomUp) {
    const node = plan.slots[i]!.node as IndexNodeDef;
    tallyNode(i, plan.slots[i]!.children, node.aggregate);
  }
  tallyNode(plan.root, plan.rootChildren, fw.aggregate);

  return agencies.map((agency, a) => {
    const row = tallies[a]!;
    return {
      agencyId: agency.agencyId,
      group: agency.group,
      indicators: indicatorScores[a]!,
      nodes: plan.slots.flatMap((slot, i) => (slot.node.type === 'index' ? [nodeScore(slot.node.code, row[i]!)] : [])),
      subindices: plan.subindices.map((sub) => nodeScore(sub.code, pointsTally(sub.slots.map((i) => row[i] ?? NO_TALLY)))),
      total: nodeScore(TOTAL_CODE, row[plan.root]!),
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
