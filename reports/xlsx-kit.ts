// The pieces every report workbook is made of, in the administrative format of NĐ 30/2020/NĐ-CP (Phụ lục I):
// Times New Roman, A4 with the decree's margins, page numbers centred in the top margin except on the first page,
// the two-column header block, and bordered tables with frozen, repeated headings. Sheets are written with
// exceljs's streaming writer, row by row in order, so a province of any size fits in memory.
import type { Alignment, Borders, Cell, Fill, Font, PageSetup, Style as ExcelStyle, Worksheet, WorksheetView } from 'exceljs';
import { NO_VALUE, longDate } from './format.js';
import { addPicture, type WorkbookWriter } from './xlsx-stream.js';
import { chartSize, renderChartPng, type ChartSpec } from './charts.js';
import type { ReportIssuer } from './report.types.js';

export const FONT = 'Times New Roman';
export const FMT_INDEX = '0.0000';
export const FMT_POINTS = '#,##0.00';
export const FMT_MAX = '#,##0';
export const FMT_RANK = '0';
export const FMT_CHANGE = '+0;-0;0';
export const FMT_SIGNED_INDEX = '+0.0000;-0.0000;0.0000';
export const FMT_PERCENT = '0.0%';
export const FMT_DATE = 'dd/mm/yyyy';

const MM_PER_INCH = 25.4;
// NĐ 30/2020/NĐ-CP, Phụ lục I: top and bottom 20–25 mm, left 30–35 mm, right 15–20 mm; we use the minimums.
export const MARGINS = {
  top: 20 / MM_PER_INCH,
  bottom: 20 / MM_PER_INCH,
  left: 30 / MM_PER_INCH,
  right: 15 / MM_PER_INCH,
  header: 10 / MM_PER_INCH,
  footer: 10 / MM_PER_INCH,
};
const A4 = 9;

export const THIN: Borders = {
  top: { style: 'thin' },
  left: { style: 'thin' },
  bottom: { style: 'thin' },
  right: { style: 'thin' },
  diagonal: {},
};
export const HEADER_FILL: Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFD9D9D9' } };
export const FLAG_FILL: Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFFFF2CC' } };

export const CENTRE: Partial<Alignment> = { horizontal: 'center', vertical: 'middle', wrapText: true };
export const RIGHT: Partial<Alignment> = { horizontal: 'right', vertical: 'middle' };
export const TEXT: Partial<Alignment> = { vertical: 'middle', wrapText: true };
export const PARAGRAPH: Partial<Alignment> = { horizontal: 'justify', vertical: 'top', wrapText: true, indent: 1 };

const fonts = new Map<string, Partial<Font>>();

/** Times New Roman in black; the same object for the same arguments, so cell styles can be shared. */
export function font(size: number, extra: Partial<Font> = {}): Partial<Font> {
  const key = `${size}|${extra.bold ? 'b' : ''}${extra.italic ? 'i' : ''}|${Object.keys(extra).length}`;
  const simple = Object.keys(extra).every((k) => k === 'bold' || k === 'italic');
  let f = simple ? fonts.get(key) : undefined;
  if (!f) {
    f = Object.freeze({ name: FONT, size, color: { argb: 'FF000000' }, ...extra });
    if (simple) fonts.set(key, f);
  }
  return f;
}

const BODY_FONT = font(12);

export type CellValue = string | number | Date | null;

export interface CellStyle {
  font?: Partial<Font>;
  alignment?: Partial<Alignment>;
  numFmt?: string;
  fill?: Fill;
  border?: Partial<Borders>;
}

// exceljs's streaming writer turns every cell's style into XML to find its style id, unless it has seen that very
// style object before (a WeakMap by identity). Cells with the same look therefore share one frozen style object,
// looked up here by the identity of its parts; that halves the time a large workbook takes.
const NONE = {};
const styles = new Map<unknown, unknown>();

