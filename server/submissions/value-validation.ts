// Validation of reported values, pure and shared by every way values come in (form, API, and later Excel), so
// the same value is accepted or refused the same way everywhere. Messages name the indicator and the problem.
import type { IndicatorDef } from '../frameworks/framework.types.js';
import type { FieldProblem } from '../errors.js';
import type { ReportedValue } from '../scoring/scoring.types.js';

/** A value as typed in: strings from a form or JSON scalars from the API. */
export interface RawValue {
  value?: unknown;
  denominator?: unknown;
  option?: unknown;
  comment?: unknown;
}

export interface ParsedValue {
  value: ReportedValue | null;
  comment: string | null;
}

const MAX_COMMENT = 2000;

function parseNumber(raw: unknown): number | null | 'invalid' {
  if (raw === undefined || raw === null) return null;
  if (typeof raw === 'number') return Number.isFinite(raw) ? raw : 'invalid';
  if (typeof raw !== 'string') return 'invalid';
  const s = raw.trim().replace(/\s/g, '');
  if (s === '') return null;
  // A decimal comma is how Vietnamese readers write numbers; accept it when no point is present.
  const normalised = s.includes('.') ? s : s.replace(',', '.');
  if (!/^-?\d+(\.\d+)?$/.test(normalised)) return 'invalid';
  return Number(normalised);
}

function text(raw: unknown): string | null {
  if (typeof raw !== 'string') return null;
  const t = raw.trim();
  return t === '' ? null : t;
}

export function parseValue(ind: IndicatorDef, raw: RawValue): { parsed: ParsedValue; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const say = (message: string): void => {
    problems.push({ field: ind.code, message: `Chỉ số ${ind.code} (${ind.name}): ${message}` });
  };
  const comment = text(raw.comment);
  if (comment && comment.length > MAX_COMMENT) say(`ghi chú dài quá ${MAX_COMMENT} ký tự.`);

  // A yes/no answer may come as a word ("co", "khong") in the value field, so it is not parsed as a number.
  const value = ind.input.kind === 'yesno' ? null : parseNumber(raw.value);
  const denominator = parseNumber(raw.denominator);
  if (value === 'invalid') say('giá trị phải là một số.');
  if (denominator === 'invalid') say('mẫu số phải là một số.');
  const v = value === 'invalid' ? null : value;
  const d = denominator === 'invalid' ? null : denominator;
  const option = text(raw.option);
  let result: ReportedValue | null = null;

  switch (ind.input.kind) {
    case 'ratio': {
      if (v === null && d === null) break;
      if (value === 'invalid' || denominator === 'invalid') break;
      if (v === null || d === null) {
        say(`cần nhập cả "${ind.input.numerator ?? 'tử số'}" và "${ind.input.denominator ?? 'mẫu số'}".`);
        break;
      }
      if (v < 0 || d < 0) say('số liệu không được âm.');
      else if (d === 0 && v > 0) say('mẫu số bằng 0 trong khi tử số lớn hơn 0.');
      else if (v > d && !ind.input.allowAboveOne) {
        say(`"${ind.input.numerator ?? 'tử số'}" (${v}) không được lớn hơn "${ind.input.denominator ?? 'mẫu số'}" (${d}).`);
      }
      result = { value: v, denominator: d, option: null };
      break;
    }
    case 'count':
      if (v === null) break;
      if (!Number.isInteger(v) || v < 0) say('phải là số nguyên không âm.');
      result = { value: v, denominator: null, option: null };
      break;
    case 'percent':
      if (v === null) break;
      if (v < 0 || v > 100) say('tỷ lệ phần trăm phải từ 0 đến 100.');
      result = { value: v, denominator: null, option: null };
      break;
    case 'fraction':
      if (v === null) break;
      if (v < 0 || v > 1) say('giá trị phải từ 0 đến 1.');
      result = { value: v, denominator: null, option: null };
      break;
    case 'yesno': {
      const yn =
        option ?? (typeof raw.value === 'string' ? text(raw.value) : typeof raw.value === 'number' ? String(raw.value) : null);
      if (yn === null) break;
      if (['1', 'yes', 'co'].includes(yn)) result = { value: 1, denominator: null, option: null };
      else if (['0', 'no', 'khong'].includes(yn)) result = { value: 0, denominator: null, option: null };
      else say('chỉ chọn "Có" hoặc "Không".');
      break;
    }
    case 'choice':
      if (option === null) break;
      if (!ind.input.options?.some((o) => o.code === option)) say('lựa chọn không có trong danh sách.');
      result = { value: null, denominator: null, option };
      break;
    case 'appraised':
      if (v === null) break;
      if (v < 0 || v > ind.max) say(`điểm tự chấm phải từ 0 đến ${ind.max}.`);
      result = { value: v, denominator: null, option: null };
      break;
    case 'evidence':
      break;
  }
  return { parsed: { value: problems.length ? null : result, comment }, problems };
}

/** Whether a stored value counts as reported. */
export const isReported = (v: ReportedValue | null): boolean =>
  v !== null && (v.value !== null || v.option !== null);

/**
 * What must hold before the head may submit: each applicable scored indicator has a value or a comment explaining
 * why not (methodology: "an explanatory note where evidence is missing"), and required evidence is attached.
 */
export function checkCompleteness(
  indicators: IndicatorDef[],
  values: Map<string, ParsedValue>,
  evidenceCount: Map<string, number>,
): FieldProblem[] {
  const problems: FieldProblem[] = [];
  for (const ind of indicators) {
    const v = values.get(ind.code);
    const reported = isReported(v?.value ?? null);
    if (ind.input.kind !== 'evidence' && !reported && !v?.comment) {
      problems.push({
        field: ind.code,
        message: `Chỉ số ${ind.code} (${ind.name}): chưa có số liệu — nhập số liệu hoặc ghi chú giải trình.`,
      });
    }
    if (ind.evidence === 'required' && (reported || ind.input.kind === 'evidence') && !evidenceCount.get(ind.code)) {
      problems.push({
        field: ind.code,
        message: `Chỉ số ${ind.code} (${ind.name}): thiếu tài liệu kiểm chứng bắt buộc.`,
      });
    }
  }
  return problems;
}
