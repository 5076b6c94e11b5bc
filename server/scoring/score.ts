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
 * fraction → v, count → v, yes/no → 1 or 0. NaN when there is nothing to score, including a ratio whose
 * denominator is 0 or missing (0 of 0 officials trained is "not reported", not 0 % or 100 %). A missing value or
 * denominator is NaN. A numerator above the denominator is kept; the rule caps the points.
 */
function measureNumber(kind: InputSpec['kind'], value: number, denominator: number): number {
  if (!Number.isFinite(value)) return NaN;
  let measure: number;
  switch (kind) {
    case 'ratio':
      if (!(Number.isFinite(denominator) && denominator > 0)) return NaN;
      measure = value / denominator;
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
      return NaN;
  }
  return Number.isFinite(measure) ? measure : NaN;
}

/** measureNumber for a reported value: null when there is nothing to score. */
export function measureOf(input: InputSpec, v: ReportedValue): number | null {
  const measure = measureNumber(input.kind, v.value ?? NaN, v.denominator ?? NaN);
  return Number.isNaN(measure) ? null : measure;
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
  // Indexed, not `for…of` with destructuring: this runs for a quarter of a province's values, and the iterator
  // protocol allocated an object per step.
  let best = -1;
  for (let i = 0; i < steps.length; i++) {
    const threshold = steps[i]![0];
    const reached = lower ? measure <= threshold : measure >= threshold;
    if (!reached) continue;
    if (best < 0 || (lower ? threshold < steps[best]![0] : threshold > steps[best]![0])) best = i;
  }
  return best < 0 ? 0 : steps[best]![1];
}

/** No option chosen (InputBlock.option). */
export const NO_OPTION = -1;
/** An option code the indicator does not offer: chosen, so scored, but worth nothing. */
export const UNKNOWN_OPTION = -2;

/** Position of an option code among the indicator's options (InputBlock.option). */
export function optionIndex(def: IndicatorDef, code: string | null | undefined): number {
  if (code == null) return NO_OPTION;
  const i = def.input.options?.findIndex((o) => o.code === code) ?? -1;
  return i < 0 ? UNKNOWN_OPTION : i;
}

/** Whether a value holds what the indicator's rule needs; anything less falls to the missing-data policy. */
function usable(def: IndicatorDef, value: number, option: number, measure: number): boolean {
  switch (def.score.rule) {
    case 'choice':
      return option !== NO_OPTION;
    case 'appraised':
      return Number.isFinite(value);
    case 'none':
      return true;
    default:
      return !Number.isNaN(measure);
  }
}

export function isUsableValue(def: IndicatorDef, v: ReportedValue | null | undefined): v is ReportedValue {
  if (v == null) return false;
  const value = v.value ?? NaN;
  return usable(def, value, optionIndex(def, v.option), measureNumber(def.input.kind, value, v.denominator ?? NaN));
}

function rawPoints(def: IndicatorDef, value: number, option: number, measure: number, max: number): number {
  switch (def.score.rule) {
    case 'choice':
      return option >= 0 ? (def.input.options?.[option]?.points ?? 0) : 0;
    case 'appraised':
      return value;
    case 'none':
      return 0;
    default:
      return Number.isNaN(measure) ? 0 : pointsFromMeasure(def.score, measure, max);
  }
}

/** Rounded to the published decimals so sums do not carry float noise (14.999999…). */
const tidy = (x: number): number => roundPublished(x);

/** How the value behind an indicator's points came about, as a number in a ScoredBlock (VALUE_FLAGS[n]). */
export const VALUE_FLAGS: readonly ValueFlag[] = ['reported', 'adjusted', 'missing', 'carried', 'excluded', 'not_applicable'];
const REPORTED = 0;
const ADJUSTED = 1;
const MISSING = 2;
const CARRIED = 3;
const EXCLUDED = 4;
const NOT_APPLICABLE = 5;

/** Bits of InputBlock.state: a value was reported, the reviewer set it, a last approved value exists. */
export const HAS_VALUE = 1;
export const REVIEWER_SET = 2;
export const HAS_PREVIOUS = 4;

