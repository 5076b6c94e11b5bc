import type { Request, Response } from 'express';
import type { Services } from '../container.js';
import { can, type Actor } from '../auth/policy.js';
import { AppError } from '../errors.js';
import { actorOf, bodyString, bodyVersion, idParam, noticeOf, type Route } from '../http/route.js';
import { renderPage } from '../http/views.js';
import { homeOf } from '../auth/auth.routes.js';
import { displayValue } from '../frameworks/value-display.js';
import type { RawValue } from './value-validation.js';
import { isEditable, isUnderReview } from './workflow.js';

/** The form posts v[CODE][value|denominator|option|comment]; anything else is refused. */
function rawValues(req: Request): Record<string, RawValue> {
  const v = (req.body as Record<string, unknown>).v;
  if (v === undefined) return {};
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new AppError('validation', 'Dữ liệu biểu mẫu không hợp lệ.');
  const out: Record<string, RawValue> = {};
  for (const [code, raw] of Object.entries(v as Record<string, unknown>)) {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new AppError('validation', 'Dữ liệu biểu mẫu không hợp lệ.');
    out[code] = raw as RawValue;
  }
  if (Object.keys(out).length > 2000) throw new AppError('validation', 'Biểu mẫu có quá nhiều trường.');
  return out;
}

export async function renderForm(
  s: Services,
  actor: Actor,
  res: Response,
  id: number,
  extra: { errors?: AppError; raw?: Record<string, RawValue>; notice?: string | undefined } = {},
): Promise<void> {
  const form = await s.submissions.form(actor, id);
  const state = form.submission.state;
  const canEdit = can(actor, 'submission.edit', form.agency.id) && isEditable(state) && form.entryOpen;
  const canReview = can(actor, 'submission.review', form.agency.id) && isUnderReview(state);
  const problems = new Map<string, string[]>();
  for (const d of extra.errors?.details ?? []) problems.set(d.field, [...(problems.get(d.field) ?? []), d.message]);
  const sections = form.sections.map((sec) => ({
    ...sec,
    lines: sec.lines.map((l) => {
      const raw = extra.raw?.[l.indicator.code];
      const self = l.stored?.self ?? null;
      const input = {
        value: raw ? String(raw.value ?? '') : self?.value ?? '',
        denominator: raw ? String(raw.denominator ?? '') : self?.denominator ?? '',
        option: raw ? String(raw.option ?? '') : self?.option ?? (self?.value !== null && self?.value !== undefined ? String(self.value) : ''),
        comment: raw ? String(raw.comment ?? '') : l.stored?.comment ?? '',
      };
      return {
        ...l,
        input,
        kind: l.indicator.input.kind,
        selfDisplay: displayValue(l.indicator.input, self),
        appraisedDisplay: displayValue(l.indicator.input, l.stored?.appraised ?? null),
        previousDisplay: displayValue(l.indicator.input, l.previous),
        problems: problems.get(l.indicator.code) ?? [],
      };
    }),
  }));
  const canAudit = can(actor, 'audit.read', form.agency.id);
  const audit = canAudit ? await s.audit.pageForSubmission(actor, form.submission, 1) : null;
  const others = canEdit ? await s.submissions.othersPresent(actor, id) : [];
  res.status(extra.errors?.status ?? 200).send(
    renderPage('submissions/form', {
      ...res.locals,
      title: `Báo cáo ${form.period.name} — ${form.agency.name}`,
      scripts: canEdit ? ['/static/js/submission-autosave.js'] : [],
      form,
      sections,
      canEdit,
      canSubmit: can(actor, 'submission.submit', form.agency.id) && isEditable(state) && form.entryOpen,
      canReview,
      canAudit,
      others,
      returnItemCount: form.lastReturn?.items.size ?? 0,
      notice: extra.notice,
      errorMessage: extra.errors?.message,
      errorList: extra.errors?.details ?? [],
      audit: audit ? audit.lines.slice(0, 20) : [],
      auditMore: audit ? audit.total > 20 : false,
    }),
  );
}