function sharedStyle(parts: unknown[], make: () => Partial<ExcelStyle>): Partial<ExcelStyle> {
  let level: Map<unknown, unknown> = styles;
  for (let i = 0; i < parts.length - 1; i += 1) {
    const part = parts[i];
    let next = level.get(part) as Map<unknown, unknown> | undefined;
    if (!next) {
      next = new Map();
      level.set(part, next);
    }
    level = next;
  }
  const last = parts.at(-1);
  let style = level.get(last) as Partial<ExcelStyle> | undefined;
  if (!style) {
    style = Object.freeze(make());
    level.set(last, style);
  }
  return style;
}

/** Writes a value with its whole style at once; the style object is shared and must not be changed afterwards. */
export function put(cell: Cell, value: CellValue, opts: CellStyle = {}): void {
  // Strings go in as plain string values: exceljs stores them as text cells, which Excel never evaluates, so an
  // agency named "=HYPERLINK(…)" stays a name. Formulas would need an explicit { formula } object.
  cell.value = value ?? NO_VALUE;
  const f = opts.font ?? font(12);
  const numFmt = opts.numFmt && (typeof value === 'number' || value instanceof Date) ? opts.numFmt : '';
  const kind = value === null ? 'string' : value instanceof Date ? 'date' : typeof value;
  cell.style = sharedStyle([f, opts.alignment ?? NONE, numFmt, opts.fill ?? NONE, opts.border ?? NONE, kind], () => ({
    font: f,
    ...(opts.alignment ? { alignment: opts.alignment } : {}),
    ...(numFmt ? { numFmt } : {}),
    ...(opts.fill ? { fill: opts.fill } : {}),
    ...(opts.border ? { border: opts.border } : {}),
  }));
}

const SHEET_FORBIDDEN = /[[\]:*?/\\]/g;
const SHEET_MAX = 31;

/**
 * Excel sheet names: at most 31 characters, none of []:*?/\, not starting or ending with an apostrophe, unique
 * ignoring case. Composed (NFC) first, so Vietnamese letters count as one character each.
 */
export function sheetName(wanted: string, taken: Set<string>): string {
  const clean = wanted
    .normalize('NFC')
    .replace(SHEET_FORBIDDEN, ' ')
    .replace(/\s+/g, ' ')
    .replace(/^'+|'+$/g, '')
    .trim();
  let name = clean.slice(0, SHEET_MAX).trim();
  for (let n = 2; taken.has(name.toLocaleLowerCase('vi-VN')); n += 1) {
    const suffix = ` (${n})`;
    name = clean.slice(0, SHEET_MAX - suffix.length).trim() + suffix;
  }
  taken.add(name.toLocaleLowerCase('vi-VN'));
  return name;
}

/**
 * A sheet with the NĐ 30 print setup. The streaming writer writes views and the fit-to-page flag when the sheet is
 * opened, so they are given here, not set later.
 */
export function addSheet(
  wb: WorkbookWriter,
  taken: Set<string>,
  wanted: string,
  opts: { orientation: PageSetup['orientation']; titleRows?: string; frozen?: { x: number; y: number } },
): Worksheet {
  const views: Partial<WorksheetView>[] = opts.frozen
    ? [{ state: 'frozen', xSplit: opts.frozen.x, ySplit: opts.frozen.y }]
    : [{ state: 'normal' }];
  return wb.addWorksheet(sheetName(wanted, taken), {
    views,
    pageSetup: {
      paperSize: A4,
      orientation: opts.orientation,
      fitToPage: true,
      fitToWidth: 1,
      fitToHeight: 0,
      margins: MARGINS,
      horizontalCentered: true,
      ...(opts.titleRows ? { printTitlesRow: opts.titleRows } : {}),
    },
    // NĐ 30/2020/NĐ-CP, Phụ lục I: page numbers centred in the top margin, not shown on the first page.
    headerFooter: { differentFirst: true, oddHeader: `&C&"${FONT},Regular"&13&P` },
  });
}