/** One indicator's score, as the rules leave it (the scoring below writes it into a block or an IndicatorScore). */
const scored = { points: 0, max: 0, measure: NaN, flag: REPORTED };

function scoreReported(def: IndicatorDef, max: number, value: number, denominator: number, option: number, flag: number): boolean {
  const measure = measureNumber(def.input.kind, value, denominator);
  if (!usable(def, value, option, measure)) return false;
  const raw = rawPoints(def, value, option, measure, max);
  // Rounding last could lift the points past a max with more than four decimals; the cap wins.
  scored.points = Number.isFinite(raw) ? Math.min(max, tidy(clamp(raw, 0, max))) : 0;
  scored.max = max;
  scored.measure = measure;
  scored.flag = flag;
  return true;
}

function unscored(max: number, flag: number): void {
  scored.points = 0;
  scored.max = max;
  scored.measure = NaN;
  scored.flag = flag;
}

/** The points an indicator counts: its max, or 0 when it has none worth counting. */
const maxOf = (def: IndicatorDef): number => (finite(def.max) && def.max > 0 ? def.max : 0);

/**
 * Scores one indicator into `scored`. A value that was not reported falls to the indicator's missing-data policy
 * (DESIGN.md §3): zero points with the max still counted, the last approved value carried forward, or the
 * indicator left out of the max. A non-applicable indicator leaves both the score and the max. Values are numbers,
 * NaN where missing; options are positions (optionIndex); `state` holds the InputBlock bits.
 */
function scoreNumbers(
  def: IndicatorDef,
  max: number,
  applicable: boolean,
  state: number,
  value: number,
  denominator: number,
  option: number,
  previousValue: number,
  previousDenominator: number,
  previousOption: number,
): void {
  if (!applicable) return unscored(0, NOT_APPLICABLE);
  if ((state & HAS_VALUE) !== 0 && scoreReported(def, max, value, denominator, option, (state & REVIEWER_SET) !== 0 ? ADJUSTED : REPORTED)) return;
  switch (def.missing) {
    case 'exclude':
      return unscored(0, EXCLUDED);
    case 'carry':
      if ((state & HAS_PREVIOUS) !== 0 && scoreReported(def, max, previousValue, previousDenominator, previousOption, CARRIED)) return;
      return unscored(max, MISSING);
    case 'zero':
      return unscored(max, MISSING);
  }
}

/** Scores one indicator (scoreNumbers) for an indicator's input as objects. */
export function scoreIndicator(def: IndicatorDef, input: IndicatorInput | undefined, applicable: boolean): IndicatorScore {
  const v = input?.value;
  const p = input?.previous;
  const state = (v != null ? HAS_VALUE : 0) | (input?.adjusted ? REVIEWER_SET : 0) | (p != null ? HAS_PREVIOUS : 0);
  scoreNumbers(
    def,
    maxOf(def),
    applicable,
    state,
    v?.value ?? NaN,
    v?.denominator ?? NaN,
    optionIndex(def, v?.option),
    p?.value ?? NaN,
    p?.denominator ?? NaN,
    optionIndex(def, p?.option),
  );
  return { code: def.code, points: scored.points, max: scored.max, measure: Number.isNaN(scored.measure) ? null : scored.measure, flag: VALUE_FLAGS[scored.flag]! };
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
  /** Indicator slots in definition order: indicator j of an InputBlock is slot indicatorSlots[j]. */
  indicatorSlots: number[];
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
  const indicatorSlots = slots.flatMap((slot, i) => (slot.node.type === 'indicator' ? [i] : []));
  const plan: Plan = { slots, root: slots.length, rootChildren, bottomUp, indexSlots, indicatorSlots, subindices };
  plans.set(fw, plan);
  return plan;
}

/** The framework's indicators in the order of an InputBlock's columns (definition order). */
export function blockIndicators(fw: FrameworkDef): IndicatorDef[] {
  const plan = planOf(fw);
  return plan.indicatorSlots.map((i) => plan.slots[i]!.node as IndicatorDef);
}

/** An agency of a block: who it is, its ranking group, and the codes that do not apply to it (AgencyInput). */
export interface BlockAgency {
  agencyId: number;
  group: string;
  notApplicable?: readonly string[];
}

