// The shape of an indicator framework (bộ chỉ số) once loaded and validated.
// Definition files in frameworks/*.yaml use the same field names in snake_case; the loader converts them.
// See DESIGN.md §3 and README "Framework format".

export type PeriodKind = 'semiannual' | 'annual';

/** What an agency reports for an indicator. */
export type InputKind =
  | 'ratio' // numerator / denominator, each with its own label
  | 'count' // a whole number (courses held, meetings, …)
  | 'percent' // 0–100
  | 'fraction' // 0–1
  | 'yesno'
  | 'choice' // one option from a list, each worth points
  | 'appraised' // points set by the Department's reviewer
  | 'evidence'; // evidence only, no points

export interface ChoiceOption {
  code: string;
  label: string;
  points: number;
}

export interface InputSpec {
  kind: InputKind;
  /** Label of the numerator (ratio) or of the value (count, percent, …). */
  numerator?: string;
  /** Label of the denominator (ratio only). */
  denominator?: string;
  unit?: string;
  options?: ChoiceOption[];
  /** A ratio that may exceed 1 (computers per official); otherwise numerator ≤ denominator is enforced. */
  allowAboveOne?: boolean;
}

/**
 * How the points are worked out from the measure.
 * The measure is the input brought to one scale: ratio → n/d, percent → v/100, fraction → v, count → v,
 * yes/no → 1 or 0. Targets and step thresholds are written on that scale (20 % is 0.2).
 */
export type ScoreRule =
  | { rule: 'linear'; full?: number; direction?: Direction } // points = max × min(1, measure / full); full defaults to 1
  | { rule: 'target'; target: number; direction?: Direction } // full points at or beyond the target, proportional short of it
  | { rule: 'steps'; steps: Array<[threshold: number, points: number]>; direction?: Direction }
  | { rule: 'yesno' }
  | { rule: 'choice' }
  | { rule: 'appraised' }
  | { rule: 'none' };

export type Direction = 'higher' | 'lower';
export type MissingPolicy = 'zero' | 'carry' | 'exclude';
export type Periodicity = 'semiannual' | 'annual' | 'both';
export type AnnualFrom = 'latest' | 'sum' | 'mean';

/**
 * Input kinds each way of forming an annual value from semiannual ones makes sense for: a sum of percentages or a
 * mean of choices means nothing (scoring/annual-value.ts).
 */
export const ANNUAL_FROM_KINDS: Record<AnnualFrom, readonly InputKind[]> = {
  latest: ['ratio', 'count', 'percent', 'fraction', 'yesno', 'choice', 'appraised', 'evidence'],
  sum: ['ratio', 'count'],
  mean: ['ratio', 'count', 'percent', 'fraction', 'appraised'],
};
export type EvidenceRequirement = 'required' | 'optional' | 'none';

interface NodeBase {
  code: string;
  name: string;
  /** Maximum points; for an index node, the sum of its children's. */
  max: number;
  /** Ranking groups the node applies to; absent means every group of the framework. */
  appliesTo?: string[];
}

export interface IndicatorDef extends NodeBase {
  type: 'indicator';
  input: InputSpec;
  score: ScoreRule;
  evidence: EvidenceRequirement;
  /** What counts as evidence, in the words of the provincial decision (Tài liệu kiểm chứng). */
  evidenceNote?: string;
  /** How it is scored, for the form (Cách xác định và tính điểm). */
  guidance?: string;
  missing: MissingPolicy;
  periodicity: Periodicity;
  annualFrom: AnnualFrom;
}

export interface IndexNodeDef extends NodeBase {
  type: 'index';
  children: FrameworkNode[];
  /** How the node's value is formed from its children; absent: points add up (QĐ 922). */
  aggregate?: Aggregation;
}

/**
 * Composite-indicator aggregation (DESI/EGDI style; docs/adr/0001-composite-aggregation.md): the node's value is a
 * weighted arithmetic or geometric mean of its children's values, each first normalised across the agencies of
 * the ranking group (min-max or z-score) or taken as it is. The node's points are then value × max.
 */
