// The provincial DTI report as HTML for screen and A4 print, with the same sections and figures as the workbook.
import { NO_VALUE, flagLabel, formatDate, formatIndex, formatNumber, isFlagged, periodLabel, signed } from './format.js';
import type { ReportData, ReportGroup, ReportRankingRow } from './report.types.js';
import { attachmentNote, bodySections, indexHeader, rankChange } from './annual-report.xlsx.js';
import {
  changesSincePrevious,
  pillarTables,
  reportCharts,
  sortedByRank,
  weakestIndicators,
} from './report-sections.js';
import {
  centre,
  num,
  plainHeaders,
  renderDocument,
  rowHeader,
  text,
  type CellView,
  type RenderReportOptions,
  type TableView,
} from './html-document.js';

export type { RenderReportOptions } from './html-document.js';

const rankText = (rank: number | null): string => (rank === null ? NO_VALUE : String(rank));
export const points = (x: number): string => formatNumber(x, 2);
export const maxPoints = (x: number): string => formatNumber(x, Number.isInteger(x) ? 0 : 2);
const pct = (x: number | null): string => (x === null ? NO_VALUE : `${formatNumber(x * 100, 1)} %`);

export function changeText(change: number | null): string {
  if (change === null) return NO_VALUE;
  return change > 0 ? `+${change}` : String(change);
}

const row = (cells: CellView[], flagged = false) => ({ flagged, cells });

function groupTable(data: ReportData, group: ReportGroup, index: number): TableView {
  const period = periodLabel(data.period.kind, data.period.year);
  const ranked = group.ranked;
  const cells = (r: ReportRankingRow): CellView[] => [
    centre(ranked ? rankText(r.rank) : NO_VALUE),
    rowHeader(r.agencyName),
    num(points(r.points)),
    num(maxPoints(r.max)),
    num(formatIndex(r.total)),
    ...data.indices.map((c) => num(formatIndex(r.indices[c.code] ?? null))),
    ...data.subindices.flatMap((s) => [
      num(formatIndex(r.subindices[s.code]?.value ?? null)),
      centre(ranked ? rankText(r.subindices[s.code]?.rank ?? null) : NO_VALUE),
    ]),
    centre(rankText(r.previousRank)),
    centre(ranked ? changeText(rankChange(r)) : NO_VALUE),
  ];
  return {
    id: `group-${index + 1}`,
    title: `Xếp hạng Chỉ số chuyển đổi số ${period} - khối ${group.name}${ranked ? '' : ' (đánh giá, không xếp hạng)'}`,
    caption: `Khối ${group.name}: ${group.rows.length} đơn vị; chỉ số có giá trị từ 0 đến 1.`,
    wide: true,
    headers: [
      ...plainHeaders(['Hạng', 'Đơn vị', 'Điểm', 'Điểm tối đa', 'Chỉ số DTI (0–1)']),
      ...data.indices.map((c) => ({ text: c.code, title: indexHeader(c) })),
      ...data.subindices.flatMap((s) => [
        { text: s.code, title: `${s.name} (${s.code})` },
        { text: `Hạng ${s.code}`, title: null },
      ]),
      ...plainHeaders(['Hạng kỳ trước', 'Thay đổi hạng']),
    ],
    rows: sortedByRank(group.rows).map((r) => row(cells(r))),
    // Print has no tooltips: the codes used as column headings are spelled out under the table.
    legend: [...data.indices.map(indexHeader), ...data.subindices.map((s) => `${s.name} (${s.code})`)].join('; ') + '.',
  };
}

