// `dti score`: the index computed offline, for analysts, from a framework file and CSV files — no database.
// The same loader, value validation and scoring core as the platform, so a file scored here gives the numbers a
// run would. Bad input is refused whole with every problem named by file and line (README "dti score").
import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { AppError, type FieldProblem } from '../errors.js';
import { safeCell } from '../../reports/format.js';
import { FrameworkError, loadFrameworkFile } from '../frameworks/framework.loader.js';
import { indicatorsOf, notCollectedIn, type FrameworkDef, type IndicatorDef, type PeriodKind } from '../frameworks/framework.types.js';
import { parseValue } from '../submissions/value-validation.js';
import { computeScores } from './compute.js';
import { roundPublished } from './score.js';
import type { AgencyInput, AgencyScore, IndicatorInput } from './scoring.types.js';

export interface OfflineAgency {
  code: string;
  name: string;
  group: string;
}

export interface OfflineFigure {
  code: string;
  name: string;
  points: number;
  max: number;
  /** 0–1 to four decimals; null when the figure has no max for this agency. */
  value: number | null;
  rank: number | null;
}

export interface OfflineResult {
  agency: string;
  name: string;
  group: string;
  points: number;
  max: number;
  total: number | null;
  rank: number | null;
  /** The main indices (the framework's top-level nodes), in definition order. */
  indices: OfflineFigure[];
  subindices: OfflineFigure[];
  indicators: Array<{ code: string; points: number; max: number; measure: number | null; flag: string }>;
}

export interface OfflineScores {
  framework: { code: string; name: string; version: number };
  periodKind: PeriodKind;
  agencies: OfflineResult[];
}

/** Problems of one input file, each with its line; thrown as one validation error. */
class Problems {
  readonly list: FieldProblem[] = [];
  constructor(private readonly file: string) {}
  add(line: number | null, message: string): void {
    this.list.push({ field: line === null ? this.file : `${this.file}:${line}`, message: `${this.file}${line === null ? '' : `, dòng ${line}`}: ${message}` });
  }
  throwIfAny(): void {
    if (this.list.length === 0) return;
    const first = this.list[0]!.message;
    const more = this.list.length > 1 ? ` (và ${this.list.length - 1} lỗi khác)` : '';
    throw new AppError('validation', `Dữ liệu không hợp lệ — ${first}${more}`, this.list.length > 1 ? this.list : []);
  }
}

interface CsvRow {
  line: number;
  fields: Record<string, string>;
}

/** Parses a CSV file with a header line; the header must hold the required columns and only known ones. */
function readCsv(text: string, file: string, required: readonly string[], optional: readonly string[]): CsvRow[] {
  const problems = new Problems(file);
  let records: Array<{ record: Record<string, string>; info: { lines: number } }>;
  let columns: string[] = [];
  const header = (names: string[]): string[] => {
    columns = names.map((h) => h.trim().toLowerCase());
    return columns;
  };
  try {
    records = parse(text, { columns: header, bom: true, skip_empty_lines: true, trim: true, info: true });
  } catch (error) {
    const line = typeof (error as { lines?: unknown }).lines === 'number' ? (error as { lines: number }).lines : null;
    problems.add(line, `không đọc được tệp CSV (${(error as Error).message.split('\n')[0]})`);
    problems.throwIfAny();
    return [];
  }
  for (const column of required) {
    if (!columns.includes(column)) problems.add(1, `thiếu cột "${column}" (dòng tiêu đề phải có ${required.join(', ')})`);
  }
  for (const column of columns) {
    if (![...required, ...optional].includes(column)) problems.add(1, `cột "${column}" không được hỗ trợ (các cột: ${[...required, ...optional].join(', ')})`);
  }
  problems.throwIfAny();
  return records.map(({ record, info }) => ({ line: info.lines, fields: record }));
}

/** agencies.csv: `agency,name,group`; every group must be one the framework applies to. */
export function parseAgenciesCsv(text: string, file: string, fw: FrameworkDef): OfflineAgency[] {
  const rows = readCsv(text, file, ['agency', 'name', 'group'], []);
  const problems = new Problems(file);
  const seen = new Set<string>();
  const out: OfflineAgency[] = [];
  for (const { line, fields } of rows) {
    const code = fields.agency ?? '';
    const group = fields.group ?? '';
    if (code === '') problems.add(line, 'thiếu mã đơn vị (cột agency)');
    else if (seen.has(code)) problems.add(line, `đơn vị ${code} đã có ở dòng trước`);
    if (!fw.appliesTo.includes(group)) problems.add(line, `khối "${group}" không thuộc bộ chỉ số ${fw.code} (các khối: ${fw.appliesTo.join(', ')})`);
    seen.add(code);
    out.push({ code, name: fields.name || code, group });
  }
  problems.throwIfAny();
  if (out.length === 0) throw new AppError('validation', `${file}: không có đơn vị nào.`);
  return out;
}

