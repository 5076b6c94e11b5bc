// The agency's workbook for a period (Excel round trip), pure: built from plain data, read back into the same raw
// values the form posts, so value-validation.ts judges both the same way. The data sheet is protected with only
// the value cells unlocked, carries Excel data validation for a first check while typing, shows last period's
// values, and keeps the indicator codes in a hidden column; a very hidden sheet names the submission, agency,
// period and version it was made for and the code expected on every row, so a workbook of another agency or
// period, an older version or one whose rows were moved or re-coded is recognised and refused.
import ExcelJS from 'exceljs';
import type { InputSpec } from '../frameworks/framework.types.js';
import type { ReportedValue } from '../scoring/scoring.types.js';
import { displayValue } from '../frameworks/value-display.js';
import type { RawValue } from './value-validation.js';

export const DATA_SHEET = 'Số liệu';
const GUIDE_SHEET = 'Hướng dẫn';
const LIST_SHEET = 'DanhMuc';
const META_SHEET = '_dti';
const MARK = 'dti-submission-workbook/1';
export const FIRST_ROW = 7;
const HEADER_ROW = 6;
export const COL = { code: 1, name: 2, how: 3, value: 4, denominator: 5, comment: 6, previous: 7, hidden: 8 } as const;
const YES = 'Có';
const NO = 'Không';

export interface WorkbookLine {
  code: string;
  name: string;
  max: number;
  input: InputSpec;
  applicable: boolean;
  current: ReportedValue | null;
  comment: string | null;
  previous: ReportedValue | null;
  guidance?: string | undefined;
}

export interface WorkbookMeta {
  submissionId: number;
  agencyId: number;
  agencyCode: string;
  agencyName: string;
  periodId: number;
  periodCode: string;
  periodName: string;
  version: number;
}

const KIND_HELP: Record<InputSpec['kind'], (i: InputSpec, max: number) => string> = {
  ratio: (i) => `Tỷ lệ: cột D "${i.numerator ?? 'tử số'}", cột E "${i.denominator ?? 'mẫu số'}"`,
  count: (i) => `Số nguyên ≥ 0${i.unit ? ` (${i.unit})` : ''}`,
  percent: () => 'Phần trăm, từ 0 đến 100',
  fraction: () => 'Số thập phân từ 0 đến 1',
  yesno: () => 'Chọn "Có" hoặc "Không"',
  choice: () => 'Chọn một mục trong danh sách',
  appraised: (_i, max) => `Điểm tự chấm, từ 0 đến ${max}`,
  evidence: () => 'Chỉ nộp tài liệu kiểm chứng (ghi chú nếu cần)',
};

const GUIDE = [
  'HƯỚNG DẪN NHẬP SỐ LIỆU BẰNG BẢNG TÍNH',
  '',
  '1. Bảng tính này được tạo riêng cho đơn vị và kỳ báo cáo ghi ở trang "Số liệu". Không dùng bảng tính của đơn vị hoặc kỳ khác.',
  '2. Chỉ nhập vào các ô màu trắng được mở khóa: cột D (giá trị hoặc tử số), cột E (mẫu số, với chỉ số tỷ lệ) và cột F (ghi chú, giải trình).',
  '3. Không thêm, xóa, di chuyển dòng hoặc cột, không đổi tên trang tính. Mã chỉ số ẩn dùng để đối chiếu số liệu khi tải lên.',
  '4. Số thập phân dùng dấu phẩy theo cài đặt tiếng Việt của Excel (ví dụ 0,8). Chỉ số "Có/Không" và chỉ số lựa chọn: chọn trong danh sách thả xuống.',
  '5. Ô để trống là chưa có số liệu. Nếu không có số liệu, hãy ghi chú giải trình ở cột F.',
  '6. Cột G là số liệu kỳ trước, chỉ để tham khảo. Các chỉ số "Không áp dụng" không cần nhập.',
  '7. Tải bảng tính lên tại trang báo cáo của đơn vị. Hệ thống kiểm tra như khi nhập trên biểu mẫu; nếu có lỗi, không số liệu nào được lưu và bạn nhận lại bảng tính có tô đỏ các ô lỗi kèm chú thích.',
  '8. Nếu báo cáo đã được cập nhật trên hệ thống sau khi tải bảng tính này, bảng tính sẽ bị từ chối: hãy tải bảng tính mới.',
  '9. Tài liệu kiểm chứng (tệp, văn bản) được đính kèm trên trang báo cáo, không qua bảng tính.',
];

