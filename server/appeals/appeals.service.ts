// Appeals (kiến nghị, phúc khảo). Within APPEAL_DAYS calendar days of a period's latest publication, the head of an
// agency with a result in it may ask the Department to re-examine named indicators, with an explanation and new
// evidence (document references, and files stored as submission evidence files are, in the filing's transaction).
// The admin accepts — new appraised values with a reason per indicator, then a new run and a new,
// numbered publication whose change log (the run diff) is kept with the appeal — or rejects with a reason. Every
// step is audited and notifies the people concerned in the same transaction.
import type { Knex } from 'knex';
import { authorize, can, type Actor } from '../auth/policy.js';
import { AppError, conflict, forbidden, notFound, validationError, type FieldProblem } from '../errors.js';
import type { AgencyService, AgencyRow } from '../agencies/agencies.service.js';
import type { AuditService } from '../audit/audit.service.js';
import { indicatorsOf, type IndicatorDef } from '../frameworks/framework.types.js';
import type { FrameworkService } from '../frameworks/frameworks.service.js';
import type { NotificationService, Message } from '../notifications/notifications.service.js';
import type { PeriodService, PeriodRow } from '../periods/periods.service.js';
import { isoDay } from '../periods/period-calendar.js';
import type { RunComparisonService } from '../rankings/run-comparison.service.js';
import type { ScoringService, RunRow } from '../scoring/scoring.service.js';
import type { AppealChange, SubmissionService } from '../submissions/submissions.service.js';
import type { UserService } from '../users/users.service.js';
import type { FileStore } from '../files/file-store.js';
import { acceptUpload, readStored, recordingFiles, type AcceptedFile, type IncomingFile } from '../files/stored-files.js';
import { formatDate, formatNumber } from '../../reports/format.js';
import { appealDeadline, changeLogOf, isWithinWindow } from './appeal-rules.js';
import * as repo from './appeals.repository.js';
import * as view from './appeals.view.js';

export type { AppealRow, AppealItemRow, AppealEvidenceRow } from './appeals.repository.js';
export type { AppealListRow } from './appeals.view.js';

export interface AppealEvidenceInput {
  docNumber: string | null;
  issuedOn: string | null;
  summary: string | null;
  issuer: string | null;
  /** The uploaded file, checked and stored with the appeal as submission evidence files are. */
  file?: IncomingFile | null;
}

export interface AppealItemInput {
  code: string;
  explanation: string;
  evidence?: AppealEvidenceInput | null;
}

export interface FileAppealInput {
  explanation: string;
  items: AppealItemInput[];
}

export interface AppealWindow {
  run: RunRow;
  publicationId: number;
  publicationNumber: number;
  publishedOn: string;
  deadline: string;
  open: boolean;
}

export interface FilingLine {
  indicator: IndicatorDef;
  points: number;
  max: number;
}

export interface FilingForm {
  period: PeriodRow;
  agency: AgencyRow;
  window: AppealWindow;
  lines: FilingLine[];
}

export interface AppealDetail {
  appeal: repo.AppealRow;
  names: view.AppealNames;
  items: Array<repo.AppealItemRow & { name: string; indicator: IndicatorDef | undefined }>;
  evidence: repo.AppealEvidenceRow[];
  indicatorNames: Record<string, string>;
}

export interface DecisionOutcome {
  /** The new publication's number, or null when the recomputation could not run now and awaits a retry. */
  publicationNumber: number | null;
}

const MAX_TEXT = 4000;

export class AppealService {
  constructor(
    private readonly db: Knex,
    private readonly deps: {
      periods: PeriodService;
      frameworks: FrameworkService;
      agencies: AgencyService;
      submissions: SubmissionService;
      scoring: ScoringService;
      runComparison: RunComparisonService;
      audit: AuditService;
      notifications: NotificationService;
      users: UserService;
      store: FileStore;
      maxBytes: number;
      appealDays: number;
      now: () => Date;
    },
  ) {}

