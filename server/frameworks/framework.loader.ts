// Loads a framework definition file (frameworks/*.yaml or .json, DESIGN.md §3) into a FrameworkDef.
// A framework is data that decides agencies' scores, so a file that breaks any rule is refused whole, with every
// problem named by file, node and rule — never loaded in part.

import { readFile } from 'node:fs/promises';
import YAML from 'yaml';
import { z } from 'zod';
import type {
  Aggregation,
  ChoiceOption,
  Direction,
  FrameworkDef,
  FrameworkNode,
  IndexNodeDef,
  IndicatorDef,
  InputKind,
  InputSpec,
  ScoreRule,
  SubIndexDef,
} from './framework.types.js';
import { ANNUAL_FROM_KINDS, subindexNodeCodes } from './framework.types.js';

/** The rule of the file format a problem breaks. */
export type FrameworkRule =
  | 'syntax'
  | 'schema'
  | 'unknown-input-kind'
  | 'unknown-score-rule'
  | 'empty-list'
  | 'duplicate-code'
  | 'unknown-code'
  | 'unknown-group'
  | 'max-sum'
  | 'rule-input-mismatch'
  | 'choice-options'
  | 'ratio-labels'
  | 'no-points'
  | 'steps-points'
  | 'steps-order'
  | 'target-positive'
  | 'full-positive'
  | 'scale'
  | 'periodicity'
  | 'subindex-overlap'
  | 'aggregate'
  | 'cycle';

export interface FrameworkIssue {
  /** Code of the node (or sub-index) at fault; null for the framework as a whole or a node without a code. */
  node: string | null;
  rule: FrameworkRule;
  /** Where in the file, e.g. nodes[2].children[0].score.rule. */
  path: string;
  message: string;
}

/** A definition file that cannot be loaded. `node` and `rule` are those of the first issue; `issues` has all. */
export class FrameworkError extends Error {
  readonly file: string;
  readonly node: string | null;
  readonly rule: FrameworkRule;
  readonly issues: readonly FrameworkIssue[];

  constructor(file: string, issues: readonly FrameworkIssue[]) {
    const first = issues[0] ?? { node: null, rule: 'schema' as const, path: '', message: 'invalid framework' };
    const lines = issues.map((issue) => describeIssue(file, issue));
    super(lines.length === 1 ? lines[0] : `${file}: ${lines.length} problems\n${lines.join('\n')}`);
    this.name = 'FrameworkError';
    this.file = file;
    this.node = first.node;
    this.rule = first.rule;
    this.issues = issues;
  }
}

function describeIssue(file: string, issue: FrameworkIssue): string {
  const where = issue.path === '' ? '' : ` at ${issue.path}`;
  return `${file}: node ${issue.node ?? '(framework)'}${where}: rule ${issue.rule}: ${issue.message}`;
}

const INPUT_KINDS = ['ratio', 'count', 'percent', 'fraction', 'yesno', 'choice', 'appraised', 'evidence'] as const;
const SCORE_RULES = ['linear', 'target', 'steps', 'yesno', 'choice', 'appraised', 'none'] as const;
const NUMERIC_INPUTS: readonly InputKind[] = ['ratio', 'count', 'percent', 'fraction', 'yesno'];
/** Inputs whose measure lies in 0–1, so a target of 20 written as 20 rather than 0.2 is a slip. */
const UNIT_SCALE_INPUTS: readonly InputKind[] = ['percent', 'fraction'];
/** Tolerance for children's max points adding up to the parent's; the points are decimal, not binary. */
const MAX_SUM_TOLERANCE = 1e-9;

const text = z.string().trim().min(1);
const direction = z.enum(['higher', 'lower']).optional();

const AggregateSchema = z.strictObject({
  method: z.enum(['arithmetic', 'geometric']),
  normalise: z.enum(['none', 'minmax', 'zscore']).default('none'),
  weights: z.record(z.string(), z.number().positive()).optional(),
});

