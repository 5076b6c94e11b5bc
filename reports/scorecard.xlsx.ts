// The per-agency scorecard as a workbook: the scorecard itself (header block, results, strengths, weaknesses,
// changes), the indicator table with self-assessed and appraised points side by side, and the charts.
import { flagLabel, formatIndex, isFlagged } from './format.js';
import type { ScorecardData } from './report.types.js';
import { LINE_HEADERS, scorecardCharts, scorecardNote, scorecardSections, scorecardSubject } from './scorecard.js';
import {
  CENTRE,
  COVER_TOTAL,
  COVER_WIDTHS,
  FLAG_FILL,
  FMT_INDEX,
  FMT_POINTS,
  FMT_RANK,
  HEADER_FILL,
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
} from './xlsx-kit.js';
import { createStreamingWorkbook } from './xlsx-stream.js';
import { roundPublished } from '../server/scoring/score.js';


export async function buildScorecardWorkbook(d: ScorecardData, opts: { chartFont?: string; charts?: boolean } = {}): Promise<Buffer> {
  const { wb, done } = createStreamingWorkbook({ created: new Date(`${d.date.slice(0, 10)}T00:00:00Z`) });
  wb.creator = 'DTI platform';
  wb.lastModifiedBy = 'DTI platform';
  const taken = new Set<string>();

  const cover = addSheet(wb, taken, 'Phiếu điểm', { orientation: 'portrait' });
  cover.columns = COVER_WIDTHS.map((width) => ({ width }));
  headerBlock(cover, d.issuer, `Kèm theo Báo cáo số ${d.reportNumber}`, d.date);
  let row = textLines(cover, 6, 6, COVER_TOTAL, [
    { text: 'PHIẾU ĐIỂM', font: font(14, { bold: true }), alignment: CENTRE, height: 22 },
    { text: scorecardSubject(d), font: font(14, { bold: true }), alignment: CENTRE },
  ]);
  row += 1;
  for (const s of scorecardSections(d)) {
    row = textLines(cover, row, 6, COVER_TOTAL, [
      { text: s.heading, font: font(14, { bold: true }), alignment: { vertical: 'top', wrapText: true } },
      ...s.paragraphs.map((t) => ({ text: t, font: font(14), alignment: PARAGRAPH })),
    ]);
  }
  cover.commit();

  const ws = addSheet(wb, taken, 'Điểm theo chỉ số', { orientation: 'landscape', titleRows: '3:3', frozen: { x: 2, y: 3 } });
  ws.columns = [10, 48, 12, 11, 12, 11, 11, 11, 11, 26].map((width) => ({ width }));
  titleRows(ws, LINE_HEADERS.length, 'ĐIỂM THEO CHỈ SỐ THÀNH PHẦN', scorecardNote(d));
  headerRow(ws, 3, LINE_HEADERS);
  row = 4;
  for (const s of d.sections) {
    dataRow(ws, row, [
      [s.code, undefined, CENTRE],
      [s.name, undefined, TEXT],
      ['', undefined, CENTRE],
      ['', undefined, CENTRE],
      ['', undefined, CENTRE],
      [s.points, FMT_POINTS, RIGHT],
      [s.max, FMT_POINTS, RIGHT],
      [roundPublished(s.max - s.points), FMT_POINTS, RIGHT],
      ['', undefined, CENTRE],
      [`Chỉ số ${formatIndex(s.value)}`, undefined, TEXT],
    ], { fill: HEADER_FILL });
    row += 1;
    for (const l of s.lines) {
      dataRow(ws, row, [
        [l.code, undefined, CENTRE],
        [l.name, undefined, TEXT],
        [l.selfValue, undefined, CENTRE],
        [l.selfPoints, FMT_POINTS, RIGHT],
        [l.appraisedValue, undefined, CENTRE],
        [l.points, FMT_POINTS, RIGHT],
        [l.max, FMT_POINTS, RIGHT],
        [l.lost, FMT_POINTS, RIGHT],
        [l.previousPoints, FMT_POINTS, RIGHT],
        [flagLabel(l.flag), undefined, TEXT],
      ], isFlagged(l.flag) ? { fill: FLAG_FILL } : {});
      row += 1;
    }
  }
  ws.commit();

  const hist = addSheet(wb, taken, 'Lịch sử xếp hạng', { orientation: 'portrait', titleRows: '3:3', frozen: { x: 0, y: 3 } });
  hist.columns = [{ width: 30 }, { width: 14 }, { width: 10 }];
  titleRows(hist, 3, `LỊCH SỬ CHỈ SỐ VÀ THỨ HẠNG TRONG KHỐI ${d.agency.groupName.toLocaleUpperCase('vi-VN')}`, scorecardNote(d));
  headerRow(hist, 3, ['Kỳ', 'Chỉ số DTI', 'Hạng'], 22);
  d.history.forEach((h, i) => {
    dataRow(hist, 4 + i, [[h.periodName, undefined, TEXT], [h.value, FMT_INDEX, RIGHT], [h.rank, FMT_RANK, CENTRE]]);
  });
  hist.commit();

  if (opts.charts !== false) {
    const charts = addSheet(wb, taken, 'Biểu đồ', { orientation: 'portrait' });
    charts.columns = [{ width: 90 }];
    titleRows(charts, 1, 'BIỂU ĐỒ', scorecardNote(d));
    embedCharts(wb, charts, 4, scorecardCharts(d), { fontFile: opts.chartFont, widthPx: 620 });
    charts.commit();
  }
  return done();
}
