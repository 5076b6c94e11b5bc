// Entry and the workflow of a submission: drafts, evidence, submission by the head, and the Department's review
// (return with a reason, appraisal with a reason, approval). Every change bumps the submission's version in the
// same transaction as its audit events, so concurrent edits are detected and nothing changes without a trace.
import type { Knex } from 'knex';
import { authorize, can, type Actor } from '../auth/policy.js';
import { AppError, conflict, forbidden, invalidTransition, notFound, validationError, type FieldProblem } from '../errors.js';
import { applicableIndicatorCodes, indicatorsOf, type FrameworkDef, type IndicatorDef } from '../frameworks/framework.types.js';
import type { FrameworkService } from '../frameworks/frameworks.service.js';
import type { AgencyService, AgencyRow } from '../agencies/agencies.service.js';
import type { PeriodService, PeriodRow, EntryStatus } from '../periods/periods.service.js';
import type { AuditService, AuditInput } from '../audit/audit.service.js';
import { scoreIndicator } from '../scoring/score.js';
import { openCursor, type Cursor } from '../db/cursor.js';
import type { IndicatorScore, ReportedValue } from '../scoring/scoring.types.js';
import * as repo from './submissions.repository.js';
import { checkCompleteness, parseValue, type ParsedValue, type RawValue } from './value-validation.js';
import { COUNTED_STATES, STATE_LABELS, isEditable, isUnderReview, nextState, type SubmissionState } from './workflow.js';
import { displayValue } from '../frameworks/value-display.js';
import { formatDateTime } from '../periods/period-calendar.js';
import { roundPublished } from '../scoring/score.js';

export type { SubmissionRow, StoredValue, EvidenceRow, ValueColumns, CountedValueRow } from './submissions.repository.js';

export interface FormLine {
  indicator: IndicatorDef;
  applicable: boolean;
  stored: repo.StoredValue | undefined;
  /** Points the self-assessed value earns. */
  selfScore: IndicatorScore;
  /** Points the recognised value earns (appraised where set). */
  score: IndicatorScore;
  previous: ReportedValue | null;
  evidence: repo.EvidenceRow[];
  /** The Department's reason for this indicator in the latest return, if any. */
  returnReason: string | null;
}

export interface FormSection {
  code: string;
  name: string;
  max: number;
  lines: FormLine[];
  selfPoints: number;
  points: number;
}

export interface SubmissionForm {
  submission: repo.SubmissionRow;
  agency: AgencyRow;
  period: PeriodRow;
  framework: { id: number; code: string; name: string; version: number };
  sections: FormSection[];
  totals: { selfPoints: number; points: number; max: number };
  entryOpen: boolean;
  entry: EntryStatus;
  /** The last day a report counts as on time (due date on a working day, plus the grace). */
  deadline: string;
  /** The latest return (overall note and reasons per indicator), if the report was ever returned. */
  lastReturn: repo.ReturnRow | null;
}

const STALE =
  'Báo cáo đã được người khác cập nhật sau khi bạn mở. Số liệu của bạn chưa được lưu — hãy tải lại trang để xem bản mới nhất rồi nhập lại.';
/** How long a heartbeat counts someone as having the form open. */
const PRESENCE_SECONDS = 90;
const RETURN_REASON_MAX = 4000;

export class SubmissionService {
  constructor(
    private readonly db: Knex,
    private readonly deps: {
      frameworks: FrameworkService;
      agencies: AgencyService;
      periods: PeriodService;
      audit: AuditService;
      now?: () => Date;
      /** Told of every workflow transition inside its transaction (notifications of returns). */
      events?: SubmissionEvents;
    },
  ) {}

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  async get(actor: Actor, id: number): Promise<repo.SubmissionRow> {
    const s = await repo.getSubmission(this.db, id);
    if (!s) throw notFound('báo cáo');
    authorize(actor, 'submission.read', s.agencyId);
    return s;
  }

  find(agencyId: number, periodId: number): Promise<repo.SubmissionRow | undefined> {
    return repo.findSubmission(this.db, agencyId, periodId);
  }