/** What values.csv says per agency: the values by indicator, and the nodes that do not apply to it. */
export interface OfflineValues {
  values: Map<string, Record<string, IndicatorInput>>;
  notApplicable: Map<string, string[]>;
}

/** The value that marks a node as not applicable to the agency ("không áp dụng"). */
const NOT_APPLICABLE = new Set(['na', 'kad']);

/**
 * values.csv: `agency,indicator,value[,denominator]`. A ratio's value is its numerator; a choice's value is the
 * option code; yes/no is 1/0 (or yes/no, co/khong); an appraised value is the points; an empty value is "not
 * reported" and falls to the indicator's missing-data policy; `NA` (or `KAD`, không áp dụng) says the indicator —
 * or the index node named in the indicator column — does not apply to the agency. Values are checked as the entry
 * form checks them.
 */
export function parseValuesCsv(text: string, file: string, fw: FrameworkDef, known: ReadonlySet<string> | null): OfflineValues {
  const rows = readCsv(text, file, ['agency', 'indicator', 'value'], ['denominator']);
  const problems = new Problems(file);
  const byCode = new Map(indicatorsOf(fw.nodes).map((i) => [i.code, i]));
  const nodeCodes = new Set(allNodeCodes(fw));
  const out = new Map<string, Record<string, IndicatorInput>>();
  const notApplicable = new Map<string, string[]>();
  const seen = new Set<string>();
  for (const { line, fields } of rows) {
    const agency = fields.agency ?? '';
    const code = fields.indicator ?? '';
    const def = byCode.get(code);
    if (agency === '') problems.add(line, 'thiếu mã đơn vị (cột agency)');
    else if (known !== null && !known.has(agency)) problems.add(line, `đơn vị ${agency} không có trong tệp danh sách đơn vị`);
    if (seen.has(`${agency}\u0000${code}`)) {
      problems.add(line, `đơn vị ${agency} đã có giá trị chỉ số ${code} ở dòng trước`);
      continue;
    }
    seen.add(`${agency}\u0000${code}`);
    if (NOT_APPLICABLE.has((fields.value ?? '').toLowerCase()) && nodeCodes.has(code)) {
      notApplicable.set(agency, [...(notApplicable.get(agency) ?? []), code]);
      if (!out.has(agency)) out.set(agency, {});
      continue;
    }
    if (def === undefined) {
      problems.add(line, `chỉ số "${fields.indicator ?? ''}" không có trong bộ chỉ số ${fw.code}`);
      continue;
    }
    const values = out.get(agency) ?? {};
    const denominator = fields.denominator ?? '';
    if (def.input.kind !== 'ratio' && denominator !== '') problems.add(line, `chỉ số ${def.code} không phải tỷ lệ nên không có mẫu số`);
    const { parsed, problems: found } = parseValue(def, rawValue(def, fields.value ?? '', denominator));
    for (const p of found) problems.add(line, p.message);
    values[def.code] = { value: parsed.value };
    out.set(agency, values);
  }
  problems.throwIfAny();
  return { values: out, notApplicable };
}

function allNodeCodes(fw: FrameworkDef): string[] {
  const out: string[] = [];
  const walk = (nodes: FrameworkDef['nodes']): void => {
    for (const n of nodes) {
      out.push(n.code);
      if (n.type === 'index') walk(n.children);
    }
  };
  walk(fw.nodes);
  return out;
}

function rawValue(def: IndicatorDef, value: string, denominator: string): { value?: string; denominator?: string; option?: string } {
  if (def.input.kind === 'choice') return { option: value };
  return { value, denominator };
}

const published = (x: number | null): number | null => (x === null ? null : roundPublished(x));

/** Scores the agencies and lays the results out per agency: totals, main indices, sub-indices, indicators. */
export function scoreOffline(fw: FrameworkDef, agencies: readonly OfflineAgency[], given: OfflineValues, periodKind: PeriodKind): OfflineScores {
  const notCollected = notCollectedIn(fw.nodes, periodKind);
  const inputs: AgencyInput[] = agencies.map((a, i) => ({
    agencyId: i,
    group: a.group,
    values: { ...given.values.get(a.code) },
    notApplicable: [...notCollected, ...(given.notApplicable.get(a.code) ?? [])],
  }));
  const scores = computeScores(fw, inputs, fw.appliesTo.map((code) => ({ code, ranked: true })));
  const results = scores.map((score) => resultOf(fw, agencies[score.agencyId]!, score));
  const groupOrder = new Map(fw.appliesTo.map((g, i) => [g, i]));
  results.sort(
    (a, b) =>
      groupOrder.get(a.group)! - groupOrder.get(b.group)! ||
      (a.rank ?? Infinity) - (b.rank ?? Infinity) ||
      (a.agency < b.agency ? -1 : a.agency > b.agency ? 1 : 0),
  );
  return { framework: { code: fw.code, name: fw.name, version: fw.version }, periodKind, agencies: results };
}