/** The workbook as the agency downloads it. */
export async function buildSubmissionWorkbook(meta: WorkbookMeta, lines: WorkbookLine[]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Nền tảng đánh giá chuyển đổi số';
  wb.created = new Date(0);

  const guide = wb.addWorksheet(GUIDE_SHEET);
  guide.getColumn(1).width = 120;
  GUIDE.forEach((text, i) => {
    const c = guide.getCell(i + 1, 1);
    c.value = text;
    c.alignment = { wrapText: true, vertical: 'top' };
    if (i === 0) c.font = { bold: true, size: 13 };
  });

  const ws = wb.addWorksheet(DATA_SHEET, { views: [{ state: 'frozen', ySplit: HEADER_ROW }] });
  const lists = wb.addWorksheet(LIST_SHEET, { state: 'veryHidden' });
  const m = wb.addWorksheet(META_SHEET, { state: 'veryHidden' });

  ws.getCell('A1').value = 'BÁO CÁO TỰ ĐÁNH GIÁ CHỈ SỐ CHUYỂN ĐỔI SỐ';
  ws.getCell('A1').font = { bold: true, size: 13 };
  ws.getCell('A2').value = `Đơn vị: ${meta.agencyName} (${meta.agencyCode})`;
  ws.getCell('A3').value = `Kỳ báo cáo: ${meta.periodName} (${meta.periodCode})`;
  ws.getCell('A4').value = `Phiên bản báo cáo khi tải: ${meta.version}`;
  const widths = [10, 60, 34, 18, 14, 40, 16, 4];
  widths.forEach((w, i) => (ws.getColumn(i + 1).width = w));
  ws.getColumn(COL.hidden).hidden = true;
  const header = ['Mã', 'Chỉ số', 'Cách nhập', 'Giá trị / Tử số', 'Mẫu số', 'Ghi chú, giải trình', 'Kỳ trước', 'code'];
  header.forEach((h, i) => {
    const c = ws.getCell(HEADER_ROW, i + 1);
    c.value = h;
    c.font = { bold: true };
    c.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFD9E1F2' } };
    c.alignment = { wrapText: true, vertical: 'middle' };
  });

  let listCol = 0;
  lines.forEach((l, i) => {
    const r = FIRST_ROW + i;
    const row = ws.getRow(r);
    row.getCell(COL.code).value = l.code;
    row.getCell(COL.name).value = l.name;
    row.getCell(COL.name).alignment = { wrapText: true, vertical: 'top' };
    row.getCell(COL.how).value = l.applicable ? KIND_HELP[l.input.kind](l.input, l.max) : 'Không áp dụng';
    row.getCell(COL.how).alignment = { wrapText: true, vertical: 'top' };
    row.getCell(COL.previous).value = displayValue(l.input, l.previous) || null;
    row.getCell(COL.hidden).value = l.code;
    if (!l.applicable) {
      row.font = { color: { argb: 'FF808080' } };
      return;
    }
    const value = row.getCell(COL.value);
    const denominator = row.getCell(COL.denominator);
    const comment = row.getCell(COL.comment);
    const unlock = (c: ExcelJS.Cell): void => {
      c.protection = { locked: false };
      c.border = { top: { style: 'thin' }, bottom: { style: 'thin' }, left: { style: 'thin' }, right: { style: 'thin' } };
    };
    unlock(comment);
    comment.value = l.comment ?? null;
    comment.alignment = { wrapText: true, vertical: 'top' };
    const cur = l.current;
    const num = (min: number, max: number | null, whole = false): ExcelJS.DataValidation => ({
      type: whole ? 'whole' : 'decimal',
      operator: max === null ? 'greaterThanOrEqual' : 'between',
      formulae: max === null ? [min] : [min, max],
      allowBlank: true,
      showErrorMessage: true,
      errorTitle: 'Giá trị không hợp lệ',
      error: max === null ? `Nhập số ≥ ${min}.` : `Nhập số từ ${min} đến ${max}.`,
    });
    switch (l.input.kind) {
      case 'ratio':
        unlock(value);
        unlock(denominator);
        value.value = cur?.value ?? null;
        denominator.value = cur?.denominator ?? null;
        value.dataValidation = num(0, null);
        denominator.dataValidation = num(0, null);
        break;
      case 'count':
        unlock(value);
        value.value = cur?.value ?? null;
        value.dataValidation = num(0, null, true);
        break;
      case 'percent':
        unlock(value);
        value.value = cur?.value ?? null;
        value.dataValidation = num(0, 100);
        break;
      case 'fraction':
        unlock(value);
        value.value = cur?.value ?? null;
        value.dataValidation = num(0, 1);
        break;
      case 'appraised':
        unlock(value);
        value.value = cur?.value ?? null;
        value.dataValidation = num(0, l.max);
        break;
      case 'yesno':
        unlock(value);
        value.value = cur?.value === null || cur?.value === undefined ? null : cur.value >= 1 ? YES : NO;
        value.dataValidation = { type: 'list', allowBlank: true, formulae: [`"${YES},${NO}"`], showErrorMessage: true, error: 'Chọn "Có" hoặc "Không".' };
        break;
      case 'choice': {
        unlock(value);
        const options = l.input.options ?? [];
        listCol++;
        options.forEach((o, k) => (lists.getCell(k + 1, listCol).value = o.label));
        const colLetter = lists.getColumn(listCol).letter;
        value.value = options.find((o) => o.code === cur?.option)?.label ?? null;
        value.dataValidation = {
          type: 'list',
          allowBlank: true,
          formulae: [`${LIST_SHEET}!$${colLetter}$1:$${colLetter}$${Math.max(1, options.length)}`],
          showErrorMessage: true,
          error: 'Chọn một mục trong danh sách.',
        };
        break;
      }
      case 'evidence':
        break;
    }
  });

  m.getCell('A1').value = MARK;
  const fields: Array<[string, string | number]> = [
    ['submission', meta.submissionId],
    ['agency', meta.agencyId],
    ['agencyCode', meta.agencyCode],
    ['period', meta.periodId],
    ['periodCode', meta.periodCode],
    ['version', meta.version],
  ];
  fields.forEach(([k, v], i) => {
    m.getCell(i + 2, 1).value = k;
    m.getCell(i + 2, 2).value = v;
  });
  lines.forEach((l, i) => {
    m.getCell(i + 2, 4).value = FIRST_ROW + i;
    m.getCell(i + 2, 5).value = l.code;
  });

  // Structure locked; no password: the point is to keep rows and codes in place, the server checks the rest.
  await ws.protect('', {
    selectLockedCells: true,
    selectUnlockedCells: true,
    formatColumns: true,
    formatRows: true,
    insertRows: false,
    deleteRows: false,
    insertColumns: false,
    deleteColumns: false,
    sort: false,
    autoFilter: false,
  });
  return Buffer.from(await wb.xlsx.writeBuffer());
}