  /** Gets or creates the agency's submission for an open period. */
  async open(actor: Actor, periodId: number, agencyId: number): Promise<number> {
    authorize(actor, 'submission.edit', agencyId);
    const period = await this.deps.periods.get(periodId);
    const existing = await repo.findSubmission(this.db, agencyId, periodId);
    if (existing) return existing.id;
    await this.deps.periods.assertEntryOpen(period, agencyId);
    await this.assertExpected(agencyId, period);
    return this.db.transaction(async (trx) => {
      const id = await repo.insertSubmission(trx, agencyId, periodId);
      await this.deps.audit.record(trx, actor, [
        { action: 'submission.create', entity: 'submission', entityId: id, agencyId, submissionId: id, after: { state: 'draft' } },
      ]);
      return id;
    });
  }

  private async assertExpected(agencyId: number, period: PeriodRow): Promise<void> {
    if (!(await this.isExpected(agencyId, period))) throw forbidden('Đơn vị không thuộc đối tượng báo cáo của kỳ này.');
  }

  /** Whether the agency is one of those that report in the period (a member of its framework's groups). */
  async isExpected(agencyId: number, period: PeriodRow): Promise<boolean> {
    const fw = await this.deps.frameworks.get(period.frameworkId);
    const agency = await this.deps.agencies.get(agencyId);
    const groups = await this.deps.agencies.groupIdsByCode(fw.definition.appliesTo);
    return agency.rankingGroupId !== null && [...groups.values()].includes(agency.rankingGroupId);
  }

  async form(actor: Actor, id: number): Promise<SubmissionForm> {
    const submission = await this.get(actor, id);
    const [agency, period] = await Promise.all([
      this.deps.agencies.get(submission.agencyId),
      this.deps.periods.get(submission.periodId),
    ]);
    const fw = await this.deps.frameworks.get(period.frameworkId);
    const applicableCodes = applicableIndicatorCodes(
      fw.definition.nodes,
      (await this.deps.agencies.groupCodeOf(agency)) ?? '',
      period.kind,
      await this.deps.frameworks.exemptCodes(period.id, agency.id),
    );
    const values = await repo.valuesOf(this.db, id);
    const evidence = await repo.evidenceOf(this.db, id);
    const lastReturn = (await repo.returnsOf(this.db, id))[0] ?? null;
    const entry = await this.deps.periods.entryStatus(period, agency.id);
    const { deadline } = await this.deps.periods.deadlineOf(period);
    const prevPeriod = await this.deps.periods.previous(period);
    const prevSubmission = prevPeriod && (await repo.findSubmission(this.db, agency.id, prevPeriod.id));
    const prevValues =
      prevSubmission && COUNTED_STATES.includes(prevSubmission.state)
        ? await repo.valuesOf(this.db, prevSubmission.id)
        : new Map<string, repo.StoredValue>();

    const sections: FormSection[] = fw.definition.nodes.map((node) => {
      const indicators = node.type === 'indicator' ? [node] : indicatorsOf(node.children);
      const lines = indicators.map((ind): FormLine => {
        const stored = values.get(ind.code);
        const prev = prevValues.get(ind.code);
        const previous = prev ? (prev.appraised ?? prev.self) : null;
        const applicable = applicableCodes.has(ind.code);
        return {
          indicator: ind,
          applicable,
          stored,
          selfScore: scoreIndicator(ind, { value: stored?.self ?? null, previous }, applicable),
          score: scoreIndicator(
            ind,
            { value: stored?.appraised ?? stored?.self ?? null, adjusted: !!stored?.appraised, previous },
            applicable,
          ),
          previous,
          evidence: evidence.filter((e) => e.nodeCode === ind.code),
          returnReason: lastReturn?.items.get(ind.code) ?? null,
        };
      });
      return {
        code: node.code,
        name: node.name,
        max: node.max,
        lines,
        selfPoints: roundPublished(lines.reduce((s, l) => s + l.selfScore.points, 0)),
        points: roundPublished(lines.reduce((s, l) => s + l.score.points, 0)),
      };
    });
    const max = sections.reduce((s, x) => s + x.lines.reduce((a, l) => a + l.score.max, 0), 0);
    return {
      submission,
      agency,
      period,
      framework: { id: fw.id, code: fw.code, name: fw.name, version: fw.version },
      sections,
      totals: {
        selfPoints: roundPublished(sections.reduce((s, x) => s + x.selfPoints, 0)),
        points: roundPublished(sections.reduce((s, x) => s + x.points, 0)),
        max: roundPublished(max),
      },
      entryOpen: entry.open,
      entry,
      deadline,
      lastReturn,
    };
  }

