import type { Knex } from 'knex';
import type { ReportedValue } from '../scoring/scoring.types.js';
import type { SubmissionState } from './workflow.js';
import { arrayLength, bytesOf, int4Into, numericInto, textArray } from '../db/binary-arrays.js';

export interface SubmissionRow {
  id: number;
  agencyId: number;
  periodId: number;
  state: SubmissionState;
  version: number;
  submittedAt: Date | null;
  submittedBy: number | null;
  reviewedAt: Date | null;
  reviewedBy: number | null;
  returnReason: string | null;
  updatedAt: Date;
  updatedBy: number | null;
  /** Full name of whoever changed the submission last, for the "someone else saved" message. */
  updatedByName: string | null;
  /** When the report first reached the Department; timeliness counts this one, not a resubmission. */
  firstSubmittedAt: Date | null;
}

const toSubmission = (r: Record<string, unknown>): SubmissionRow => ({
  id: r.id as number,
  agencyId: r.agency_id as number,
  periodId: r.period_id as number,
  state: r.state as SubmissionState,
  version: r.version as number,
  submittedAt: (r.submitted_at as Date | null) ?? null,
  submittedBy: (r.submitted_by as number | null) ?? null,
  reviewedAt: (r.reviewed_at as Date | null) ?? null,
  reviewedBy: (r.reviewed_by as number | null) ?? null,
  returnReason: (r.return_reason as string | null) ?? null,
  updatedAt: r.updated_at as Date,
  updatedBy: (r.updated_by as number | null) ?? null,
  updatedByName: (r.updated_by_name as string | null) ?? null,
  firstSubmittedAt: (r.first_submitted_at as Date | null) ?? null,
});

const submissionQuery = (db: Knex) =>
  db('submissions as s').leftJoin('users as u', 'u.id', 's.updated_by').select('s.*', 'u.full_name as updated_by_name');

export interface StoredValue {
  code: string;
  nodeId: number;
  self: ReportedValue | null;
  comment: string | null;
  appraised: ReportedValue | null;
  appraisalReason: string | null;
}

const reported = (value: unknown, denominator: unknown, option: unknown): ReportedValue | null =>
  value === null && denominator === null && option === null
    ? null
    : {
        value: (value as number | null) ?? null,
        denominator: (denominator as number | null) ?? null,
        option: (option as string | null) ?? null,
      };

const toStoredValue = (r: Record<string, unknown>): StoredValue => ({
  code: r.code as string,
  nodeId: r.node_id as number,
  self: reported(r.self_value, r.self_denominator, r.self_option),
  comment: (r.comment as string | null) ?? null,
  appraised: reported(r.appraised_value, r.appraised_denominator, r.appraised_option),
  appraisalReason: (r.appraisal_reason as string | null) ?? null,
});

export async function getSubmission(db: Knex, id: number): Promise<SubmissionRow | undefined> {
  const r = await submissionQuery(db).where('s.id', id).first();
  return r && toSubmission(r);
}

export async function findSubmission(db: Knex, agencyId: number, periodId: number): Promise<SubmissionRow | undefined> {
  const r = await submissionQuery(db).where({ 's.agency_id': agencyId, 's.period_id': periodId }).first();
  return r && toSubmission(r);
}

export async function insertSubmission(
  db: Knex,
  agencyId: number,
  periodId: number,
  fields: { state: SubmissionState; returnReason?: string | null; submittedAt?: Date | null; reviewedAt?: Date | null } = {
    state: 'draft',
  },
): Promise<number> {
  const [row] = await db('submissions')
    .insert({
      agency_id: agencyId,
      period_id: periodId,
      state: fields.state,
      return_reason: fields.returnReason ?? null,
      submitted_at: fields.submittedAt ?? null,
      first_submitted_at: fields.submittedAt ?? null,
      reviewed_at: fields.reviewedAt ?? null,
    })
    .onConflict(['agency_id', 'period_id'])
    .ignore()
    .returning('id');
  if (row) return (row as { id: number }).id;
  return (await findSubmission(db, agencyId, periodId))!.id;
}

/**
 * Moves the submission to its next version if it is still at `expectedVersion`; false when someone else got there
 * first. Every change to a submission passes here, so a stale form can never overwrite newer data.
 */