function sectionTables(data: ReportData): TableView[] {
  const pillars = pillarTables(data).map(
    (t, i): TableView => ({
      id: `pillar-${i + 1}`,
      title: `${t.name} (${t.code}) - khối ${t.group}${t.ranked ? '' : ' (không xếp hạng)'}`,
      caption: `Bình quân ${formatIndex(t.mean)}; giá trị từ 0 đến 1.`,
      wide: false,
      headers: plainHeaders(['Hạng', 'Đơn vị', `${t.code} (0–1)`]),
      rows: t.rows.map((r) => row([centre(rankText(r.rank)), rowHeader(r.name), num(formatIndex(r.value))])),
      legend: null,
    }),
  );
  const changes: TableView = {
    id: 'changes',
    title: 'Thay đổi so với kỳ trước',
    caption: changesSincePrevious(data)
      .map((c) => `Khối ${c.name}: ${c.improved} đơn vị tăng, ${c.declined} đơn vị giảm trên ${c.compared} đơn vị có số liệu hai kỳ.`)
      .join(' '),
    wide: true,
    headers: plainHeaders(['Khối', 'Đơn vị', 'Chỉ số DTI kỳ trước', 'Chỉ số DTI kỳ này', 'Tăng (+) / giảm (-)', 'Hạng kỳ trước', 'Hạng kỳ này', 'Thay đổi hạng']),
    rows: data.groups.flatMap((g) =>
      sortedByRank(g.rows).map((r) =>
        row([
          text(g.name),
          rowHeader(r.agencyName),
          num(formatIndex(r.previousTotal)),
          num(formatIndex(r.total)),
          num(r.previousTotal === null ? NO_VALUE : signed(Math.round((r.total - r.previousTotal) * 10_000) / 10_000)),
          centre(rankText(r.previousRank)),
          centre(g.ranked ? rankText(r.rank) : NO_VALUE),
          centre(g.ranked ? changeText(rankChange(r)) : NO_VALUE),
        ]),
      ),
    ),
    legend: null,
  };
  const targets: TableView = {
    id: 'targets',
    title: 'Tỷ lệ toàn tỉnh so với chỉ tiêu (tổng tử số / tổng mẫu số)',
    caption: 'Tỷ lệ toàn tỉnh tính gộp; bên cạnh là trung bình tỷ lệ của các đơn vị có số liệu.',
    wide: true,
    headers: plainHeaders(['Chỉ tiêu', 'Mã chỉ số', 'Tổng tử số', 'Tổng mẫu số', 'Tỷ lệ toàn tỉnh', 'Trung bình tỷ lệ các đơn vị', 'Chỉ tiêu', 'Đánh giá', 'Số đơn vị đạt / có số liệu', 'Căn cứ']),
    rows: data.targets.map((t) =>
      row([
        rowHeader(t.name),
        centre(t.indicatorCode),
        num(formatNumber(t.numerator)),
        num(formatNumber(t.denominator)),
        num(pct(t.pooled)),
        num(pct(t.meanOfRates)),
        num(pct(t.target)),
        centre(t.pooled === null ? 'Chưa có số liệu' : t.pooled >= t.target ? 'Đạt' : 'Chưa đạt'),
        centre(`${t.meeting}/${t.agencies}`),
        text(t.source),
      ]),
    ),
    legend: null,
  };
  const completeness: TableView = {
    id: 'completeness',
    title: `Tính đầy đủ, kịp thời của báo cáo (hạn ${formatDate(data.completeness.dueOn)})`,
    caption: 'Số đơn vị phải báo cáo, đã gửi, đúng hạn và trễ hạn theo khối.',
    wide: false,
    headers: plainHeaders(['Khối', 'Phải báo cáo', 'Đã gửi', 'Đúng hạn', 'Trễ hạn', 'Chưa gửi', 'Tỷ lệ đúng hạn']),
    rows: data.completeness.groups.map((g) =>
      row([
        rowHeader(g.name),
        num(formatNumber(g.expected)),
        num(formatNumber(g.submitted)),
        num(formatNumber(g.onTime)),
        num(formatNumber(g.late)),
        num(formatNumber(g.missing.length)),
        num(pct(g.expected ? g.onTime / g.expected : null)),
      ]),
    ),
    legend: null,
  };
  const weakest: TableView = {
    id: 'weakest',
    title: 'Các chỉ số thành phần có tỷ lệ điểm đạt thấp nhất toàn tỉnh',
    caption: 'Tỷ lệ đạt = tổng điểm đạt / tổng điểm tối đa của các đơn vị áp dụng chỉ số.',
    wide: false,
    headers: plainHeaders(['STT', 'Mã', 'Chỉ số thành phần', 'Tổng điểm đạt', 'Tổng điểm tối đa', 'Tỷ lệ đạt', 'Số đơn vị dưới 50 % điểm']),
    rows: weakestIndicators(data).map((w, i) =>
      row([
        centre(String(i + 1)),
        centre(w.code),
        rowHeader(w.name),
        num(points(w.points)),
        num(points(w.max)),
        num(pct(w.share)),
        centre(`${w.belowHalf}/${w.agencies}`),
      ]),
    ),
    legend: null,
  };
  const trend: TableView = {
    id: 'trend',
    title: 'Chỉ số DTI bình quân qua các kỳ',
    caption: 'Số liệu của biểu đồ xu hướng.',
    wide: false,
    headers: plainHeaders(['Kỳ', ...data.groups.map((g) => `Khối ${g.name}`)]),
    rows: data.trend.map((t) => row([rowHeader(t.periodName), ...data.groups.map((g) => num(formatIndex(t.means[g.name] ?? null)))])),
    legend: null,
  };
  return [...pillars, changes, targets, completeness, weakest, trend];
}

function annexTable(data: ReportData): TableView {
  return {
    id: 'annex',
    title: 'Phụ lục: số liệu theo chỉ số thành phần',
    caption: 'Các dòng tô nền là số liệu không được báo cáo như thường lệ; lý do ghi ở cột Ghi chú.',
    wide: true,
    headers: plainHeaders(['Đơn vị', 'Khối', 'Mã', 'Chỉ số', 'Tự đánh giá', 'Thẩm định', 'Điểm', 'Điểm tối đa', 'Ghi chú']),
    rows: data.annex.map((a) =>
      row(
        [
          rowHeader(a.agencyName),
          text(a.groupName),
          centre(a.indicatorCode),
          text(a.indicatorName),
          centre(a.selfValue),
          centre(a.appraisedValue),
          num(points(a.points)),
          num(maxPoints(a.max)),
          text(flagLabel(a.flag)),
        ],
        isFlagged(a.flag),
      ),
    ),
    legend: null,
  };
}

/** Renders the report as a complete HTML document (A4 print stylesheet). */
export function renderReportHtml(data: ReportData, opts: RenderReportOptions = {}): string {
  return renderDocument(
    {
      title: `Báo cáo số ${data.number}: ${data.subject}`,
      issuer: data.issuer,
      numberLine: `Số: ${data.number}`,
      date: data.date,
      docType: 'BÁO CÁO',
      subject: data.subject,
      draft: data.publication === null,
      sections: bodySections(data),
      attachmentNote: attachmentNote(data),
      charts: reportCharts(data),
      tables: [...data.groups.map((g, i) => groupTable(data, g, i)), ...sectionTables(data), annexTable(data)],
    },
    opts,
  );
}