  private async indicators(period: PeriodRow): Promise<{ def: FrameworkDef; list: IndicatorDef[]; nodeIds: Map<string, number> }> {
    const fw = await this.deps.frameworks.get(period.frameworkId);
    return {
      def: fw.definition,
      list: indicatorsOf(fw.definition.nodes),
      nodeIds: await this.deps.frameworks.nodeIds(fw.id),
    };
  }

  /** Saves the agency's draft values. All are validated first; on any problem nothing is saved. */
  async saveDraft(
    actor: Actor,
    id: number,
    expectedVersion: number,
    raw: Record<string, RawValue>,
  ): Promise<{ version: number; savedAt: Date }> {
    const s = await this.get(actor, id);
    authorize(actor, 'submission.edit', s.agencyId);
    if (!isEditable(s.state)) throw lockedError(s.state);
    const period = await this.deps.periods.get(s.periodId);
    await this.deps.periods.assertEntryOpen(period, s.agencyId);
    const { list, nodeIds } = await this.indicators(period);
    const byCode = new Map(list.map((i) => [i.code, i]));

    const problems: FieldProblem[] = [];
    const parsed = new Map<string, ParsedValue>();
    for (const [code, value] of Object.entries(raw)) {
      const ind = byCode.get(code);
      if (!ind) {
        problems.push({ field: code, message: `Chỉ số ${code} không có trong bộ chỉ số của kỳ này.` });
        continue;
      }
      const r = parseValue(ind, value);
      problems.push(...r.problems);
      parsed.set(code, r.parsed);
    }
    if (problems.length) throw validationError('Số liệu chưa hợp lệ, chưa lưu thay đổi nào.', problems);

    return this.db.transaction(async (trx) => {
      if (!(await repo.advanceVersion(trx, id, expectedVersion, { updated_by: actor.id }))) {
        throw await this.staleConflict(trx, id, byCode, parsed);
      }
      const before = await repo.valuesOf(trx, id);
      const writes: repo.SelfValueWrite[] = [];
      const events: AuditInput[] = [];
      for (const [code, p] of parsed) {
        const old = before.get(code);
        const oldView = { value: old?.self ?? null, comment: old?.comment ?? null };
        const newView = { value: p.value, comment: p.comment };
        if (JSON.stringify(oldView) === JSON.stringify(newView)) continue;
        writes.push({ nodeId: nodeIds.get(code)!, self: p.value, comment: p.comment });
        events.push({
          action: 'value.update',
          entity: 'indicator',
          entityId: code,
          agencyId: s.agencyId,
          submissionId: id,
          before: oldView,
          after: newView,
        });
      }
      await repo.upsertSelfValues(trx, id, actor.id, writes);
      await this.deps.audit.record(trx, actor, events);
      return { version: expectedVersion + 1, savedAt: this.now() };
    });
  }

  /**
   * The 409 for a save based on an old version: who saved last and when, and for each indicator sent, where the
   * saved figures differ from the ones typed — so nobody loses work silently and the user can decide.
   */
  private async staleConflict(
    trx: Knex.Transaction,
    id: number,
    byCode: Map<string, IndicatorDef>,
    parsed: Map<string, ParsedValue>,
  ): Promise<Error> {
    const current = await repo.getSubmission(trx, id);
    const stored = await repo.valuesOf(trx, id);
    const details: FieldProblem[] = [];
    for (const [code, p] of parsed) {
      const ind = byCode.get(code)!;
      const old = stored.get(code);
      const theirs = displayValue(ind.input, old?.self ?? null) || '(trống)';
      const yours = displayValue(ind.input, p.value) || '(trống)';
      const theirComment = old?.comment ?? '';
      const yourComment = p.comment ?? '';
      if (theirs === yours && theirComment === yourComment) continue;
      const what =
        theirs !== yours
          ? `bản đã lưu là "${theirs}", bạn nhập "${yours}".`
          : `ghi chú đã lưu là "${theirComment || '(trống)'}", bạn nhập "${yourComment || '(trống)'}".`;
      details.push({ field: code, message: `Chỉ số ${code} (${ind.name}): ${what}` });
    }
    const who = current?.updatedByName ? ` (${current.updatedByName} lưu lúc ${formatDateTime(current.updatedAt)})` : '';
    return new AppError(
      'conflict',
      `Báo cáo đã được người khác cập nhật${who} sau khi bạn mở. Số liệu bạn nhập chưa được lưu và vẫn còn trên biểu mẫu; ` +
        'hãy xem các chỉ số khác biệt, rồi lưu lại nếu muốn ghi đè hoặc tải lại trang để lấy bản mới nhất.',
      details,
    );
  }