export async function advanceVersion(
  trx: Knex.Transaction,
  id: number,
  expectedVersion: number,
  patch: Record<string, unknown> = {},
): Promise<boolean> {
  const n = await trx('submissions')
    .where({ id, version: expectedVersion })
    .update({ ...patch, version: expectedVersion + 1, updated_at: trx.fn.now() });
  return n === 1;
}

export async function valuesOf(db: Knex, submissionId: number): Promise<Map<string, StoredValue>> {
  const rows = await db('submission_values as v')
    .join('framework_nodes as n', 'n.id', 'v.node_id')
    .where('v.submission_id', submissionId)
    .select('v.*', 'n.code');
  return new Map(rows.map((r) => [r.code as string, toStoredValue(r)]));
}

export interface SelfValueWrite {
  nodeId: number;
  self: ReportedValue | null;
  comment: string | null;
}

export async function upsertSelfValues(
  trx: Knex.Transaction,
  submissionId: number,
  userId: number | null,
  values: SelfValueWrite[],
): Promise<void> {
  if (values.length === 0) return;
  await trx('submission_values')
    .insert(
      values.map((v) => ({
        submission_id: submissionId,
        node_id: v.nodeId,
        self_value: v.self?.value ?? null,
        self_denominator: v.self?.denominator ?? null,
        self_option: v.self?.option ?? null,
        comment: v.comment,
        updated_by: userId,
        updated_at: trx.fn.now(),
      })),
    )
    .onConflict(['submission_id', 'node_id'])
    .merge(['self_value', 'self_denominator', 'self_option', 'comment', 'updated_by', 'updated_at']);
}

export async function upsertAppraisal(
  trx: Knex.Transaction,
  submissionId: number,
  nodeId: number,
  userId: number | null,
  appraised: ReportedValue | null,
  reason: string | null,
): Promise<void> {
  await trx('submission_values')
    .insert({
      submission_id: submissionId,
      node_id: nodeId,
      appraised_value: appraised?.value ?? null,
      appraised_denominator: appraised?.denominator ?? null,
      appraised_option: appraised?.option ?? null,
      appraisal_reason: appraised ? reason : null,
      appraised_by: appraised ? userId : null,
      appraised_at: appraised ? trx.fn.now() : null,
    })
    .onConflict(['submission_id', 'node_id'])
    .merge([
      'appraised_value',
      'appraised_denominator',
      'appraised_option',
      'appraisal_reason',
      'appraised_by',
      'appraised_at',
    ]);
}

export interface EvidenceRow {
  id: number;
  submissionId: number;
  nodeCode: string | null;
  docNumber: string | null;
  issuedOn: string | null;
  summary: string | null;
  issuer: string | null;
  /** An attached file: its original name (hostile text, escape it), type and size; null for a reference only. */
  fileName: string | null;
  mimeType: string | null;
  sizeBytes: number | null;
  createdAt: Date;
}

export async function evidenceOf(db: Knex, submissionId: number): Promise<EvidenceRow[]> {
  const rows = await db('evidence as e')
    .leftJoin('framework_nodes as n', 'n.id', 'e.node_id')
    .where('e.submission_id', submissionId)
    .orderBy('e.id')
    .select('e.*', 'n.code as node_code');
  return rows.map((r) => ({
    id: r.id,
    submissionId: r.submission_id,
    nodeCode: r.node_code,
    docNumber: r.doc_number,
    issuedOn: r.issued_on,
    summary: r.summary,
    issuer: r.issuer,
    fileName: r.storage_key ? r.file_name : null,
    mimeType: r.storage_key ? r.mime_type : null,
    sizeBytes: r.storage_key ? r.size_bytes : null,
    createdAt: r.created_at,
  }));
}

export interface NewEvidence {
  nodeId: number | null;
  docNumber: string | null;
  issuedOn: string | null;
  summary: string | null;
  issuer: string | null;
  /** An attached file, stored by the file store under `storageKey`. */
  file?: { name: string; mimeType: string; sizeBytes: number; sha256: string; storageKey: string };
}

