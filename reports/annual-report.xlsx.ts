// The provincial DTI report as an Excel workbook: a cover sheet in the administrative format of NĐ 30/2020/NĐ-CP
// with the body of the report, then one sheet per section — rankings per group, pillars, change since the previous
// period, rates against targets, completeness, weakest indicators, charts — and the data annex. Built only from
// ReportData, with no clock reads, so the same publication always gives the same workbook content. Always written
// with exceljs's streaming writer (one code path for every province size; see xlsx-stream.ts for the charts).

import type { Alignment, Worksheet } from 'exceljs';
import { flagLabel, formatDate, formatIndex, formatNumber, isFlagged, periodLabel } from './format.js';
import type { ReportColumn, ReportData, ReportGroup, ReportRankingRow } from './report.types.js';
import {
  changeParagraphs,
  changesSincePrevious,
  completenessParagraphs,
  pillarTables,
  reportCharts,
  sortedByRank,
  targetParagraphs,
  weakestIndicators,
} from './report-sections.js';
import {
  CENTRE,
  COVER_TOTAL,
  COVER_WIDTHS,
  FLAG_FILL,
  FMT_CHANGE,
  FMT_INDEX,
  FMT_MAX,
  FMT_PERCENT,
  FMT_POINTS,
  FMT_RANK,
  FMT_SIGNED_INDEX,
  PARAGRAPH,
  RIGHT,
  TEXT,
  addSheet,
  dataRow,
  embedCharts,
  font,
  headerBlock,
  headerRow,
  textLines,
  titleRows,
  type Spec,
} from './xlsx-kit.js';
import { createStreamingWorkbook, type WorkbookWriter } from './xlsx-stream.js';
import { roundPublished } from '../server/scoring/score.js';

export { sheetName } from './xlsx-kit.js';
export { sortedByRank } from './report-sections.js';

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


function extreme(rows: ReportRankingRow[], pick: (a: number, b: number) => number) {
  if (rows.length === 0) return null;
  const total = rows.map((r) => r.total).reduce((a, b) => pick(a, b));
  return { names: rows.filter((r) => r.total === total).map((r) => r.agencyName), total };
}