const FrameworkSchema = z.strictObject({
  code: text,
  name: text,
  version: z.number().int().positive(),
  applies_to: z.array(text),
  periods: z.array(z.enum(['semiannual', 'annual'])),
  nodes: z.array(z.unknown()),
  subindices: z.array(z.strictObject({ code: text, name: text, of: z.array(text) })).default([]),
  aggregate: AggregateSchema.optional(),
});

const IndexNodeSchema = z.strictObject({
  code: text,
  name: text,
  max: z.number().nonnegative().optional(),
  applies_to: z.array(text).optional(),
  children: z.array(z.unknown()),
  aggregate: AggregateSchema.optional(),
});

const IndicatorSchema = z.strictObject({
  code: text,
  name: text,
  max: z.number().nonnegative(),
  applies_to: z.array(text).optional(),
  input: z.unknown(),
  score: z.unknown(),
  evidence: z.enum(['required', 'optional', 'none']).default('optional'),
  evidence_note: text.optional(),
  guidance: text.optional(),
  missing: z.enum(['zero', 'carry', 'exclude']).default('zero'),
  periodicity: z.enum(['semiannual', 'annual', 'both']).default('both'),
  annual_from: z.enum(['latest', 'sum', 'mean']).default('latest'),
});

const InputSchema = z.strictObject({
  kind: z.enum(INPUT_KINDS),
  numerator: text.optional(),
  denominator: text.optional(),
  unit: text.optional(),
  options: z.array(z.strictObject({ code: text, label: text, points: z.number().nonnegative() })).optional(),
  allow_above_one: z.boolean().optional(),
});

const RuleNameSchema = z.looseObject({ rule: z.enum(SCORE_RULES) });

const RuleSchemas = {
  linear: z.strictObject({ rule: z.literal('linear'), full: z.number().optional(), direction }),
  target: z.strictObject({ rule: z.literal('target'), target: z.number(), direction }),
  steps: z.strictObject({
    rule: z.literal('steps'),
    steps: z.array(z.tuple([z.number(), z.number()])).min(1),
    direction,
  }),
  yesno: z.strictObject({ rule: z.literal('yesno') }),
  choice: z.strictObject({ rule: z.literal('choice') }),
  appraised: z.strictObject({ rule: z.literal('appraised') }),
  none: z.strictObject({ rule: z.literal('none') }),
} satisfies Record<(typeof SCORE_RULES)[number], z.ZodType>;

type Path = ReadonlyArray<string | number | symbol>;

function formatPath(path: Path): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out;
}

/** Gathers every problem in a file, so the author can fix them in one pass. */
class Issues {
  readonly list: FrameworkIssue[] = [];

  add(node: string | null, rule: FrameworkRule, path: Path, message: string): void {
    this.list.push({ node, rule, path: formatPath(path), message });
  }

  /** Parses with a zod schema; on failure records each zod issue under `rule` and returns null. */
  parse<T>(schema: z.ZodType<T>, raw: unknown, node: string | null, path: Path, rule: FrameworkRule = 'schema'): T | null {
    const result = schema.safeParse(raw);
    if (result.success) return result.data;
    for (const issue of result.error.issues) this.add(node, rule, [...path, ...issue.path], issue.message);
    return null;
  }
}

function codeOf(raw: unknown): string | null {
  if (typeof raw !== 'object' || raw === null || !('code' in raw)) return null;
  return typeof raw.code === 'string' && raw.code.trim() !== '' ? raw.code : null;
}

function kindOf(raw: unknown, field: string): unknown {
  return typeof raw === 'object' && raw !== null && field in raw ? (raw as Record<string, unknown>)[field] : undefined;
}

