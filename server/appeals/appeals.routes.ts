import type { Request, Response } from 'express';
import type { Services } from '../container.js';
import { can, type Actor } from '../auth/policy.js';
import { AppError, validationError } from '../errors.js';
import { actorOf, bodyString, idParam, type Route } from '../http/route.js';
import { renderPage } from '../http/views.js';
import { formAction } from '../http/form-action.js';
import { sendStoredFile } from '../http/downloads.js';
import { MAX_APPEAL_FILES, uploadedFiles } from '../http/uploads.js';
import type { IncomingFile } from '../files/stored-files.js';
import { displayValue } from '../frameworks/value-display.js';
import type { AppealChange } from '../submissions/submissions.service.js';
import type { AppealItemInput } from './appeals.service.js';

const NOTICES: Record<string, string> = {
  filed: 'Đã gửi kiến nghị tới Sở Khoa học và Công nghệ.',
  accepted: 'Đã chấp nhận kiến nghị; kết quả đã được tính lại và công bố lại.',
  'accepted-pending': 'Đã chấp nhận kiến nghị, nhưng hệ thống đang bận tính chỉ số nên chưa công bố lại được; hãy bấm "Tính lại và công bố" sau ít phút.',
  rejected: 'Đã từ chối kiến nghị.',
  republished: 'Đã tính lại và công bố lại kết quả.',
};

const STATE_LABELS: Record<string, string> = { open: 'Chờ xem xét', accepted: 'Đã chấp nhận', rejected: 'Không chấp nhận' };
const MOVEMENT_LABELS: Record<string, string> = { up: 'Tăng hạng', down: 'Giảm hạng', same: 'Giữ hạng', added: 'Mới có kết quả', removed: 'Không còn kết quả' };

/** A nested form object (items[CODE][field]); anything else is refused. */
function nested(req: Request, name: string): Record<string, Record<string, unknown>> {
  const v = (req.body as Record<string, unknown>)[name];
  if (v === undefined) return {};
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new AppError('validation', 'Dữ liệu biểu mẫu không hợp lệ.');
  const out: Record<string, Record<string, unknown>> = {};
  for (const [code, raw] of Object.entries(v as Record<string, unknown>)) {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new AppError('validation', 'Dữ liệu biểu mẫu không hợp lệ.');
    out[code] = raw as Record<string, unknown>;
  }
  if (Object.keys(out).length > 500) throw new AppError('validation', 'Biểu mẫu có quá nhiều trường.');
  return out;
}

function field(o: Record<string, unknown>, name: string, max: number): string {
  const v = o[name];
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw new AppError('validation', `Trường "${name}" không hợp lệ.`);
  if (v.length > max) throw new AppError('validation', `Trường "${name}" dài quá ${max} ký tự.`);
  return v.trim();
}

const FILE_FIELD = /^items\[([^\]]+)\]\[file\]$/;

/** The filing form: items[CODE][selected|explanation|docNumber|issuedOn|summary|issuer], and the file items[CODE][file]. */
function appealItems(req: Request): AppealItemInput[] {
  const files = new Map<string, IncomingFile>();
  for (const f of uploadedFiles(req)) {
    const code = FILE_FIELD.exec(f.field)?.[1];
    if (code === undefined || files.has(code)) throw new AppError('validation', 'Biểu mẫu tải tệp không hợp lệ (mỗi chỉ số một tệp).');
    files.set(code, f);
  }
  const items = Object.entries(nested(req, 'items'))
    .filter(([, o]) => field(o, 'selected', 10) !== '')
    .map(([code, o]) => {
      const docNumber = field(o, 'docNumber', 100);
      const issuedOn = field(o, 'issuedOn', 10);
      const summary = field(o, 'summary', 1000);
      const issuer = field(o, 'issuer', 300);
      const file = files.get(code) ?? null;
      const any = docNumber || issuedOn || summary || issuer || file;
      return {
        code,
        explanation: field(o, 'explanation', 4000),
        evidence: any ? { docNumber: docNumber || null, issuedOn: issuedOn || null, summary: summary || null, issuer: issuer || null, file } : null,
      };
    });
  const unselected = [...files.keys()].filter((code) => !items.some((i) => i.code === code));
  if (unselected.length) {
    throw validationError(
      'Có tệp đính kèm cho chỉ số chưa được chọn kiến nghị; chưa gửi.',
      unselected.map((code) => ({ field: code, message: `Chỉ số ${code}: đã chọn tệp nhưng chưa đánh dấu kiến nghị chỉ số này.` })),
    );
  }
  return items;
}