export function summarizeReport(data: ReportData): ReportSummary {
  const all = data.groups.flatMap((g) => g.rows);
  return {
    assessed: all.length,
    provinceMean: all.length ? roundPublished(all.reduce((s, r) => s + r.total, 0) / all.length) : null,
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

export interface WorkbookOptions {
  /** Font file the charts are drawn with (a font with Vietnamese glyphs). */
  chartFont?: string;
  /** Leave the charts out (tests of the tables only). */
  charts?: boolean;
}

/** The sections of the report body, numbered as the cover lists them; the HTML uses the same headings. */
export function bodySections(data: ReportData): Array<{ heading: string; paragraphs: string[] }> {
  const weak = weakestIndicators(data);
  return [
    { heading: 'I. KẾT QUẢ CHUNG', paragraphs: summaryParagraphs(data) },
    { heading: 'II. THAY ĐỔI SO VỚI KỲ TRƯỚC', paragraphs: changeParagraphs(data) },
    { heading: 'III. MỘT SỐ CHỈ TIÊU TOÀN TỈNH', paragraphs: targetParagraphs(data) },
    { heading: 'IV. TÍNH ĐẦY ĐỦ, KỊP THỜI CỦA BÁO CÁO', paragraphs: completenessParagraphs(data) },
    {
      heading: 'V. CÁC CHỈ SỐ THÀNH PHẦN CÒN YẾU',
      paragraphs: weak.length
        ? [
            'Các chỉ số thành phần có tỷ lệ điểm đạt toàn tỉnh thấp nhất (tổng điểm đạt / tổng điểm tối đa):',
            ...weak.map(
              (w, i) =>
                `${i + 1}. ${w.name} (${w.code}): đạt ${formatNumber(w.share * 100, 1)} % số điểm; ` +
                `${w.belowHalf}/${w.agencies} đơn vị đạt dưới một nửa số điểm.`,
            ),
          ]
        : ['Không có chỉ số thành phần nào được chấm điểm.'],
    },
    {
      heading: 'VI. CÁC PHẦN KÈM THEO',
      paragraphs: [
        'Bảng xếp hạng từng khối; bảng chỉ số phụ (trụ cột); bảng thay đổi so với kỳ trước; bảng chỉ tiêu toàn tỉnh; ' +
          'bảng tính đầy đủ, kịp thời; bảng chỉ số yếu; biểu đồ; phụ lục số liệu theo chỉ số thành phần.',
      ],
    },
  ];
}

function buildCover(wb: WorkbookWriter, taken: Set<string>, data: ReportData): void {
  const ws = addSheet(wb, taken, 'Báo cáo', { orientation: 'portrait' });
  ws.columns = COVER_WIDTHS.map((width) => ({ width }));
  headerBlock(ws, data.issuer, `Số: ${data.number}`, data.date);
  let row = 6;
  row = textLines(ws, row, 6, COVER_TOTAL, [
    { text: 'BÁO CÁO', font: font(14, { bold: true }), alignment: CENTRE, height: 22 },
    { text: data.subject, font: font(14, { bold: true }), alignment: CENTRE },
  ]);
  row += 1;
  for (const section of bodySections(data)) {
    row = textLines(ws, row, 6, COVER_TOTAL, [
      { text: section.heading, font: font(14, { bold: true }), alignment: { vertical: 'top', wrapText: true } },
      ...section.paragraphs.map((text) => ({ text, font: font(14), alignment: PARAGRAPH })),
    ]);
  }
  ws.commit();
}

function buildRanking(wb: WorkbookWriter, taken: Set<string>, data: ReportData, group: ReportGroup): void {
  const ws = addSheet(wb, taken, `Xếp hạng - ${group.name}`, { orientation: 'landscape', titleRows: '3:3', frozen: { x: 2, y: 3 } });
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
  headerRow(ws, 3, headers);
  const centre: Partial<Alignment> = { horizontal: 'center', vertical: 'middle' };
  sortedByRank(group.rows).forEach((r, i) => {
    const cells: Spec[] = [
      [group.ranked ? r.rank : null, FMT_RANK, centre],
      [r.agencyName, undefined, TEXT],
      [r.points, FMT_POINTS, RIGHT],
      [r.max, Number.isInteger(r.max) ? FMT_MAX : FMT_POINTS, RIGHT],
      [r.total, FMT_INDEX, RIGHT],
      ...data.indices.map((c): Spec => [r.indices[c.code] ?? null, FMT_INDEX, RIGHT]),
      ...data.subindices.flatMap((s): Spec[] => [
        [r.subindices[s.code]?.value ?? null, FMT_INDEX, RIGHT],
        [group.ranked ? (r.subindices[s.code]?.rank ?? null) : null, FMT_RANK, centre],
      ]),
      [r.previousRank, FMT_RANK, centre],
      [group.ranked ? rankChange(r) : null, FMT_CHANGE, centre],
    ];
    dataRow(ws, 4 + i, cells, { commit: true });
  });
  ws.commit();
}

/** Every group ranked by every pillar, one small table under another. */
function buildPillars(wb: WorkbookWriter, taken: Set<string>, data: ReportData): void {
  const ws = addSheet(wb, taken, 'Chỉ số phụ', { orientation: 'portrait' });
  ws.columns = [{ width: 8 }, { width: 50 }, { width: 14 }];
  titleRows(ws, 3, 'CHỈ SỐ PHỤ (TRỤ CỘT) VÀ THỨ HẠNG THEO TỪNG KHỐI', attachmentNote(data));
  let row = 4;
  for (const t of pillarTables(data)) {
    ws.mergeCells(row, 1, row, 3);
    put(ws, row, `${t.name} (${t.code}) - khối ${t.group}${t.ranked ? '' : ' (không xếp hạng)'}; bình quân ${formatIndex(t.mean)}`);
    row += 1;
    headerRow(ws, row, ['Hạng', 'Đơn vị', `${t.code} (0–1)`], 22);
    row += 1;
    for (const r of t.rows) {
      dataRow(ws, row, [
        [r.rank, FMT_RANK, CENTRE],
        [r.name, undefined, TEXT],
        [r.value, FMT_INDEX, RIGHT],
      ], { commit: true });
      row += 1;
    }
    row += 1;
  }
  ws.commit();
}

function put(ws: Worksheet, row: number, text: string): void {
  const cell = ws.getCell(row, 1);
  cell.value = text;
  cell.font = font(13, { bold: true });
  cell.alignment = { vertical: 'middle', wrapText: true };
  ws.getRow(row).height = 20;
}

function buildChanges(wb: WorkbookWriter, taken: Set<string>, data: ReportData): void {
  const ws = addSheet(wb, taken, 'Thay đổi so với kỳ trước', { orientation: 'landscape', titleRows: '3:3', frozen: { x: 2, y: 3 } });
  const headers = ['Khối', 'Đơn vị', 'Chỉ số DTI kỳ trước', 'Chỉ số DTI kỳ này', 'Tăng (+) / giảm (-)', 'Hạng kỳ trước', 'Hạng kỳ này', 'Thay đổi hạng'];
  ws.columns = [24, 40, 14, 14, 14, 10, 10, 10].map((width) => ({ width }));
  titleRows(ws, headers.length, 'THAY ĐỔI SO VỚI KỲ TRƯỚC', attachmentNote(data));
  headerRow(ws, 3, headers);
  let row = 4;
  for (const g of data.groups) {
    for (const r of sortedByRank(g.rows)) {
      dataRow(ws, row, [
        [g.name, undefined, TEXT],
        [r.agencyName, undefined, TEXT],
        [r.previousTotal, FMT_INDEX, RIGHT],
        [r.total, FMT_INDEX, RIGHT],
        [r.previousTotal === null ? null : roundPublished(r.total - r.previousTotal), FMT_SIGNED_INDEX, RIGHT],
        [r.previousRank, FMT_RANK, CENTRE],
        [g.ranked ? r.rank : null, FMT_RANK, CENTRE],
        [g.ranked ? rankChange(r) : null, FMT_CHANGE, CENTRE],
      ], { commit: true });
      row += 1;
    }
  }
  row += 1;
  for (const c of changesSincePrevious(data)) {
    ws.mergeCells(row, 1, row, headers.length);
    const cell = ws.getCell(row, 1);
    cell.value = `Khối ${c.name}: bình quân ${formatIndex(c.mean)} (kỳ trước ${formatIndex(c.previousMean)}); ${c.improved} đơn vị tăng, ${c.declined} đơn vị giảm trên ${c.compared} đơn vị có số liệu hai kỳ.`;
    cell.font = font(12, { italic: true });
    row += 1;
  }
  ws.commit();
}

function buildTargets(wb: WorkbookWriter, taken: Set<string>, data: ReportData): void {
  const ws = addSheet(wb, taken, 'Chỉ tiêu toàn tỉnh', { orientation: 'landscape', titleRows: '3:3', frozen: { x: 0, y: 3 } });
  const headers = ['Chỉ tiêu', 'Mã chỉ số', 'Tổng tử số', 'Tổng mẫu số', 'Tỷ lệ toàn tỉnh', 'Trung bình tỷ lệ các đơn vị', 'Chỉ tiêu', 'Đánh giá', 'Số đơn vị đạt / có số liệu', 'Căn cứ'];
  ws.columns = [40, 10, 12, 12, 12, 14, 10, 14, 14, 40].map((width) => ({ width }));
  titleRows(ws, headers.length, 'TỶ LỆ TOÀN TỈNH SO VỚI CHỈ TIÊU (TỔNG TỬ SỐ / TỔNG MẪU SỐ)', attachmentNote(data));
  headerRow(ws, 3, headers);
  data.targets.forEach((t, i) => {
    dataRow(ws, 4 + i, [
      [t.name, undefined, TEXT],
      [t.indicatorCode, undefined, CENTRE],
      [t.numerator, FMT_MAX, RIGHT],
      [t.denominator, FMT_MAX, RIGHT],
      [t.pooled, FMT_PERCENT, RIGHT],
      [t.meanOfRates, FMT_PERCENT, RIGHT],
      [t.target, FMT_PERCENT, RIGHT],
      [t.pooled === null ? 'Chưa có số liệu' : t.pooled >= t.target ? 'Đạt' : 'Chưa đạt', undefined, CENTRE],
      [`${t.meeting}/${t.agencies}`, undefined, CENTRE],
      [t.source, undefined, TEXT],
    ]);
  });
  ws.commit();
}

function buildCompleteness(wb: WorkbookWriter, taken: Set<string>, data: ReportData): void {
  const ws = addSheet(wb, taken, 'Đầy đủ, kịp thời', { orientation: 'portrait', titleRows: '3:3', frozen: { x: 0, y: 3 } });
  const headers = ['Khối', 'Số đơn vị phải báo cáo', 'Đã gửi', 'Đúng hạn', 'Trễ hạn', 'Chưa gửi', 'Tỷ lệ đúng hạn'];
  ws.columns = [30, 12, 10, 10, 10, 10, 12].map((width) => ({ width }));
  titleRows(ws, headers.length, `TÍNH ĐẦY ĐỦ, KỊP THỜI CỦA BÁO CÁO (HẠN ${formatDate(data.completeness.dueOn)})`, attachmentNote(data));
  headerRow(ws, 3, headers);
  let row = 4;
  for (const g of data.completeness.groups) {
    dataRow(ws, row, [
      [g.name, undefined, TEXT],
      [g.expected, FMT_MAX, RIGHT],
      [g.submitted, FMT_MAX, RIGHT],
      [g.onTime, FMT_MAX, RIGHT],
      [g.late, FMT_MAX, RIGHT],
      [g.missing.length, FMT_MAX, RIGHT],
      [g.expected ? g.onTime / g.expected : null, FMT_PERCENT, RIGHT],
    ]);
    row += 1;
  }
  row += 1;
  headerRow(ws, row, ['Khối', 'Đơn vị', 'Tình trạng'], 22);
  ws.mergeCells(row, 3, row, 7);
  row += 1;
  for (const g of data.completeness.groups) {
    for (const [names, state] of [[g.missing, 'Chưa gửi báo cáo'], [g.lateAgencies, 'Gửi trễ hạn']] as const) {
      for (const name of names) {
        ws.mergeCells(row, 3, row, 7);
        dataRow(ws, row, [[g.name, undefined, TEXT], [name, undefined, TEXT], [state, undefined, TEXT]]);
        row += 1;
      }
    }
  }
  ws.commit();
}

function buildWeakest(wb: WorkbookWriter, taken: Set<string>, data: ReportData): void {
  const ws = addSheet(wb, taken, 'Chỉ số yếu', { orientation: 'portrait', titleRows: '3:3', frozen: { x: 0, y: 3 } });
  const headers = ['STT', 'Mã', 'Chỉ số thành phần', 'Tổng điểm đạt', 'Tổng điểm tối đa', 'Tỷ lệ đạt', 'Số đơn vị dưới 50 % điểm'];
  ws.columns = [6, 10, 44, 11, 11, 10, 12].map((width) => ({ width }));
  titleRows(ws, headers.length, 'CÁC CHỈ SỐ THÀNH PHẦN CÓ TỶ LỆ ĐIỂM ĐẠT THẤP NHẤT TOÀN TỈNH', attachmentNote(data));
  headerRow(ws, 3, headers);
  weakestIndicators(data).forEach((w, i) => {
    dataRow(ws, 4 + i, [
      [i + 1, FMT_RANK, CENTRE],
      [w.code, undefined, CENTRE],
      [w.name, undefined, TEXT],
      [w.points, FMT_POINTS, RIGHT],
      [w.max, FMT_POINTS, RIGHT],
      [w.share, FMT_PERCENT, RIGHT],
      [`${w.belowHalf}/${w.agencies}`, undefined, CENTRE],
    ]);
  });
  ws.commit();
}

function buildCharts(wb: WorkbookWriter, taken: Set<string>, data: ReportData, opts: WorkbookOptions): void {
  const ws = addSheet(wb, taken, 'Biểu đồ', { orientation: 'portrait' });
  ws.columns = [{ width: 90 }];
  titleRows(ws, 1, 'BIỂU ĐỒ', attachmentNote(data));
  // 640 px wide: the A4 portrait text width between the NĐ 30 margins at 96 dpi is about 624 px.
  embedCharts(wb, ws, 4, reportCharts(data), { fontFile: opts.chartFont, widthPx: 620 });
  ws.commit();
}

/**
 * Rows written between two yields to the event loop: a large annex takes seconds, and the web server that builds it
 * keeps answering other requests (and the zip stream compresses) in between.
 */
const ROWS_PER_YIELD = 2000;
const yieldToStream = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

async function buildAnnex(wb: WorkbookWriter, taken: Set<string>, data: ReportData): Promise<void> {
  const HEADER = 3;
  const headers = ['Đơn vị', 'Khối', 'Mã', 'Chỉ số', 'Tự đánh giá', 'Thẩm định', 'Điểm', 'Điểm tối đa', 'Ghi chú'];
  const ws = addSheet(wb, taken, 'Phụ lục', { orientation: 'landscape', titleRows: `${HEADER}:${HEADER}`, frozen: { x: 0, y: HEADER } });
  ws.columns = [30, 18, 10, 48, 12, 12, 10, 10, 26].map((width) => ({ width }));
  titleRows(ws, headers.length, 'PHỤ LỤC: SỐ LIỆU THEO CHỈ SỐ THÀNH PHẦN', attachmentNote(data));
  headerRow(ws, HEADER, headers);
  if (data.annex.length > 0) {
    ws.autoFilter = { from: { row: HEADER, column: 1 }, to: { row: HEADER + data.annex.length, column: headers.length } };
  }
  for (let i = 0; i < data.annex.length; i += 1) {
    const a = data.annex[i]!;
    if (i > 0 && i % ROWS_PER_YIELD === 0) await yieldToStream();
    const cells: Spec[] = [
      [a.agencyName, undefined, TEXT],
      [a.groupName, undefined, TEXT],
      [a.indicatorCode, undefined, CENTRE],
      [a.indicatorName, undefined, TEXT],
      [a.selfValue, undefined, CENTRE],
      [a.appraisedValue, undefined, CENTRE],
      [a.points, FMT_POINTS, RIGHT],
      [a.max, Number.isInteger(a.max) ? FMT_MAX : FMT_POINTS, RIGHT],
      [flagLabel(a.flag), undefined, TEXT],
    ];
    // DESIGN §3: every value not reported as such is flagged wherever it is shown.
    dataRow(ws, HEADER + 1 + i, cells, { commit: true, ...(isFlagged(a.flag) ? { fill: FLAG_FILL } : {}) });
  }
  ws.commit();
}

/** Builds the report workbook: the report itself, then one sheet per section, then "Phụ lục". */
export async function buildReportWorkbook(data: ReportData, opts: WorkbookOptions = {}): Promise<Buffer> {
  // The report date, not the clock: the same publication must give the same workbook content.
  const reportDate = new Date(`${data.date.slice(0, 10)}T00:00:00Z`);
  if (Number.isNaN(reportDate.getTime())) throw new RangeError(`Report date is not an ISO date: "${data.date}"`);
  const { wb, done } = createStreamingWorkbook({ created: reportDate });
  wb.creator = 'DTI platform';
  wb.lastModifiedBy = 'DTI platform';
  const taken = new Set<string>();
  buildCover(wb, taken, data);
  for (const group of data.groups) buildRanking(wb, taken, data, group);
  buildPillars(wb, taken, data);
  buildChanges(wb, taken, data);
  buildTargets(wb, taken, data);
  buildCompleteness(wb, taken, data);
  buildWeakest(wb, taken, data);
  if (opts.charts !== false) buildCharts(wb, taken, data, opts);
  await buildAnnex(wb, taken, data);
  return done();
}
