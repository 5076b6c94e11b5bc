// The Excel round trip of a submission: the agency downloads its own pre-filled workbook, fills it in and uploads
// it. An upload is guarded (size, zip bomb, sheet size, a workbook made for another agency, period or version,
// moved or re-coded rows) and then saved through saveDraft, so the same validation, the same messages, the same
// optimistic version check and the same audit apply as for the form. On any problem nothing is saved and the
// caller gets the problems and the workbook with the problem cells marked.
import type { Actor } from '../auth/policy.js';
import { AppError, conflict, forbidden, validationError, type FieldProblem } from '../errors.js';
import { checkZip } from '../files/zip-guard.js';
import { NO_FILE } from '../files/file-types.js';
import type { SubmissionService, SubmissionForm } from './submissions.service.js';
import {
  annotateWorkbook,
  buildSubmissionWorkbook,
  readSubmissionWorkbook,
  WorkbookShapeError,
  type WorkbookLine,
  type WorkbookMeta,
} from './submission-workbook.js';

export interface WorkbookLimits {
  maxUncompressedBytes: number;
  maxRows: number;
  maxColumns: number;
}

/** A refused upload whose problems can be shown on the workbook itself. */
export class WorkbookRejected extends AppError {
  constructor(
    message: string,
    details: FieldProblem[],
    readonly annotated: Buffer,
  ) {
    super('validation', message, details);
  }
}

const linesOf = (form: SubmissionForm): WorkbookLine[] =>
  form.sections.flatMap((sec) =>
    sec.lines.map((l) => ({
      code: l.indicator.code,
      name: l.indicator.name,
      max: l.indicator.max,
      input: l.indicator.input,
      applicable: l.applicable,
      current: l.stored?.self ?? null,
      comment: l.stored?.comment ?? null,
      previous: l.previous,
      guidance: l.indicator.guidance,
    })),
  );

export class SubmissionWorkbookService {
  constructor(private readonly deps: { submissions: SubmissionService; limits: WorkbookLimits }) {}

  /** The agency's workbook; only for those who may edit the report (it is the agency's working copy). */
  async download(actor: Actor, id: number): Promise<{ fileName: string; data: Buffer }> {
    const form = await this.deps.submissions.form(actor, id);
    await this.deps.submissions.editable(actor, id);
    const meta: WorkbookMeta = {
      submissionId: form.submission.id,
      agencyId: form.agency.id,
      agencyCode: form.agency.code,
      agencyName: form.agency.name,
      periodId: form.period.id,
      periodCode: form.period.code,
      periodName: form.period.name,
      version: form.submission.version,
    };
    const data = await buildSubmissionWorkbook(meta, linesOf(form));
    return { fileName: `bao-cao-${form.agency.code}-${form.period.code}.xlsx`, data };
  }

  /** Saves the values of an uploaded workbook; returns the new version. */
  async upload(actor: Actor, id: number, data: Buffer | null): Promise<{ version: number; saved: number }> {
    await this.deps.submissions.editable(actor, id);
    if (!data || data.length === 0) throw validationError(NO_FILE);
    const zip = checkZip(data, { maxUncompressedBytes: this.deps.limits.maxUncompressedBytes });
    if (!zip.ok) throw validationError(`Tệp bị từ chối: ${zip.reason}. Chưa lưu số liệu nào.`);
    const form = await this.deps.submissions.form(actor, id);
    const lines = linesOf(form);
    let read;
    try {
      read = await readSubmissionWorkbook(data, lines, this.deps.limits);
    } catch (err) {
      if (err instanceof WorkbookShapeError) throw validationError(err.message);
      throw err;
    }
    const f = read.madeFor;
    if (f.agencyId !== form.agency.id || f.periodId !== form.period.id || f.submissionId !== form.submission.id) {
      throw forbidden(
        `Bảng tính này được tạo cho đơn vị ${f.agencyCode}, kỳ ${f.periodCode}; không dùng được cho báo cáo của ${form.agency.name}, kỳ ${form.period.name}. Chưa lưu số liệu nào.`,
      );
    }
    if (f.version !== form.submission.version) {
      throw conflict(
        `Báo cáo đã được cập nhật sau khi bạn tải bảng tính (bảng tính ứng với phiên bản ${f.version}, báo cáo hiện ở phiên bản ${form.submission.version}). Chưa lưu số liệu nào — hãy tải bảng tính mới, nhập lại rồi tải lên.`,
      );
    }
    try {
      const { version } = await this.deps.submissions.saveDraft(actor, id, f.version, read.values);
      return { version, saved: Object.keys(read.values).length };
    } catch (err) {
      if (err instanceof AppError && err.code === 'validation' && err.details.length) {
        const problems = err.details.map((d) => ({ row: read.rowOf.get(d.field) ?? null, message: d.message }));
        throw new WorkbookRejected(
          `Bảng tính có ${err.details.length} lỗi, chưa lưu số liệu nào. Các ô lỗi được tô đỏ và có chú thích trong bảng tính trả về.`,
          err.details,
          await annotateWorkbook(data, problems),
        );
      }
      if (err instanceof AppError && err.code === 'conflict') {
        throw conflict('Báo cáo vừa được người khác cập nhật. Chưa lưu số liệu nào — hãy tải bảng tính mới, nhập lại rồi tải lên.');
      }
      throw err;
    }
  }
}
