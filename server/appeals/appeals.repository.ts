import type { Knex } from 'knex';
import type { ReportedValue } from '../scoring/scoring.types.js';
import type { RunDiffLog } from './appeal-rules.js';

export type AppealState = 'open' | 'accepted' | 'rejected';

export interface AppealRow {
  id: number;
  periodId: number;
  agencyId: number;
  submissionId: number;
  publicationId: number;
  runId: number;
  state: AppealState;
  explanation: string;
  filedBy: number;
  filedAt: Date;
  decidedBy: number | null;
  decidedAt: Date | null;
  decisionReason: string | null;
  resultPublicationId: number | null;
  changeLog: RunDiffLog | null;
}

const toAppeal = (r: Record<string, unknown>): AppealRow => ({
  id: r.id as number,
  periodId: r.period_id as number,
  agencyId: r.agency_id as number,
  submissionId: r.submission_id as number,
  publicationId: r.publication_id as number,
  runId: r.run_id as number,
  state: r.state as AppealState,
  explanation: r.explanation as string,
  filedBy: r.filed_by as number,
  filedAt: r.filed_at as Date,
  decidedBy: (r.decided_by as number | null) ?? null,
  decidedAt: (r.decided_at as Date | null) ?? null,
  decisionReason: (r.decision_reason as string | null) ?? null,
  resultPublicationId: (r.result_publication_id as number | null) ?? null,
  changeLog: (r.change_log as RunDiffLog | null) ?? null,
});

export interface AppealItemRow {
  id: number;
  code: string;
  nodeId: number;
  explanation: string;
  pointsBefore: number | null;
  outcome: 'changed' | 'unchanged' | null;
  valueBefore: ReportedValue | null;
  valueAfter: ReportedValue | null;
  decisionReason: string | null;
}

export interface AppealEvidenceRow {
  id: number;
  code: string | null;
  docNumber: string | null;
  issuedOn: string | null;
  summary: string | null;
  issuer: string | null;
  fileName: string | null;
  sizeBytes: number | null;
  sha256: string | null;
}

export async function getAppeal(db: Knex, id: number): Promise<AppealRow | undefined> {
  const r = await db('appeals').where({ id }).first();
  return r && toAppeal(r);
}

/** The appeal with its row locked for the rest of the transaction, so two decisions cannot both pass. */
export async function lockAppeal(trx: Knex.Transaction, id: number): Promise<AppealRow | undefined> {
  const r = await trx('appeals').where({ id }).forUpdate().first();
  return r && toAppeal(r);
}

export async function findOpenAppeal(db: Knex, periodId: number, agencyId: number): Promise<AppealRow | undefined> {
  const r = await db('appeals').where({ period_id: periodId, agency_id: agencyId, state: 'open' }).first();
  return r && toAppeal(r);
}

export async function itemsOf(db: Knex, appealId: number): Promise<AppealItemRow[]> {
  const rows = await db('appeal_items as i')
    .join('framework_nodes as n', 'n.id', 'i.node_id')
    .where('i.appeal_id', appealId)
    .orderBy('n.position')
    .select('i.*', 'n.code');
  return rows.map((r) => ({
    id: r.id,
    code: r.code,
    nodeId: r.node_id,
    explanation: r.explanation,
    pointsBefore: r.points_before,
    outcome: r.outcome,
    valueBefore: r.value_before,
    valueAfter: r.value_after,
    decisionReason: r.decision_reason,
  }));
}

export async function evidenceOf(db: Knex, appealId: number): Promise<AppealEvidenceRow[]> {
  const rows = await db('appeal_evidence as e')
    .leftJoin('framework_nodes as n', 'n.id', 'e.node_id')
    .where('e.appeal_id', appealId)
    .orderBy('e.id')
    .select('e.*', 'n.code');
  return rows.map((r) => ({
    id: r.id,
    code: r.code,
    docNumber: r.doc_number,
    issuedOn: r.issued_on,
    summary: r.summary,
    issuer: r.issuer,
    fileName: r.storage_key ? r.file_name : null,
    sizeBytes: r.storage_key ? Number(r.size_bytes) : null,
    sha256: r.storage_key ? r.sha256 : null,
  }));
}

