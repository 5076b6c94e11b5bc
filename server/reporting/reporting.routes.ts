import type { Services } from '../container.js';
import { AppError } from '../errors.js';
import { actorOf, idParam, type Route } from '../http/route.js';

export function reportingRoutes(s: Services): Route[] {
  return [
    {
      method: 'get',
      path: '/reports/:periodId/bao-cao.:format',
      access: 'reports.read',
      handler: async (req, res) => {
        const format = req.params.format;
        if (format !== 'xlsx' && format !== 'html') throw new AppError('not_found', 'Không có định dạng báo cáo này.');
        const file = await s.reporting.build(actorOf(res), idParam(req, 'periodId'), format);
        res.setHeader('Content-Type', file.contentType);
        res.attachment(file.fileName);
        // The single-file HTML report carries its stylesheet inline; it is downloaded, never run as our page.
        if (format === 'html') res.setHeader('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; img-src data:");
        res.send(file.body);
      },
    },
  ];
}