  /** The appeal window of a period: from its latest publication; undefined while nothing is published. */
  async window(periodId: number): Promise<AppealWindow | undefined> {
    const run = await this.deps.scoring.latestRun(periodId, true);
    if (!run?.publication) return undefined;
    const publishedOn = isoDay(run.publication.publishedAt);
    const deadline = appealDeadline(publishedOn, this.deps.appealDays);
    return {
      run,
      publicationId: run.publication.id,
      publicationNumber: run.publication.number,
      publishedOn,
      deadline,
      open: isWithinWindow(this.deps.periods.today(), deadline),
    };
  }

  /** Periods whose appeal window is open for the actor's agency, for the appeals page. */
  async openWindows(actor: Actor): Promise<Array<{ period: PeriodRow; window: AppealWindow }>> {
    if (actor.agencyId === null || !can(actor, 'appeal.file', actor.agencyId)) return [];
    const out: Array<{ period: PeriodRow; window: AppealWindow }> = [];
    for (const period of await this.deps.periods.list()) {
      const w = await this.window(period.id);
      if (!w?.open) continue;
      const scores = await this.deps.runComparison.indicatorScoresOf(w.run.id, actor.agencyId);
      if (scores.length > 0) out.push({ period, window: w });
    }
    return out;
  }

  /** Every refusal of a filing, in the order a head would want to hear them; the form page shows the same. */
  private async admissible(actor: Actor, periodId: number, agencyId: number) {
    authorize(actor, 'appeal.file');
    if (actor.agencyId !== agencyId) throw forbidden('Chỉ được gửi kiến nghị về kết quả của đơn vị mình.');
    const period = await this.deps.periods.get(periodId);
    const agency = await this.deps.agencies.get(agencyId);
    const window = await this.window(periodId);
    if (!window) {
      throw conflict(`Kết quả ${period.name} chưa được công bố; chỉ có thể kiến nghị sau khi kết quả được công bố.`);
    }
    if (!window.open) {
      throw conflict(
        `Đã hết thời hạn kiến nghị: kết quả công bố ngày ${formatDate(window.publishedOn)}, ` +
          `được kiến nghị trong ${this.deps.appealDays} ngày (đến hết ngày ${formatDate(window.deadline)}).`,
      );
    }
    const scores = await this.deps.runComparison.indicatorScoresOf(window.run.id, agencyId);
    if (scores.length === 0) throw conflict(`${agency.name} không có kết quả trong ${period.name}.`);
    const submission = await this.deps.submissions.find(agencyId, periodId);
    if (!submission || (submission.state !== 'published' && submission.state !== 'approved')) {
      throw conflict(`${agency.name} không có báo cáo đã thẩm định trong ${period.name} để kiến nghị.`);
    }
    if (await repo.findOpenAppeal(this.db, periodId, agencyId)) {
      throw conflict('Đơn vị đã có một kiến nghị đang chờ xem xét cho kỳ này; hãy chờ Sở trả lời trước khi gửi kiến nghị mới.');
    }
    const fw = await this.deps.frameworks.get(period.frameworkId);
    return { period, agency, window, scores, submission, indicators: indicatorsOf(fw.definition.nodes) };
  }

  async filingForm(actor: Actor, periodId: number, agencyId: number): Promise<FilingForm> {
    const a = await this.admissible(actor, periodId, agencyId);
    const byCode = new Map(a.scores.map((s) => [s.code, s]));
    return {
      period: a.period,
      agency: a.agency,
      window: a.window,
      lines: a.indicators
        .filter((i) => byCode.has(i.code))
        .map((i) => ({ indicator: i, points: byCode.get(i.code)!.points, max: byCode.get(i.code)!.max })),
    };
  }

