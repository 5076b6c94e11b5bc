import type { Request, Response } from 'express';
import type { Services } from '../container.js';
import { AppError } from '../errors.js';
import { actorOf, bodyString, bodyVersion, idParam, type Route } from '../http/route.js';
import { uploadedFile } from '../http/uploads.js';
import { sendStoredFile } from '../http/downloads.js';
import { renderForm } from './submissions.routes.js';

/** Refusals a reporter can fix re-render the form with the message; the rest go to the error page. */
async function orForm(s: Services, req: Request, res: Response, fn: () => Promise<string>): Promise<void> {
  const id = idParam(req, 'id');
  try {
    const msg = await fn();
    res.redirect(303, `/submissions/${id}?msg=${msg}`);
  } catch (err) {
    if (err instanceof AppError && ['validation', 'conflict', 'invalid_transition', 'too_large'].includes(err.code)) {
      await renderForm(s, actorOf(res), res, id, { errors: err });
      return;
    }
    throw err;
  }
}

export function evidenceFileRoutes(s: Services): Route[] {
  return [
    {
      method: 'post',
      path: '/submissions/:id/evidence-files',
      access: 'submission.edit',
      handler: (req, res) =>
        orForm(s, req, res, async () => {
          const issuedOn = bodyString(req, 'issuedOn', 10).trim();
          if (issuedOn && !/^\d{4}-\d{2}-\d{2}$/.test(issuedOn)) throw new AppError('validation', 'Ngày ban hành không hợp lệ.');
          await s.evidenceFiles.attach(
            actorOf(res),
            idParam(req, 'id'),
            bodyVersion(req),
            {
              indicator: bodyString(req, 'indicator', 50),
              docNumber: bodyString(req, 'docNumber', 100).trim() || null,
              issuedOn: issuedOn || null,
              summary: bodyString(req, 'summary', 1000).trim() || null,
              issuer: bodyString(req, 'issuer', 300).trim() || null,
            },
            uploadedFile(req),
          );
          return 'evidence-added';
        }),
    },
    {
      method: 'get',
      path: '/submissions/:id/evidence/:evidenceId/file',
      access: 'submission.read',
      handler: async (req, res) => {
        sendStoredFile(res, await s.evidenceFiles.download(actorOf(res), idParam(req, 'id'), idParam(req, 'evidenceId')));
      },
    },
  ];
}