function readInput(raw: unknown, code: string, path: Path, issues: Issues): InputSpec | null {
  const kind = kindOf(raw, 'kind');
  if (typeof kind === 'string' && !(INPUT_KINDS as readonly string[]).includes(kind)) {
    issues.add(code, 'unknown-input-kind', [...path, 'kind'], `unknown input kind "${kind}"; expected one of ${INPUT_KINDS.join(', ')}`);
    return null;
  }
  const input = issues.parse(InputSchema, raw, code, path);
  if (input === null) return null;
  const spec: InputSpec = { kind: input.kind };
  if (input.numerator !== undefined) spec.numerator = input.numerator;
  if (input.denominator !== undefined) spec.denominator = input.denominator;
  if (input.unit !== undefined) spec.unit = input.unit;
  if (input.options !== undefined) spec.options = input.options.map((o): ChoiceOption => ({ ...o }));
  if (input.allow_above_one !== undefined) spec.allowAboveOne = input.allow_above_one;
  return spec;
}

function readScore(raw: unknown, code: string, path: Path, issues: Issues): ScoreRule | null {
  const name = kindOf(raw, 'rule');
  if (typeof name === 'string' && !(SCORE_RULES as readonly string[]).includes(name)) {
    issues.add(code, 'unknown-score-rule', [...path, 'rule'], `unknown score rule "${name}"; expected one of ${SCORE_RULES.join(', ')}`);
    return null;
  }
  const named = issues.parse(RuleNameSchema, raw, code, path);
  if (named === null) return null;
  const rule = issues.parse<ScoreRule>(RuleSchemas[named.rule], raw, code, path);
  if (rule === null) return null;
  return withoutUndefined(rule);
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

function toAggregation(raw: z.infer<typeof AggregateSchema>): Aggregation {
  const out: Aggregation = { method: raw.method, normalise: raw.normalise };
  if (raw.weights !== undefined) out.weights = { ...raw.weights };
  return out;
}

/**
 * A composite node averages its children's values (points / max), so every child must carry points, the weights
 * must name exactly its children, and a geometric mean cannot take z-scores (they are negative for half the
 * agencies).
 */
function checkAggregation(agg: Aggregation, children: readonly FrameworkNode[], node: string | null, path: Path, issues: Issues): void {
  if (agg.method === 'geometric' && agg.normalise === 'zscore') {
    issues.add(node, 'aggregate', [...path, 'normalise'], 'a geometric mean needs positive values: use minmax or none, not zscore');
  }
  for (const child of children) {
    if (child.max <= 0) issues.add(node, 'aggregate', path, `child ${child.code} has max 0, so it has no value to average; give it points`);
  }
  if (agg.weights === undefined) return;
  const codes = new Set(children.map((c) => c.code));
  for (const code of Object.keys(agg.weights)) {
    if (!codes.has(code)) issues.add(node, 'unknown-code', [...path, 'weights', code], `${code} is not a child of this node`);
  }
  for (const code of codes) {
    if (!(code in agg.weights)) issues.add(node, 'aggregate', [...path, 'weights'], `child ${code} has no weight`);
  }
}

interface ReadContext {
  issues: Issues;
  /** Codes of nodes that could not be read, so later checks do not report them again as unknown. */
  unreadable: Set<string>;
}

function readNode(raw: unknown, path: Path, ctx: ReadContext): FrameworkNode | null {
  const isIndex = typeof raw === 'object' && raw !== null && 'children' in raw;
  const node = isIndex ? readIndexNode(raw, path, ctx) : readIndicator(raw, path, ctx);
  const code = codeOf(raw);
  if (node === null && code !== null) ctx.unreadable.add(code);
  return node;
}

/** Children that could not be read are left out (their problems are recorded), so the rest is still checked. */
function readIndexNode(raw: unknown, path: Path, ctx: ReadContext): IndexNodeDef | null {
  const parsed = ctx.issues.parse(IndexNodeSchema, raw, codeOf(raw), path);
  if (parsed === null) return null;
  if (parsed.children.length === 0) ctx.issues.add(parsed.code, 'empty-list', [...path, 'children'], 'an index node needs at least one child');
  const read = parsed.children.map((child, i) => readNode(child, [...path, 'children', i], ctx));
  const children = read.filter((child): child is FrameworkNode => child !== null);
  const sum = children.reduce((total, child) => total + child.max, 0);
  const complete = children.length === read.length;
  if (complete && parsed.max !== undefined && Math.abs(sum - parsed.max) > MAX_SUM_TOLERANCE) {
    ctx.issues.add(parsed.code, 'max-sum', [...path, 'max'], `max is ${parsed.max} but the children's max points add up to ${sum}`);
  }
  const node: IndexNodeDef = { type: 'index', code: parsed.code, name: parsed.name, max: parsed.max ?? sum, children };
  if (parsed.applies_to !== undefined) node.appliesTo = parsed.applies_to;
  if (parsed.aggregate !== undefined) {
    node.aggregate = toAggregation(parsed.aggregate);
    if (complete) checkAggregation(node.aggregate, children, parsed.code, [...path, 'aggregate'], ctx.issues);
  }
  return node;
}

function readIndicator(raw: unknown, path: Path, ctx: ReadContext): IndicatorDef | null {
  const parsed = ctx.issues.parse(IndicatorSchema, raw, codeOf(raw), path);
  if (parsed === null) return null;
  const input = readInput(parsed.input, parsed.code, [...path, 'input'], ctx.issues);
  const score = readScore(parsed.score, parsed.code, [...path, 'score'], ctx.issues);
  if (input === null || score === null) return null;
  const def: IndicatorDef = {
    type: 'indicator',
    code: parsed.code,
    name: parsed.name,
    max: parsed.max,
    input,
    score,
    evidence: parsed.evidence,
    missing: parsed.missing,
    periodicity: parsed.periodicity,
    annualFrom: parsed.annual_from,
  };
  if (parsed.applies_to !== undefined) def.appliesTo = parsed.applies_to;
  if (parsed.evidence_note !== undefined) def.evidenceNote = parsed.evidence_note;
  if (parsed.guidance !== undefined) def.guidance = parsed.guidance;
  checkIndicator(def, path, ctx.issues);
  if (def.annualFrom !== 'latest' && def.periodicity !== 'semiannual') {
    ctx.issues.add(def.code, 'periodicity', [...path, 'annual_from'], `annual_from ${def.annualFrom} forms an annual value from semiannual ones; the indicator must be collected semiannual (is ${def.periodicity})`);
  }
  if (!ANNUAL_FROM_KINDS[def.annualFrom].includes(def.input.kind)) {
    ctx.issues.add(def.code, 'periodicity', [...path, 'annual_from'], `annual_from ${def.annualFrom} cannot form an annual value of a ${def.input.kind} input (only ${ANNUAL_FROM_KINDS[def.annualFrom].join(', ')})`);
  }
  return def;
}

/** The rule and the input must fit together, and the rule's numbers must make sense for the max points. */
function checkIndicator(def: IndicatorDef, path: Path, issues: Issues): void {
  const add = (rule: FrameworkRule, at: Path, message: string): void => issues.add(def.code, rule, [...path, ...at], message);
  const { input, score } = def;
  checkInput(def, add);

  const pairing = rulePairingProblem(input.kind, score.rule);
  if (pairing !== null) add('rule-input-mismatch', ['score', 'rule'], pairing);
  if (score.rule === 'none' && def.max !== 0) add('no-points', ['max'], `rule none gives no points, so max must be 0 (is ${def.max})`);

  const unitScale = UNIT_SCALE_INPUTS.includes(input.kind);
  const scaleHint = `a ${input.kind} input is measured on 0–1 (20 % is 0.2)`;
  switch (score.rule) {
    case 'linear':
      if (score.full !== undefined && score.full <= 0) add('full-positive', ['score', 'full'], `full must be above 0 (is ${score.full})`);
      if (score.full !== undefined && unitScale && score.full > 1) add('scale', ['score', 'full'], `full is ${score.full}; ${scaleHint}`);
      if (score.full === undefined && input.kind === 'count') add('scale', ['score', 'full'], 'a count has no natural 0–1 scale: give full, the count worth full points');
      break;
    case 'target':
      if (score.target <= 0) add('target-positive', ['score', 'target'], `target must be above 0 (is ${score.target})`);
      if (unitScale && score.target > 1) add('scale', ['score', 'target'], `target is ${score.target}; ${scaleHint}`);
      break;
    case 'steps':
      checkSteps(score.steps, score.direction ?? 'higher', def.max, add);
      if (unitScale && score.steps.some(([t]) => t > 1)) add('scale', ['score', 'steps'], `a threshold is above 1; ${scaleHint}`);
      break;
    default:
      break;
  }
}

type AddIssue = (rule: FrameworkRule, at: Path, message: string) => void;

function checkInput(def: IndicatorDef, add: AddIssue): void {
  const { input } = def;
  if (input.kind === 'ratio' && (input.numerator === undefined || input.denominator === undefined)) {
    add('ratio-labels', ['input'], 'a ratio input needs numerator and denominator labels');
  }
  if (input.kind !== 'ratio' && input.denominator !== undefined) {
    add('ratio-labels', ['input', 'denominator'], `only a ratio input has a denominator (kind is ${input.kind})`);
  }
  if (input.kind !== 'choice') {
    if (input.options !== undefined) add('choice-options', ['input', 'options'], `only a choice input has options (kind is ${input.kind})`);
    return;
  }
  const options = input.options ?? [];
  if (options.length === 0) add('choice-options', ['input', 'options'], 'a choice input needs at least one option');
  const seen = new Set<string>();
  options.forEach((option, i) => {
    if (seen.has(option.code)) add('choice-options', ['input', 'options', i, 'code'], `option code "${option.code}" is repeated`);
    seen.add(option.code);
    if (option.points > def.max) {
      add('choice-options', ['input', 'options', i, 'points'], `option "${option.code}" is worth ${option.points}, above max ${def.max}`);
    }
  });
}

/** Which inputs each rule can score; a mismatch would leave the indicator unscorable for every agency. */
function rulePairingProblem(kind: InputKind, rule: ScoreRule['rule']): string | null {
  switch (rule) {
    case 'choice':
      return kind === 'choice' ? null : `rule choice needs a choice input (kind is ${kind})`;
    case 'appraised':
      return kind === 'appraised' ? null : `rule appraised needs an appraised input (kind is ${kind})`;
    case 'yesno':
      return kind === 'yesno' ? null : `rule yesno needs a yesno input (kind is ${kind})`;
    case 'none':
      return null;
    case 'linear':
    case 'target':
    case 'steps':
      if (NUMERIC_INPUTS.includes(kind)) return null;
      if (kind === 'evidence') return 'an evidence input scores no points: its rule must be none';
      return `rule ${rule} needs a numeric input (ratio, count, percent, fraction, yesno), not ${kind}`;
  }
}

/**
 * Step points lie in [0, max], thresholds are distinct, and a better measure never earns fewer points — otherwise
 * an agency could lose points by improving.
 */
function checkSteps(steps: ReadonlyArray<[number, number]>, dir: Direction, max: number, add: AddIssue): void {
  steps.forEach(([, points], i) => {
    if (points > max) add('steps-points', ['score', 'steps', i], `step worth ${points} points is above max ${max}`);
  });
  const byThreshold = [...steps].sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < byThreshold.length; i += 1) {
    const [t0, p0] = byThreshold[i - 1]!;
    const [t1, p1] = byThreshold[i]!;
    if (t0 === t1) add('steps-order', ['score', 'steps'], `threshold ${t0} appears twice`);
    else if (dir === 'higher' ? p1 < p0 : p1 > p0) {
      add('steps-order', ['score', 'steps'], `a better measure earns fewer points (${t0} → ${p0}, ${t1} → ${p1})`);
    }
  }
}

