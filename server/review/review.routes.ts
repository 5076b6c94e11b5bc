// The Department's review: the queue of submissions per period, and the decisions on one (return, appraise,
// approve). The decisions themselves live in SubmissionService with the rest of the workflow.
import type { Request, Response } from 'express';
import type { Services } from '../container.js';
import { authorize, type Actor } from '../auth/policy.js';
import { AppError } from '../errors.js';
import { actorOf, bodyString, idParam, type Route } from '../http/route.js';
import { renderPage } from '../http/views.js';
import { renderForm } from '../submissions/submissions.routes.js';
import { reviewQueue } from './review.view.js';

/** The return form posts r[CODE] = reason for each indicator the reviewer comments on. */
function perIndicatorReasons(req: Request): Record<string, string> {
  const r = (req.body as Record<string, unknown>).r;
  if (r === undefined) return {};
  if (typeof r !== 'object' || r === null || Array.isArray(r)) throw new AppError('validation', 'Dữ liệu biểu mẫu không hợp lệ.');
  const out: Record<string, string> = {};
  for (const [code, reason] of Object.entries(r as Record<string, unknown>)) {
    if (typeof reason !== 'string') throw new AppError('validation', 'Dữ liệu biểu mẫu không hợp lệ.');
    out[code] = reason;
  }
  if (Object.keys(out).length > 2000) throw new AppError('validation', 'Biểu mẫu có quá nhiều trường.');
  return out;
}

export function reviewRoutes(s: Services): Route[] {
  const decide =
    (fn: (actor: Actor, id: number, req: Request) => Promise<string>) =>
    async (req: Request, res: Response): Promise<void> => {
      const actor = actorOf(res);
      const id = idParam(req, 'id');
      try {
        const msg = await fn(actor, id, req);
        res.redirect(303, `/submissions/${id}?msg=${msg}`);
      } catch (err) {
        if (err instanceof AppError && (err.code === 'validation' || err.code === 'conflict' || err.code === 'invalid_transition')) {
          await renderForm(s, actor, res, id, { errors: err });
          return;
        }
        throw err;
      }
    };

  return [
    {
      method: 'get',
      path: '/review',
      access: 'submission.review',
      handler: async (req, res) => {
        const actor = actorOf(res);
        authorize(actor, 'submission.review');
        const periods = await s.periods.list();
        const wanted = typeof req.query.period === 'string' ? Number(req.query.period) : NaN;
        const period = periods.find((p) => p.id === wanted) ?? periods.find((p) => s.periods.isOpen(p)) ?? periods[0];
        const queue = period ? await reviewQueue(s.db, period.id) : null;
        res.send(
          renderPage('review/queue', {
            ...res.locals,
            title: 'Thẩm định báo cáo',
            periods: periods.map((p) => ({ ...p, selected: p.id === period?.id })),
            period,
            queue,
          }),
        );
      },
    },
    {
      method: 'post',
      path: '/submissions/:id/return',
      access: 'submission.review',
      handler: decide(async (actor, id, req) => {
        await s.submissions.returnToAgency(actor, id, bodyString(req, 'reason'), perIndicatorReasons(req));
        return 'returned';
      }),
    },
    {
      method: 'post',
      path: '/submissions/:id/approve',
      access: 'submission.review',
      handler: decide(async (actor, id) => {
        await s.submissions.approve(actor, id);
        return 'approved';
      }),
    },
    {
      method: 'post',
      path: '/submissions/:id/appraise',
      access: 'submission.review',
      handler: decide(async (actor, id, req) => {
        await s.submissions.appraise(
          actor,
          id,
          bodyString(req, 'indicator', 50),
          {
            value: bodyString(req, 'value', 40),
            denominator: bodyString(req, 'denominator', 40),
            option: bodyString(req, 'option', 100),
          },
          bodyString(req, 'reason'),
        );
        return 'appraised';
      }),
    },
  ];
}
