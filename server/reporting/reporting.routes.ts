import type { Request, Response } from 'express';
import type { Services } from '../container.js';
import { can } from '../auth/policy.js';
import { AppError } from '../errors.js';
import { actorOf, idParam, noticeOf, type Route } from '../http/route.js';
import { renderPage } from '../http/views.js';
import type { ReportFormat } from './reporting.service.js';

/** The single-file report carries its stylesheet and chart images inline and no script; it is downloaded. */
const SINGLE_FILE_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

function formatParam(req: Request): ReportFormat {
  const format = req.params.format;
  if (format !== 'xlsx' && format !== 'html') throw new AppError('not_found', 'Không có định dạng báo cáo này.');
  return format;
}

function sendFile(res: Response, file: { fileName: string; contentType: string; body: Buffer | string }, format: ReportFormat): void {
  res.setHeader('Content-Type', file.contentType);
  res.attachment(file.fileName);
  if (format === 'html') res.setHeader('Content-Security-Policy', SINGLE_FILE_CSP);
  res.send(file.body);
}

export function reportingRoutes(s: Services): Route[] {
  return [
    {
      method: 'get',
      path: '/reports/:periodId/bao-cao.:format',
      access: 'reports.read',
      handler: async (req, res) => {
        const format = formatParam(req);
        sendFile(res, await s.reporting.build(actorOf(res), idParam(req, 'periodId'), format), format);
      },
    },
    {
      // The report as a page of the app, under the app's own CSP: stylesheet and chart.js from /static.
      method: 'get',
      path: '/reports/:periodId/bao-cao',
      access: 'reports.read',
      handler: async (req, res) => {
        res.type('html').send(await s.reporting.page(actorOf(res), idParam(req, 'periodId')));
      },
    },
    {
      method: 'get',
      path: '/reports/:periodId/agencies/:agencyId/phieu-diem.:format',
      access: 'scorecards.read',
      handler: async (req, res) => {
        const format = formatParam(req);
        const file = await s.reporting.buildScorecard(actorOf(res), idParam(req, 'periodId'), idParam(req, 'agencyId'), format);
        sendFile(res, file, format);
      },
    },
    {
      method: 'get',
      path: '/reports/:periodId/agencies/:agencyId/phieu-diem',
      access: 'scorecards.read',
      handler: async (req, res) => {
        res.type('html').send(await s.reporting.scorecardPage(actorOf(res), idParam(req, 'periodId'), idParam(req, 'agencyId')));
      },
    },
    {
      method: 'get',
      path: '/reports',
      access: 'scorecards.read',
      handler: async (req, res) => {
        const actor = actorOf(res);
        const files = await s.reportArchive.list(actor);
        const periods = can(actor, 'reports.generate') ? await s.periods.list() : [];
        res.send(
          renderPage('reports/archive', {
            ...res.locals,
            title: 'Lưu trữ báo cáo',
            files: files.map((f) => ({
              ...f,
              kindLabel: f.kind === 'province' ? 'Báo cáo tỉnh' : `Phiếu điểm: ${f.agencyName ?? ''}`,
              stageLabel: f.stage === 'final' ? `Chính thức (công bố lần ${f.publicationNumber ?? ''})` : 'Dự thảo',
              audience: f.kind === 'province' ? 'Sở KH&CN, lãnh đạo tỉnh' : 'Sở KH&CN, lãnh đạo tỉnh, đơn vị',
            })),
            periods,
            canGenerate: can(actor, 'reports.generate'),
            notice: noticeOf(req),
          }),
        );
      },
    },
    {
      method: 'get',
      path: '/reports/archive/:id',
      access: 'scorecards.read',
      handler: async (req, res) => {
        const { row, file } = await s.reportArchive.open(actorOf(res), idParam(req, 'id'));
        if (row.format === 'html') res.setHeader('Content-Security-Policy', SINGLE_FILE_CSP);
        res.setHeader('X-Content-SHA256', row.sha256);
        res.download(file, row.fileName);
      },
    },
    {
      method: 'post',
      path: '/reports/:periodId/regenerate',
      access: 'reports.generate',
      handler: async (req, res) => {
        await s.reportArchive.generate(actorOf(res), idParam(req, 'periodId'), 'manual');
        res.redirect(303, '/reports?msg=reports-generated');
      },
    },
  ];
}