interface Placed {
  node: FrameworkNode;
  path: Path;
  /** Codes of the node's ancestors, nearest first. */
  ancestors: string[];
}

/** Every node with its place in the tree. The tree is nested data, so it cannot hold a cycle. */
function placeAll(nodes: readonly FrameworkNode[]): Placed[] {
  const out: Placed[] = [];
  const walk = (list: readonly FrameworkNode[], path: Path, ancestors: string[]): void => {
    list.forEach((node, i) => {
      const at = [...path, i];
      out.push({ node, path: at, ancestors });
      if (node.type === 'index') walk(node.children, [...at, 'children'], [node.code, ...ancestors]);
    });
  };
  walk(nodes, ['nodes'], []);
  return out;
}

function checkTree(fw: FrameworkDef, unreadable: ReadonlySet<string>, issues: Issues): void {
  const placed = placeAll(fw.nodes);
  const seen = new Set<string>();
  const groups = new Set(fw.appliesTo);
  for (const { node, path } of placed) {
    if (seen.has(node.code)) issues.add(node.code, 'duplicate-code', [...path, 'code'], `code ${node.code} is used by more than one node`);
    seen.add(node.code);
    if (node.appliesTo !== undefined) {
      if (node.appliesTo.length === 0) issues.add(node.code, 'empty-list', [...path, 'applies_to'], 'applies_to is empty; omit it to apply to every group');
      for (const group of node.appliesTo) {
        if (!groups.has(group)) issues.add(node.code, 'unknown-group', [...path, 'applies_to'], `group ${group} is not in the framework's applies_to`);
      }
    }
    if (node.type === 'indicator' && node.periodicity !== 'both' && !fw.periods.includes(node.periodicity)) {
      issues.add(node.code, 'periodicity', [...path, 'periodicity'], `collected ${node.periodicity}, but the framework has no ${node.periodicity} period`);
    }
  }
  checkSubindices(fw, placed, unreadable, issues);
}

