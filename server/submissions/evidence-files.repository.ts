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

export async function isStorageKeyUsed(db: Knex, storageKey: string): Promise<boolean> {
  return !!(await db('evidence').where({ storage_key: storageKey }).first('id'));
}

/** Every stored file key the evidence names, with the SHA-256 recorded at upload. */
export async function storedFileKeys(db: Knex): Promise<Array<{ storageKey: string; sha256: string }>> {
  const rows = await db('evidence').whereNotNull('storage_key').distinct('storage_key', 'sha256');
  return rows.map((r) => ({ storageKey: r.storage_key, sha256: r.sha256 }));
}