  async file(actor: Actor, periodId: number, agencyId: number, input: FileAppealInput): Promise<number> {
    const a = await this.admissible(actor, periodId, agencyId);
    const explanation = input.explanation.trim();
    const problems: FieldProblem[] = [];
    if (!explanation) problems.push({ field: 'explanation', message: 'Cần nêu nội dung kiến nghị.' });
    if (explanation.length > MAX_TEXT) problems.push({ field: 'explanation', message: `Nội dung kiến nghị dài quá ${MAX_TEXT} ký tự.` });
    if (input.items.length === 0) problems.push({ field: 'items', message: 'Cần chọn ít nhất một chỉ số để kiến nghị.' });
    const byCode = new Map(a.indicators.map((i) => [i.code, i]));
    const scored = new Map(a.scores.map((s) => [s.code, s]));
    const nodeIds = await this.deps.frameworks.nodeIds(a.period.frameworkId);
    const files = new Map<string, AcceptedFile>();
    for (const item of input.items) {
      const ind = byCode.get(item.code);
      if (!ind || !scored.has(item.code)) {
        problems.push({ field: item.code, message: `Chỉ số ${item.code} không có trong kết quả của đơn vị ở kỳ này.` });
        continue;
      }
      const why = item.explanation.trim();
      if (!why) problems.push({ field: item.code, message: `Chỉ số ${item.code} (${ind.name}): cần nêu lý do kiến nghị.` });
      if (why.length > MAX_TEXT) problems.push({ field: item.code, message: `Chỉ số ${item.code}: lý do dài quá ${MAX_TEXT} ký tự.` });
      const e = item.evidence;
      if (e) {
        if (!e.docNumber && !e.file) {
          problems.push({ field: item.code, message: `Chỉ số ${item.code}: tài liệu kiểm chứng mới cần số ký hiệu văn bản hoặc tệp đính kèm.` });
        }
        if (e.issuedOn && !/^\d{4}-\d{2}-\d{2}$/.test(e.issuedOn)) {
          problems.push({ field: item.code, message: `Chỉ số ${item.code}: ngày ban hành không hợp lệ.` });
        }
        if (e.file) {
          try {
            files.set(item.code, await acceptUpload(e.file, this.deps.maxBytes, item.code));
          } catch (err) {
            if (!(err instanceof AppError)) throw err;
            problems.push({ field: item.code, message: `Chỉ số ${item.code}: ${err.message}` });
          }
        }
      }
    }
    if (problems.length) throw validationError('Kiến nghị chưa hợp lệ, chưa gửi.', problems);

    const now = this.deps.now();
    const department = await this.deps.users.recipients({ roles: ['admin'] });
    return recordingFiles(this.db, this.deps.store, (put) =>
      this.db.transaction(async (trx) => {
        const id = await repo.insertAppeal(trx, {
          periodId: a.period.id,
          agencyId: a.agency.id,
          submissionId: a.submission.id,
          publicationId: a.window.publicationId,
          runId: a.window.run.id,
          explanation,
          filedBy: actor.id,
          filedAt: now,
        });
        await repo.insertItems(
          trx,
          id,
          input.items.map((i) => ({ nodeId: nodeIds.get(i.code)!, explanation: i.explanation.trim(), pointsBefore: scored.get(i.code)!.points })),
        );
        const evidence: Array<{ code: string; docNumber: string | null; fileName?: string; sha256?: string }> = [];
        for (const i of input.items) {
          if (!i.evidence) continue;
          const f = files.get(i.code);
          const key = f && (await put(trx, f.data));
          const file = f && key ? { fileName: f.fileName, mimeType: f.mimeType, sizeBytes: f.data.length, sha256: key, storageKey: key } : undefined;
          await repo.insertEvidence(trx, id, actor.id, now, { nodeId: nodeIds.get(i.code)!, ...i.evidence, file });
          evidence.push({ code: i.code, docNumber: i.evidence.docNumber, ...(file && { fileName: file.fileName, sha256: file.sha256 }) });
        }
        await this.deps.audit.record(trx, actor, [
          {
            action: 'appeal.file',
            entity: 'appeal',
            entityId: id,
            agencyId: a.agency.id,
            submissionId: a.submission.id,
            after: {
              period: a.period.code,
              publication: a.window.publicationNumber,
              indicators: input.items.map((i) => i.code),
              evidence,
            },
            reason: explanation,
          },
        ]);
        await this.deps.notifications.notify(trx, department, {
          kind: 'appeal.filed',
          subject: `Kiến nghị mới: ${a.agency.name} — ${a.period.name}`,
          body:
            `${a.agency.name} gửi kiến nghị về kết quả ${a.period.name} (công bố lần ${a.window.publicationNumber}), ` +
            `đề nghị xem xét lại ${input.items.length} chỉ số: ${input.items.map((i) => i.code).join(', ')}.`,
          link: `/appeals/${id}`,
        });
        return id;
      }),
    );
  }

