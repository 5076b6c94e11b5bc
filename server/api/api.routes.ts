// /api/v1: JSON for integration clients, authenticated by `Authorization: Bearer <token>` (or a signed-in session
// with its CSRF header). Bodies are validated with zod into a 400 naming the field; the values themselves are
// validated by the submissions service exactly as on the form.
import type { Request } from 'express';
import { z } from 'zod';
import type { Services } from '../container.js';
import { notFound, validationError } from '../errors.js';
import { actorOf, type Route } from '../http/route.js';
import type { RawValue } from '../submissions/value-validation.js';

const CODE = /^[A-Za-z0-9._-]{1,64}$/;

function codeParam(req: Request, name: string): string {
  const v = req.params[name];
  if (typeof v !== 'string' || !CODE.test(v)) throw notFound('mã yêu cầu');
  return v;
}

const scalar = z.union([z.string().max(4000), z.number().finite(), z.null()]);
const putValuesSchema = z
  .object({
    version: z.number({ message: 'cần số phiên bản (version) của báo cáo' }).int().min(1).max(2 ** 31 - 1),
    values: z.record(
      z.string().regex(/^[A-Za-z0-9._-]{1,50}$/, 'mã chỉ số không hợp lệ'),
      z.object({ value: scalar.optional(), denominator: scalar.optional(), option: scalar.optional(), comment: scalar.optional() }).strict(),
    ),
  })
  .strict();

function parsePut(body: unknown): { version: number; values: Record<string, RawValue> } {
  const parsed = putValuesSchema.safeParse(body);
  if (!parsed.success) {
    throw validationError(
      'Dữ liệu gửi lên không hợp lệ.',
      parsed.error.issues.slice(0, 20).map((i) => ({ field: i.path.join('.') || '(body)', message: i.message })),
    );
  }
  if (Object.keys(parsed.data.values).length > 2000) throw validationError('Quá nhiều chỉ số trong một yêu cầu.');
  return parsed.data;
}

export function apiRoutes(s: Services): Route[] {
  return [
    {
      method: 'get',
      path: '/api/v1/periods/:periodCode/results',
      access: 'rankings.read',
      handler: async (req, res) => {
        res.json(await s.api.results(actorOf(res), codeParam(req, 'periodCode')));
      },
    },
    {
      method: 'get',
      path: '/api/v1/periods/:periodCode/agencies/:agencyCode/values',
      access: 'submission.read',
      handler: async (req, res) => {
        res.json(await s.api.values(actorOf(res), codeParam(req, 'periodCode'), codeParam(req, 'agencyCode')));
      },
    },
    {
      method: 'post',
      path: '/api/v1/periods/:periodCode/agencies/:agencyCode/submission',
      access: 'submission.edit',
      handler: async (req, res) => {
        const r = await s.api.open(actorOf(res), codeParam(req, 'periodCode'), codeParam(req, 'agencyCode'));
        res.status(r.created ? 201 : 200).json({ submission: { id: r.id }, created: r.created });
      },
    },
    {
      method: 'put',
      path: '/api/v1/periods/:periodCode/agencies/:agencyCode/values',
      access: 'submission.edit',
      handler: async (req, res) => {
        const actor = actorOf(res);
        const periodCode = codeParam(req, 'periodCode');
        const agencyCode = codeParam(req, 'agencyCode');
        const body = parsePut(req.body);
        const { version } = await s.api.saveValues(actor, periodCode, agencyCode, body.version, body.values);
        res.json({ saved: true, version });
      },
    },
  ];
}
