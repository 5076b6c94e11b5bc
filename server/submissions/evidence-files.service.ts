// Evidence files: uploads checked by size and by content, stored once by their SHA-256 and linked to an indicator
// of a submission in the same transaction as the version bump and the audit event. Everything that can refuse an
// upload runs before the file is written, so a refused upload leaves nothing behind — on disk or in the database.
import type { Knex } from 'knex';
import type { Actor } from '../auth/policy.js';
import { conflict, notFound, validationError } from '../errors.js';
import type { FrameworkService } from '../frameworks/frameworks.service.js';
import type { AuditService } from '../audit/audit.service.js';
import { sha256Hex, type FileStore } from '../files/file-store.js';
import { acceptUpload, readStored, recordingFiles, removeUnnamed, storedFileKeys, type IncomingFile } from '../files/stored-files.js';
import type { SubmissionService } from './submissions.service.js';
import * as repo from './evidence-files.repository.js';
import { advanceVersion, insertEvidence } from './submissions.repository.js';

export interface EvidenceFileInput {
  indicator: string;
  docNumber: string | null;
  issuedOn: string | null;
  summary: string | null;
  issuer: string | null;
}

export interface StoreCheck {
  files: number;
  referenced: number;
  missing: string[];
  corrupt: string[];
  orphans: string[];
  deleted: number;
}

const STALE =
  'Báo cáo đã được người khác cập nhật sau khi bạn mở. Tệp chưa được lưu — hãy tải lại trang rồi đính kèm lại.';

export class EvidenceFileService {
  constructor(
    private readonly db: Knex,
    private readonly deps: {
      submissions: SubmissionService;
      frameworks: FrameworkService;
      audit: AuditService;
      store: FileStore;
      maxBytes: number;
    },
  ) {}

  async attach(actor: Actor, id: number, expectedVersion: number, input: EvidenceFileInput, file: IncomingFile | null): Promise<number> {
    const { submission: s, period } = await this.deps.submissions.editable(actor, id);
    const nodeId = (await this.deps.frameworks.nodeIds(period.frameworkId)).get(input.indicator);
    const { fileName, mimeType, data } = await acceptUpload(file, this.deps.maxBytes);
    if (nodeId === undefined) throw validationError(`Chỉ số ${input.indicator} không có trong bộ chỉ số của kỳ này.`);

    return recordingFiles(this.db, this.deps.store, (put) =>
      this.db.transaction(async (trx) => {
        if (!(await advanceVersion(trx, id, expectedVersion))) throw conflict(STALE);
        const key = await put(trx, data);
        const evidenceId = await insertEvidence(trx, id, actor.id, {
          nodeId,
          ...input,
          file: { name: fileName, mimeType, sizeBytes: data.length, sha256: key, storageKey: key },
        });
        await this.deps.audit.record(trx, actor, [
          {
            action: 'evidence.file.add',
            entity: 'evidence',
            entityId: evidenceId,
            agencyId: s.agencyId,
            submissionId: id,
            after: { indicator: input.indicator, docNumber: input.docNumber, fileName, mimeType, sizeBytes: data.length, sha256: key },
          },
        ]);
        return evidenceId;
      }),
    );
  }

  /**
   * Checks the file store against the database: files the evidence names that are missing or whose content no
   * longer has the recorded SHA-256, and files no evidence names (left by removed evidence). Orphans are deleted on
   * request, only when older than `graceMs`, so an upload whose transaction is still running keeps its file.
   */
  async checkStore(opts: { deleteOrphans: boolean; graceMs?: number; now?: Date }): Promise<StoreCheck> {
    const named = await storedFileKeys(this.db);
    const onDisk = await this.deps.store.list();
    const diskKeys = new Set(onDisk.map((f) => f.key));
    const result: StoreCheck = { files: onDisk.length, referenced: named.length, missing: [], corrupt: [], orphans: [], deleted: 0 };
    for (const f of named) {
      if (!diskKeys.has(f.storageKey)) result.missing.push(f.storageKey);
      else if (sha256Hex(await this.deps.store.read(f.storageKey)) !== f.sha256) result.corrupt.push(f.storageKey);
    }
    const namedKeys = new Set(named.map((f) => f.storageKey));
    const cutoff = (opts.now ?? new Date()).getTime() - (opts.graceMs ?? 3_600_000);
    for (const f of onDisk) {
      if (namedKeys.has(f.key)) continue;
      result.orphans.push(f.key);
      if (opts.deleteOrphans && f.modified.getTime() < cutoff && (await removeUnnamed(this.db, this.deps.store, f.key))) {
        result.deleted++;
      }
    }
    return result;
  }

  /** The file of an evidence row, for anyone who may read the submission. */
  async download(actor: Actor, submissionId: number, evidenceId: number): Promise<{ fileName: string; mimeType: string; data: Buffer }> {
    await this.deps.submissions.get(actor, submissionId);
    const row = await repo.findEvidenceFile(this.db, submissionId, evidenceId);
    if (!row) throw notFound('tệp kiểm chứng');
    return { fileName: row.fileName, mimeType: row.mimeType, data: await readStored(this.deps.store, row.storageKey, 'tệp kiểm chứng') };
  }
}