/** The decision form: d[CODE][value|denominator|option|reason]; an indicator left empty stays as it was. */
function decisions(req: Request): AppealChange[] {
  return Object.entries(nested(req, 'd'))
    .map(([code, o]) => ({
      code,
      raw: { value: field(o, 'value', 50), denominator: field(o, 'denominator', 50), option: field(o, 'option', 100) },
      reason: field(o, 'reason', 4000),
    }))
    .filter((c) => c.raw.value !== '' || c.raw.denominator !== '' || c.raw.option !== '' || c.reason !== '');
}

export function appealRoutes(s: Services): Route[] {
  async function renderFiling(actor: Actor, res: Response, periodId: number, extra: { errors?: AppError; req?: Request } = {}): Promise<void> {
    const form = await s.appeals.filingForm(actor, periodId, actor.agencyId ?? -1);
    const posted = extra.req ? nested(extra.req, 'items') : {};
    const problems = new Map<string, string[]>();
    for (const d of extra.errors?.details ?? []) problems.set(d.field, [...(problems.get(d.field) ?? []), d.message]);
    res.status(extra.errors?.status ?? 200).send(
      renderPage('appeals/new', {
        ...res.locals,
        title: `Gửi kiến nghị — ${form.period.name}`,
        form,
        explanation: extra.req ? bodyString(extra.req, 'explanation', 4000) : '',
        lines: form.lines.map((l) => {
          const p = posted[l.indicator.code] ?? {};
          const text = (k: string): string => (typeof p[k] === 'string' ? (p[k] as string) : '');
          return { ...l, posted: { selected: text('selected') !== '', explanation: text('explanation'), docNumber: text('docNumber'), issuedOn: text('issuedOn'), summary: text('summary'), issuer: text('issuer') }, problems: problems.get(l.indicator.code) ?? [] };
        }),
        maxFiles: MAX_APPEAL_FILES,
        errorMessage: extra.errors?.message,
        errorList: extra.errors?.details ?? [],
      }),
    );
  }

  async function renderDetail(actor: Actor, res: Response, id: number, extra: { errors?: AppError; notice?: string | undefined } = {}): Promise<void> {
    const d = await s.appeals.detail(actor, id);
    const form = await s.submissions.form(actor, d.appeal.submissionId);
    const current = new Map(form.sections.flatMap((sec) => sec.lines).map((l) => [l.indicator.code, l]));
    const canDecide = can(actor, 'appeal.decide', d.appeal.agencyId);
    res.status(extra.errors?.status ?? 200).send(
      renderPage('appeals/show', {
        ...res.locals,
        title: `Kiến nghị #${d.appeal.id} — ${d.names.agencyName}`,
        d,
        stateText: STATE_LABELS[d.appeal.state],
        items: d.items.map((i) => {
          const line = current.get(i.code);
          const input = i.indicator?.input;
          return {
            ...i,
            kind: input?.kind,
            options: input?.options ?? [],
            numeratorLabel: input?.numerator,
            denominatorLabel: input?.denominator,
            selfDisplay: input ? displayValue(input, line?.stored?.self ?? null) : '',
            appraisedDisplay: input ? displayValue(input, line?.stored?.appraised ?? null) : '',
            beforeDisplay: input ? displayValue(input, i.valueBefore) : '',
            afterDisplay: input ? displayValue(input, i.valueAfter) : '',
            evidence: d.evidence.filter((e) => e.code === i.code).map((e) => ({ ...e, shaShort: e.sha256?.slice(0, 12) })),
          };
        }),
        changeLog: d.appeal.changeLog && {
          ...d.appeal.changeLog,
          agencies: d.appeal.changeLog.agencies.map((a) => ({
            ...a,
            movementLabel: MOVEMENT_LABELS[a.movement],
            indicators: a.indicators.map((x) => ({ ...x, name: d.indicatorNames[x.code] ?? '' })),
          })),
        },
        canDecide: canDecide && d.appeal.state === 'open',
        canRepublish: canDecide && d.appeal.state === 'accepted' && d.appeal.resultPublicationId === null,
        notice: extra.notice,
        errorMessage: extra.errors?.message,
        errorList: extra.errors?.details ?? [],
      }),
    );
  }

  /** Validation and state errors of a decision come back on the appeal page; the rest go to the error handler. */
  const decide = (fn: (actor: Actor, id: number, req: Request) => Promise<string>) =>
    formAction(
      async (actor, req) => `/appeals/${idParam(req, 'id')}?msg=${await fn(actor, idParam(req, 'id'), req)}`,
      (actor, req, res, errors) => renderDetail(actor, res, idParam(req, 'id'), { errors }),
    );

  return [
    {
      method: 'get',
      path: '/appeals',
      access: 'appeal.read',
      handler: async (_req, res) => {
        const actor = actorOf(res);
        const rows = await s.appeals.list(actor);
        res.send(
          renderPage('appeals/index', {
            ...res.locals,
            title: 'Kiến nghị về kết quả',
            rows: rows.map((r) => ({ ...r, stateText: STATE_LABELS[r.state] })),
            windows: await s.appeals.openWindows(actor),
            appealDays: s.config.appealDays,
          }),
        );
      },
    },
    {
      method: 'get',
      path: '/periods/:periodId/appeals/new',
      access: 'appeal.file',
      handler: async (req, res) => renderFiling(actorOf(res), res, idParam(req, 'periodId')),
    },
    {
      method: 'post',
      path: '/periods/:periodId/agencies/:agencyId/appeals',
      access: 'appeal.file',
      handler: formAction(
        async (actor, req) => {
          const id = await s.appeals.file(actor, idParam(req, 'periodId'), idParam(req, 'agencyId'), {
            explanation: bodyString(req, 'explanation', 4000),
            items: appealItems(req),
          });
          return `/appeals/${id}?msg=filed`;
        },
        (actor, req, res, errors) => renderFiling(actor, res, idParam(req, 'periodId'), { errors, req }),
        ['validation'],
      ),
    },
    {
      method: 'get',
      path: '/appeals/:id',
      access: 'appeal.read',
      handler: async (req, res) => {
        const key = typeof req.query.msg === 'string' ? req.query.msg : '';
        await renderDetail(actorOf(res), res, idParam(req, 'id'), { notice: NOTICES[key] });
      },
    },
    {
      method: 'get',
      path: '/appeals/:id/evidence/:evidenceId/file',
      access: 'appeal.read',
      handler: async (req, res) =>
        sendStoredFile(res, await s.appeals.evidenceFile(actorOf(res), idParam(req, 'id'), idParam(req, 'evidenceId'))),
    },
    {
      method: 'post',
      path: '/appeals/:id/accept',
      access: 'appeal.decide',
      handler: decide(async (actor, id, req) => {
        const outcome = await s.appeals.accept(actor, id, { changes: decisions(req), note: bodyString(req, 'note', 4000) });
        return outcome.publicationNumber === null ? 'accepted-pending' : 'accepted';
      }),
    },
    {
      method: 'post',
      path: '/appeals/:id/reject',
      access: 'appeal.decide',
      handler: decide(async (actor, id, req) => {
        await s.appeals.reject(actor, id, bodyString(req, 'reason', 4000));
        return 'rejected';
      }),
    },
    {
      method: 'post',
      path: '/appeals/:id/publish',
      access: 'appeal.decide',
      handler: decide(async (actor, id) => {
        const outcome = await s.appeals.republishAfterAcceptance(actor, id);
        return outcome.publicationNumber === null ? 'accepted-pending' : 'republished';
      }),
    },
  ];
}
