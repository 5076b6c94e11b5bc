import type { Services } from '../container.js';
import { AppError } from '../errors.js';
import { actorOf, idParam, type Route } from '../http/route.js';
import { uploadedFile } from '../http/uploads.js';
import { wantsJson } from '../http/middleware.js';
import { renderPage } from '../http/views.js';
import { attachmentDisposition } from '../files/file-types.js';
import { WorkbookRejected } from './submission-workbook.service.js';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export function workbookRoutes(s: Services): Route[] {
  return [
    {
      method: 'get',
      path: '/submissions/:id/workbook.xlsx',
      access: 'submission.edit',
      handler: async (req, res) => {
        const wb = await s.workbooks.download(actorOf(res), idParam(req, 'id'));
        res.set({ 'Content-Type': XLSX, 'Content-Disposition': attachmentDisposition(wb.fileName), 'Cache-Control': 'private, no-store' });
        res.send(wb.data);
      },
    },
    {
      method: 'post',
      path: '/submissions/:id/workbook',
      access: 'submission.edit',
      handler: async (req, res) => {
        const id = idParam(req, 'id');
        try {
          await s.workbooks.upload(actorOf(res), id, uploadedFile(req)?.data ?? null);
          res.redirect(303, `/submissions/${id}?msg=workbook-saved`);
        } catch (err) {
          if (!(err instanceof AppError)) throw err;
          const annotated = err instanceof WorkbookRejected ? err.annotated.toString('base64') : null;
          if (wantsJson(req)) {
            res.status(err.status).json({ error: { code: err.code, message: err.message, details: err.details }, annotatedWorkbook: annotated });
            return;
          }
          res.status(err.status).send(
            renderPage('submissions/workbook-result', {
              ...res.locals,
              title: 'Bảng tính chưa được lưu',
              submissionId: id,
              message: err.message,
              details: err.details,
              annotatedHref: annotated ? `data:${XLSX};base64,${annotated}` : null,
            }),
          );
        }
      },
    },
  ];
}