  async list(actor: Actor): Promise<view.AppealListRow[]> {
    authorize(actor, 'appeal.read');
    // The Department's scope reaches every agency (no agency has id -1); agency users see their own.
    if (can(actor, 'appeal.read', -1)) return view.listAppeals(this.db);
    if (actor.agencyId === null) return [];
    return view.listAppeals(this.db, actor.agencyId);
  }

  async detail(actor: Actor, id: number): Promise<AppealDetail> {
    const appeal = await repo.getAppeal(this.db, id);
    if (!appeal) throw notFound('kiến nghị');
    authorize(actor, 'appeal.read', appeal.agencyId);
    const period = await this.deps.periods.get(appeal.periodId);
    const fw = await this.deps.frameworks.get(period.frameworkId);
    const indicators = new Map(indicatorsOf(fw.definition.nodes).map((i) => [i.code, i]));
    const items = await repo.itemsOf(this.db, id);
    return {
      appeal,
      names: (await view.appealNames(this.db, id))!,
      items: items.map((i) => ({ ...i, name: indicators.get(i.code)?.name ?? '', indicator: indicators.get(i.code) })),
      evidence: await repo.evidenceOf(this.db, id),
      indicatorNames: Object.fromEntries([...indicators].map(([code, i]) => [code, i.name])),
    };
  }

  /** The file of a piece of the appeal's evidence, for anyone who may read the appeal. */
  async evidenceFile(actor: Actor, appealId: number, evidenceId: number): Promise<{ fileName: string; mimeType: string; data: Buffer }> {
    const appeal = await repo.getAppeal(this.db, appealId);
    if (!appeal) throw notFound('kiến nghị');
    authorize(actor, 'appeal.read', appeal.agencyId);
    const row = await repo.findEvidenceFile(this.db, appealId, evidenceId);
    if (!row) throw notFound('tệp kiểm chứng');
    return { fileName: row.fileName, mimeType: row.mimeType, data: await readStored(this.deps.store, row.storageKey, 'tệp kiểm chứng') };
  }

  private async openAppeal(actor: Actor, id: number): Promise<repo.AppealRow> {
    authorize(actor, 'appeal.decide');
    const appeal = await repo.getAppeal(this.db, id);
    if (!appeal) throw notFound('kiến nghị');
    authorize(actor, 'appeal.decide', appeal.agencyId);
    if (appeal.state !== 'open') throw alreadyDecided(appeal);
    return appeal;
  }

  /**
   * Accepts an appeal: the appealed indicators given a new value (each with its reason) are re-appraised, the rest
   * stay as they were; then the period is recomputed and published again, and the change log is kept.
   */
  async accept(actor: Actor, id: number, input: { changes: AppealChange[]; note: string }): Promise<DecisionOutcome> {
    const appeal = await this.openAppeal(actor, id);
    const items = await repo.itemsOf(this.db, id);
    const appealed = new Set(items.map((i) => i.code));
    const foreign = input.changes.filter((c) => !appealed.has(c.code));
    if (foreign.length) {
      throw validationError(
        'Chỉ thẩm định lại các chỉ số được kiến nghị.',
        foreign.map((c) => ({ field: c.code, message: `Chỉ số ${c.code} không nằm trong kiến nghị này.` })),
      );
    }
    if (input.changes.length === 0) {
      throw validationError(
        'Chấp nhận kiến nghị cần ít nhất một chỉ số có giá trị thẩm định mới; nếu giữ nguyên mọi chỉ số, hãy từ chối kiến nghị và nêu lý do.',
      );
    }
    const note = input.note.trim();
    if (note.length > MAX_TEXT) throw validationError(`Ý kiến xử lý dài quá ${MAX_TEXT} ký tự.`);
    const prepared = await this.deps.submissions.prepareAppealAppraisal(actor, appeal.submissionId, input.changes);
    const ctx = await this.context(appeal);
    const agencyUsers = await this.deps.users.recipients({ agencyId: appeal.agencyId, roles: ['reporter', 'head'] });
    const changed = new Map(prepared.writes.map((w) => [w.code, w]));
    const reason = note || 'Chấp nhận kiến nghị.';

    await this.db.transaction(async (trx) => {
      const locked = await repo.lockAppeal(trx, id);
      if (!locked || locked.state !== 'open') throw alreadyDecided(locked ?? appeal);
      const before = await this.deps.submissions.applyAppealAppraisal(trx, actor, prepared, id);
      await repo.decide(trx, id, { state: 'accepted', decidedBy: actor.id, decidedAt: this.deps.now(), reason });
      for (const item of items) {
        const w = changed.get(item.code);
        await repo.decideItem(trx, item.id, {
          outcome: w ? 'changed' : 'unchanged',
          valueBefore: w ? (before.get(item.code) ?? null) : null,
          valueAfter: w ? w.value : null,
          reason: w ? w.reason : null,
        });
      }
      await this.deps.audit.record(trx, actor, [
        {
          action: 'appeal.accept',
          entity: 'appeal',
          entityId: id,
          agencyId: appeal.agencyId,
          submissionId: appeal.submissionId,
          before: { state: 'open' },
          after: { state: 'accepted', changed: [...changed.keys()], unchanged: items.filter((i) => !changed.has(i.code)).map((i) => i.code) },
          reason,
        },
      ]);
      await this.deps.notifications.notify(trx, agencyUsers, {
        kind: 'appeal.decided',
        subject: `Kiến nghị được chấp nhận — ${ctx.period.name}`,
        body:
          `Sở Khoa học và Công nghệ chấp nhận kiến nghị của ${ctx.agency.name} về kết quả ${ctx.period.name}: ` +
          `thẩm định lại ${[...changed.keys()].join(', ')}.` +
          (note ? `\nÝ kiến: ${note}` : '') +
          '\nKết quả được tính lại và công bố lại.',
        link: `/appeals/${id}`,
      });
    });
    return this.republishAfterAcceptance(actor, id);
  }

