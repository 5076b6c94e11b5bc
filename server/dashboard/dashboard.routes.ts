import type { Services } from '../container.js';
import { AppError } from '../errors.js';
import { can } from '../auth/policy.js';
import { actorOf, idParam, type Route } from '../http/route.js';
import { renderPage } from '../http/views.js';
import { dashboardCsv, dashboardWorkbook } from './dashboard.export.js';

export function dashboardRoutes(s: Services): Route[] {
  return [
    {
      method: 'get',
      path: '/dashboard',
      access: 'dashboard.read',
      handler: async (req, res) => {
        const actor = actorOf(res);
        const periods = await s.periods.list();
        const wanted = typeof req.query.period === 'string' ? Number(req.query.period) : NaN;
        const period = periods.find((p) => p.id === wanted) ?? periods.find((p) => s.periods.isOpen(p)) ?? periods[0];
        const page = period ? await s.dashboard.forPeriod(actor, period.id) : null;
        res.send(
          renderPage('dashboard/index', {
            ...res.locals,
            title: 'Tiến độ báo cáo',
            periods: periods.map((p) => ({ ...p, selected: p.id === period?.id })),
            page,
            canAudit: can(actor, 'audit.read'),
          }),
        );
      },
    },
    {
      method: 'get',
      path: '/dashboard/:periodId/export.:format',
      access: 'dashboard.read',
      handler: async (req, res) => {
        const actor = actorOf(res);
        const format = req.params.format;
        if (format !== 'xlsx' && format !== 'csv') throw new AppError('not_found', 'Không tìm thấy định dạng tệp yêu cầu.');
        const page = await s.dashboard.forPeriod(actor, idParam(req, 'periodId'));
        const fw = await s.frameworks.get(page.period.frameworkId);
        const file = `tien-do-${page.period.code}.${format}`;
        res.setHeader('Content-Disposition', `attachment; filename="${file}"`);
        if (format === 'csv') {
          res.type('text/csv; charset=utf-8').send(dashboardCsv(page.completeness));
          return;
        }
        const body = await dashboardWorkbook(
          { periodName: page.period.name, periodCode: page.period.code, frameworkName: fw.name },
          page.completeness,
        );
        res.type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet').send(body);
      },
    },
  ];
}
