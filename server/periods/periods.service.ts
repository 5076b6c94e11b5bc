// Reporting periods and their calendar: the dates of each period, the working-day calendar deadlines count on,
// and the lock exceptions that reopen entry for one agency. Admin changes are audited with before and after.
import type { Knex } from 'knex';
import { authorize, type Actor } from '../auth/policy.js';
import { conflict, forbidden, notFound, validationError } from '../errors.js';
import type { PeriodKind } from '../frameworks/framework.types.js';
import type { AuditService } from '../audit/audit.service.js';
import { formatDate } from '../../reports/format.js';
import { checkSchedule, defaultPeriodDates, isEntryOpen, isoDay, periodCode, periodName, type PeriodSchedule } from './period-calendar.js';
import { addDays, effectiveDeadline, isoWeekday, WorkingCalendar, type CalendarDayKind } from './working-days.js';
import * as repo from './periods.repository.js';
import * as calendar from './calendar.repository.js';

export type { PeriodRow, EntryExceptionRow } from './periods.repository.js';
export type { CalendarDayRow } from './calendar.repository.js';

export interface EntryStatus {
  open: boolean;
  /** The exception keeping entry open past the close, if that is why it is open. */
  exception: repo.EntryExceptionRow | null;
  /** Why entry is closed, for the agency (absent when open). */
  message?: string;
}

export const CALENDAR_KIND_LABELS: Record<CalendarDayKind, string> = {
  holiday: 'Ngày lễ, Tết',
  day_off: 'Nghỉ bù / hoán đổi',
  workday: 'Làm bù (thứ Bảy, Chủ nhật)',
};

const REASON_MAX = 1000;

export class PeriodService {
  constructor(
    private readonly db: Knex,
    private readonly now: () => Date = () => new Date(),
    private readonly audit?: AuditService,
  ) {}

  today(): string {
    return isoDay(this.now());
  }

  async get(id: number, db: Knex = this.db): Promise<repo.PeriodRow> {
    const p = await repo.getPeriod(db, id);
    if (!p) throw notFound('kỳ báo cáo');
    return p;
  }

  list(db: Knex = this.db): Promise<repo.PeriodRow[]> {
    return repo.listPeriods(db);
  }

  findByCode(code: string, db: Knex = this.db): Promise<repo.PeriodRow | undefined> {
    return repo.findPeriodByCode(db, code);
  }

  previous(period: repo.PeriodRow, db: Knex = this.db): Promise<repo.PeriodRow | undefined> {
    return repo.previousPeriod(db, period);
  }

  /** Whether the period's own entry window is open today (before any exception). */
  isOpen(period: repo.PeriodRow): boolean {
    return isEntryOpen(period, this.today());
  }

  /** Whether the agency may enter data in the period today: the window, or an open lock exception. */
  async entryStatus(period: repo.PeriodRow, agencyId: number, db: Knex = this.db): Promise<EntryStatus> {
    const today = this.today();
    if (isEntryOpen(period, today)) return { open: true, exception: null };
    if (today > period.closesOn) {
      const exception = await repo.activeException(db, period.id, agencyId, today);
      if (exception) return { open: true, exception };
      return {
        open: false,
        exception: null,
        message:
          `Kỳ báo cáo ${period.name} đã khóa nhập liệu sau ngày ${formatDate(period.closesOn)}. ` +
          'Cần nhập bổ sung, đơn vị đề nghị Sở Khoa học và Công nghệ mở lại nhập liệu.',
      };
    }
    return {
      open: false,
      exception: null,
      message: `Kỳ báo cáo ${period.name} chưa mở nhập liệu; nhập liệu từ ngày ${formatDate(period.opensOn)}.`,
    };
  }

  /** Refuses (403, with the reason) unless the agency may enter data in the period today. */
  async assertEntryOpen(period: repo.PeriodRow, agencyId: number): Promise<void> {
    const status = await this.entryStatus(period, agencyId);
    if (!status.open) throw forbidden(status.message);
  }

  /** The working-day calendar covering the days from `from` to `to`, with a margin for deadlines past them. */
  async workingCalendar(from: string, to: string, db: Knex = this.db): Promise<WorkingCalendar> {
    return new WorkingCalendar(await calendar.calendarDays(db, addDays(from, -7), addDays(to, 400)));
  }