/**
 * A sub-index lists nodes, or other sub-indices standing for their nodes (CQS = the foundation + HDCQS). Every
 * name must resolve, the references must not loop, and no node may be counted twice once they are expanded.
 */
function checkSubindices(fw: FrameworkDef, placed: readonly Placed[], unreadable: ReadonlySet<string>, issues: Issues): void {
  const ancestorsOf = new Map(placed.map((p) => [p.node.code, p.ancestors]));
  const subCodes = new Set<string>();
  fw.subindices.forEach((sub, i) => {
    const path = ['subindices', i];
    if (ancestorsOf.has(sub.code) || subCodes.has(sub.code)) {
      issues.add(sub.code, 'duplicate-code', [...path, 'code'], `code ${sub.code} is already used by a node or another sub-index`);
    }
    subCodes.add(sub.code);
  });
  const byCode = new Map(fw.subindices.map((s) => [s.code, s]));
  const cyclic = new Set<string>();
  fw.subindices.forEach((sub, i) => {
    const loop = findCycle(sub.code, byCode);
    if (loop === null) return;
    cyclic.add(sub.code);
    issues.add(sub.code, 'cycle', ['subindices', i, 'of'], `sub-indices refer to each other in a loop: ${loop.join(' → ')}`);
  });
  fw.subindices.forEach((sub, i) => {
    const path = ['subindices', i];
    if (sub.of.length === 0) issues.add(sub.code, 'empty-list', [...path, 'of'], 'a sub-index needs at least one node');
    if (cyclic.has(sub.code)) return;
    // Each listed node, with the member of `of` it came through (itself, or a sub-index that contains it).
    const counted = new Map<string, string>();
    sub.of.forEach((member, j) => {
      const nested = byCode.get(member);
      if (nested === undefined && !ancestorsOf.has(member)) {
        if (!unreadable.has(member)) issues.add(sub.code, 'unknown-code', [...path, 'of', j], `no node or sub-index has code ${member}`);
        return;
      }
      const codes = nested === undefined ? [member] : subindexNodeCodes(fw.subindices, member);
      for (const code of codes) {
        const ancestors = ancestorsOf.get(code) ?? [];
        const twice = counted.has(code) ? code : ancestors.find((a) => counted.has(a)) ?? [...counted.keys()].find((c) => (ancestorsOf.get(c) ?? []).includes(code));
        if (twice !== undefined) {
          const via = counted.get(twice)!;
          issues.add(sub.code, 'subindex-overlap', [...path, 'of', j], `${code} would be counted twice (under ${twice}${via === twice ? '' : `, through ${via}`})`);
          return;
        }
      }
      for (const code of codes) counted.set(code, member);
    });
  });
}