export async function insertEvidence(
  trx: Knex,
  submissionId: number,
  userId: number | null,
  e: NewEvidence,
): Promise<number> {
  const [row] = await trx('evidence')
    .insert({
      submission_id: submissionId,
      node_id: e.nodeId,
      doc_number: e.docNumber,
      issued_on: e.issuedOn,
      summary: e.summary,
      issuer: e.issuer,
      file_name: e.file?.name ?? null,
      mime_type: e.file?.mimeType ?? null,
      size_bytes: e.file?.sizeBytes ?? null,
      sha256: e.file?.sha256 ?? null,
      storage_key: e.file?.storageKey ?? null,
      created_by: userId,
    })
    .returning('id');
  return (row as { id: number }).id;
}

export async function deleteEvidence(trx: Knex.Transaction, submissionId: number, evidenceId: number): Promise<number> {
  return trx('evidence').where({ id: evidenceId, submission_id: submissionId }).delete();
}

/** Moves every approved submission of a period to published. */
export async function publishApproved(
  trx: Knex.Transaction,
  periodId: number,
): Promise<Array<{ id: number; agencyId: number }>> {
  const rows = await trx('submissions')
    .where({ period_id: periodId, state: 'approved' })
    .update({ state: 'published', version: trx.raw('version + 1'), updated_at: trx.fn.now() })
    .returning(['id', 'agency_id']);
  return rows.map((r: { id: number; agency_id: number }) => ({ id: r.id, agencyId: r.agency_id }));
}

export interface CountedValueRow {
  agencyId: number;
  code: string;
  self: ReportedValue | null;
  appraised: ReportedValue | null;
}

/** The values the index is computed from: those of approved or published submissions of a period. */
export async function countedValues(db: Knex, periodId: number, states: readonly string[]): Promise<CountedValueRow[]> {
  const rows = await db('submission_values as v')
    .join('submissions as s', 's.id', 'v.submission_id')
    .join('framework_nodes as n', 'n.id', 'v.node_id')
    .where('s.period_id', periodId)
    .whereIn('s.state', states)
    .orderBy(['s.agency_id', 'n.position'])
    .select('s.agency_id', 'n.code', 'v.*');
  return rows.map((r) => {
    const v = toStoredValue(r);
    return { agencyId: r.agency_id, code: v.code, self: v.self, appraised: v.appraised };
  });
}

/** One agency's counted submission, as a marker that changes whenever its state, version or any value changes. */
export interface CountedMarker {
  agencyId: number;
  periodId: number;
  marker: string;
}

export async function countedMarkers(db: Knex, periodIds: number[], states: readonly string[]): Promise<CountedMarker[]> {
  if (periodIds.length === 0) return [];
  const rows = await db('submissions')
    .whereIn('period_id', periodIds)
    .whereIn('state', states)
    .select('agency_id', 'period_id', 'id', 'version', 'values_rev');
  return rows.map((r) => ({ agencyId: r.agency_id, periodId: r.period_id, marker: `${r.id}.${r.version}.${r.values_rev}` }));
}

/**
 * One agency's counted values in one period, as columns: per value its node, the recognised value and denominator
 * (the appraised ones where the reviewer set any, else the self-assessed ones; NaN where missing), its option, and
 * whether the reviewer set it (1 or 0). `options` and `adjusted` are null when no value has one. In no particular
 * order (each column in the same one).
 */
export interface ValueColumns {
  agencyId: number;
  periodId: number;
  nodeIds: Int32Array;
  values: Float64Array;
  denominators: Float64Array;
  options: Array<string | null> | null;
  adjusted: Uint8Array | null;
}

/**
 * The counted values of some periods, one row per agency and period with its values as arrays in PostgreSQL's binary
 * format (binary-arrays.ts): at the scale of a province (10 000 agencies × 100 indicators) this reads several times
 * faster than a row per value, and nothing is printed or parsed. The arrays are aggregated without an order (an
 * ordered aggregate sorts each agency's values once per column); the reader places values by node id. Optionally
 * only some agencies.
 */
export async function countedValueColumns(
  db: Knex,
  periodIds: number[],
  states: readonly string[],
  agencyIds: number[] | null,
): Promise<ValueColumns[]> {
  if (periodIds.length === 0) return [];
  const { rows } = (await countedValueColumnsQuery(db, periodIds, states, agencyIds)) as { rows: ValueColumnsRow[] };
  return valueColumnsOf(rows);
}

/**
 * The query of countedValueColumns, in agency order (then period): read with a cursor, each agency's rows come
 * together and in turn, as the index scan of its submissions produces them. Options and the reviewer's mark are
 * rare, so they come only for the values that have them, with their node ids (filtered aggregates cost nothing for
 * the other rows). The arrays come as bytea in their binary form (array_send), or — `asCopied`, for a binary COPY,
 * which sends every field in that form anyway — as the arrays themselves.
 */
