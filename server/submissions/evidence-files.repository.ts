import type { Knex } from 'knex';

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
