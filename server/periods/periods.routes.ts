// The Department's screens for the reporting calendar: periods and their dates, lock exceptions per agency, and
// the holiday calendar deadlines count on. Validation problems re-render the page with what was typed (400).
import type { Request, Response } from 'express';
import type { Services } from '../container.js';
import { AppError } from '../errors.js';
import { actorOf, bodyString, idParam, type Route } from '../http/route.js';
import { renderPage } from '../http/views.js';
import type { PeriodKind } from '../frameworks/framework.types.js';
import { expectedAgencies } from '../dashboard/dashboard.view.js';
import { defaultPeriodDates, parseDay } from './period-calendar.js';
import { CALENDAR_KIND_LABELS } from './periods.service.js';
import type { CalendarDayKind } from './working-days.js';
import { formAction as changeThenRedirect } from '../http/form-action.js';

const NOTICES: Record<string, string> = {
  created: 'Đã tạo kỳ báo cáo.',
  updated: 'Đã lưu lịch của kỳ báo cáo.',
  granted: 'Đã mở lại nhập liệu cho đơn vị.',
  revoked: 'Đã thu hồi việc mở lại nhập liệu.',
  'day-added': 'Đã thêm ngày vào lịch.',
  'day-removed': 'Đã xóa ngày khỏi lịch.',
};
const notice = (req: Request): string | undefined => (typeof req.query.msg === 'string' ? NOTICES[req.query.msg] : undefined);

/** A required day field: ISO or dd/mm/yyyy. */
function dayField(req: Request, name: string, label: string, problems: Array<{ field: string; message: string }>): string {
  const raw = bodyString(req, name, 20);
  const day = parseDay(raw);
  if (!day) problems.push({ field: name, message: `${label}: cần một ngày hợp lệ (dd/mm/yyyy).` });
  return day ?? '';
}

const pageNumber = (req: Request): number => {
  const n = Number(req.query.page);
  return Number.isSafeInteger(n) && n > 0 ? n : 1;
};

