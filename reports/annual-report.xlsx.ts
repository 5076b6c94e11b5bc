// The provincial DTI report as an Excel workbook: a cover sheet in the administrative format of NĐ 30/2020/NĐ-CP,
// one ranking sheet per group and a data annex. Built only from ReportData, with no clock reads, so the same
// publication always gives the same workbook content.

import ExcelJS from 'exceljs';
import type { Alignment, Borders, Cell, Fill, Font, PageSetup, Worksheet } from 'exceljs';
import {
  NO_VALUE,
  flagLabel,
  formatDate,
  formatIndex,
  isFlagged,
  longDate,
  periodLabel,
} from './format.js';
import type { ReportColumn, ReportData, ReportGroup, ReportRankingRow } from './report.types.js';

// ---------------------------------------------------------------------------------------------------------------
// Summary shared with the HTML report, so both say exactly the same thing.

export interface GroupSummary {
  name: string;
  ranked: boolean;
  assessed: number;
  highest: { names: string[]; total: number } | null;
  lowest: { names: string[]; total: number } | null;
}

export interface ReportSummary {
  assessed: number;
  /** Mean of the agencies' totals across all groups, four decimals; null when nobody was assessed. */
  provinceMean: number | null;
  groups: GroupSummary[];
}

const round4 = (x: number): number => Math.round(x * 10_000) / 10_000;

function extreme(rows: ReportRankingRow[], pick: (a: number, b: number) => number) {
  if (rows.length === 0) return null;
  const total = rows.map((r) => r.total).reduce((a, b) => pick(a, b));
  return { names: rows.filter((r) => r.total === total).map((r) => r.agencyName), total };
}

export function summarizeReport(data: ReportData): ReportSummary {
  const all = data.groups.flatMap((g) => g.rows);
  return {
    assessed: all.length,
    provinceMean: all.length ? round4(all.reduce((s, r) => s + r.total, 0) / all.length) : null,
    groups: data.groups.map((g) => ({
      name: g.name,
      ranked: g.ranked,
      assessed: g.rows.length,
      highest: extreme(g.rows, Math.max),
      lowest: extreme(g.rows, Math.min),
    })),
  };
}

/** The summary as body paragraphs, identical in the workbook and the HTML. */
export function summaryParagraphs(data: ReportData): string[] {
  const s = summarizeReport(data);
  const period = periodLabel(data.period.kind, data.period.year);
  const paragraphs = [
    `Kết quả đánh giá Chỉ số chuyển đổi số ${period} (số liệu từ ngày ${formatDate(data.period.dataFrom)} ` +
      `đến ngày ${formatDate(data.period.dataTo)}) theo ${data.framework.name} (phiên bản ${data.framework.version}) ` +
      `như sau:`,
    `Số đơn vị được đánh giá: ${s.assessed} đơn vị, gồm ` +
      s.groups.map((g) => `khối ${g.name}: ${g.assessed} đơn vị`).join('; ') +
      '.',
    `Chỉ số DTI trung bình của tỉnh (trung bình cộng chỉ số DTI của các đơn vị): ${formatIndex(s.provinceMean)}.`,
    ...s.groups.map((g) => {
      const head = `Khối ${g.name}${g.ranked ? '' : ' (đánh giá, không xếp hạng)'}: `;
      if (!g.highest || !g.lowest) return `${head}chưa có đơn vị được đánh giá.`;
      return (
        `${head}cao nhất là ${g.highest.names.join(', ')} (${formatIndex(g.highest.total)}); ` +
        `thấp nhất là ${g.lowest.names.join(', ')} (${formatIndex(g.lowest.total)}).`
      );
    }),
    data.publication
      ? `Kết quả được công bố lần số ${data.publication.number} ngày ${formatDate(data.publication.publishedAt)}.`
      : `Số liệu dự thảo, chưa công bố (lần tính số ${data.runId}).`,
    'Chi tiết xếp hạng từng khối và số liệu theo chỉ số thành phần tại các phần kèm theo.',
  ];
  return paragraphs;
}