/**
 * The inputs of several agencies as columns: indicator j (blockIndicators) of the k-th agency at k × K + j, K the
 * number of indicators. What an AgencyInput says as objects, without an object per value: a province is a million
 * values. Numbers are NaN where missing, options positions (optionIndex), `state` the HAS_VALUE, REVIEWER_SET and
 * HAS_PREVIOUS bits.
 */
export interface InputBlock {
  agencies: BlockAgency[];
  value: Float64Array;
  denominator: Float64Array;
  option: Int32Array;
  previousValue: Float64Array;
  previousDenominator: Float64Array;
  previousOption: Int32Array;
  state: Uint8Array;
}

/** An empty block for `agencies` agencies of the framework: no values reported. */
export function emptyInputBlock(fw: FrameworkDef, agencies: BlockAgency[]): InputBlock {
  const size = agencies.length * planOf(fw).indicatorSlots.length;
  return {
    agencies,
    value: new Float64Array(size).fill(NaN),
    denominator: new Float64Array(size).fill(NaN),
    option: new Int32Array(size).fill(NO_OPTION),
    previousValue: new Float64Array(size).fill(NaN),
    previousDenominator: new Float64Array(size).fill(NaN),
    previousOption: new Int32Array(size).fill(NO_OPTION),
    state: new Uint8Array(size),
  };
}

/** Writes one indicator's input (as objects) into a block at position `at` (k × K + j), replacing what was there. */
export function writeInput(block: InputBlock, at: number, def: IndicatorDef, input: IndicatorInput): void {
  const v = input.value;
  const p = input.previous;
  block.state[at] = (v != null ? HAS_VALUE : 0) | (input.adjusted ? REVIEWER_SET : 0) | (p != null ? HAS_PREVIOUS : 0);
  block.value[at] = v?.value ?? NaN;
  block.denominator[at] = v?.denominator ?? NaN;
  block.option[at] = optionIndex(def, v?.option);
  block.previousValue[at] = p?.value ?? NaN;
  block.previousDenominator[at] = p?.denominator ?? NaN;
  block.previousOption[at] = optionIndex(def, p?.option);
}

/** Agencies' inputs as objects brought into a block. */
export function inputBlockOf(fw: FrameworkDef, agencies: readonly AgencyInput[]): InputBlock {
  const indicators = blockIndicators(fw);
  const k = indicators.length;
  const block = emptyInputBlock(
    fw,
    agencies.map((a) => ({ agencyId: a.agencyId, group: a.group, notApplicable: a.notApplicable })),
  );
  agencies.forEach((agency, a) => {
    indicators.forEach((def, j) => {
      const input = agency.values[def.code];
      if (input !== undefined) writeInput(block, a * k + j, def, input);
    });
  });
  return block;
}

/**
 * The code an option the indicator does not offer comes back as from a block (UNKNOWN_OPTION): the code itself is
 * not kept, and any code the indicator does not offer scores the same.
 */
export const UNKNOWN_OPTION_CODE = '\u0000';

function reportedAt(def: IndicatorDef, value: number, denominator: number, option: number): ReportedValue {
  return {
    value: Number.isNaN(value) ? null : value,
    denominator: Number.isNaN(denominator) ? null : denominator,
    option: option === NO_OPTION ? null : option === UNKNOWN_OPTION ? UNKNOWN_OPTION_CODE : (def.input.options?.[option]?.code ?? null),
  };
}

/** A block's inputs as objects (what inputBlockOf reads): the indicators with anything reported or carried. */
export function agencyInputsOf(fw: FrameworkDef, block: InputBlock): AgencyInput[] {
  const indicators = blockIndicators(fw);
  const k = indicators.length;
  return block.agencies.map((agency, a) => {
    const values: AgencyInput['values'] = {};
    indicators.forEach((def, j) => {
      const at = a * k + j;
      const state = block.state[at]!;
      if (state === 0) return;
      values[def.code] = {
        value: (state & HAS_VALUE) !== 0 ? reportedAt(def, block.value[at]!, block.denominator[at]!, block.option[at]!) : null,
        adjusted: (state & REVIEWER_SET) !== 0,
        previous:
          (state & HAS_PREVIOUS) !== 0
            ? reportedAt(def, block.previousValue[at]!, block.previousDenominator[at]!, block.previousOption[at]!)
            : null,
      };
    });
    return { agencyId: agency.agencyId, group: agency.group, values, notApplicable: agency.notApplicable ? [...agency.notApplicable] : undefined };
  });
}