  /** The submission, once it is certain the actor may change it now: own agency, an editable state, entry open. */
  async editable(actor: Actor, id: number): Promise<{ submission: repo.SubmissionRow; period: PeriodRow }> {
    const s = await this.get(actor, id);
    authorize(actor, 'submission.edit', s.agencyId);
    if (!isEditable(s.state)) throw lockedError(s.state);
    const period = await this.deps.periods.get(s.periodId);
    await this.deps.periods.assertEntryOpen(period, s.agencyId);
    return { submission: s, period };
  }

  async addEvidence(
    actor: Actor,
    id: number,
    expectedVersion: number,
    input: { indicator: string; docNumber: string; issuedOn: string | null; summary: string | null; issuer: string | null },
  ): Promise<void> {
    const s = await this.get(actor, id);
    authorize(actor, 'submission.edit', s.agencyId);
    if (!isEditable(s.state)) throw lockedError(s.state);
    const period = await this.deps.periods.get(s.periodId);
    await this.deps.periods.assertEntryOpen(period, s.agencyId);
    const { nodeIds } = await this.indicators(period);
    const nodeId = nodeIds.get(input.indicator);
    if (nodeId === undefined) throw validationError(`Chỉ số ${input.indicator} không có trong bộ chỉ số của kỳ này.`);
    await this.db.transaction(async (trx) => {
      if (!(await repo.advanceVersion(trx, id, expectedVersion, { updated_by: actor.id }))) throw conflict(STALE);
      const evidenceId = await repo.insertEvidence(trx, id, actor.id, { nodeId, ...input });
      await this.deps.audit.record(trx, actor, [
        { action: 'evidence.add', entity: 'evidence', entityId: evidenceId, agencyId: s.agencyId, submissionId: id, after: input },
      ]);
    });
  }

  async removeEvidence(actor: Actor, id: number, expectedVersion: number, evidenceId: number): Promise<void> {
    const s = await this.get(actor, id);
    authorize(actor, 'submission.edit', s.agencyId);
    if (!isEditable(s.state)) throw lockedError(s.state);
    await this.deps.periods.assertEntryOpen(await this.deps.periods.get(s.periodId), s.agencyId);
    const existing = (await repo.evidenceOf(this.db, id)).find((e) => e.id === evidenceId);
    if (!existing) throw notFound('tài liệu kiểm chứng');
    await this.db.transaction(async (trx) => {
      if (!(await repo.advanceVersion(trx, id, expectedVersion, { updated_by: actor.id }))) throw conflict(STALE);
      await repo.deleteEvidence(trx, id, evidenceId);
      await this.deps.audit.record(trx, actor, [
        { action: 'evidence.remove', entity: 'evidence', entityId: evidenceId, agencyId: s.agencyId, submissionId: id, before: existing },
      ]);
    });
  }

  /** The head's official submission; refused while an applicable indicator has neither a value nor an explanation. */
  async submit(actor: Actor, id: number, expectedVersion: number): Promise<void> {
    const s = await this.get(actor, id);
    authorize(actor, 'submission.submit', s.agencyId);
    const to = nextState(s.state, 'submit');
    const period = await this.deps.periods.get(s.periodId);
    await this.deps.periods.assertEntryOpen(period, s.agencyId);
    const agency = await this.deps.agencies.get(s.agencyId);
    const { def, list } = await this.indicators(period);
    const exempt = await this.deps.frameworks.exemptCodes(period.id, agency.id);
    const codes = applicableIndicatorCodes(def.nodes, (await this.deps.agencies.groupCodeOf(agency)) ?? '', period.kind, exempt);
    const applicable = list.filter((i) => codes.has(i.code));
    const values = await repo.valuesOf(this.db, id);
    const evidence = await repo.evidenceOf(this.db, id);
    const evidenceCount = new Map<string, number>();
    for (const e of evidence) if (e.nodeCode) evidenceCount.set(e.nodeCode, (evidenceCount.get(e.nodeCode) ?? 0) + 1);
    const problems = checkCompleteness(
      applicable,
      new Map([...values].map(([code, v]) => [code, { value: v.self, comment: v.comment }])),
      evidenceCount,
    );
    if (problems.length) throw validationError('Báo cáo chưa đủ điều kiện gửi.', problems);
    const at = this.now();
    await this.transition(actor, s, expectedVersion, 'submission.submit', to, {
      submitted_at: at,
      first_submitted_at: s.firstSubmittedAt ?? at,
      submitted_by: actor.id,
      return_reason: null,
    });
  }

