// Small builders and readers for the integration tests: ids by business code, valid values for any indicator,
// snapshots of a submission to prove that a refused request changed nothing, and readers for the pages.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Knex } from 'knex';
import type { Stream } from 'node:stream';
import { loadFrameworkFile } from '../../server/frameworks/framework.loader.js';
import { indicatorsOf, type FrameworkDef, type IndicatorDef } from '../../server/frameworks/framework.types.js';
import type { RawValue } from '../../server/submissions/value-validation.js';
import type { ReportedValue } from '../../server/scoring/scoring.types.js';

const frameworksDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../frameworks');

export async function frameworkFile(file: 'dti-so.yaml' | 'dti-xa.yaml'): Promise<{ def: FrameworkDef; indicators: IndicatorDef[] }> {
  const def = await loadFrameworkFile(path.join(frameworksDir, file));
  return { def, indicators: indicatorsOf(def.nodes) };
}

export async function idOf(db: Knex, table: 'agencies' | 'periods' | 'users', column: string, value: string): Promise<number> {
  const row = await db(table).where(column, value).first('id');
  if (!row) throw new Error(`no ${table} with ${column} = ${value}`);
  return row.id as number;
}

export const agencyId = (db: Knex, code: string): Promise<number> => idOf(db, 'agencies', 'code', code);
export const periodId = (db: Knex, code: string): Promise<number> => idOf(db, 'periods', 'code', code);
export const userId = (db: Knex, username: string): Promise<number> => idOf(db, 'users', 'username', username);

export async function submissionId(db: Knex, agencyCode: string, periodCode: string): Promise<number> {
  const row = await db('submissions as s')
    .join('agencies as a', 'a.id', 's.agency_id')
    .join('periods as p', 'p.id', 's.period_id')
    .where({ 'a.code': agencyCode, 'p.code': periodCode })
    .first('s.id');
  if (!row) throw new Error(`no submission of ${agencyCode} in ${periodCode}`);
  return row.id as number;
}

/** A value any agency could report for the indicator, as the form posts it. */
export function validRaw(ind: IndicatorDef): RawValue {
  switch (ind.input.kind) {
    case 'ratio':
      return { value: '9', denominator: '10' };
    case 'count':
      return { value: '4' };
    case 'percent':
      return { value: '80' };
    case 'fraction':
      return { value: '0,8' };
    case 'yesno':
      return { option: '1' };
    case 'choice':
      return { option: ind.input.options![0]!.code };
    case 'appraised':
      return { value: String(Math.floor(ind.max / 2)) };
    case 'evidence':
      return {};
  }
}

/** The same value as stored. */
export function validReported(ind: IndicatorDef): ReportedValue | null {
  switch (ind.input.kind) {
    case 'ratio':
      return { value: 9, denominator: 10, option: null };
    case 'count':
      return { value: 4, denominator: null, option: null };
    case 'percent':
      return { value: 80, denominator: null, option: null };
    case 'fraction':
      return { value: 0.8, denominator: null, option: null };
    case 'yesno':
      return { value: 1, denominator: null, option: null };
    case 'choice':
      return { value: null, denominator: null, option: ind.input.options![0]!.code };
    case 'appraised':
      return { value: Math.floor(ind.max / 2), denominator: null, option: null };
    case 'evidence':
      return null;
  }
}

export interface StoredRow {
  code: string;
  selfValue: number | null;
  selfDenominator: number | null;
  selfOption: string | null;
  comment: string | null;
  appraisedValue: number | null;
  appraisedDenominator: number | null;
  appraisalReason: string | null;
}

export async function storedValues(db: Knex, submission: number): Promise<Map<string, StoredRow>> {
  const rows = await db('submission_values as v')
    .join('framework_nodes as n', 'n.id', 'v.node_id')
    .where('v.submission_id', submission)
    .select('n.code', 'v.*');
  return new Map(
    rows.map((r) => [
      r.code as string,
      {
        code: r.code,
        selfValue: r.self_value,
        selfDenominator: r.self_denominator,
        selfOption: r.self_option,
        comment: r.comment,
        appraisedValue: r.appraised_value,
        appraisedDenominator: r.appraised_denominator,
        appraisalReason: r.appraisal_reason,
      },
    ]),
  );
}

export async function evidenceCodes(db: Knex, submission: number): Promise<string[]> {
  const rows = await db('evidence as e')
    .leftJoin('framework_nodes as n', 'n.id', 'e.node_id')
    .where('e.submission_id', submission)
    .orderBy('e.id')
    .select('n.code');
  return rows.map((r) => r.code as string);
}

/** Everything a request could change about a submission, to compare before and after. */
export async function snapshot(db: Knex, submission: number): Promise<unknown> {
  const s = await db('submissions').where('id', submission).first('state', 'version', 'return_reason', 'submitted_by', 'reviewed_by');
  const values = await db('submission_values').where('submission_id', submission).orderBy('id').select('*');
  const evidence = await db('evidence').where('submission_id', submission).orderBy('id').select('*');
  const audit = await db('audit_events').where('submission_id', submission).count<{ n: number | string }[]>('* as n');
  return { s, values, evidence, audit: Number(audit[0]!.n) };
}

export async function stateOf(db: Knex, submission: number): Promise<{ state: string; version: number; returnReason: string | null }> {
  const s = await db('submissions').where('id', submission).first('state', 'version', 'return_reason');
  return { state: s.state, version: s.version, returnReason: s.return_reason };
}

/** Undoes the HTML escaping of handlebars, to compare page text with messages. */
export function unescapeHtml(s: string): string {
  return s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#x27;/g, "'")
    .replace(/&#x3D;/g, '=')
    .replace(/&#x60;/g, '`')
    .replace(/&amp;/g, '&');
}

/** The messages of the error box on a form page (the problems listed with the error). */
export function errorList(html: string): { message: string | undefined; items: string[] } {
  const box = /<div class="alert" role="alert">\s*<strong>([\s\S]*?)<\/strong>([\s\S]*?)<\/div>/.exec(html);
  if (!box) return { message: undefined, items: [] };
  const items = [...(box[2] ?? '').matchAll(/<li>([\s\S]*?)<\/li>/g)].map((m) => unescapeHtml(m[1]!.trim()));
  return { message: unescapeHtml(box[1]!.trim()), items };
}

/** A Vietnamese-formatted number ("1.234,56") as a number. */
export const parseVi = (s: string): number => Number(s.trim().replace(/\./g, '').replace(',', '.'));

/** The totals block of a submission form. */
export function totalsOf(html: string): { selfPoints: number; points: number; max: number } {
  const read = (label: string): number => {
    const m = new RegExp(`<dt>${label}</dt><dd>([^<]+)</dd>`).exec(html);
    if (!m?.[1]) throw new Error(`no "${label}" on page`);
    return parseVi(m[1]);
  };
  return { selfPoints: read('Điểm tự đánh giá'), points: read('Điểm được công nhận'), max: read('Điểm tối đa') };
}

/** Reads a binary response body (xlsx) into a Buffer. */
export function binary(res: Stream, cb: (err: Error | null, body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
  res.on('error', (err: Error) => cb(err, Buffer.alloc(0)));
}