function resultOf(fw: FrameworkDef, agency: OfflineAgency, score: AgencyScore): OfflineResult {
  const nodes = new Map(score.nodes.map((n) => [n.code, n]));
  const indicators = new Map(score.indicators.map((i) => [i.code, i]));
  const indices = fw.nodes.map((node): OfflineFigure => {
    const n = nodes.get(node.code);
    if (n !== undefined) return { code: node.code, name: node.name, points: n.points, max: n.max, value: published(n.value), rank: n.rank };
    const i = indicators.get(node.code)!;
    return { code: node.code, name: node.name, points: i.points, max: i.max, value: published(i.max > 0 ? i.points / i.max : null), rank: i.rank ?? null };
  });
  const subNames = new Map(fw.subindices.map((s) => [s.code, s.name]));
  return {
    agency: agency.code,
    name: agency.name,
    group: agency.group,
    points: score.total.points,
    max: score.total.max,
    total: published(score.total.value),
    rank: score.total.rank,
    indices,
    subindices: score.subindices.map((s) => ({ code: s.code, name: subNames.get(s.code) ?? s.code, points: s.points, max: s.max, value: published(s.value), rank: s.rank })),
    indicators: score.indicators.map((i) => ({ code: i.code, points: i.points, max: i.max, measure: i.measure, flag: i.flag })),
  };
}

const fixed = (x: number | null): string => (x === null ? '' : x.toFixed(4));
const whole = (x: number | null): string => (x === null ? '' : String(x));

/** One row per agency: agency, group, points, max, total, rank, then each main index and sub-index with its rank. */
export function offlineCsv(result: OfflineScores): string {
  const first = result.agencies[0];
  const figures = first ? [...first.indices, ...first.subindices].map((f) => f.code) : [];
  const header = ['agency', 'group', 'points', 'max', 'total', 'rank', ...figures.flatMap((c) => [c, `${c}_rank`])];
  const rows = result.agencies.map((a) => [
    safeCell(a.agency),
    safeCell(a.group),
    String(a.points),
    String(a.max),
    fixed(a.total),
    whole(a.rank),
    ...[...a.indices, ...a.subindices].flatMap((f) => [fixed(f.value), whole(f.rank)]),
  ]);
  return stringify([header, ...rows]);
}

export function offlineJson(result: OfflineScores): string {
  return `${JSON.stringify(result, null, 2)}\n`;
}

const USAGE = 'Cách dùng: dti score --framework TỆP.yaml --values TỆP.csv [--agencies TỆP.csv] [--format csv|json] [--kind annual|semiannual] [--out TỆP]';

/** The `dti score` command: returns the exit code; output goes to stdout or --out. */
export async function runScoreCommand(argv: string[], out: (text: string) => void = (t) => process.stdout.write(t)): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: argv,
      options: {
        framework: { type: 'string' },
        values: { type: 'string' },
        agencies: { type: 'string' },
        format: { type: 'string', default: 'csv' },
        kind: { type: 'string' },
        out: { type: 'string' },
      },
    }).values;
  } catch (error) {
    throw new AppError('validation', `${(error as Error).message}\n${USAGE}`);
  }
  if (!args.framework || !args.values) throw new AppError('validation', `Cần --framework và --values.\n${USAGE}`);
  if (args.format !== 'csv' && args.format !== 'json') throw new AppError('validation', `--format phải là csv hoặc json (là ${args.format}).`);
  if (args.kind !== undefined && args.kind !== 'annual' && args.kind !== 'semiannual') {
    throw new AppError('validation', `--kind phải là annual hoặc semiannual (là ${args.kind}).`);
  }

  let fw: FrameworkDef;
  try {
    fw = await loadFrameworkFile(args.framework);
  } catch (error) {
    if (error instanceof FrameworkError) throw new AppError('validation', `Bộ chỉ số không hợp lệ — ${error.message}`);
    throw notReadable(args.framework, error);
  }
  const kind: PeriodKind = (args.kind as PeriodKind | undefined) ?? (fw.periods.includes('annual') ? 'annual' : fw.periods[0]!);
  if (!fw.periods.includes(kind)) throw new AppError('validation', `Bộ chỉ số ${fw.code} không dùng cho kỳ ${kind}.`);

  const agencies = args.agencies ? parseAgenciesCsv(await readText(args.agencies), args.agencies, fw) : null;
  const values = parseValuesCsv(await readText(args.values), args.values, fw, agencies && new Set(agencies.map((a) => a.code)));
  // Without a list, every agency named in the values is in the framework's first ranking group.
  const list = agencies ?? [...values.values.keys()].sort().map((code) => ({ code, name: code, group: fw.appliesTo[0]! }));
  if (list.length === 0) throw new AppError('validation', `${args.values}: không có giá trị nào.`);

  const result = scoreOffline(fw, list, values, kind);
  const text = args.format === 'json' ? offlineJson(result) : offlineCsv(result);
  if (args.out) await writeFile(args.out, text);
  else out(text);
  return 0;
}

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw notReadable(file, error);
  }
}

function notReadable(file: string, error: unknown): AppError {
  return new AppError('validation', `${file}: không đọc được tệp (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).`);
}
