// Vietnamese presentation of numbers, dates and labels. Pure functions shared by the report builders and the web
// UI; nothing here reads the clock or the environment.

import type { ReportFlag } from './report.types.js';

const formatters = new Map<number, Intl.NumberFormat>();

// en-US, present in every ICU build (small or full), gives the same digits and rounding as vi-VN with "," and "."
// for separators; they are swapped below in one pass (formatToParts, which names each part, is three times slower,
// and the rankings page formats thousands of numbers).
function numberFormat(decimals: number): Intl.NumberFormat {
  let nf = formatters.get(decimals);
  if (!nf) {
    nf = new Intl.NumberFormat('en-US', {
      minimumFractionDigits: decimals,
      maximumFractionDigits: decimals,
      useGrouping: true,
      // Without this a value that rounds to zero prints as "-0,0".
      signDisplay: 'negative',
    });
    formatters.set(decimals, nf);
  }
  return nf;
}

/**
 * Formats with Vietnamese separators: thousands '.', decimal ',' (TCVN usage, e.g. 1234.5 → "1.234,5").
 * The separators are swapped from the en-US form rather than trusted from vi-VN locale data, so a Node build
 * without full ICU (which falls back to "1,234.5") still prints the Vietnamese form.
 */
export function formatNumber(x: number, decimals = 0): string {
  if (!Number.isFinite(x)) throw new RangeError(`formatNumber: not a finite number: ${x}`);
  if (!Number.isInteger(decimals) || decimals < 0 || decimals > 20) {
    throw new RangeError(`formatNumber: decimals must be an integer 0–20, got ${decimals}`);
  }
  return numberFormat(decimals)
    .format(x)
    .replace(/[,.]/g, (c) => (c === ',' ? '.' : ','));
}

/** A change with its sign: +0,0324, -12,50 (nothing added to zero or a fall). */
export function signed(x: number, decimals = 4): string {
  const s = formatNumber(x, decimals);
  return x > 0 ? `+${s}` : s;
}

/** Shown wherever a value is absent (assessed, not scored; no previous period; not ranked). */
export const NO_VALUE = '—';

/** An index value in [0, 1], published to four decimals (QĐ 922/QĐ-BTTTT publishes 0–1 values), e.g. "0,8123". */
export function formatIndex(x: number | null): string {
  return x === null ? NO_VALUE : formatNumber(x, 4);
}

interface CalendarDate {
  year: number;
  month: number;
  day: number;
}

// Vietnam has had no daylight saving time since 1975, so UTC+7 is exact for any date a report can carry.
const VIETNAM_OFFSET_MS = 7 * 60 * 60 * 1000;

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Reads an ISO date ('YYYY-MM-DD', taken as written) or an ISO timestamp with a zone (taken as the calendar date in
 * Vietnam, so a publication at 2026-12-14T20:00Z is dated 15/12).
 */
function parseIsoDate(iso: string): CalendarDate {
  const m = DATE_ONLY.exec(iso);
  if (m) {
    const year = Number(m[1]);
    const month = Number(m[2]);
    const day = Number(m[3]);
    const check = new Date(Date.UTC(year, month - 1, day));
    if (check.getUTCFullYear() === year && check.getUTCMonth() === month - 1 && check.getUTCDate() === day) {
      return { year, month, day };
    }
  } else if (DATE_TIME.test(iso)) {
    const ms = Date.parse(iso);
    if (Number.isFinite(ms)) {
      const local = new Date(ms + VIETNAM_OFFSET_MS);
      return { year: local.getUTCFullYear(), month: local.getUTCMonth() + 1, day: local.getUTCDate() };
    }
  }
  throw new RangeError(`Not an ISO date: "${iso}"`);
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** "dd/mm/yyyy", the numeric date form used in tables and cited document dates. */
export function formatDate(iso: string): string {
  const { year, month, day } = parseIsoDate(iso);
  return `${pad2(day)}/${pad2(month)}/${year}`;
}

/**
 * The place and date line of an administrative document, e.g. "Khánh Hòa, ngày 05 tháng 01 năm 2026".
 * NĐ 30/2020/NĐ-CP, Phụ lục I, "Địa danh và thời gian ban hành văn bản": days below 10 and the months 1 and 2
 * are written with a leading zero; months 3–12 are not ("ngày 15 tháng 3", "ngày 05 tháng 02").
 */
export function longDate(iso: string, place: string): string {
  const { year, month, day } = parseIsoDate(iso);
  const dd = day < 10 ? pad2(day) : String(day);
  const mm = month < 3 ? pad2(month) : String(month);
  return `${place}, ngày ${dd} tháng ${mm} năm ${year}`;
}

const FLAG_LABELS: Record<ReportFlag, string> = {
  reported: '',
  adjusted: 'Điều chỉnh khi thẩm định',
  missing: 'Không báo cáo (tính 0 điểm)',
  carried: 'Lấy số liệu kỳ trước',
  excluded: 'Không báo cáo (loại khỏi điểm tối đa)',
  not_applicable: 'Không áp dụng',
};

/** The note shown beside a value that was not reported as such; "" for a value reported and accepted. */
export function flagLabel(flag: ReportFlag): string {
  return FLAG_LABELS[flag];
}

/** True when the value must be marked wherever it is shown (DESIGN §3: every value not reported as such). */
export function isFlagged(flag: ReportFlag): boolean {
  return flag !== 'reported';
}

/** "6 tháng đầu năm 2026" or "năm 2026", as report titles name the period (NĐ 09/2019/NĐ-CP regime). */
export function periodLabel(kind: 'semiannual' | 'annual', year: number): string {
  return kind === 'semiannual' ? `6 tháng đầu năm ${year}` : `năm ${year}`;
}

// Characters that make a spreadsheet treat imported text as a formula (OWASP "CSV Injection"): = + - @, and tab,
// CR, LF, which some readers strip before looking at the next character.
const FORMULA_TRIGGER = /^[=+\-@\t\r\n]/;

/**
 * Neutralises spreadsheet formula injection in text written to CSV: a value starting with = + - @ or a tab, CR or
 * LF gets a leading apostrophe, so Excel and LibreOffice show it as text instead of evaluating it.
 *
 * Use it for CSV only. In an .xlsx written with exceljs, a plain string value is stored as a string cell and is
 * never evaluated, and an apostrophe would become part of the visible value (Excel's own "quote prefix" is a cell
 * style flag that exceljs does not write), so the workbook builders write names unchanged.
 */
export function safeCell(text: string): string {
  return FORMULA_TRIGGER.test(text) ? `'${text}` : text;
}