/** Row height (points) for wrapped text in a merged range, which neither Excel nor LibreOffice auto-fits. */
export function wrappedHeight(text: string, widthChars: number, size: number): number {
  // An estimate: a column unit is about 7 px and an average Times New Roman character about 0.6·size px, so rows
  // come out slightly tall rather than clipped.
  const perLine = Math.max(1, Math.floor((widthChars * 7) / (0.6 * size)));
  const lines = text.includes('\n')
    ? text.split('\n').reduce((n, part) => n + Math.max(1, Math.ceil(part.length / perLine)), 0)
    : Math.max(1, Math.ceil(text.length / perLine));
  return Math.ceil(lines * size * 1.35);
}

// Column widths avoid exactly 9: exceljs takes 9 for its default and leaves the width out, and Excel's own default
// is 8.43. The header block has three columns on the left (issuer) and three on the right (national title and
// motto); the middle one of each side carries the short rule NĐ 30 draws under the issuing agency (a third of its
// line) and under the motto (as long as the motto).
export const COVER_WIDTHS = [14, 14, 14, 10, 28, 10];
export const COVER_TOTAL = COVER_WIDTHS.reduce((s, w) => s + w, 0);

/**
 * Rows 1–4 of a cover sheet: parent and issuing agency on the left, national title and motto on the right, with
 * their short rules; then the number (left) and the place and date in italics (right).
 */
export function headerBlock(ws: Worksheet, issuer: ReportIssuer, numberLine: string, date: string): void {
  const block = (row: number, left: string, leftFont: Partial<Font>, right: string, rightFont: Partial<Font>) => {
    ws.mergeCells(row, 1, row, 3);
    ws.mergeCells(row, 4, row, 6);
    put(ws.getCell(row, 1), left, { font: leftFont, alignment: CENTRE });
    put(ws.getCell(row, 4), right, { font: rightFont, alignment: CENTRE });
  };
  // NĐ 30/2020/NĐ-CP, Phụ lục I: parent agency regular capitals 12–13, issuing agency bold capitals, national title
  // bold capitals 12–13, motto bold 13–14, place and date italic 13–14.
  const parent = issuer.parent.toLocaleUpperCase('vi-VN');
  const name = issuer.name.toLocaleUpperCase('vi-VN');
  block(1, parent, font(13), 'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', font(13, { bold: true }));
  block(2, name, font(13, { bold: true }), 'Độc lập - Tự do - Hạnh phúc', font(14, { bold: true }));
  const leftWidth = COVER_WIDTHS.slice(0, 3).reduce((s, w) => s + w, 0);
  ws.getRow(1).height = wrappedHeight(parent, leftWidth, 13);
  ws.getRow(2).height = wrappedHeight(name, leftWidth, 13);
  ws.getRow(3).height = 6;
  ws.getCell(3, 2).border = { top: { style: 'thin' } };
  ws.getCell(3, 5).border = { top: { style: 'thin' } };
  block(4, numberLine, font(13), longDate(date, issuer.place), font(14, { italic: true }));
  ws.getRow(4).height = 22;
}

/** Writes merged full-width lines of text from a row on; returns the next free row. */
export function textLines(
  ws: Worksheet,
  from: number,
  columns: number,
  widthChars: number,
  lines: Array<{ text: string; font?: Partial<Font>; alignment?: Partial<Alignment>; height?: number }>,
): number {
  let row = from;
  for (const l of lines) {
    const f = l.font ?? font(14);
    ws.mergeCells(row, 1, row, columns);
    put(ws.getCell(row, 1), l.text, { font: f, alignment: l.alignment ?? PARAGRAPH });
    ws.getRow(row).height = l.height ?? wrappedHeight(l.text, widthChars, f.size ?? 14);
    row += 1;
  }
  return row;
}