/** The loop of sub-index references starting at `start`, e.g. [A, B, A], or null. */
function findCycle(start: string, byCode: ReadonlyMap<string, SubIndexDef>): string[] | null {
  const trail: string[] = [];
  const visit = (code: string): string[] | null => {
    if (trail.includes(code)) return code === start ? [...trail, code] : null;
    const sub = byCode.get(code);
    if (sub === undefined) return null;
    trail.push(code);
    for (const member of sub.of) {
      const loop = visit(member);
      if (loop !== null) return loop;
    }
    trail.pop();
    return null;
  };
  return visit(start);
}

function checkLists(fw: FrameworkDef, issues: Issues): void {
  if (fw.appliesTo.length === 0) issues.add(null, 'empty-list', ['applies_to'], 'applies_to is empty: the framework applies to no ranking group');
  if (fw.periods.length === 0) issues.add(null, 'empty-list', ['periods'], 'periods is empty: the framework is used in no period');
  if (fw.nodes.length === 0) issues.add(null, 'empty-list', ['nodes'], 'nodes is empty');
}

/** Parses and validates a definition in YAML or JSON (JSON is YAML 1.2). `fileName` is used in error messages. */
export function parseFramework(source: string, fileName: string): FrameworkDef {
  const issues = new Issues();
  const doc = YAML.parseDocument(source);
  for (const error of doc.errors) issues.add(null, 'syntax', [], error.message.split('\n')[0] ?? error.message);
  if (issues.list.length > 0) throw new FrameworkError(fileName, issues.list);

  const top = issues.parse(FrameworkSchema, doc.toJS(), null, []);
  if (top === null) throw new FrameworkError(fileName, issues.list);

  const ctx: ReadContext = { issues, unreadable: new Set() };
  const nodes = top.nodes.map((raw, i) => readNode(raw, ['nodes', i], ctx));
  const fw: FrameworkDef = {
    code: top.code,
    name: top.name,
    version: top.version,
    appliesTo: top.applies_to,
    periods: top.periods,
    nodes: nodes.filter((n): n is FrameworkNode => n !== null),
    subindices: top.subindices.map((s): SubIndexDef => ({ code: s.code, name: s.name, of: s.of })),
  };
  if (top.aggregate !== undefined) {
    fw.aggregate = toAggregation(top.aggregate);
    if (fw.nodes.length === top.nodes.length) checkAggregation(fw.aggregate, fw.nodes, null, ['aggregate'], issues);
  }
  checkLists(fw, issues);
  checkTree(fw, ctx.unreadable, issues);
  if (issues.list.length > 0) throw new FrameworkError(fileName, issues.list);
  return fw;
}

/** Reads and validates a definition file; errors name the file by the path given. */
export async function loadFrameworkFile(path: string): Promise<FrameworkDef> {
  const source = await readFile(path, 'utf8');
  return parseFramework(source, path);
}