  /**
   * Recomputes and publishes the period after an accepted appeal and keeps the change log. Run again (from the
   * appeal page) if the computation was busy the first time; a publication made meanwhile is linked instead.
   */
  async republishAfterAcceptance(actor: Actor, id: number): Promise<DecisionOutcome> {
    authorize(actor, 'appeal.decide');
    const appeal = await repo.getAppeal(this.db, id);
    if (!appeal) throw notFound('kiến nghị');
    if (appeal.state !== 'accepted') throw conflict('Chỉ công bố lại sau khi kiến nghị được chấp nhận.');
    if (appeal.resultPublicationId !== null) throw conflict('Kết quả sau kiến nghị này đã được công bố.');
    // The computation runs after the decision committed, so its run reflects the new values: if that run is already
    // published (someone published meanwhile) it is the one to link; if not, it is published now. A busy period
    // (another instance computing) leaves the appeal accepted and waiting for a retry.
    const outcome = await this.deps.scoring.computePeriod(appeal.periodId, { trigger: 'manual', startedBy: actor.id });
    if (outcome.status === 'busy') return { publicationNumber: null };
    let run = await this.deps.scoring.getRun(outcome.runId);
    if (!run?.publication) {
      try {
        run = await this.deps.scoring.getRun((await this.deps.scoring.publish(actor, appeal.periodId)).runId);
      } catch (err) {
        if (err instanceof AppError && err.code === 'conflict') return { publicationNumber: null };
        throw err;
      }
    }
    if (!run?.publication) return { publicationNumber: null };
    const fromRun = await this.publicationRun(appeal);
    const diff = await this.deps.runComparison.diff(fromRun.id, run.id);
    const log = changeLogOf(diff, {
      fromRunId: fromRun.id,
      toRunId: run.id,
      fromPublication: fromRun.publication!.number,
      toPublication: run.publication.number,
    });
    const ctx = await this.context(appeal);
    const notices: Array<{ users: Awaited<ReturnType<UserService['recipients']>>; message: Message }> = [];
    for (const d of diff.changed) {
      const users = await this.deps.users.recipients({ agencyId: d.agencyId, roles: ['reporter', 'head'] });
      if (users.length === 0) continue;
      const rank = (r: number | null | undefined): string => (r == null ? '—' : String(r));
      notices.push({
        users,
        message: {
          kind: 'publication.changed',
          subject: `Kết quả ${ctx.period.name} được công bố lại (lần ${run.publication.number})`,
          body:
            `Sau khi xử lý kiến nghị của ${ctx.agency.name}, kết quả ${ctx.period.name} được công bố lại (lần ${run.publication.number}). ` +
            `Kết quả của ${d.agencyName}: điểm ${fmt(d.before?.points)} → ${fmt(d.after?.points)}, hạng ${rank(d.before?.rank)} → ${rank(d.after?.rank)}.`,
          link: `/rankings/${appeal.periodId}/agencies/${d.agencyId}`,
        },
      });
    }
    const publication = run.publication;
    await this.db.transaction(async (trx) => {
      const locked = await repo.lockAppeal(trx, id);
      if (!locked || locked.resultPublicationId !== null) throw conflict('Kết quả sau kiến nghị này đã được công bố.');
      await repo.linkPublication(trx, id, publication.id, log);
      await this.deps.audit.record(trx, actor, [
        {
          action: 'appeal.republish',
          entity: 'appeal',
          entityId: id,
          agencyId: appeal.agencyId,
          submissionId: appeal.submissionId,
          after: { publication: publication.number, run: run!.id, changedAgencies: log.agencies.length, movedUp: log.movedUp, movedDown: log.movedDown },
        },
      ]);
      for (const n of notices) await this.deps.notifications.notify(trx, n.users, n.message);
    });
    return { publicationNumber: publication.number };
  }