export interface ReadWorkbook {
  /** What the hidden sheet says the workbook was made for. */
  madeFor: { submissionId: number; agencyId: number; agencyCode: string; periodId: number; periodCode: string; version: number };
  /** Raw values by indicator code, as the form would post them. */
  values: Record<string, RawValue>;
  /** The sheet row of each indicator, to put errors back on it. */
  rowOf: Map<string, number>;
}

export class WorkbookShapeError extends Error {}

/** Reads a workbook already checked by the zip guard; throws WorkbookShapeError when it is not one of ours. */
export async function readSubmissionWorkbook(
  data: Buffer,
  lines: WorkbookLine[],
  limits: { maxRows: number; maxColumns: number },
): Promise<ReadWorkbook> {
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(data as unknown as ArrayBuffer);
  } catch {
    throw new WorkbookShapeError('Không đọc được tệp Excel (.xlsx).');
  }
  if (wb.worksheets.length > 10) throw new WorkbookShapeError('Bảng tính có quá nhiều trang tính.');
  for (const sheet of wb.worksheets) {
    if (sheet.rowCount > limits.maxRows || sheet.columnCount > limits.maxColumns) {
      throw new WorkbookShapeError(
        `Trang tính "${sheet.name}" quá lớn (${sheet.rowCount} dòng, ${sheet.columnCount} cột; tối đa ${limits.maxRows} dòng, ${limits.maxColumns} cột).`,
      );
    }
  }
  const m = wb.getWorksheet(META_SHEET);
  const ws = wb.getWorksheet(DATA_SHEET);
  if (!m || !ws || m.getCell('A1').value !== MARK) {
    throw new WorkbookShapeError('Tệp không phải bảng tính báo cáo tải từ hệ thống. Hãy tải bảng tính của đơn vị tại trang báo cáo.');
  }
  const field = new Map<string, unknown>();
  for (let r = 2; r <= 7; r++) field.set(String(m.getCell(r, 1).value), m.getCell(r, 2).value);
  const int = (k: string): number => {
    const v = field.get(k);
    if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw new WorkbookShapeError('Thông tin nhận diện của bảng tính đã bị thay đổi.');
    return v;
  };
  const str = (k: string): string => String(field.get(k) ?? '');
  const madeFor = {
    submissionId: int('submission'),
    agencyId: int('agency'),
    agencyCode: str('agencyCode'),
    periodId: int('period'),
    periodCode: str('periodCode'),
    version: int('version'),
  };

  // Every row must hold the indicator the platform put there, in the hidden column and the visible one.
  const expected: Array<[number, string]> = [];
  for (let r = 2; r < 2 + lines.length + 1; r++) {
    const row = m.getCell(r, 4).value;
    const code = m.getCell(r, 5).value;
    if (row === null && code === null) break;
    expected.push([Number(row), String(code)]);
  }
  const same =
    expected.length === lines.length && expected.every(([row, code], i) => row === FIRST_ROW + i && code === lines[i]!.code);
  if (!same) {
    throw new WorkbookShapeError('Bảng tính được tạo cho một phiên bản khác của bộ chỉ số hoặc đã bị sửa cấu trúc. Hãy tải bảng tính mới.');
  }
  const tampered: number[] = [];
  lines.forEach((l, i) => {
    const r = FIRST_ROW + i;
    if (text(ws.getCell(r, COL.hidden).value) !== l.code || text(ws.getCell(r, COL.code).value) !== l.code) tampered.push(r);
  });
  const lastUsed = ws.actualRowCount > 0 ? ws.lastRow?.number ?? 0 : 0;
  for (let r = FIRST_ROW + lines.length; r <= lastUsed; r++) {
    if ([COL.code, COL.value, COL.denominator, COL.comment, COL.hidden].some((c) => text(ws.getCell(r, c).value) !== '')) tampered.push(r);
  }
  if (tampered.length) {
    throw new WorkbookShapeError(
      `Mã chỉ số trong bảng tính đã bị thay đổi hoặc có dòng thêm vào (dòng ${tampered.slice(0, 10).join(', ')}). Không lưu số liệu nào — hãy tải bảng tính mới.`,
    );
  }

  const values: Record<string, RawValue> = {};
  const rowOf = new Map<string, number>();
  lines.forEach((l, i) => {
    const r = FIRST_ROW + i;
    rowOf.set(l.code, r);
    if (!l.applicable) return;
    const value = scalar(ws.getCell(r, COL.value).value);
    const comment = text(ws.getCell(r, COL.comment).value);
    const raw: RawValue = { comment };
    switch (l.input.kind) {
      case 'ratio':
        raw.value = value;
        raw.denominator = scalar(ws.getCell(r, COL.denominator).value);
        break;
      case 'yesno':
        raw.option = yesNo(value);
        break;
      case 'choice': {
        const t = value === undefined ? '' : String(value).trim();
        raw.option = l.input.options?.find((o) => o.label === t || o.code === t)?.code ?? t;
        break;
      }
      case 'evidence':
        break;
      default:
        raw.value = value;
    }
    values[l.code] = raw;
  });
  return { madeFor, values, rowOf };
}