export function countedValueColumnsQuery(
  db: Knex,
  periodIds: number[],
  states: readonly string[],
  agencyIds: number[] | null,
  asCopied = false,
): Knex.Raw {
  const send = (array: string): string => (asCopied ? array : `array_send(${array})`);
  return db.raw(
    `SELECT s.agency_id, s.period_id, ${send('array_agg(v.node_id)')} AS ids, ${send('array_agg(r.x)')} AS vals,
            ${send('array_agg(r.d)')} AS dens,
            ${send('array_agg(v.node_id) FILTER (WHERE r.o IS NOT NULL)')} AS option_ids,
            ${send('array_agg(r.o) FILTER (WHERE r.o IS NOT NULL)')} AS opts,
            ${send('array_agg(v.node_id) FILTER (WHERE r.adjusted)')} AS adjusted_ids
       FROM submissions s
       JOIN submission_values v ON v.submission_id = s.id
       CROSS JOIN LATERAL (SELECT v.appraised_value IS NOT NULL OR v.appraised_denominator IS NOT NULL
                                  OR v.appraised_option IS NOT NULL AS adjusted) a
       CROSS JOIN LATERAL (SELECT a.adjusted,
                                  CASE WHEN a.adjusted THEN v.appraised_value ELSE v.self_value END AS x,
                                  CASE WHEN a.adjusted THEN v.appraised_denominator ELSE v.self_denominator END AS d,
                                  CASE WHEN a.adjusted THEN v.appraised_option ELSE v.self_option END AS o) r
      WHERE s.period_id = ANY(?::int[]) AND s.state = ANY(?::text[])
        ${agencyIds ? 'AND s.agency_id = ANY(?::int[])' : ''}
      GROUP BY s.agency_id, s.period_id
      ORDER BY s.agency_id, s.period_id`,
    [periodIds, states, ...(agencyIds ? [agencyIds] : [])] as unknown as Knex.RawBinding[],
  );
}

/** A row of countedValueColumnsQuery made of the fields of a binary COPY of it (`asCopied`), in its column order. */
export function valueColumnsRowOfCopy(fields: ReadonlyArray<Buffer | null>): ValueColumnsRow {
  return {
    agency_id: fields[0]!.readInt32BE(0),
    period_id: fields[1]!.readInt32BE(0),
    ids: fields[2]!,
    vals: fields[3]!,
    dens: fields[4]!,
    option_ids: fields[5] ?? null,
    opts: fields[6] ?? null,
    adjusted_ids: fields[7] ?? null,
  };
}

/** A row of countedValueColumnsQuery as the driver returns it: the arrays as bytes. */
export interface ValueColumnsRow {
  agency_id: number;
  period_id: number;
  ids: Uint8Array;
  vals: Uint8Array;
  dens: Uint8Array;
  option_ids: Uint8Array | null;
  opts: Uint8Array | null;
  adjusted_ids: Uint8Array | null;
}

/** An int4[] of node ids, in memory kept for the next call (read at once, never kept). */
function ids(bytes: Uint8Array): Int32Array {
  const buf = bytesOf(bytes);
  const count = arrayLength(buf);
  if (idScratch.length < count) idScratch = new Int32Array(Math.max(count, 2 * idScratch.length));
  int4Into(buf, idScratch, 0);
  return idScratch.subarray(0, count);
}

let idScratch = new Int32Array(256);

/**
 * Rows of countedValueColumnsQuery decoded. The numbers of all rows go into three arrays, each row's columns views
 * of them: a province's rows would otherwise be tens of thousands of small arrays, each with memory of its own for
 * the garbage collector to track.
 */