/**
 * Points, max and value of every slot of every agency, and the measure and flag of every indicator slot, in flat
 * arrays (agency-major: slot i of agency a is at a × width + i; the root, the total, is the last slot): a province
 * is a million slots, too many for an object each. A value is points / max for a points node, the composite value
 * for a composite one, NaN when there is none.
 */
class Tallies {
  readonly points: Float64Array;
  readonly max: Float64Array;
  readonly value: Float64Array;
  readonly measure: Float64Array;
  readonly flag: Uint8Array;

  constructor(
    readonly width: number,
    agencies: number,
  ) {
    const size = width * agencies;
    if (scratch.length < size * 4) scratch = new Float64Array(Math.max(size * 4, scratch.length * 2));
    if (flagScratch.length < size) flagScratch = new Uint8Array(Math.max(size, flagScratch.length * 2));
    this.points = scratch.subarray(0, size);
    this.max = scratch.subarray(size, size * 2);
    this.value = scratch.subarray(size * 2, size * 3);
    this.measure = scratch.subarray(size * 3, size * 4);
    this.flag = flagScratch.subarray(0, size);
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
 * every slot is written before it is read. This is why a ScoredBlock holds only until the next scoring.
 */
let scratch = new Float64Array(0);
let flagScratch = new Uint8Array(0);

/** Which slots apply to an agency of a group with some codes not applicable to it: 1 or 0 per slot. */
function applicability(plan: Plan, group: string, notApplicable: readonly string[] | undefined): Uint8Array {
  const excluded = new Set(notApplicable);
  const applies = new Uint8Array(plan.slots.length);
  for (let i = 0; i < plan.slots.length; i++) {
    const slot = plan.slots[i]!;
    const applicable = (slot.parent === -1 || applies[slot.parent] === 1) && appliesToGroup(slot.node, group) && !excluded.has(slot.node.code);
    applies[i] = applicable ? 1 : 0;
  }
  return applies;
}

/**
 * The scores of a block of agencies, in the tallies' flat arrays. Valid until the next scoring (the arrays are
 * reused): read it, or copy what is kept, before scoring again. `agencyScores` gives the scores as objects.
 */
export class ScoredBlock {
  constructor(
    private readonly plan: Plan,
    private readonly tallies: Tallies,
    readonly agencies: readonly BlockAgency[],
  ) {}

  get width(): number {
    return this.tallies.width;
  }

  /** The flat arrays: slot i of the k-th agency at k × width + i. */
  get points(): Float64Array {
    return this.tallies.points;
  }
  get max(): Float64Array {
    return this.tallies.max;
  }
  get value(): Float64Array {
    return this.tallies.value;
  }
  get measure(): Float64Array {
    return this.tallies.measure;
  }
  get flag(): Uint8Array {
    return this.tallies.flag;
  }

  /** The slot of the total. */
  get root(): number {
    return this.plan.root;
  }

  /** Index-node slots in pre-order, with their codes. */
  indexNodes(): Array<{ slot: number; code: string }> {
    return this.plan.indexSlots.map((slot) => ({ slot, code: this.plan.slots[slot]!.node.code }));
  }

  /** Indicator slots in definition order, with their codes and whether each is a main index (a top-level node). */
  indicators(): Array<{ slot: number; code: string; mainIndex: boolean }> {
    return this.plan.indicatorSlots.map((slot) => ({ slot, code: this.plan.slots[slot]!.node.code, mainIndex: this.plan.slots[slot]!.top }));
  }

  subindexCodes(): string[] {
    return this.plan.subindices.map((s) => s.code);
  }

  /** The k-th sub-index of the a-th agency: the published points and max of its nodes added up. */
  subindex(a: number, k: number): { points: number; max: number; value: number | null } {
    return this.tallies.sum(a * this.width, this.plan.subindices[k]!.slots);
  }

  /** The block's scores as objects, agency by agency. */
  agencyScores(): AgencyScore[] {
    const { plan, tallies } = this;
    return this.agencies.map((agency, a) => {
      const base = a * tallies.width;
      const indicators: IndicatorScore[] = plan.indicatorSlots.map((i) => {
        const measure = tallies.measure[base + i]!;
        const score: IndicatorScore = {
          code: plan.slots[i]!.node.code,
          points: tallies.points[base + i]!,
          max: tallies.max[base + i]!,
          measure: Number.isNaN(measure) ? null : measure,
          flag: VALUE_FLAGS[tallies.flag[base + i]!]!,
        };
        if (plan.slots[i]!.top) score.rank = null;
        return score;
      });
      return {
        agencyId: agency.agencyId,
        group: agency.group,
        indicators,
        nodes: plan.indexSlots.map((i) => tallies.node(plan.slots[i]!.node.code, base + i)),
        subindices: plan.subindices.map((sub, k) => ({ code: sub.code, ...this.subindex(a, k), rank: null })),
        total: tallies.node(TOTAL_CODE, base + plan.root),
      };
    });
  }
}

/**
 * Scores every agency of a block: each indicator, each index node bottom-up, each sub-index and the total. A points
 * node adds its children's published points, so a scorecard's columns add up; a node that does not apply takes its
 * whole subtree with it. A composite node (framework.types.ts, Aggregation) averages its children's values
 * normalised across the agencies of the same ranking group, which is why all agencies are scored together.
 */
export function scoreBlock(fw: FrameworkDef, block: InputBlock): ScoredBlock {
  const plan = planOf(fw);
  const { agencies } = block;
  const width = plan.slots.length + 1;
  const tallies = new Tallies(width, agencies.length);
  const k = plan.indicatorSlots.length;
  const defs = plan.indicatorSlots.map((i) => plan.slots[i]!.node as IndicatorDef);
  const maxes = defs.map(maxOf);
  // Agencies share their applicability: one per group and set of exemptions, worked out once.
  const masks = new Map<string, Uint8Array>();
  for (let a = 0; a < agencies.length; a++) {
    const agency = agencies[a]!;
    const key = agency.notApplicable?.length ? `${agency.group}\u0000${agency.notApplicable.join('\u0000')}` : agency.group;
    let applies = masks.get(key);
    if (applies === undefined) masks.set(key, (applies = applicability(plan, agency.group, agency.notApplicable)));
    const base = a * width;
    for (let j = 0; j < k; j++) {
      const slot = plan.indicatorSlots[j]!;
      const at = a * k + j;
      scoreNumbers(
        defs[j]!,
        maxes[j]!,
        applies[slot] === 1,
        block.state[at]!,
        block.value[at]!,
        block.denominator[at]!,
        block.option[at]!,
        block.previousValue[at]!,
        block.previousDenominator[at]!,
        block.previousOption[at]!,
      );
      const { points, max } = scored;
      tallies.set(base + slot, points, max, max > 0 ? points / max : null);
      tallies.measure[base + slot] = scored.measure;
      tallies.flag[base + slot] = scored.flag;
    }
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
      members.forEach((a, m) => {
        const max = tidy(children.reduce((sum, c) => sum + tallies.max[a * width + c]!, 0));
        const value = values[m] ?? null;
        tallies.set(a * width + slot, value === null ? 0 : Math.min(max, tidy(value * max)), max, value);
      });
    }
  };
  for (const i of plan.bottomUp) {
    const node = plan.slots[i]!.node as IndexNodeDef;
    tallyNode(i, plan.slots[i]!.children, node.aggregate);
  }
  tallyNode(plan.root, plan.rootChildren, fw.aggregate);
  return new ScoredBlock(plan, tallies, agencies);
}

/**
 * Scores every agency (scoreBlock) given as objects. Index nodes are listed parent first, depth first; indicators in
 * definition order.
 */
export function scoreAgencies(fw: FrameworkDef, agencies: readonly AgencyInput[]): AgencyScore[] {
  return scoreBlock(fw, inputBlockOf(fw, agencies)).agencyScores();
}

/** Positions of the agencies of each ranking group, in input order. */
function groupMembers(agencies: readonly BlockAgency[]): Map<string, number[]> {
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
