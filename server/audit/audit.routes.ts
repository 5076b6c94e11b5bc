// The audit trail on screen: per submission and per agency, newest first, a page at a time.
import type { Request } from 'express';
import type { Services } from '../container.js';
import { actorOf, idParam, type Route } from '../http/route.js';
import { renderPage } from '../http/views.js';

const pageNumber = (req: Request): number => {
  const n = Number(req.query.page);
  return Number.isSafeInteger(n) && n > 0 && n < 1_000_000 ? n : 1;
};

export function auditRoutes(s: Services): Route[] {
  return [
    {
      method: 'get',
      path: '/submissions/:id/audit',
      access: 'audit.read',
      handler: async (req, res) => {
        const actor = actorOf(res);
        const submission = await s.submissions.get(actor, idParam(req, 'id'));
        const trail = await s.audit.pageForSubmission(actor, submission, pageNumber(req));
        const [agency, period] = await Promise.all([s.agencies.get(submission.agencyId), s.periods.get(submission.periodId)]);
        res.send(
          renderPage('audit/trail', {
            ...res.locals,
            title: `Lịch sử thay đổi — ${agency.name}, ${period.name}`,
            heading: `Lịch sử thay đổi báo cáo ${period.name}`,
            subheading: agency.name,
            back: { href: `/submissions/${submission.id}`, label: 'Về báo cáo' },
            base: `/submissions/${submission.id}/audit`,
            trail,
            prev: trail.page > 1 ? trail.page - 1 : null,
            next: trail.page < trail.pages ? trail.page + 1 : null,
          }),
        );
      },
    },
    {
      method: 'get',
      path: '/agencies/:agencyId/audit',
      access: 'audit.read',
      handler: async (req, res) => {
        const actor = actorOf(res);
        const agencyId = idParam(req, 'agencyId');
        const trail = await s.audit.pageForAgency(actor, agencyId, pageNumber(req));
        const agency = await s.agencies.get(agencyId);
        res.send(
          renderPage('audit/trail', {
            ...res.locals,
            title: `Lịch sử thay đổi — ${agency.name}`,
            heading: 'Lịch sử thay đổi của đơn vị',
            subheading: agency.name,
            base: `/agencies/${agencyId}/audit`,
            showSubmission: true,
            trail,
            prev: trail.page > 1 ? trail.page - 1 : null,
            next: trail.page < trail.pages ? trail.page + 1 : null,
          }),
        );
      },
    },
  ];
}