export function valueColumnsOf(rows: readonly ValueColumnsRow[]): ValueColumns[] {
  const bytes = rows.map((r) => ({ ids: bytesOf(r.ids), vals: bytesOf(r.vals), dens: bytesOf(r.dens) }));
  const total = bytes.reduce((n, b) => n + arrayLength(b.ids), 0);
  const nodeIds = new Int32Array(total);
  const values = new Float64Array(total);
  const denominators = new Float64Array(total);
  let at = 0;
  return rows.map((r, i) => {
    const b = bytes[i]!;
    const count = int4Into(b.ids, nodeIds, at);
    numericInto(b.vals, values, at);
    numericInto(b.dens, denominators, at);
    const own = nodeIds.subarray(at, at + count);
    const row: ValueColumns = {
      agencyId: r.agency_id,
      periodId: r.period_id,
      nodeIds: own,
      values: values.subarray(at, at + count),
      denominators: denominators.subarray(at, at + count),
      options: null,
      adjusted: null,
    };
    at += count;
    if (r.option_ids && r.opts) {
      const codes = textArray(bytesOf(r.opts));
      const options = new Array<string | null>(count).fill(null);
      ids(r.option_ids).forEach((id, k) => (options[own.indexOf(id)] = codes[k] ?? null));
      row.options = options;
    }
    if (r.adjusted_ids) {
      const adjusted = new Uint8Array(count);
      for (const id of ids(r.adjusted_ids)) adjusted[own.indexOf(id)] = 1;
      row.adjusted = adjusted;
    }
    return row;
  });
}

export interface ReturnRow {
  id: number;
  reason: string;
  returnedBy: string | null;
  returnedAt: Date;
  /** Reason per indicator code. */
  items: Map<string, string>;
}

export async function insertReturn(
  trx: Knex.Transaction,
  submissionId: number,
  userId: number,
  reason: string,
  items: Array<{ nodeId: number; reason: string }>,
): Promise<number> {
  const [row] = await trx('submission_returns').insert({ submission_id: submissionId, reason, returned_by: userId }).returning('id');
  const id = (row as { id: number }).id;
  if (items.length) await trx('submission_return_items').insert(items.map((i) => ({ return_id: id, node_id: i.nodeId, reason: i.reason })));
  return id;
}

/** Every return of a submission, newest first, with its reasons per indicator. */
export async function returnsOf(db: Knex, submissionId: number): Promise<ReturnRow[]> {
  const returns = await db('submission_returns as r')
    .leftJoin('users as u', 'u.id', 'r.returned_by')
    .where('r.submission_id', submissionId)
    .orderBy('r.id', 'desc')
    .select('r.id', 'r.reason', 'r.returned_at', 'u.full_name');
  if (returns.length === 0) return [];
  const items = await db('submission_return_items as i')
    .join('framework_nodes as n', 'n.id', 'i.node_id')
    .whereIn('i.return_id', returns.map((r) => r.id))
    .orderBy(['i.return_id', 'n.position'])
    .select('i.return_id', 'n.code', 'i.reason');
  return returns.map((r) => ({
    id: r.id,
    reason: r.reason,
    returnedBy: r.full_name ?? null,
    returnedAt: r.returned_at,
    items: new Map(items.filter((i) => i.return_id === r.id).map((i) => [i.code as string, i.reason as string])),
  }));
}

export async function touchPresence(db: Knex, submissionId: number, userId: number, at: Date): Promise<void> {
  await db('submission_presence')
    .insert({ submission_id: submissionId, user_id: userId, seen_at: at })
    .onConflict(['submission_id', 'user_id'])
    .merge(['seen_at']);
}

export interface PresenceRow {
  userId: number;
  fullName: string;
  username: string;
  seenAt: Date;
}

/** Who else had the submission open since the given moment. */
export async function presentSince(db: Knex, submissionId: number, exceptUserId: number, since: Date): Promise<PresenceRow[]> {
  const rows = await db('submission_presence as p')
    .join('users as u', 'u.id', 'p.user_id')
    .where('p.submission_id', submissionId)
    .andWhere('p.user_id', '<>', exceptUserId)
    .andWhere('p.seen_at', '>=', since)
    .orderBy('u.full_name')
    .select('p.user_id', 'u.full_name', 'u.username', 'p.seen_at');
  return rows.map((r) => ({ userId: r.user_id, fullName: r.full_name, username: r.username, seenAt: r.seen_at }));
}

export async function statesByAgency(db: Knex, periodId: number): Promise<Map<number, { id: number; state: SubmissionState }>> {
  const rows = await db('submissions').where({ period_id: periodId }).select('id', 'agency_id', 'state');
  return new Map(rows.map((r: { id: number; agency_id: number; state: SubmissionState }) => [r.agency_id, { id: r.id, state: r.state }]));
}