export function submissionRoutes(s: Services): Route[] {
  /** Runs a change and redirects to the form; validation and conflict errors re-render the form with the input kept. */
  const change =
    (fn: (actor: Actor, id: number, req: Request) => Promise<string>, keepInput = false) =>
    async (req: Request, res: Response): Promise<void> => {
      const actor = actorOf(res);
      const id = idParam(req, 'id');
      try {
        const msg = await fn(actor, id, req);
        res.redirect(303, `/submissions/${id}?msg=${msg}`);
      } catch (err) {
        if (err instanceof AppError && (err.code === 'validation' || err.code === 'conflict' || err.code === 'invalid_transition')) {
          await renderForm(s, actor, res, id, { errors: err, ...(keepInput ? { raw: rawValues(req) } : {}) });
          return;
        }
        throw err;
      }
    };

  return [
    {
      method: 'get',
      path: '/submissions',
      access: 'submission.read',
      handler: async (_req, res) => {
        const actor = actorOf(res);
        if (actor.agencyId === null || !can(actor, 'submission.edit', actor.agencyId)) {
          res.redirect(303, homeOf(actor));
          return;
        }
        const agency = await s.agencies.get(actor.agencyId);
        const periods = await s.periods.list();
        const rows = [];
        for (const p of periods) {
          const fw = await s.frameworks.get(p.frameworkId);
          const groups = await s.agencies.groupIdsByCode(fw.definition.appliesTo);
          if (agency.rankingGroupId === null || ![...groups.values()].includes(agency.rankingGroupId)) continue;
          // An agency whose entry the Department reopened may start its report after the close.
          const open = (await s.periods.entryStatus(p, agency.id)).open;
          rows.push({ period: p, open, submission: await s.submissions.find(agency.id, p.id) });
        }
        res.send(renderPage('submissions/list', { ...res.locals, title: 'Báo cáo của đơn vị', agency, rows }));
      },
    },
    {
      method: 'post',
      path: '/periods/:periodId/submissions',
      access: 'submission.edit',
      handler: async (req, res) => {
        const actor = actorOf(res);
        if (actor.agencyId === null) throw new AppError('forbidden', 'Tài khoản không thuộc đơn vị nào.');
        const id = await s.submissions.open(actor, idParam(req, 'periodId'), actor.agencyId);
        res.redirect(303, `/submissions/${id}`);
      },
    },
    {
      method: 'get',
      path: '/submissions/:id',
      access: 'submission.read',
      handler: async (req, res) => renderForm(s, actorOf(res), res, idParam(req, 'id'), { notice: noticeOf(req) }),
    },
    {
      method: 'post',
      path: '/submissions/:id/values',
      access: 'submission.edit',
      handler: change(async (actor, id, req) => {
        await s.submissions.saveDraft(actor, id, bodyVersion(req), rawValues(req));
        return 'saved';
      }, true),
    },
    {
      method: 'post',
      path: '/submissions/:id/evidence',
      access: 'submission.edit',
      handler: change(async (actor, id, req) => {
        const docNumber = bodyString(req, 'docNumber', 100).trim();
        if (!docNumber) throw new AppError('validation', 'Cần nhập số ký hiệu văn bản.', [{ field: 'docNumber', message: 'Cần nhập số ký hiệu văn bản.' }]);
        const issuedOn = bodyString(req, 'issuedOn', 10).trim();
        if (issuedOn && !/^\d{4}-\d{2}-\d{2}$/.test(issuedOn)) throw new AppError('validation', 'Ngày ban hành không hợp lệ.');
        await s.submissions.addEvidence(actor, id, bodyVersion(req), {
          indicator: bodyString(req, 'indicator', 50),
          docNumber,
          issuedOn: issuedOn || null,
          summary: bodyString(req, 'summary', 1000).trim() || null,
          issuer: bodyString(req, 'issuer', 300).trim() || null,
        });
        return 'evidence-added';
      }),
    },
    {
      method: 'post',
      path: '/submissions/:id/evidence/:evidenceId/delete',
      access: 'submission.edit',
      handler: change(async (actor, id, req) => {
        await s.submissions.removeEvidence(actor, id, bodyVersion(req), idParam(req, 'evidenceId'));
        return 'evidence-removed';
      }),
    },
    {
      method: 'post',
      path: '/submissions/:id/submit',
      access: 'submission.submit',
      handler: change(async (actor, id, req) => {
        await s.submissions.submit(actor, id, bodyVersion(req));
        return 'submitted';
      }),
    },
  ];
}