  /** The last day a report of the period counts as on time. */
  async deadlineOf(period: repo.PeriodRow, db: Knex = this.db): Promise<{ deadline: string; calendar: WorkingCalendar }> {
    const today = this.today();
    const cal = await this.workingCalendar(period.dueOn, today > period.dueOn ? today : period.dueOn, db);
    return { deadline: effectiveDeadline(period.dueOn, period.graceDays, cal), calendar: cal };
  }

  /** Creates a period with the default dates for its kind, or returns the existing one. */
  async ensure(
    framework: { id: number; code: string },
    kind: PeriodKind,
    year: number,
    db: Knex = this.db,
  ): Promise<repo.PeriodRow> {
    const code = periodCode(framework.code, kind, year);
    const existing = await repo.findPeriodByCode(db, code);
    if (existing) return existing;
    const id = await repo.insertPeriod(db, {
      frameworkId: framework.id,
      code,
      name: periodName(kind, year),
      kind,
      year,
      ...defaultPeriodDates(kind, year),
    });
    return (await repo.getPeriod(db, id))!;
  }

  // ---- administration (the Department) ----

  async createPeriod(
    actor: Actor,
    input: { framework: { id: number; code: string; periods: PeriodKind[] }; kind: PeriodKind; year: number } & Partial<PeriodSchedule>,
  ): Promise<repo.PeriodRow> {
    authorize(actor, 'periods.manage');
    const { framework, kind, year } = input;
    if (!framework.periods.includes(kind)) {
      throw validationError('Bộ chỉ số này không dùng cho loại kỳ đã chọn.', [{ field: 'kind', message: 'Bộ chỉ số này không dùng cho loại kỳ đã chọn.' }]);
    }
    const defaults = defaultPeriodDates(kind, year);
    const schedule: PeriodSchedule = {
      dataFrom: input.dataFrom ?? defaults.dataFrom,
      dataTo: input.dataTo ?? defaults.dataTo,
      opensOn: input.opensOn ?? defaults.opensOn,
      dueOn: input.dueOn ?? defaults.dueOn,
      closesOn: input.closesOn ?? defaults.closesOn,
      graceDays: input.graceDays ?? 0,
    };
    const problems = checkSchedule(schedule);
    if (problems.length) throw validationError('Lịch của kỳ báo cáo chưa hợp lệ.', problems);
    const code = periodCode(framework.code, kind, year);
    return this.db.transaction(async (trx) => {
      if (await repo.findPeriodByCode(trx, code)) throw conflict(`Kỳ báo cáo ${code} đã có.`);
      const id = await repo.insertPeriod(trx, { frameworkId: framework.id, code, name: periodName(kind, year), kind, year, ...schedule });
      const created = (await repo.getPeriod(trx, id))!;
      await this.audit?.record(trx, actor, [{ action: 'period.create', entity: 'period', entityId: id, after: created }]);
      return created;
    });
  }

  async updatePeriod(actor: Actor, id: number, patch: repo.PeriodDatesPatch): Promise<void> {
    authorize(actor, 'periods.manage');
    const name = patch.name.trim();
    const problems = checkSchedule(patch);
    if (!name) problems.unshift({ field: 'name', message: 'Cần nhập tên kỳ báo cáo.' });
    if (name.length > 200) problems.unshift({ field: 'name', message: 'Tên kỳ báo cáo dài quá 200 ký tự.' });
    if (problems.length) throw validationError('Lịch của kỳ báo cáo chưa hợp lệ.', problems);
    await this.db.transaction(async (trx) => {
      const before = await repo.getPeriod(trx, id);
      if (!before) throw notFound('kỳ báo cáo');
      await repo.updatePeriod(trx, id, { ...patch, name });
      const after = (await repo.getPeriod(trx, id))!;
      await this.audit?.record(trx, actor, [{ action: 'period.update', entity: 'period', entityId: id, before, after }]);
    });
  }

  exceptions(periodId: number): Promise<repo.EntryExceptionRow[]> {
    return repo.exceptionsOf(this.db, periodId);
  }

