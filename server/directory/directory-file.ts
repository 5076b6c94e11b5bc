// Reads the admin's import file — CSV (UTF-8, comma or semicolon) or an .xlsx checked by the zip guard — into
// rows of text keyed by normalised column names: lower case, no diacritics, words joined by "_" ("Mã đơn vị cấp
// trên" → "ma_don_vi_cap_tren"), so headers typed in Vietnamese or without accents both work.
import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import { checkZip } from '../files/zip-guard.js';

export interface SheetLimits {
  maxUncompressedBytes: number;
  maxRows: number;
  maxColumns: number;
}

export interface FileRow {
  /** The line of the file (1 = header), as the admin sees it in Excel. */
  line: number;
  cells: Record<string, string>;
}

export class ImportFileError extends Error {}

export const normaliseHeader = (h: string): string =>
  h
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D')
    .toLowerCase()
    .replace(/\(.*?\)/g, '')
    .trim()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_|_$/g, '');

export async function readImportFile(data: Buffer, name: string, limits: SheetLimits): Promise<FileRow[]> {
  const isZip = data.length > 4 && data.readUInt32LE(0) === 0x04034b50;
  const table = isZip ? await readXlsx(data, limits) : readCsv(data, name, limits);
  const [header, ...body] = table;
  if (!header || header.every((h) => h.trim() === '')) throw new ImportFileError('Tệp không có dòng tiêu đề.');
  const keys = header.map(normaliseHeader);
  const rows: FileRow[] = [];
  body.forEach((cells, i) => {
    if (cells.every((c) => c.trim() === '')) return;
    rows.push({ line: i + 2, cells: Object.fromEntries(keys.map((k, j) => [k, (cells[j] ?? '').trim()])) });
  });
  return rows;
}

function readCsv(data: Buffer, name: string, limits: SheetLimits): string[][] {
  if (data.includes(0)) throw new ImportFileError(`Tệp "${name}" không phải CSV hay Excel (.xlsx).`);
  const text = data.toString('utf8').replace(/^\uFEFF/, '');
  const firstLine = text.split(/\r?\n/, 1)[0] ?? '';
  const delimiter = (firstLine.match(/;/g)?.length ?? 0) > (firstLine.match(/,/g)?.length ?? 0) ? ';' : ',';
  try {
    const rows = parse(text, { delimiter, relax_column_count: true, skip_empty_lines: true, to: limits.maxRows + 1 }) as string[][];
    if (rows.length > limits.maxRows) throw new ImportFileError(`Tệp quá nhiều dòng (tối đa ${limits.maxRows}).`);
    if (rows.some((r) => r.length > limits.maxColumns)) throw new ImportFileError(`Tệp quá nhiều cột (tối đa ${limits.maxColumns}).`);
    return rows;
  } catch (err) {
    if (err instanceof ImportFileError) throw err;
    throw new ImportFileError(`Không đọc được tệp CSV: ${(err as Error).message}`);
  }
}

async function readXlsx(data: Buffer, limits: SheetLimits): Promise<string[][]> {
  const zip = checkZip(data, { maxUncompressedBytes: limits.maxUncompressedBytes });
  if (!zip.ok) throw new ImportFileError(`Tệp bị từ chối: ${zip.reason}.`);
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(data as unknown as ArrayBuffer);
  } catch {
    throw new ImportFileError('Không đọc được tệp Excel (.xlsx).');
  }
  const ws = wb.worksheets.find((w) => w.state === 'visible');
  if (!ws) throw new ImportFileError('Tệp Excel không có trang tính nào.');
  if (ws.rowCount > limits.maxRows || ws.columnCount > limits.maxColumns) {
    throw new ImportFileError(`Trang tính quá lớn (tối đa ${limits.maxRows} dòng, ${limits.maxColumns} cột).`);
  }
  const out: string[][] = [];
  for (let r = 1; r <= ws.rowCount; r++) {
    const row = ws.getRow(r);
    const cells: string[] = [];
    for (let c = 1; c <= ws.columnCount; c++) cells.push(cellText(row.getCell(c).value));
    out.push(cells);
  }
  return out;
}

function cellText(v: ExcelJS.CellValue): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  if (typeof v === 'object') {
    if ('result' in v) return cellText(v.result as ExcelJS.CellValue);
    if ('richText' in v) return v.richText.map((t) => t.text).join('');
    if ('text' in v) return String(v.text);
    return '';
  }
  return String(v);
}
