import type { Knex } from 'knex';
import type { ReportedValue } from '../scoring/scoring.types.js';
import type { SubmissionState } from './workflow.js';

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
});

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
  const r = await db('submissions').where({ id }).first();
  return r && toSubmission(r);
}

export async function findSubmission(db: Knex, agencyId: number, periodId: number): Promise<SubmissionRow | undefined> {
  const r = await db('submissions').where({ agency_id: agencyId, period_id: periodId }).first();
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
    createdAt: r.created_at,
  }));
}

export interface NewEvidence {
  nodeId: number | null;
  docNumber: string;
  issuedOn: string | null;
  summary: string | null;
  issuer: string | null;
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
 * A recognised value packed as [code, value, denominator, option, adjusted]: the appraised value where the reviewer
 * set one (adjusted = 1), else the self-assessed one.
 */
export type PackedValue = [string, number | null, number | null, string | null, 0 | 1];

/**
 * The counted values of a period, one row per agency with its recognised values as one JSON text in framework
 * order: at the scale of a province (10 000 agencies × 100 indicators) this reads several times faster than a row
 * per value, and the text itself can be hashed to tell whether an agency's inputs changed. Optionally only some
 * agencies.
 */
export async function countedValuesPacked(
  db: Knex,
  periodId: number,
  states: readonly string[],
  agencyIds: number[] | null,
): Promise<Array<{ agencyId: number; packed: string }>> {
  const q = db('submissions as s')
    .join('submission_values as v', 'v.submission_id', 's.id')
    .join('framework_nodes as n', 'n.id', 'v.node_id')
    .joinRaw(
      `CROSS JOIN LATERAL (SELECT v.appraised_value IS NOT NULL OR v.appraised_denominator IS NOT NULL
                                  OR v.appraised_option IS NOT NULL AS adjusted) a`,
    )
    .where('s.period_id', periodId)
    .whereIn('s.state', states)
    .groupBy('s.agency_id')
    .select(
      's.agency_id',
      db.raw(`json_agg(json_build_array(n.code,
                CASE WHEN a.adjusted THEN v.appraised_value ELSE v.self_value END::float8,
                CASE WHEN a.adjusted THEN v.appraised_denominator ELSE v.self_denominator END::float8,
                CASE WHEN a.adjusted THEN v.appraised_option ELSE v.self_option END,
                a.adjusted::int) ORDER BY n.position)::text AS packed`),
    );
  if (agencyIds) q.whereRaw('s.agency_id = ANY(?::int[])', [agencyIds as unknown as Knex.Value]);
  const rows = await q;
  return rows.map((r: { agency_id: number; packed: string }) => ({ agencyId: r.agency_id, packed: r.packed }));
}