/** Places moved since the previous period: previous rank minus current, so a positive number means moving up. */
export function rankChange(row: ReportRankingRow): number | null {
  return row.rank !== null && row.previousRank !== null ? row.previousRank - row.rank : null;
}

export function indexHeader(c: ReportColumn): string {
  return c.max > 0 ? `${c.name} (${c.code})` : `${c.name} (${c.code}) - không tính điểm`;
}

/** "(Kèm theo Báo cáo số … ngày …)": how NĐ 30 annexes name the document they belong to. */
export function attachmentNote(data: ReportData): string {
  return `(Kèm theo Báo cáo số ${data.number} ngày ${formatDate(data.date)})`;
}

// ---------------------------------------------------------------------------------------------------------------
// Workbook

const FONT = 'Times New Roman';
const FMT_INDEX = '0.0000';
const FMT_POINTS = '#,##0.00';
const FMT_MAX = '#,##0';
const FMT_RANK = '0';
const FMT_CHANGE = '+0;-0;0';

const MM_PER_INCH = 25.4;
// NĐ 30/2020/NĐ-CP, Phụ lục I: top and bottom 20–25 mm, left 30–35 mm, right 15–20 mm; we use the minimums.
const MARGINS = {
  top: 20 / MM_PER_INCH,
  bottom: 20 / MM_PER_INCH,
  left: 30 / MM_PER_INCH,
  right: 15 / MM_PER_INCH,
  header: 10 / MM_PER_INCH,
  footer: 10 / MM_PER_INCH,
};
const A4 = 9;

const THIN: Borders = {
  top: { style: 'thin' },
  left: { style: 'thin' },
  bottom: { style: 'thin' },
  right: { style: 'thin' },
  diagonal: {},
};
const HEADER_FILL: Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFD9D9D9' } };
const FLAG_FILL: Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFFFF2CC' } };

function font(size: number, extra: Partial<Font> = {}): Partial<Font> {
  return { name: FONT, size, color: { argb: 'FF000000' }, ...extra };
}

function put(
  cell: Cell,
  value: string | number | null,
  opts: { font?: Partial<Font>; alignment?: Partial<Alignment>; numFmt?: string } = {},
): void {
  // Strings go in as plain string values: exceljs stores them as text cells, which Excel never evaluates, so an
  // agency named "=HYPERLINK(…)" stays a name. Formulas would need an explicit { formula } object.
  cell.value = value ?? NO_VALUE;
  cell.font = opts.font ?? font(12);
  if (opts.alignment) cell.alignment = opts.alignment;
  if (opts.numFmt && typeof value === 'number') cell.numFmt = opts.numFmt;
}

function setupPrint(ws: Worksheet, orientation: PageSetup['orientation'], titleRows?: string): void {
  ws.pageSetup = {
    paperSize: A4,
    orientation,
    fitToPage: true,
    fitToWidth: 1,
    fitToHeight: 0,
    margins: MARGINS,
    horizontalCentered: true,
    ...(titleRows ? { printTitlesRow: titleRows } : {}),
  };
  // NĐ 30/2020/NĐ-CP, Phụ lục I: page numbers centred in the top margin, not shown on the first page.
  ws.headerFooter = { differentFirst: true, oddHeader: `&C&"${FONT},Regular"&13&P` };
}

/** Row height (points) for wrapped text in a merged range, which neither Excel nor LibreOffice auto-fits. */
function wrappedHeight(text: string, widthChars: number, size: number): number {
  // An estimate: a column unit is about 7 px and an average Times New Roman character about 0.6·size px, so rows
  // come out slightly tall rather than clipped.
  const perLine = Math.max(1, Math.floor((widthChars * 7) / (0.6 * size)));
  const lines = text.split('\n').reduce((n, part) => n + Math.max(1, Math.ceil(part.length / perLine)), 0);
  return Math.ceil(lines * size * 1.35);
}