  /**
   * Returns the report to the agency with an overall note and/or a reason per indicator (at least one of them), so
   * the agency sees beside each value what to fix.
   */
  async returnToAgency(actor: Actor, id: number, reason: string, perIndicator: Record<string, string> = {}): Promise<void> {
    const s = await this.get(actor, id);
    authorize(actor, 'submission.review', s.agencyId);
    const to = nextState(s.state, 'return');
    const why = reason.trim();
    const period = await this.deps.periods.get(s.periodId);
    const { list, nodeIds } = await this.indicators(period);
    const names = new Map(list.map((i) => [i.code, i.name]));
    const problems: FieldProblem[] = [];
    const items: Array<{ code: string; nodeId: number; reason: string }> = [];
    for (const [code, raw] of Object.entries(perIndicator)) {
      const text = raw.trim();
      if (!text) continue;
      if (!names.has(code)) problems.push({ field: code, message: `Chỉ số ${code} không có trong bộ chỉ số của kỳ này.` });
      else if (text.length > 2000) problems.push({ field: code, message: `Chỉ số ${code} (${names.get(code)}): ý kiến dài quá 2000 ký tự.` });
      else items.push({ code, nodeId: nodeIds.get(code)!, reason: text });
    }
    if (why.length > RETURN_REASON_MAX) problems.push({ field: 'reason', message: `Lý do trả lại quá dài (tối đa ${RETURN_REASON_MAX} ký tự).` });
    if (!why && items.length === 0 && problems.length === 0) {
      throw validationError('Cần nêu lý do trả lại báo cáo.', [
        { field: 'reason', message: 'Cần nêu lý do trả lại báo cáo: ý kiến chung hoặc ý kiến cho từng chỉ số.' },
      ]);
    }
    if (problems.length) throw validationError('Chưa trả lại được báo cáo.', problems);
    const summary = why || `Trả lại với ${items.length} ý kiến theo chỉ số.`;
    await this.db.transaction(async (trx) => {
      if (!(await repo.advanceVersion(trx, s.id, s.version, { state: to, reviewed_at: this.now(), reviewed_by: actor.id, return_reason: summary, updated_by: actor.id }))) {
        throw conflict(STALE);
      }
      await repo.insertReturn(trx, s.id, actor.id, summary, items);
      await this.deps.audit.record(trx, actor, [
        {
          action: 'submission.return',
          entity: 'submission',
          entityId: s.id,
          agencyId: s.agencyId,
          submissionId: s.id,
          before: { state: s.state },
          after: items.length ? { state: to, indicators: Object.fromEntries(items.map((i) => [i.code, i.reason])) } : { state: to },
          reason: summary,
        },
      ]);
      await this.deps.events?.transitioned(trx, { actor, submission: s, action: 'submission.return', to, reason: summary });
    });
  }

  returns(submissionId: number): Promise<repo.ReturnRow[]> {
    return repo.returnsOf(this.db, submissionId);
  }

  /**
   * The form's heartbeat: records that the actor has the submission open (if they may edit it) and tells who else
   * has it open and which version is current, so a second editor is warned before their save is refused.
   */
  async heartbeat(
    actor: Actor,
    id: number,
  ): Promise<{ version: number; state: SubmissionState; updatedBy: string | null; updatedAt: Date; others: repo.PresenceRow[] }> {
    const s = await this.get(actor, id);
    const at = this.now();
    if (can(actor, 'submission.edit', s.agencyId)) await repo.touchPresence(this.db, id, actor.id, at);
    const others = await repo.presentSince(this.db, id, actor.id, new Date(at.getTime() - PRESENCE_SECONDS * 1000));
    return { version: s.version, state: s.state, updatedBy: s.updatedByName, updatedAt: s.updatedAt, others };
  }

