import type { Request, Response } from 'express';
import type { Services } from '../container.js';
import { can } from '../auth/policy.js';
import { AppError } from '../errors.js';
import { actorOf, idParam, noticeOf, type Route } from '../http/route.js';
import { formatDateTime, renderPage } from '../http/views.js';
import type { RequestRow } from './report-requests.service.js';
import type { ReportFormat } from './reporting.service.js';

/** How often the archive page reloads itself while a regeneration is queued or running (a meta refresh: no script). */
const REFRESH_SECONDS = 5;

/** The state of a period's latest regeneration request, as the archive page shows it. */
function requestView(r: RequestRow | undefined): { label: string; active: boolean; failed: boolean; error: string | null } | undefined {
  if (!r) return undefined;
  const asked = `yêu cầu lúc ${formatDateTime(r.requestedAt)} bởi ${r.requesterName}`;
  const label = {
    queued: `Đang tạo báo cáo… (đang chờ; ${asked})`,
    running: `Đang tạo báo cáo… (${asked})`,
    done: `Đã tạo xong ${r.files ?? 0} tệp lúc ${r.finishedAt ? formatDateTime(r.finishedAt) : ''} (${asked})`,
    failed: `Tạo báo cáo thất bại (${asked}):`,
  }[r.status];
  return { label, active: r.status === 'queued' || r.status === 'running', failed: r.status === 'failed', error: r.error };
}

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
        const canGenerate = can(actor, 'reports.generate');
        const requests = canGenerate ? await s.reportRequests.latest() : new Map<number, RequestRow>();
        const periods = (canGenerate ? await s.periods.list() : []).map((p) => ({ ...p, request: requestView(requests.get(p.id)) }));
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
            canGenerate,
            // Reloads without the notice of the redirect that brought the admin here.
            refreshSeconds: periods.some((p) => p.request?.active) ? REFRESH_SECONDS : undefined,
            refreshUrl: '/reports',
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
        // Recorded and answered at once; the files are made in the background (report-requests.service.ts).
        await s.reportRequests.request(actorOf(res), idParam(req, 'periodId'));
        res.redirect(303, '/reports?msg=report-queued');
      },
    },
  ];
}
