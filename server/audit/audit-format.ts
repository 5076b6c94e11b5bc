// How an audit event's before and after read to people, pure: states by their Vietnamese label, reported values as
// "5/25", dates as dd/mm/yyyy, field names in Vietnamese.
import { STATE_LABELS, type SubmissionState } from '../submissions/workflow.js';
import { formatDate, formatNumber } from '../../reports/format.js';

const FIELD_LABELS: Record<string, string> = {
  state: 'Trạng thái',
  value: 'Số liệu',
  comment: 'Ghi chú',
  self: 'Tự đánh giá',
  appraised: 'Thẩm định',
  indicators: 'Ý kiến theo chỉ số',
  name: 'Tên',
  dataFrom: 'Số liệu từ',
  dataTo: 'Số liệu đến',
  opensOn: 'Mở nhập liệu',
  dueOn: 'Hạn gửi',
  closesOn: 'Khóa nhập liệu',
  graceDays: 'Gia hạn (ngày làm việc)',
  until: 'Mở đến ngày',
  revokedAt: 'Thu hồi lúc',
  period: 'Kỳ',
  kind: 'Loại',
  docNumber: 'Số ký hiệu',
  issuedOn: 'Ngày ban hành',
  summary: 'Trích yếu',
  issuer: 'Cơ quan ban hành',
  indicator: 'Chỉ số',
  source: 'Nguồn',
};

// Identifiers and bookkeeping that say nothing to a reader.
const HIDDEN = new Set(['id', 'frameworkId', 'submissionId', 'nodeCode', 'createdAt', 'code', 'year']);

const isReported = (x: Record<string, unknown>): boolean =>
  Object.keys(x).length === 3 && 'value' in x && 'denominator' in x && 'option' in x;

function scalar(key: string, v: unknown): string {
  if (v === null || v === undefined || v === '') return '—';
  if (key === 'state' && typeof v === 'string') return STATE_LABELS[v as SubmissionState] ?? v;
  if (typeof v === 'number') return formatNumber(v, Number.isInteger(v) ? 0 : 2);
  if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v)) return formatDate(v);
  return String(v);
}

function text(key: string, v: unknown): string {
  if (v === null || v === undefined) return '—';
  if (typeof v !== 'object') return scalar(key, v);
  const o = v as Record<string, unknown>;
  if (isReported(o)) {
    if (o.option !== null) return String(o.option);
    if (o.value === null) return '—';
    return o.denominator === null ? scalar('', o.value) : `${scalar('', o.value)}/${scalar('', o.denominator)}`;
  }
  return Object.entries(o)
    .filter(([k]) => !HIDDEN.has(k))
    .map(([k, x]) => `${FIELD_LABELS[k] ?? k}: ${text(k, x)}`)
    .join('; ');
}

/** Before and after as text; for objects, only the fields that changed are shown on both sides. */
export function describeChange(before: unknown, after: unknown): { before: string; after: string } {
  const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
  if (isObj(before) && isObj(after) && !isReported(before) && !isReported(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter(
      (k) => !HIDDEN.has(k) && JSON.stringify(before[k] ?? null) !== JSON.stringify(after[k] ?? null),
    );
    const pick = (o: Record<string, unknown>): string =>
      keys.length === 0 ? '—' : keys.map((k) => `${FIELD_LABELS[k] ?? k}: ${text(k, o[k] ?? null)}`).join('; ');
    return { before: pick(before), after: pick(after) };
  }
  return { before: before === null || before === undefined ? '' : text('', before), after: after === null || after === undefined ? '' : text('', after) };
}