  /** Who else has the submission open now, for the page as first rendered. */
  async othersPresent(actor: Actor, id: number): Promise<repo.PresenceRow[]> {
    await this.get(actor, id);
    return repo.presentSince(this.db, id, actor.id, new Date(this.now().getTime() - PRESENCE_SECONDS * 1000));
  }

  async approve(actor: Actor, id: number): Promise<void> {
    const s = await this.get(actor, id);
    authorize(actor, 'submission.review', s.agencyId);
    const to = nextState(s.state, 'approve');
    await this.transition(actor, s, s.version, 'submission.approve', to, {
      reviewed_at: this.now(),
      reviewed_by: actor.id,
    });
  }

  /**
   * Records the Department's recognised value beside the agency's own, with the reason (an empty value clears the
   * appraisal). Only while the report is under review.
   */
  async appraise(actor: Actor, id: number, code: string, raw: RawValue, reason: string): Promise<void> {
    const s = await this.get(actor, id);
    authorize(actor, 'submission.review', s.agencyId);
    if (!isUnderReview(s.state)) throw lockedError(s.state);
    const period = await this.deps.periods.get(s.periodId);
    const { list, nodeIds } = await this.indicators(period);
    const ind = list.find((i) => i.code === code);
    if (!ind) throw validationError(`Chỉ số ${code} không có trong bộ chỉ số của kỳ này.`);
    const { parsed, problems } = parseValue(ind, raw);
    if (problems.length) throw validationError('Giá trị thẩm định chưa hợp lệ.', problems);
    const why = reason.trim();
    if (parsed.value && !why) {
      throw validationError('Cần nêu lý do điều chỉnh khi thẩm định.', [
        { field: code, message: `Chỉ số ${code}: cần nêu lý do điều chỉnh.` },
      ]);
    }
    await this.db.transaction(async (trx) => {
      if (!(await repo.advanceVersion(trx, id, s.version, { updated_by: actor.id }))) throw conflict(STALE);
      const before = (await repo.valuesOf(trx, id)).get(code);
      await repo.upsertAppraisal(trx, id, nodeIds.get(code)!, actor.id, parsed.value, why || null);
      await this.deps.audit.record(trx, actor, [
        {
          action: 'value.appraise',
          entity: 'indicator',
          entityId: code,
          agencyId: s.agencyId,
          submissionId: id,
          before: { appraised: before?.appraised ?? null, self: before?.self ?? null },
          after: { appraised: parsed.value },
          reason: why || null,
        },
      ]);
    });
  }

  private async transition(
    actor: Actor,
    s: repo.SubmissionRow,
    expectedVersion: number,
    action: string,
    to: SubmissionState,
    patch: Record<string, unknown>,
    reason: string | null = null,
  ): Promise<void> {
    await this.db.transaction(async (trx) => {
      if (!(await repo.advanceVersion(trx, s.id, expectedVersion, { state: to, ...patch, updated_by: actor.id }))) throw conflict(STALE);
      await this.deps.audit.record(trx, actor, [
        {
          action,
          entity: 'submission',
          entityId: s.id,
          agencyId: s.agencyId,
          submissionId: s.id,
          before: { state: s.state },
          after: { state: to },
          reason,
        },
      ]);
      await this.deps.events?.transitioned(trx, { actor, submission: s, action, to, reason });
    });
  }

  /** Called by publication, inside its transaction. */
  async publishApproved(trx: Knex.Transaction, actor: Actor, periodId: number): Promise<number> {
    const published = await repo.publishApproved(trx, periodId);
    await this.deps.audit.record(
      trx,
      actor,
      published.map(({ id, agencyId }) => ({
        action: 'submission.publish',
        entity: 'submission',
        entityId: id,
        agencyId,
        submissionId: id,
        before: { state: 'approved' },
        after: { state: 'published' },
      })),
    );
    return published.length;
  }