/** The uploaded workbook with the cells of each problem row filled red and a note, and a sheet listing them all. */
export async function annotateWorkbook(data: Buffer, problems: Array<{ row: number | null; message: string }>): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(data as unknown as ArrayBuffer);
  const ws = wb.getWorksheet(DATA_SHEET);
  const byRow = new Map<number, string[]>();
  for (const p of problems) if (p.row !== null) byRow.set(p.row, [...(byRow.get(p.row) ?? []), p.message]);
  if (ws) {
    for (const [row, messages] of byRow) {
      for (const c of [COL.value, COL.denominator, COL.comment]) {
        ws.getCell(row, c).fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFFFC7CE' } };
      }
      ws.getCell(row, COL.value).note = { texts: [{ text: messages.join('\n') }] };
    }
  }
  const old = wb.getWorksheet('Lỗi');
  if (old) wb.removeWorksheet(old.id);
  const list = wb.addWorksheet('Lỗi');
  list.getColumn(1).width = 10;
  list.getColumn(2).width = 120;
  list.getCell('A1').value = 'Dòng';
  list.getCell('B1').value = 'Lỗi (không số liệu nào được lưu)';
  list.getRow(1).font = { bold: true };
  problems.forEach((p, i) => {
    list.getCell(i + 2, 1).value = p.row;
    list.getCell(i + 2, 2).value = p.message;
  });
  return Buffer.from(await wb.xlsx.writeBuffer());
}

function scalar(v: ExcelJS.CellValue): unknown {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'number' || typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'object') {
    if ('result' in v) return scalar((v as ExcelJS.CellFormulaValue).result as ExcelJS.CellValue);
    if ('richText' in v) return (v as ExcelJS.CellRichTextValue).richText.map((t) => t.text).join('');
    if ('text' in v) return String((v as ExcelJS.CellHyperlinkValue).text);
    if ('error' in v) return String((v as ExcelJS.CellErrorValue).error);
  }
  return String(v);
}

function text(v: ExcelJS.CellValue): string {
  const s = scalar(v);
  return s === undefined ? '' : String(s).trim();
}

/** "Có"/"Không" as the list offers them, or the words and digits the form accepts. */
function yesNo(v: unknown): string | undefined {
  if (v === undefined) return undefined;
  const t = String(v).trim().normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/g, 'd').toLowerCase();
  if (t === 'co' || t === '1' || t === 'yes') return '1';
  if (t === 'khong' || t === '0' || t === 'no') return '0';
  return String(v).trim();
}