  /** Reopens entry for one agency until a day (inclusive), with the reason; only once the period has closed. */
  async grantException(
    actor: Actor,
    periodId: number,
    input: { agencyId: number; until: string; reason: string },
    isExpected: (agencyId: number, period: repo.PeriodRow) => Promise<boolean>,
  ): Promise<number> {
    authorize(actor, 'periods.manage');
    const period = await this.get(periodId);
    const reason = input.reason.trim();
    const problems = [];
    if (!reason) problems.push({ field: 'reason', message: 'Cần nêu lý do mở lại nhập liệu.' });
    if (reason.length > REASON_MAX) problems.push({ field: 'reason', message: `Lý do dài quá ${REASON_MAX} ký tự.` });
    if (input.until < this.today()) problems.push({ field: 'until', message: 'Ngày hết hạn mở lại không được trước hôm nay.' });
    if (input.until <= period.closesOn) {
      problems.push({ field: 'until', message: `Ngày hết hạn mở lại phải sau ngày khóa nhập liệu của kỳ (${formatDate(period.closesOn)}).` });
    }
    if (!(await isExpected(input.agencyId, period))) problems.push({ field: 'agencyId', message: 'Đơn vị không thuộc đối tượng báo cáo của kỳ này.' });
    if (problems.length) throw validationError('Chưa mở lại được nhập liệu.', problems);
    return this.db.transaction(async (trx) => {
      const id = await repo.insertException(trx, { periodId, agencyId: input.agencyId, until: input.until, reason, grantedBy: actor.id });
      await this.audit?.record(trx, actor, [
        {
          action: 'exception.grant',
          entity: 'entry_exception',
          entityId: id,
          agencyId: input.agencyId,
          after: { period: period.code, until: input.until },
          reason,
        },
      ]);
      return id;
    });
  }

  async revokeException(actor: Actor, periodId: number, exceptionId: number): Promise<void> {
    authorize(actor, 'periods.manage');
    const x = await repo.getException(this.db, exceptionId);
    if (!x || x.periodId !== periodId) throw notFound('ngoại lệ mở lại nhập liệu');
    if (x.revokedAt) throw conflict('Ngoại lệ này đã được thu hồi trước đó.');
    await this.db.transaction(async (trx) => {
      if ((await repo.revokeException(trx, exceptionId, actor.id)) !== 1) throw conflict('Ngoại lệ này đã được thu hồi trước đó.');
      await this.audit?.record(trx, actor, [
        {
          action: 'exception.revoke',
          entity: 'entry_exception',
          entityId: exceptionId,
          agencyId: x.agencyId,
          before: { until: x.until, revokedAt: null },
          after: { until: x.until, revokedAt: this.now().toISOString() },
        },
      ]);
    });
  }

  calendarDays(year: number): Promise<calendar.CalendarDayRow[]> {
    return calendar.calendarDays(this.db, `${year}-01-01`, `${year}-12-31`);
  }

  calendarYears(): Promise<number[]> {
    return calendar.calendarYears(this.db);
  }

  async addCalendarDay(actor: Actor, input: { day: string; kind: CalendarDayKind; name: string }): Promise<void> {
    authorize(actor, 'periods.manage');
    const name = input.name.trim();
    const problems = [];
    if (!name) problems.push({ field: 'name', message: 'Cần nhập tên ngày nghỉ (ví dụ: Tết Nguyên đán mùng 1).' });
    if (name.length > 200) problems.push({ field: 'name', message: 'Tên dài quá 200 ký tự.' });
    if (input.kind === 'workday' && isoWeekday(input.day) < 6) {
      problems.push({ field: 'kind', message: 'Ngày làm bù phải là thứ Bảy hoặc Chủ nhật.' });
    }
    if (problems.length) throw validationError('Chưa thêm được ngày vào lịch.', problems);
    await this.db.transaction(async (trx) => {
      if (!(await calendar.insertCalendarDay(trx, { day: input.day, kind: input.kind, name }, actor.id))) {
        throw conflict(`Ngày ${formatDate(input.day)} đã có trong lịch; xóa ngày đó trước nếu muốn sửa.`);
      }
      await this.audit?.record(trx, actor, [{ action: 'calendar.add', entity: 'calendar_day', entityId: input.day, after: { kind: input.kind, name } }]);
    });
  }

  async removeCalendarDay(actor: Actor, day: string): Promise<void> {
    authorize(actor, 'periods.manage');
    await this.db.transaction(async (trx) => {
      const before = await calendar.getCalendarDay(trx, day);
      if (!before) throw notFound('ngày trong lịch');
      await calendar.deleteCalendarDay(trx, day);
      await this.audit?.record(trx, actor, [
        { action: 'calendar.remove', entity: 'calendar_day', entityId: day, before: { kind: before.kind, name: before.name } },
      ]);
    });
  }
}