// Column widths avoid exactly 9: exceljs takes 9 for its default and leaves the width out, and Excel's own default
// is 8.43. The cover has three columns on the left (issuer) and three on the right (national title and motto); the
// middle one of each side carries the short rule NĐ 30 draws under the issuing agency (a third of its line) and
// under the motto (as long as the motto).
const COVER_WIDTHS = [14, 14, 14, 10, 28, 10];
const COVER_TOTAL = COVER_WIDTHS.reduce((s, w) => s + w, 0);

function buildCover(wb: ExcelJS.Workbook, data: ReportData): void {
  const ws = wb.addWorksheet('Báo cáo');
  ws.columns = COVER_WIDTHS.map((width) => ({ width }));
  const centred: Partial<Alignment> = { horizontal: 'center', vertical: 'middle', wrapText: true };

  const block = (row: number, left: string, leftFont: Partial<Font>, right: string, rightFont: Partial<Font>) => {
    ws.mergeCells(row, 1, row, 3);
    ws.mergeCells(row, 4, row, 6);
    put(ws.getCell(row, 1), left, { font: leftFont, alignment: centred });
    put(ws.getCell(row, 4), right, { font: rightFont, alignment: centred });
  };

  // NĐ 30/2020/NĐ-CP, Phụ lục I: parent agency regular capitals 12–13, issuing agency bold capitals, national title
  // bold capitals 12–13, motto bold 13–14, place and date italic 13–14.
  const parent = data.issuer.parent.toLocaleUpperCase('vi-VN');
  const issuer = data.issuer.name.toLocaleUpperCase('vi-VN');
  block(1, parent, font(13), 'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', font(13, { bold: true }));
  block(2, issuer, font(13, { bold: true }), 'Độc lập - Tự do - Hạnh phúc', font(14, { bold: true }));
  const leftWidth = COVER_WIDTHS.slice(0, 3).reduce((s, w) => s + w, 0);
  ws.getRow(1).height = wrappedHeight(parent, leftWidth, 13);
  ws.getRow(2).height = wrappedHeight(issuer, leftWidth, 13);
  ws.getRow(3).height = 6;
  ws.getCell(3, 2).border = { top: { style: 'thin' } };
  ws.getCell(3, 5).border = { top: { style: 'thin' } };
  block(4, `Số: ${data.number}`, font(13), longDate(data.date, data.issuer.place), font(14, { italic: true }));
  ws.getRow(4).height = 22;

  let row = 6;
  const line = (text: string, f: Partial<Font>, alignment: Partial<Alignment>, height?: number) => {
    ws.mergeCells(row, 1, row, 6);
    put(ws.getCell(row, 1), text, { font: f, alignment });
    ws.getRow(row).height = height ?? wrappedHeight(text, COVER_TOTAL, f.size ?? 13);
    row += 1;
  };
  line('BÁO CÁO', font(14, { bold: true }), centred, 22);
  line(data.subject, font(14, { bold: true }), centred);
  row += 1;
  for (const p of summaryParagraphs(data)) {
    line(p, font(14), { horizontal: 'justify', vertical: 'top', wrapText: true, indent: 1 });
  }

  setupPrint(ws, 'portrait');
}

function headerRow(ws: Worksheet, rowNumber: number, headers: string[]): void {
  const row = ws.getRow(rowNumber);
  headers.forEach((h, i) => {
    const cell = row.getCell(i + 1);
    const alignment: Partial<Alignment> = { horizontal: 'center', vertical: 'middle', wrapText: true };
    put(cell, h, { font: font(11, { bold: true }), alignment });
    cell.fill = HEADER_FILL;
    cell.border = THIN;
  });
  row.height = 48;
}