  async reject(actor: Actor, id: number, reason: string): Promise<void> {
    const appeal = await this.openAppeal(actor, id);
    const why = reason.trim();
    if (!why) throw validationError('Cần nêu lý do từ chối kiến nghị.', [{ field: 'reason', message: 'Cần nêu lý do từ chối kiến nghị.' }]);
    if (why.length > MAX_TEXT) throw validationError(`Lý do từ chối dài quá ${MAX_TEXT} ký tự.`);
    const ctx = await this.context(appeal);
    const agencyUsers = await this.deps.users.recipients({ agencyId: appeal.agencyId, roles: ['reporter', 'head'] });
    const items = await repo.itemsOf(this.db, id);
    await this.db.transaction(async (trx) => {
      const locked = await repo.lockAppeal(trx, id);
      if (!locked || locked.state !== 'open') throw alreadyDecided(locked ?? appeal);
      await repo.decide(trx, id, { state: 'rejected', decidedBy: actor.id, decidedAt: this.deps.now(), reason: why });
      for (const item of items) {
        await repo.decideItem(trx, item.id, { outcome: 'unchanged', valueBefore: null, valueAfter: null, reason: null });
      }
      await this.deps.audit.record(trx, actor, [
        {
          action: 'appeal.reject',
          entity: 'appeal',
          entityId: id,
          agencyId: appeal.agencyId,
          submissionId: appeal.submissionId,
          before: { state: 'open' },
          after: { state: 'rejected' },
          reason: why,
        },
      ]);
      await this.deps.notifications.notify(trx, agencyUsers, {
        kind: 'appeal.decided',
        subject: `Kiến nghị không được chấp nhận — ${ctx.period.name}`,
        body: `Sở Khoa học và Công nghệ không chấp nhận kiến nghị của ${ctx.agency.name} về kết quả ${ctx.period.name}.\nLý do: ${why}`,
        link: `/appeals/${id}`,
      });
    });
  }

  private async context(appeal: repo.AppealRow): Promise<{ period: PeriodRow; agency: AgencyRow }> {
    return { period: await this.deps.periods.get(appeal.periodId), agency: await this.deps.agencies.get(appeal.agencyId) };
  }

  /** The run of the publication an appeal was filed against. */
  private async publicationRun(appeal: repo.AppealRow): Promise<RunRow> {
    const run = await this.deps.scoring.getRun(appeal.runId);
    if (!run?.publication) throw notFound('lần công bố được kiến nghị');
    return run;
  }
}

function alreadyDecided(appeal: repo.AppealRow): AppError {
  return conflict(`Kiến nghị này đã được xử lý (${appeal.state === 'accepted' ? 'đã chấp nhận' : 'đã từ chối'}).`);
}

const fmt = (x: number | undefined): string => (x === undefined ? '—' : formatNumber(x, 2));