export interface Aggregation {
  method: AggregationMethod;
  normalise: Normalisation;
  /** Weight of each child by code; absent means equal weights. */
  weights?: Record<string, number>;
}

export type AggregationMethod = 'arithmetic' | 'geometric';
export type Normalisation = 'none' | 'minmax' | 'zscore';

export type FrameworkNode = IndicatorDef | IndexNodeDef;

export interface SubIndexDef {
  code: string;
  name: string;
  /**
   * Codes of the nodes whose points and max points make up the sub-index, or of other sub-indices (their nodes);
   * sets may overlap across sub-indices.
   */
  of: string[];
}

export interface FrameworkDef {
  code: string;
  name: string;
  version: number;
  /** Ranking group codes the framework is used for. */
  appliesTo: string[];
  periods: PeriodKind[];
  nodes: FrameworkNode[];
  subindices: SubIndexDef[];
  /** How the total is formed from the top-level nodes (the main indices); absent: points add up. */
  aggregate?: Aggregation;
}

/** Every indicator of a framework, depth first, in definition order. */
export function indicatorsOf(nodes: readonly FrameworkNode[]): IndicatorDef[] {
  const out: IndicatorDef[] = [];
  const walk = (list: readonly FrameworkNode[]): void => {
    for (const node of list) {
      if (node.type === 'indicator') out.push(node);
      else walk(node.children);
    }
  };
  walk(nodes);
  return out;
}

/** Indicators not collected in periods of this kind (an annual-only indicator in a semiannual period). */
export function notCollectedIn(nodes: readonly FrameworkNode[], kind: PeriodKind): string[] {
  return indicatorsOf(nodes)
    .filter((i) => i.periodicity !== 'both' && i.periodicity !== kind)
    .map((i) => i.code);
}

/** A node applies to the groups it names, or to every group of the framework when it names none. */
export const appliesToGroup = (node: { appliesTo?: string[] }, group: string): boolean =>
  node.appliesTo === undefined || node.appliesTo.includes(group);

/**
 * Codes of the indicators an agency of the group reports in a period of the kind. A node that does not apply — to
 * the group, or to the agency (`exempt`, the Department's per-agency exemptions) — takes its whole subtree with it,
 * and indicators not collected in the period's kind are left out.
 */
export function applicableIndicatorCodes(
  nodes: readonly FrameworkNode[],
  group: string,
  kind: PeriodKind,
  exempt: ReadonlySet<string> = new Set(),
): Set<string> {
  const notCollected = new Set(notCollectedIn(nodes, kind));
  const out = new Set<string>();
  const walk = (list: readonly FrameworkNode[]): void => {
    for (const n of list) {
      if (!appliesToGroup(n, group) || exempt.has(n.code)) continue;
      if (n.type === 'index') walk(n.children);
      else if (!notCollected.has(n.code)) out.add(n.code);
    }
  };
  walk(nodes);
  return out;
}

/**
 * The node codes a sub-index adds up, with other sub-indices it names replaced by their nodes, in order and
 * without repeats. The loader refuses cycles; a cycle met here anyway stops at the sub-index already being expanded.
 */
export function subindexNodeCodes(subindices: readonly SubIndexDef[], code: string): string[] {
  const byCode = new Map(subindices.map((s) => [s.code, s]));
  const out: string[] = [];
  const seen = new Set<string>();
  const expanding = new Set<string>();
  const expand = (sub: SubIndexDef): void => {
    expanding.add(sub.code);
    for (const member of sub.of) {
      const nested = byCode.get(member);
      if (nested !== undefined) {
        if (!expanding.has(nested.code)) expand(nested);
      } else if (!seen.has(member)) {
        seen.add(member);
        out.push(member);
      }
    }
    expanding.delete(sub.code);
  };
  const sub = byCode.get(code);
  if (sub !== undefined) expand(sub);
  return out;
}