  /** Writes a whole submission in the caller's transaction, with one audit event saying where it came from. */
  async importSubmission(trx: Knex.Transaction, actor: Actor | null, sub: ImportedSubmission, source: string): Promise<number> {
    const period = await this.deps.periods.get(sub.periodId, trx);
    const nodeIds = await this.deps.frameworks.nodeIds(period.frameworkId, trx);
    const reviewed = sub.state === 'approved' || sub.state === 'published' || sub.state === 'returned';
    const id = await repo.insertSubmission(trx, sub.agencyId, sub.periodId, {
      state: sub.state,
      returnReason: sub.returnReason ?? null,
      submittedAt: sub.state === 'draft' ? null : (sub.submittedAt ?? this.now()),
      reviewedAt: reviewed ? (sub.reviewedAt ?? this.now()) : null,
    });
    const nodeId = (code: string): number => {
      const n = nodeIds.get(code);
      if (n === undefined) throw validationError(`Chỉ số ${code} không có trong bộ chỉ số của kỳ này.`);
      return n;
    };
    await repo.upsertSelfValues(
      trx,
      id,
      actor?.id ?? null,
      sub.values.map((v) => ({ nodeId: nodeId(v.code), self: v.self, comment: v.comment ?? null })),
    );
    for (const v of sub.values) {
      if (v.appraised) await repo.upsertAppraisal(trx, id, nodeId(v.code), actor?.id ?? null, v.appraised, v.appraisalReason ?? null);
    }
    for (const e of sub.evidence) await repo.insertEvidence(trx, id, actor?.id ?? null, { nodeId: nodeId(e.code), ...e });
    await this.deps.audit.record(trx, actor, [
      { action: 'seed', entity: 'submission', entityId: id, agencyId: sub.agencyId, submissionId: id, after: { state: sub.state, source } },
    ]);
    return id;
  }

  /**
   * Checks the Department's new values for an accepted appeal, before any transaction: the indicators must be in
   * the period's framework, the values valid, each with its reason. Only reports whose values are counted (approved
   * or published) can be re-appraised this way.
   */
  async prepareAppealAppraisal(actor: Actor, submissionId: number, changes: AppealChange[]): Promise<PreparedAppraisal> {
    const s = await repo.getSubmission(this.db, submissionId);
    if (!s) throw notFound('báo cáo');
    authorize(actor, 'appeal.decide', s.agencyId);
    if (!COUNTED_STATES.includes(s.state)) throw lockedError(s.state);
    const period = await this.deps.periods.get(s.periodId);
    const { list, nodeIds } = await this.indicators(period);
    const stored = await repo.valuesOf(this.db, submissionId);
    const problems: FieldProblem[] = [];
    const writes: PreparedAppraisal['writes'] = [];
    for (const c of changes) {
      const ind = list.find((i) => i.code === c.code);
      if (!ind) {
        problems.push({ field: c.code, message: `Chỉ số ${c.code} không có trong bộ chỉ số của kỳ này.` });
        continue;
      }
      const r = parseValue(ind, c.raw);
      problems.push(...r.problems);
      const current = stored.get(c.code);
      if (!r.problems.length && !r.parsed.value) {
        problems.push({ field: c.code, message: `Chỉ số ${c.code} (${ind.name}): cần nhập giá trị thẩm định mới.` });
      } else if (r.parsed.value && JSON.stringify(r.parsed.value) === JSON.stringify(current?.appraised ?? current?.self ?? null)) {
        problems.push({ field: c.code, message: `Chỉ số ${c.code} (${ind.name}): giá trị mới trùng với giá trị đang được công nhận.` });
      }
      const why = c.reason.trim();
      if (!why) problems.push({ field: c.code, message: `Chỉ số ${c.code} (${ind.name}): cần nêu lý do điều chỉnh.` });
      else if (why.length > 4000) problems.push({ field: c.code, message: `Chỉ số ${c.code}: lý do dài quá 4000 ký tự.` });
      writes.push({ code: c.code, nodeId: nodeIds.get(c.code)!, value: r.parsed.value, reason: why });
    }
    if (problems.length) throw validationError('Giá trị thẩm định lại chưa hợp lệ, chưa lưu thay đổi nào.', problems);
    return { submission: s, writes };
  }

  /**
   * Writes prepared appeal appraisals in the caller's transaction, with one audit event per indicator naming the
   * appeal. Refused (409) if the report changed since it was prepared. Returns each indicator's value before.
   */
  async applyAppealAppraisal(
    trx: Knex.Transaction,
    actor: Actor,
    prepared: PreparedAppraisal,
    appealId: number,
  ): Promise<Map<string, ReportedValue | null>> {
    const s = prepared.submission;
    if (!(await repo.advanceVersion(trx, s.id, s.version))) throw conflict(STALE);
    const before = await repo.valuesOf(trx, s.id);
    const out = new Map<string, ReportedValue | null>();
    const events: AuditInput[] = [];
    for (const w of prepared.writes) {
      const old = before.get(w.code);
      out.set(w.code, old?.appraised ?? old?.self ?? null);
      await repo.upsertAppraisal(trx, s.id, w.nodeId, actor.id, w.value, w.reason);
      events.push({
        action: 'value.appraise',
        entity: 'indicator',
        entityId: w.code,
        agencyId: s.agencyId,
        submissionId: s.id,
        before: { appraised: old?.appraised ?? null, self: old?.self ?? null },
        after: { appraised: w.value, appeal: appealId },
        reason: w.reason,
      });
    }
    await this.deps.audit.record(trx, actor, events);
    return out;
  }