function titleRows(ws: Worksheet, columns: number, title: string, note: string): void {
  ws.mergeCells(1, 1, 1, columns);
  ws.mergeCells(2, 1, 2, columns);
  put(ws.getCell(1, 1), title, { font: font(14, { bold: true }), alignment: { horizontal: 'center', wrapText: true } });
  put(ws.getCell(2, 1), note, { font: font(13, { italic: true }), alignment: { horizontal: 'center' } });
  ws.getRow(1).height = 22;
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

export function sortedByRank(rows: ReportRankingRow[]): ReportRankingRow[] {
  // Stable: agencies sharing a rank keep the order the ranking gave them.
  return [...rows].sort((a, b) => (a.rank ?? Number.POSITIVE_INFINITY) - (b.rank ?? Number.POSITIVE_INFINITY));
}

/** A ranking cell: value (null is shown as "—"), number format, alignment. */
type Spec = [string | number | null, string | undefined, Partial<Alignment>];

function buildRanking(wb: ExcelJS.Workbook, data: ReportData, group: ReportGroup, taken: Set<string>): void {
  const ws = wb.addWorksheet(sheetName(`Xếp hạng - ${group.name}`, taken));
  const headers = [
    'Hạng',
    'Đơn vị',
    'Điểm',
    'Điểm tối đa',
    'Chỉ số DTI (0–1)',
    ...data.indices.map(indexHeader),
    ...data.subindices.flatMap((s) => [`${s.name} (${s.code})`, `Hạng ${s.code}`]),
    'Hạng kỳ trước',
    'Thay đổi hạng',
  ];
  ws.columns = [
    { width: 7 },
    { width: 34 },
    { width: 10 },
    { width: 10 },
    { width: 10 },
    ...data.indices.map(() => ({ width: 11 })),
    ...data.subindices.flatMap(() => [{ width: 11 }, { width: 7 }]),
    { width: 8 },
    { width: 8 },
  ];

  const period = periodLabel(data.period.kind, data.period.year);
  titleRows(
    ws,
    headers.length,
    `XẾP HẠNG CHỈ SỐ CHUYỂN ĐỔI SỐ ${period.toLocaleUpperCase('vi-VN')} - ` +
      `KHỐI ${group.name.toLocaleUpperCase('vi-VN')}` +
      (group.ranked ? '' : ' (ĐÁNH GIÁ, KHÔNG XẾP HẠNG)'),
    attachmentNote(data),
  );
  const HEADER = 3;
  headerRow(ws, HEADER, headers);

  const centre: Partial<Alignment> = { horizontal: 'center', vertical: 'middle' };
  const right: Partial<Alignment> = { horizontal: 'right', vertical: 'middle' };
  sortedByRank(group.rows).forEach((r, i) => {
    const row = ws.getRow(HEADER + 1 + i);
    const cells: Spec[] = [
      [group.ranked ? r.rank : null, FMT_RANK, centre],
      [r.agencyName, undefined, { vertical: 'middle', wrapText: true }],
      [r.points, FMT_POINTS, right],
      [r.max, Number.isInteger(r.max) ? FMT_MAX : FMT_POINTS, right],
      [r.total, FMT_INDEX, right],
      ...data.indices.map((c): Spec => [r.indices[c.code] ?? null, FMT_INDEX, right]),
      ...data.subindices.flatMap((s): Spec[] => [
        [r.subindices[s.code]?.value ?? null, FMT_INDEX, right],
        [group.ranked ? (r.subindices[s.code]?.rank ?? null) : null, FMT_RANK, centre],
      ]),
      [r.previousRank, FMT_RANK, centre],
      [group.ranked ? rankChange(r) : null, FMT_CHANGE, centre],
    ];
    cells.forEach(([value, numFmt, alignment], c) => {
      const cell = row.getCell(c + 1);
      // An absent value is written as "—", centred like the ranks, rather than left as a blank that reads as zero.
      const align = value === null ? centre : alignment;
      put(cell, value, { font: font(12), alignment: align, ...(numFmt ? { numFmt } : {}) });
      cell.border = THIN;
    });
  });

  ws.views = [{ state: 'frozen', xSplit: 2, ySplit: HEADER }];
  setupPrint(ws, 'landscape', `${HEADER}:${HEADER}`);
}

function buildAnnex(wb: ExcelJS.Workbook, data: ReportData, taken: Set<string>): void {
  const ws = wb.addWorksheet(sheetName('Phụ lục', taken));
  const headers = ['Đơn vị', 'Khối', 'Mã', 'Chỉ số', 'Tự đánh giá', 'Thẩm định', 'Điểm', 'Điểm tối đa', 'Ghi chú'];
  ws.columns = [30, 18, 10, 48, 12, 12, 10, 10, 26].map((width) => ({ width }));
  titleRows(ws, headers.length, 'PHỤ LỤC: SỐ LIỆU THEO CHỈ SỐ THÀNH PHẦN', attachmentNote(data));
  const HEADER = 3;
  headerRow(ws, HEADER, headers);

  const text: Partial<Alignment> = { vertical: 'middle', wrapText: true };
  const centre: Partial<Alignment> = { horizontal: 'center', vertical: 'middle', wrapText: true };
  const right: Partial<Alignment> = { horizontal: 'right', vertical: 'middle' };
  data.annex.forEach((a, i) => {
    const row = ws.getRow(HEADER + 1 + i);
    const cells: [string | number, Partial<Alignment>, string?][] = [
      [a.agencyName, text],
      [a.groupName, text],
      [a.indicatorCode, centre],
      [a.indicatorName, text],
      [a.selfValue, centre],
      [a.appraisedValue, centre],
      [a.points, right, FMT_POINTS],
      [a.max, right, Number.isInteger(a.max) ? FMT_MAX : FMT_POINTS],
      [flagLabel(a.flag), text],
    ];
    cells.forEach(([value, alignment, numFmt], c) => {
      const cell = row.getCell(c + 1);
      put(cell, value, { font: font(12), alignment, ...(numFmt ? { numFmt } : {}) });
      cell.border = THIN;
      // DESIGN §3: every value not reported as such is flagged wherever it is shown.
      if (isFlagged(a.flag)) cell.fill = FLAG_FILL;
    });
  });

  ws.views = [{ state: 'frozen', xSplit: 0, ySplit: HEADER }];
  if (data.annex.length > 0) {
    ws.autoFilter = {
      from: { row: HEADER, column: 1 },
      to: { row: HEADER + data.annex.length, column: headers.length },
    };
  }
  setupPrint(ws, 'landscape', `${HEADER}:${HEADER}`);
}

/** Builds the report workbook: "Báo cáo", one "Xếp hạng - {khối}" sheet per group, then "Phụ lục". */
export async function buildReportWorkbook(data: ReportData): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  // The report date, not the clock: the same publication must give the same workbook content.
  const reportDate = new Date(`${data.date.slice(0, 10)}T00:00:00Z`);
  if (Number.isNaN(reportDate.getTime())) throw new RangeError(`Report date is not an ISO date: "${data.date}"`);
  wb.creator = 'DTI platform';
  wb.lastModifiedBy = 'DTI platform';
  wb.created = reportDate;
  wb.modified = reportDate;
  wb.title = `Báo cáo ${data.subject}`;
  wb.subject = data.subject;
  wb.company = data.issuer.name;
  wb.keywords = `DTI; ${data.number}; ${data.period.code}`;
  wb.description = data.publication
    ? `Công bố số ${data.publication.number}, lần tính ${data.runId}, ${data.framework.code} v${data.framework.version}`
    : `Dự thảo, lần tính ${data.runId}, ${data.framework.code} v${data.framework.version}`;

  const taken = new Set<string>();
  buildCover(wb, data);
  taken.add('báo cáo');
  for (const group of data.groups) buildRanking(wb, data, group, taken);
  buildAnnex(wb, data, taken);

  const out = await wb.xlsx.writeBuffer();
  return Buffer.from(out as ArrayBuffer);
}
