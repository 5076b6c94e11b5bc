// Default dates of a reporting period, pure. Data cut-off per NĐ 09/2019/NĐ-CP as provinces apply it (e.g.
// Khánh Hòa QĐ 01/2023/QĐ-UBND Điều 4): semiannual 15/12 of the previous year – 14/6, annual 15/12 of the previous
// year – 14/12. The annual report is due by 15/12 (seed 004). Open, due and close dates are editable per period;
// these are only the defaults a new period starts from.
import type { PeriodKind } from '../frameworks/framework.types.js';

export interface PeriodDates {
  dataFrom: string;
  dataTo: string;
  opensOn: string;
  dueOn: string;
  closesOn: string;
}

const iso = (y: number, m: number, d: number): string =>
  `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;

export function defaultPeriodDates(kind: PeriodKind, year: number): PeriodDates {
  if (kind === 'semiannual') {
    // Provinces allow about two working days after the 14/6 cut-off to send the report.
    return {
      dataFrom: iso(year - 1, 12, 15),
      dataTo: iso(year, 6, 14),
      opensOn: iso(year, 6, 1),
      dueOn: iso(year, 6, 16),
      closesOn: iso(year, 6, 30),
    };
  }
  return {
    dataFrom: iso(year - 1, 12, 15),
    dataTo: iso(year, 12, 14),
    opensOn: iso(year, 11, 15),
    dueOn: iso(year, 12, 15),
    closesOn: iso(year, 12, 31),
  };
}

export const periodCode = (frameworkCode: string, kind: PeriodKind, year: number): string =>
  `${frameworkCode}-${year}-${kind === 'annual' ? 'N' : '6T'}`;

export function periodName(kind: PeriodKind, year: number): string {
  return kind === 'annual' ? `Năm ${year}` : `6 tháng đầu năm ${year}`;
}

/** Entry is open from the open date to the close date inclusive (dates are ISO days in the province's zone). */
export const isEntryOpen = (p: { opensOn: string; closesOn: string }, today: string): boolean =>
  p.opensOn <= today && today <= p.closesOn;

// Building an Intl.DateTimeFormat costs far more than formatting with one (every request asks for today).
const dayFormats = new Map<string, Intl.DateTimeFormat>();

/** Today's date in the province's time zone, as ISO. */
export function isoDay(d: Date, timeZone = 'Asia/Ho_Chi_Minh'): string {
  let f = dayFormats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dayFormats.set(timeZone, f);
  }
  return f.format(d);
}


/** A day typed as ISO (from a date field) or as dd/mm/yyyy; null when it is neither or no such day exists. */
export function parseDay(raw: string): string | null {
  const s = raw.trim();
  const vi = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(s);
  const iso = vi ? `${vi[3]}-${vi[2]!.padStart(2, '0')}-${vi[1]!.padStart(2, '0')}` : s;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(iso)) return null;
  const [y, m, d] = iso.split('-').map(Number) as [number, number, number];
  const t = new Date(Date.UTC(y, m - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d ? iso : null;
}

export interface PeriodSchedule extends PeriodDates {
  /** Working days after the due date still counted on time. */
  graceDays: number;
}

/** The order a period's days must keep; each problem names the field (of the admin form) it is about. */
export function checkSchedule(p: PeriodSchedule): Array<{ field: string; message: string }> {
  const problems: Array<{ field: string; message: string }> = [];
  if (p.dataFrom > p.dataTo) problems.push({ field: 'dataTo', message: 'Ngày chốt số liệu phải sau ngày bắt đầu kỳ số liệu.' });
  if (p.opensOn > p.dueOn) problems.push({ field: 'dueOn', message: 'Hạn gửi báo cáo không được trước ngày mở nhập liệu.' });
  if (p.dueOn > p.closesOn) problems.push({ field: 'closesOn', message: 'Ngày khóa nhập liệu không được trước hạn gửi báo cáo.' });
  if (!Number.isInteger(p.graceDays) || p.graceDays < 0 || p.graceDays > 60) {
    problems.push({ field: 'graceDays', message: 'Số ngày làm việc được gia hạn phải là số nguyên từ 0 đến 60.' });
  }
  return problems;
}

const dateTimeFormat = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Asia/Ho_Chi_Minh',
  day: '2-digit',
  month: '2-digit',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

/** dd/mm/yyyy hh:mm in the province's time zone, as Vietnamese documents write it. */
export function formatDateTime(d: Date): string {
  const parts = Object.fromEntries(dateTimeFormat.formatToParts(d).map((p) => [p.type, p.value]));
  return `${parts.day}/${parts.month}/${parts.year} ${parts.hour}:${parts.minute}`;
}
