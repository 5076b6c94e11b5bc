// The steps every stored evidence file goes through, whichever row names it (a submission's evidence or an
// appeal's): an upload is checked by size and by content before anything is written; it is written to the store
// inside the transaction that records it, and removed again when that transaction fails and no other row names the
// same content; it is read back only for a reader the caller has authorised.
// The store keeps identical content once, so two uploads of the same file share it. Whoever writes a file and
// whoever removes one takes the content's advisory lock inside a transaction first: a removal then waits for an
// upload of the same content to commit (and sees its row) or to fail, and never deletes a file a row is about to name.
import type { Knex } from 'knex';
import { AppError, notFound, validationError } from '../errors.js';
import { ACCEPTED_LABEL, NO_FILE, cleanFileName, detectAccepted } from './file-types.js';
import { sha256Hex, type FileStore } from './file-store.js';

export interface IncomingFile {
  originalName: string;
  data: Buffer;
}

export interface AcceptedFile {
  fileName: string;
  mimeType: string;
  data: Buffer;
}

/** The rows that name stored files; a file none of them names is garbage (see file-store.ts). */
const FILE_TABLES = ['evidence', 'appeal_evidence'] as const;

/**
 * The upload as it will be stored (cleaned name, MIME type read from the content), or the refusal: no file, too
 * large, or not an accepted kind. `field` names the form field the problem belongs to.
 */
export async function acceptUpload(file: IncomingFile | null, maxBytes: number, field = 'file'): Promise<AcceptedFile> {
  if (!file || file.data.length === 0) throw validationError(NO_FILE, [{ field, message: NO_FILE }]);
  if (file.data.length > maxBytes) throw new AppError('too_large', 'Tệp vượt quá dung lượng cho phép. Chưa lưu gì.');
  const fileName = cleanFileName(file.originalName);
  const type = await detectAccepted(file.data, fileName);
  if (!type) {
    throw validationError(`Tệp "${fileName}" không thuộc loại được chấp nhận (xét theo nội dung tệp). Chỉ nhận: ${ACCEPTED_LABEL}.`, [
      { field, message: `Loại tệp không được chấp nhận: ${fileName}` },
    ]);
  }
  return { fileName, mimeType: type.mime, data: file.data };
}

// Namespace of the per-content advisory locks (pg_advisory_xact_lock(namespace, hashtext(key))).
const FILE_LOCK_NAMESPACE = 7_240_004;

/** Takes the lock of one stored content for the rest of the transaction (see the header). */
async function lockContent(trx: Knex.Transaction, key: string): Promise<void> {
  await trx.raw('SELECT pg_advisory_xact_lock(?, hashtext(?))', [FILE_LOCK_NAMESPACE, key]);
}

/**
 * Runs `record` (the transaction that names the files) with a `put` writing content to the store, under the
 * content's lock in that transaction, and answering its key. When `record` throws, the files this call wrote that no
 * committed row names are removed again; content that was already there stays, since another row may name it.
 */
export async function recordingFiles<T>(
  db: Knex,
  store: FileStore,
  record: (put: (trx: Knex.Transaction, data: Buffer) => Promise<string>) => Promise<T>,
): Promise<T> {
  const created: string[] = [];
  try {
    return await record(async (trx, data) => {
      await lockContent(trx, sha256Hex(data));
      const w = await store.put(data);
      if (w.created) created.push(w.key);
      return w.key;
    });
  } catch (err) {
    for (const key of created) await removeUnnamed(db, store, key);
    throw err;
  }
}

/** Removes a stored file unless a row names it, under its lock: an upload of the same content cannot slip between. */
export async function removeUnnamed(db: Knex, store: FileStore, key: string): Promise<boolean> {
  return db.transaction(async (trx) => {
    await lockContent(trx, key);
    if (await isStorageKeyUsed(trx, key)) return false;
    await store.remove(key);
    return true;
  });
}

/** The content of a stored file; a file missing from the store is "not found", never a 500. */
export async function readStored(store: FileStore, storageKey: string, what: string): Promise<Buffer> {
  try {
    return await store.read(storageKey);
  } catch {
    throw notFound(`${what} trên máy chủ`);
  }
}

export async function isStorageKeyUsed(db: Knex, storageKey: string): Promise<boolean> {
  for (const table of FILE_TABLES) if (await db(table).where({ storage_key: storageKey }).first('id')) return true;
  return false;
}

/** Every stored file key a row names, with the SHA-256 recorded at upload. */
export async function storedFileKeys(db: Knex): Promise<Array<{ storageKey: string; sha256: string }>> {
  const keys = new Map<string, string>();
  for (const table of FILE_TABLES) {
    for (const r of await db(table).whereNotNull('storage_key').distinct('storage_key', 'sha256')) keys.set(r.storage_key, r.sha256);
  }
  return [...keys].map(([storageKey, sha256]) => ({ storageKey, sha256 }));
}
