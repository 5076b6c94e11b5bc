import type { Knex } from 'knex';

export interface NewEvidenceFile {
  nodeId: number;
  docNumber: string | null;
  issuedOn: string | null;
  summary: string | null;
  issuer: string | null;
  fileName: string;
  mimeType: string;
  sizeBytes: number;
  sha256: string;
  storageKey: string;
}

export async function insertEvidenceFile(trx: Knex.Transaction, submissionId: number, userId: number, e: NewEvidenceFile): Promise<number> {
  const [row] = await trx('evidence')
    .insert({
      submission_id: submissionId,
      node_id: e.nodeId,
      doc_number: e.docNumber,
      issued_on: e.issuedOn,
      summary: e.summary,
      issuer: e.issuer,
      file_name: e.fileName,
      mime_type: e.mimeType,
      size_bytes: e.sizeBytes,
      sha256: e.sha256,
      storage_key: e.storageKey,
      created_by: userId,
    })
    .returning('id');
  return (row as { id: number }).id;
}

export interface StoredEvidenceFile {
  fileName: string;
  mimeType: string;
  storageKey: string;
}

export async function findEvidenceFile(db: Knex, submissionId: number, evidenceId: number): Promise<StoredEvidenceFile | undefined> {
  const r = await db('evidence')
    .where({ id: evidenceId, submission_id: submissionId })
    .whereNotNull('storage_key')
    .first('file_name', 'mime_type', 'storage_key');
  return r && { fileName: r.file_name, mimeType: r.mime_type, storageKey: r.storage_key };
}

export async function isStorageKeyUsed(db: Knex, storageKey: string): Promise<boolean> {
  return !!(await db('evidence').where({ storage_key: storageKey }).first('id'));
}
