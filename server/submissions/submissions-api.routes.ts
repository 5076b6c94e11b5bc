// The JSON side of entry: the form's autosave and heartbeat, and integration clients saving values. The values go
// through the same service and the same validation (value-validation.ts) as the HTML form.
import type { Request } from 'express';
import type { Services } from '../container.js';
import { AppError } from '../errors.js';
import { actorOf, idParam, type Route } from '../http/route.js';
import { formatDateTime } from '../periods/period-calendar.js';
import type { RawValue } from './value-validation.js';

/** { version, values: { CODE: { value, denominator, option, comment } } }; anything else is a 400. */
function readBody(req: Request): { version: number; values: Record<string, RawValue> } {
  const body = req.body as Record<string, unknown> | undefined;
  const version = typeof body?.version === 'number' ? body.version : Number(body?.version);
  if (!Number.isSafeInteger(version) || version < 1) throw new AppError('validation', 'Thiếu phiên bản của báo cáo; hãy tải lại trang.');
  const values = body?.values ?? {};
  if (typeof values !== 'object' || values === null || Array.isArray(values)) throw new AppError('validation', 'Dữ liệu gửi lên không hợp lệ.');
  const out: Record<string, RawValue> = {};
  for (const [code, raw] of Object.entries(values as Record<string, unknown>)) {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new AppError('validation', `Số liệu của chỉ số ${code.slice(0, 50)} không hợp lệ.`);
    const r = raw as Record<string, unknown>;
    out[code] = { value: r.value, denominator: r.denominator, option: r.option, comment: r.comment };
  }
  if (Object.keys(out).length > 2000) throw new AppError('validation', 'Quá nhiều chỉ số trong một lần gửi.');
  return { version, values: out };
}

const hhmm = (d: Date): string => formatDateTime(d).slice(11);

export function submissionApiRoutes(s: Services): Route[] {
  return [
    {
      method: 'post',
      path: '/api/submissions/:id/values',
      access: 'submission.edit',
      handler: async (req, res) => {
        const actor = actorOf(res);
        const id = idParam(req, 'id');
        const { version, values } = readBody(req);
        try {
          const saved = await s.submissions.saveDraft(actor, id, version, values);
          res.json({ version: saved.version, savedAt: saved.savedAt.toISOString(), savedAtText: hhmm(saved.savedAt) });
        } catch (err) {
          if (!(err instanceof AppError) || err.code !== 'conflict') throw err;
          // The editor needs the current version to save over the other person's figures knowingly.
          const now = await s.submissions.get(actor, id);
          res.status(409).json({
            error: { code: err.code, message: err.message, details: err.details },
            current: { version: now.version, updatedBy: now.updatedByName, updatedAt: now.updatedAt.toISOString(), updatedAtText: formatDateTime(now.updatedAt) },
          });
        }
      },
    },
    {
      method: 'post',
      path: '/api/submissions/:id/presence',
      access: 'submission.read',
      handler: async (req, res) => {
        const beat = await s.submissions.heartbeat(actorOf(res), idParam(req, 'id'));
        res.json({
          version: beat.version,
          state: beat.state,
          updatedBy: beat.updatedBy,
          updatedAt: beat.updatedAt.toISOString(),
          updatedAtText: formatDateTime(beat.updatedAt),
          others: beat.others.map((o) => ({ name: o.fullName, username: o.username })),
        });
      },
    },
  ];
}