  /** Each agency's submission state in a period (agencies that never opened one are absent). */
  statesByAgency(periodId: number, db: Knex = this.db): Promise<Map<number, { id: number; state: SubmissionState }>> {
    return repo.statesByAgency(db, periodId);
  }

  /** Values the index counts (approved or published submissions); `publishedOnly`: those of published ones alone. */
  countedValues(periodId: number, opts: { publishedOnly?: boolean } = {}, db: Knex = this.db): Promise<repo.CountedValueRow[]> {
    return repo.countedValues(db, periodId, opts.publishedOnly ? ['published'] : COUNTED_STATES);
  }

  evidence(submissionId: number): Promise<repo.EvidenceRow[]> {
    return repo.evidenceOf(this.db, submissionId);
  }

  /** Per agency and period, a marker of its counted submission that changes with any change to it or its values. */
  countedMarkers(periodIds: number[], db: Knex = this.db): Promise<repo.CountedMarker[]> {
    return repo.countedMarkers(db, periodIds, COUNTED_STATES);
  }

  /** The counted values of some periods (approved or published reports), optionally only some agencies'. */
  countedValueColumns(periodIds: number[], agencyIds: number[] | null, db: Knex = this.db): Promise<repo.ValueColumns[]> {
    return repo.countedValueColumns(db, periodIds, COUNTED_STATES, agencyIds);
  }

  /**
   * The counted values of some periods as countedValueColumns gives them, read a part at a time in agency order (an
   * agency's rows, one per period, come together) with a cursor that sees what `trx` sees (server/db/cursor.ts).
   */
  async countedValueCursor(periodIds: number[], trx: Knex.Transaction): Promise<Cursor<repo.ValueColumns>> {
    const cursor = await openCursor(trx, repo.countedValueColumnsQuery(trx, periodIds, COUNTED_STATES, null), {
      query: repo.countedValueColumnsQuery(trx, periodIds, COUNTED_STATES, null, true),
      row: repo.valueColumnsRowOfCopy,
    });
    return {
      alongside: cursor.alongside,
      fetch: async (rows) => repo.valueColumnsOf(await cursor.fetch(rows)),
      close: () => cursor.close(),
    };
  }
}

/** A workflow transition, as told to listeners inside its transaction. */
export interface SubmissionTransition {
  actor: Actor;
  submission: repo.SubmissionRow;
  action: string;
  to: SubmissionState;
  reason: string | null;
}

export interface SubmissionEvents {
  transitioned(trx: Knex.Transaction, event: SubmissionTransition): Promise<void>;
}

/** A new appraised value decided on an appeal, as the form sends it. */
export interface AppealChange {
  code: string;
  raw: RawValue;
  reason: string;
}

export interface PreparedAppraisal {
  submission: repo.SubmissionRow;
  writes: Array<{ code: string; nodeId: number; value: ReportedValue | null; reason: string }>;
}

/** Values are locked outside the states in which their owner may change them. */
function lockedError(state: SubmissionState): Error {
  return invalidTransition(`Không thể thay đổi số liệu: báo cáo đang ở trạng thái "${STATE_LABELS[state]}".`);
}


/** A submission brought in whole, already reviewed (demo data, and later bulk imports of past periods). */
export interface ImportedSubmission {
  agencyId: number;
  periodId: number;
  state: SubmissionState;
  values: Array<{ code: string; self: ReportedValue | null; comment?: string | null; appraised?: ReportedValue | null; appraisalReason?: string | null }>;
  evidence: Array<{ code: string; docNumber: string; issuedOn: string | null; summary: string | null; issuer: string | null }>;
  returnReason?: string | null;
  /** When the report was sent and reviewed, for history brought in from elsewhere; now, when absent. */
  submittedAt?: Date;
  reviewedAt?: Date;
}