export function headerRow(ws: Worksheet, rowNumber: number, headers: string[], height = 48): void {
  const row = ws.getRow(rowNumber);
  headers.forEach((h, i) => {
    put(row.getCell(i + 1), h, { font: font(11, { bold: true }), alignment: CENTRE, fill: HEADER_FILL, border: THIN });
  });
  row.height = height;
}

/** Title and the "(Kèm theo …)" note on rows 1–2 of a table sheet. */
export function titleRows(ws: Worksheet, columns: number, title: string, note: string): void {
  ws.mergeCells(1, 1, 1, columns);
  ws.mergeCells(2, 1, 2, columns);
  put(ws.getCell(1, 1), title, { font: font(14, { bold: true }), alignment: { horizontal: 'center', wrapText: true } });
  put(ws.getCell(2, 1), note, { font: font(13, { italic: true }), alignment: { horizontal: 'center' } });
  ws.getRow(1).height = 22;
}

/** A table cell: value (null is shown as "—"), number format, alignment, flagged (highlighted). */
export type Spec = [CellValue, string | undefined, Partial<Alignment>];

/** Writes one bordered data row; a null value is written as "—", centred, rather than a blank that reads as 0. */
export function dataRow(ws: Worksheet, rowNumber: number, cells: Spec[], opts: { fill?: Fill; commit?: boolean } = {}): void {
  const row = ws.getRow(rowNumber);
  let height = 0;
  cells.forEach(([value, numFmt, alignment], c) => {
    const style: CellStyle = { font: BODY_FONT, alignment: value === null ? CENTRE : alignment, border: THIN };
    if (numFmt) style.numFmt = numFmt;
    if (opts.fill) style.fill = opts.fill;
    put(row.getCell(c + 1), value, style);
    // LibreOffice does not grow rows for wrapped text it did not lay out itself: give long text its height.
    if (typeof value === 'string' && alignment.wrapText && value.length > 8) {
      height = Math.max(height, wrappedHeight(value, ws.getColumn(c + 1).width ?? 10, 12));
    }
  });
  if (height > 16) row.height = height;
  // Streaming: a committed row is written out and its memory freed; rows must be committed in order.
  if (opts.commit) row.commit();
}

/** Printable height of an A4 portrait page between the NĐ 30 margins, in pixels at 96 dpi (257 mm), less a line. */
const PAGE_PX = 950;

/**
 * Embeds charts one under another from a row on (one-based); a chart that would not fit on the rest of the printed
 * page starts a new one, so no chart is cut in two. Returns the next free row.
 */
export function embedCharts(
  wb: WorkbookWriter,
  ws: Worksheet,
  fromRow: number,
  charts: ChartSpec[],
  opts: { fontFile?: string; rowHeightPx?: number; widthPx?: number; usedPx?: number } = {},
): number {
  const rowPx = opts.rowHeightPx ?? 20;
  let row = fromRow;
  let used = opts.usedPx ?? fromRow * rowPx;
  for (const spec of charts) {
    const size = chartSize(spec);
    const width = opts.widthPx ?? size.width;
    const height = Math.round((size.height * width) / size.width);
    const rows = Math.ceil(height / rowPx) + 1;
    const block = (rows + 2) * rowPx;
    if (used + block > PAGE_PX && used > 0) {
      ws.getRow(row - 1).addPageBreak();
      used = 0;
    }
    addPicture(wb, ws, renderChartPng(spec, opts.fontFile), {
      col: 0,
      row: row - 1,
      width,
      height,
      description: `${spec.title}. ${spec.description}`,
    });
    for (let r = row; r < row + rows; r += 1) ws.getRow(r).height = (rowPx * 3) / 4;
    row += rows;
    put(ws.getCell(row, 1), spec.description, { font: font(11, { italic: true }), alignment: { wrapText: true, vertical: 'top' } });
    ws.getRow(row).height = 30;
    row += 2;
    used += block;
  }
  return row;
}