/** The stored file of one piece of an appeal's evidence; none when the id belongs to another appeal. */
export async function findEvidenceFile(
  db: Knex,
  appealId: number,
  evidenceId: number,
): Promise<{ fileName: string; mimeType: string; storageKey: string } | undefined> {
  const r = await db('appeal_evidence')
    .where({ id: evidenceId, appeal_id: appealId })
    .whereNotNull('storage_key')
    .first('file_name', 'mime_type', 'storage_key');
  return r && { fileName: r.file_name, mimeType: r.mime_type, storageKey: r.storage_key };
}

export interface NewAppeal {
  periodId: number;
  agencyId: number;
  submissionId: number;
  publicationId: number;
  runId: number;
  explanation: string;
  filedBy: number;
  filedAt: Date;
}

export async function insertAppeal(trx: Knex.Transaction, a: NewAppeal): Promise<number> {
  const [row] = await trx('appeals')
    .insert({
      period_id: a.periodId,
      agency_id: a.agencyId,
      submission_id: a.submissionId,
      publication_id: a.publicationId,
      run_id: a.runId,
      state: 'open',
      explanation: a.explanation,
      filed_by: a.filedBy,
      filed_at: a.filedAt,
    })
    .returning('id');
  return (row as { id: number }).id;
}

export async function insertItems(
  trx: Knex.Transaction,
  appealId: number,
  items: Array<{ nodeId: number; explanation: string; pointsBefore: number | null }>,
): Promise<void> {
  await trx('appeal_items').insert(
    items.map((i) => ({ appeal_id: appealId, node_id: i.nodeId, explanation: i.explanation, points_before: i.pointsBefore })),
  );
}

/** A document reference, and the stored file behind it when one was attached. */
export interface NewAppealEvidence {
  nodeId: number | null;
  docNumber: string | null;
  issuedOn: string | null;
  summary: string | null;
  issuer: string | null;
  file?: { fileName: string; mimeType: string; sizeBytes: number; sha256: string; storageKey: string } | undefined;
}

export async function insertEvidence(trx: Knex.Transaction, appealId: number, userId: number, at: Date, e: NewAppealEvidence): Promise<number> {
  const [row] = await trx('appeal_evidence')
    .insert({
      appeal_id: appealId,
      node_id: e.nodeId,
      doc_number: e.docNumber,
      issued_on: e.issuedOn,
      summary: e.summary,
      issuer: e.issuer,
      file_name: e.file?.fileName ?? null,
      mime_type: e.file?.mimeType ?? null,
      size_bytes: e.file?.sizeBytes ?? null,
      sha256: e.file?.sha256 ?? null,
      storage_key: e.file?.storageKey ?? null,
      created_by: userId,
      created_at: at,
    })
    .returning('id');
  return (row as { id: number }).id;
}

export async function decide(
  trx: Knex.Transaction,
  id: number,
  d: { state: 'accepted' | 'rejected'; decidedBy: number; decidedAt: Date; reason: string },
): Promise<void> {
  await trx('appeals')
    .where({ id, state: 'open' })
    .update({ state: d.state, decided_by: d.decidedBy, decided_at: d.decidedAt, decision_reason: d.reason });
}

export async function decideItem(
  trx: Knex.Transaction,
  itemId: number,
  d: { outcome: 'changed' | 'unchanged'; valueBefore: ReportedValue | null; valueAfter: ReportedValue | null; reason: string | null },
): Promise<void> {
  await trx('appeal_items')
    .where({ id: itemId })
    .update({
      outcome: d.outcome,
      value_before: d.valueBefore === null ? null : JSON.stringify(d.valueBefore),
      value_after: d.valueAfter === null ? null : JSON.stringify(d.valueAfter),
      decision_reason: d.reason,
    });
}

export async function linkPublication(trx: Knex.Transaction, id: number, publicationId: number, changeLog: RunDiffLog): Promise<void> {
  await trx('appeals')
    .where({ id })
    .update({ result_publication_id: publicationId, change_log: JSON.stringify(changeLog) });
}