export function periodAdminRoutes(s: Services): Route[] {
  async function renderList(res: Response, extra: { error?: AppError; form?: Record<string, string>; notice?: string } = {}) {
    const actor = actorOf(res);
    const [periods, frameworks] = await Promise.all([s.periods.list(), s.frameworks.list()]);
    const fwName = new Map(frameworks.map((f) => [f.id, `${f.name} (phiên bản ${f.version})`]));
    const year = Number(s.periods.today().slice(0, 4));
    res.status(extra.error?.status ?? 200).send(
      renderPage('admin/periods', {
        ...res.locals,
        title: 'Kỳ báo cáo và hạn gửi',
        periods: periods.map((p) => ({ ...p, frameworkName: fwName.get(p.frameworkId) ?? '', open: s.periods.isOpen(p) })),
        frameworks: frameworks.map((f) => ({ id: f.id, label: fwName.get(f.id), selected: String(f.id) === extra.form?.frameworkId })),
        form: extra.form ?? { year: String(year + 1) },
        defaults: { semiannual: defaultPeriodDates('semiannual', year + 1), annual: defaultPeriodDates('annual', year + 1) },
        errorMessage: extra.error?.message,
        errorList: extra.error?.details ?? [],
        notice: extra.notice,
        actorName: actor.fullName,
      }),
    );
  }

  async function renderPeriod(req: Request, res: Response, id: number, extra: { error?: AppError; form?: Record<string, string> } = {}) {
    const actor = actorOf(res);
    const period = await s.periods.get(id);
    const fw = await s.frameworks.get(period.frameworkId);
    const [{ deadline }, exceptions, agencies, history] = await Promise.all([
      s.periods.deadlineOf(period),
      s.periods.exceptions(id),
      expectedAgencies(s.db, id),
      s.audit.pageForEntity(actor, 'period', String(id), pageNumber(req)),
    ]);
    const today = s.periods.today();
    res.status(extra.error?.status ?? 200).send(
      renderPage('admin/period', {
        ...res.locals,
        title: `Kỳ báo cáo ${period.name} — ${period.code}`,
        period,
        framework: { name: fw.name, version: fw.version },
        deadline,
        closed: today > period.closesOn,
        form: extra.form ?? {
          name: period.name,
          dataFrom: period.dataFrom,
          dataTo: period.dataTo,
          opensOn: period.opensOn,
          dueOn: period.dueOn,
          graceDays: String(period.graceDays),
          closesOn: period.closesOn,
        },
        exceptions: exceptions.map((x) => ({ ...x, active: !x.revokedAt && x.until >= today })),
        agencies,
        history,
        errorMessage: extra.error?.message,
        errorList: extra.error?.details ?? [],
        notice: notice(req),
      }),
    );
  }

  async function renderHolidays(req: Request, res: Response, extra: { error?: AppError; form?: Record<string, string> } = {}) {
    const actor = actorOf(res);
    const thisYear = Number(s.periods.today().slice(0, 4));
    const wanted = Number(req.query.year);
    const year = Number.isInteger(wanted) && wanted >= 2000 && wanted <= 2100 ? wanted : thisYear;
    const [days, years, history] = await Promise.all([
      s.periods.calendarDays(year),
      s.periods.calendarYears(),
      s.audit.pageForEntity(actor, 'calendar_day', undefined, pageNumber(req)),
    ]);
    const allYears = [...new Set([...years, thisYear, thisYear + 1])].sort((a, b) => b - a);
    res.status(extra.error?.status ?? 200).send(
      renderPage('admin/holidays', {
        ...res.locals,
        title: `Lịch ngày nghỉ năm ${year}`,
        year,
        years: allYears.map((y) => ({ year: y, selected: y === year })),
        days: days.map((d) => ({ ...d, kindLabel: CALENDAR_KIND_LABELS[d.kind] })),
        kinds: Object.entries(CALENDAR_KIND_LABELS).map(([value, label]) => ({ value, label, selected: value === extra.form?.kind })),
        form: extra.form ?? {},
        history,
        errorMessage: extra.error?.message,
        errorList: extra.error?.details ?? [],
        notice: notice(req),
      }),
    );
  }

  /** Runs a change; a validation or conflict problem re-renders the page with the input kept. */
  const formAction = (
    run: (req: Request, res: Response) => Promise<string>,
    rerender: (req: Request, res: Response, error: AppError) => Promise<void>,
  ) =>
    changeThenRedirect(
      (_actor, req, res) => run(req, res),
      (_actor, req, res, err) => rerender(req, res, err),
      ['validation', 'conflict'],
    );

  const bodyForm = (req: Request, names: string[]): Record<string, string> =>
    Object.fromEntries(names.map((n) => [n, bodyString(req, n, 2000)]));

  return [
    {
      method: 'get',
      path: '/admin/periods',
      access: 'periods.manage',
      handler: async (req, res) => renderList(res, { notice: notice(req) }),
    },
    {
      method: 'post',
      path: '/admin/periods',
      access: 'periods.manage',
      handler: formAction(
        async (req, res) => {
          const problems: Array<{ field: string; message: string }> = [];
          const frameworkId = Number(bodyString(req, 'frameworkId', 12));
          const kind = bodyString(req, 'kind', 20) as PeriodKind;
          const year = Number(bodyString(req, 'year', 4));
          if (kind !== 'semiannual' && kind !== 'annual') problems.push({ field: 'kind', message: 'Chọn loại kỳ: 6 tháng hoặc năm.' });
          if (!Number.isInteger(year) || year < 2000 || year > 2100) problems.push({ field: 'year', message: 'Năm phải từ 2000 đến 2100.' });
          const frameworks = await s.frameworks.list();
          const fw = frameworks.find((f) => f.id === frameworkId);
          if (!fw) problems.push({ field: 'frameworkId', message: 'Chọn bộ chỉ số.' });
          const optional = (name: string, label: string): string | undefined =>
            bodyString(req, name, 20).trim() ? dayField(req, name, label, problems) : undefined;
          const dates = {
            dataFrom: optional('dataFrom', 'Số liệu từ ngày'),
            dataTo: optional('dataTo', 'Số liệu đến ngày'),
            opensOn: optional('opensOn', 'Mở nhập liệu'),
            dueOn: optional('dueOn', 'Hạn gửi'),
            closesOn: optional('closesOn', 'Khóa nhập liệu'),
          };
          const graceRaw = bodyString(req, 'graceDays', 4).trim();
          const graceDays = graceRaw === '' ? undefined : Number(graceRaw);
          if (problems.length || !fw) throw new AppError('validation', 'Chưa tạo được kỳ báo cáo.', problems);
          const created = await s.periods.createPeriod(actorOf(res), {
            framework: { id: fw.id, code: fw.code, periods: fw.definition.periods },
            kind,
            year,
            ...Object.fromEntries(Object.entries(dates).filter(([, v]) => v !== undefined)),
            ...(graceDays === undefined ? {} : { graceDays }),
          });
          return `/admin/periods/${created.id}?msg=created`;
        },
        (req, res, error) =>
          renderList(res, { error, form: bodyForm(req, ['frameworkId', 'kind', 'year', 'dataFrom', 'dataTo', 'opensOn', 'dueOn', 'graceDays', 'closesOn']) }),
      ),
    },
    {
      method: 'get',
      path: '/admin/periods/:periodId',
      access: 'periods.manage',
      handler: async (req, res) => renderPeriod(req, res, idParam(req, 'periodId')),
    },
    {
      method: 'post',
      path: '/admin/periods/:periodId',
      access: 'periods.manage',
      handler: formAction(
        async (req, res) => {
          const id = idParam(req, 'periodId');
          const problems: Array<{ field: string; message: string }> = [];
          const patch = {
            name: bodyString(req, 'name', 300),
            dataFrom: dayField(req, 'dataFrom', 'Số liệu từ ngày', problems),
            dataTo: dayField(req, 'dataTo', 'Số liệu đến ngày', problems),
            opensOn: dayField(req, 'opensOn', 'Mở nhập liệu', problems),
            dueOn: dayField(req, 'dueOn', 'Hạn gửi', problems),
            closesOn: dayField(req, 'closesOn', 'Khóa nhập liệu', problems),
            graceDays: Number(bodyString(req, 'graceDays', 4).trim() || 'NaN'),
          };
          if (problems.length) throw new AppError('validation', 'Lịch của kỳ báo cáo chưa hợp lệ.', problems);
          await s.periods.updatePeriod(actorOf(res), id, patch);
          return `/admin/periods/${id}?msg=updated`;
        },
        (req, res, error) =>
          renderPeriod(req, res, idParam(req, 'periodId'), {
            error,
            form: bodyForm(req, ['name', 'dataFrom', 'dataTo', 'opensOn', 'dueOn', 'graceDays', 'closesOn']),
          }),
      ),
    },
    {
      method: 'post',
      path: '/admin/periods/:periodId/exceptions',
      access: 'periods.manage',
      handler: formAction(
        async (req, res) => {
          const id = idParam(req, 'periodId');
          const problems: Array<{ field: string; message: string }> = [];
          const agencyId = Number(bodyString(req, 'agencyId', 12));
          const until = dayField(req, 'until', 'Mở đến ngày', problems);
          if (!Number.isSafeInteger(agencyId) || agencyId <= 0) problems.push({ field: 'agencyId', message: 'Chọn đơn vị.' });
          if (problems.length) throw new AppError('validation', 'Chưa mở lại được nhập liệu.', problems);
          await s.periods.grantException(actorOf(res), id, { agencyId, until, reason: bodyString(req, 'reason', 2000) }, (a, p) =>
            s.submissions.isExpected(a, p).catch(() => false),
          );
          return `/admin/periods/${id}?msg=granted`;
        },
        (req, res, error) => renderPeriod(req, res, idParam(req, 'periodId'), { error }),
      ),
    },
    {
      method: 'post',
      path: '/admin/periods/:periodId/exceptions/:exceptionId/revoke',
      access: 'periods.manage',
      handler: formAction(
        async (req, res) => {
          const id = idParam(req, 'periodId');
          await s.periods.revokeException(actorOf(res), id, idParam(req, 'exceptionId'));
          return `/admin/periods/${id}?msg=revoked`;
        },
        (req, res, error) => renderPeriod(req, res, idParam(req, 'periodId'), { error }),
      ),
    },
    {
      method: 'get',
      path: '/admin/holidays',
      access: 'periods.manage',
      handler: async (req, res) => renderHolidays(req, res),
    },
    {
      method: 'post',
      path: '/admin/holidays',
      access: 'periods.manage',
      handler: formAction(
        async (req, res) => {
          const problems: Array<{ field: string; message: string }> = [];
          const day = dayField(req, 'day', 'Ngày', problems);
          const kind = bodyString(req, 'kind', 20) as CalendarDayKind;
          if (!(kind in CALENDAR_KIND_LABELS)) problems.push({ field: 'kind', message: 'Chọn loại ngày.' });
          if (problems.length) throw new AppError('validation', 'Chưa thêm được ngày vào lịch.', problems);
          await s.periods.addCalendarDay(actorOf(res), { day, kind, name: bodyString(req, 'name', 300) });
          return `/admin/holidays?year=${day.slice(0, 4)}&msg=day-added`;
        },
        (req, res, error) => renderHolidays(req, res, { error, form: bodyForm(req, ['day', 'kind', 'name']) }),
      ),
    },
    {
      method: 'post',
      path: '/admin/holidays/:day/delete',
      access: 'periods.manage',
      handler: async (req, res) => {
        const day = parseDay(String(req.params.day ?? ''));
        if (!day) throw new AppError('not_found', 'Không tìm thấy ngày trong lịch.');
        await s.periods.removeCalendarDay(actorOf(res), day);
        res.redirect(303, `/admin/holidays?year=${day.slice(0, 4)}&msg=day-removed`);
      },
    },
  ];
}
