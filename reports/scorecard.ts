// A per-agency scorecard (phiếu điểm): points by indicator with the self-assessed and appraised figures side by
// side, points lost, rank in the group and its history, strengths and weaknesses, and what changed since the last
// period. Shared text and charts here; scorecard.xlsx.ts and the HTML below lay them out.
import type { ChartSpec } from './charts.js';
import { NO_VALUE, flagLabel, formatDate, formatIndex, formatNumber, isFlagged, periodLabel, signed } from './format.js';
import type { ScorecardData, ScorecardLine } from './report.types.js';
import {
  centre,
  num,
  plainHeaders,
  renderDocument,
  rowHeader,
  text,
  type RenderReportOptions,
  type TableView,
} from './html-document.js';
import { roundPublished } from '../server/scoring/score.js';

const pts = (x: number | null): string => (x === null ? NO_VALUE : formatNumber(x, 2));

export function scorecardSubject(d: ScorecardData): string {
  return `Kết quả Chỉ số chuyển đổi số ${periodLabel(d.period.kind, d.period.year)} của ${d.agency.name}`;
}

export function scorecardNote(d: ScorecardData): string {
  return `(Kèm theo Báo cáo số ${d.reportNumber} ngày ${formatDate(d.date)})`;
}

const scoredLines = (d: ScorecardData): ScorecardLine[] => d.sections.flatMap((s) => s.lines).filter((l) => l.max > 0);

export function strengths(d: ScorecardData, limit = 5): ScorecardLine[] {
  return scoredLines(d)
    .filter((l) => l.points >= l.max)
    .sort((a, b) => b.max - a.max || a.code.localeCompare(b.code))
    .slice(0, limit);
}

export function weaknesses(d: ScorecardData, limit = 5): ScorecardLine[] {
  return scoredLines(d)
    .filter((l) => l.lost > 0)
    .sort((a, b) => b.lost - a.lost || a.code.localeCompare(b.code))
    .slice(0, limit);
}

export function changes(d: ScorecardData, limit = 5): Array<ScorecardLine & { delta: number }> {
  return scoredLines(d)
    .filter((l) => l.previousPoints !== null && l.previousPoints !== l.points)
    .map((l) => ({ ...l, delta: roundPublished(l.points - l.previousPoints!) }))
    .sort((a, b) => Math.abs(b.delta) - Math.abs(a.delta) || a.code.localeCompare(b.code))
    .slice(0, limit);
}

export function scorecardSections(d: ScorecardData): Array<{ heading: string; paragraphs: string[] }> {
  const t = d.total;
  const rank = d.agency.ranked
    ? t.rank === null
      ? 'chưa xếp hạng'
      : `xếp hạng ${t.rank}/${d.agency.groupSize} khối ${d.agency.groupName}`
    : `khối ${d.agency.groupName} được đánh giá, không xếp hạng`;
  const prev = d.previous
    ? `Kỳ trước (${d.previous.periodName}): chỉ số ${formatIndex(d.previous.value)}` +
      (d.previous.rank !== null ? `, hạng ${d.previous.rank}` : '') +
      (d.previous.value !== null && t.value !== null ? `; thay đổi ${signed(roundPublished(t.value - d.previous.value))}.` : '.')
    : 'Không có kết quả kỳ trước để so sánh.';
  const s = strengths(d);
  const w = weaknesses(d);
  const c = changes(d);
  return [
    {
      heading: 'I. KẾT QUẢ',
      paragraphs: [
        `Tổng điểm ${pts(t.points)}/${pts(t.max)}, chỉ số DTI ${formatIndex(t.value)}; ${rank}.`,
        ...d.subindices.map((si) => `${si.name} (${si.code}): ${formatIndex(si.value)}${si.rank !== null ? `, hạng ${si.rank}` : ''}.`),
        prev,
        d.publication ? `Theo kết quả công bố lần số ${d.publication.number}.` : `Số liệu dự thảo, chưa công bố (lần tính số ${d.runId}).`,
      ],
    },
    {
      heading: 'II. ĐIỂM MẠNH',
      paragraphs: s.length ? s.map((l) => `${l.name} (${l.code}): đạt tối đa ${pts(l.max)} điểm.`) : ['Chưa có chỉ số nào đạt tối đa điểm.'],
    },
    {
      heading: 'III. ĐIỂM YẾU (MẤT NHIỀU ĐIỂM NHẤT)',
      paragraphs: w.length
        ? w.map((l) => `${l.name} (${l.code}): mất ${pts(l.lost)}/${pts(l.max)} điểm${isFlagged(l.flag) ? ` (${flagLabel(l.flag)})` : ''}.`)
        : ['Không mất điểm ở chỉ số nào.'],
    },
    {
      heading: 'IV. THAY ĐỔI SO VỚI KỲ TRƯỚC',
      paragraphs: c.length
        ? c.map((l) => `${l.name} (${l.code}): ${pts(l.previousPoints)} → ${pts(l.points)} điểm (${signed(l.delta, 2)}).`)
        : ['Không có chỉ số thay đổi điểm so với kỳ trước (hoặc chưa có kỳ trước).'],
    },
  ];
}

export function scorecardCharts(d: ScorecardData): ChartSpec[] {
  const sections = d.sections.filter((s) => s.max > 0);
  return [
    {
      id: 'chart-profile',
      kind: 'profile',
      title: `Chỉ số chính của ${d.agency.name}`,
      description: `Biểu đồ cột: giá trị từng chỉ số chính của đơn vị bên cạnh bình quân khối ${d.agency.groupName}.`,
      labels: sections.map((s) => s.code),
      series: [
        { label: d.agency.name, data: sections.map((s) => s.value) },
        { label: `Bình quân khối ${d.agency.groupName}`, data: sections.map((s) => d.groupMeans[s.code] ?? null) },
      ],
    },
    {
      id: 'chart-trend',
      kind: 'trend',
      title: `Chỉ số DTI của ${d.agency.name} qua các kỳ`,
      description: 'Biểu đồ đường: chỉ số DTI của đơn vị qua các kỳ đã công bố; thứ hạng ghi ở bảng lịch sử.',
      labels: d.history.map((h) => h.periodName),
      series: [{ label: 'Chỉ số DTI', data: d.history.map((h) => h.value) }],
    },
  ];
}

export const LINE_HEADERS = [
  'Mã',
  'Chỉ số thành phần',
  'Tự đánh giá',
  'Điểm tự đánh giá',
  'Thẩm định',
  'Điểm đạt',
  'Điểm tối đa',
  'Điểm bị mất',
  'Điểm kỳ trước',
  'Ghi chú',
];

export function renderScorecardHtml(d: ScorecardData, opts: RenderReportOptions = {}): string {
  const lines: TableView = {
    id: 'lines',
    title: 'Điểm theo chỉ số thành phần',
    caption: 'Tự đánh giá và kết quả thẩm định đặt cạnh nhau; dòng tô nền là số liệu không được báo cáo như thường lệ.',
    wide: true,
    headers: plainHeaders(LINE_HEADERS),
    rows: d.sections.flatMap((s) => [
      {
        flagged: false,
        cells: [centre(s.code), rowHeader(s.name), text(''), text(''), text(''), num(pts(s.points)), num(pts(s.max)), num(pts(roundPublished(s.max - s.points))), text(''), text(`Chỉ số ${formatIndex(s.value)}`)],
      },
      ...s.lines.map((l) => ({
        flagged: isFlagged(l.flag),
        cells: [
          centre(l.code),
          rowHeader(l.name),
          centre(l.selfValue),
          num(pts(l.selfPoints)),
          centre(l.appraisedValue),
          num(pts(l.points)),
          num(pts(l.max)),
          num(pts(l.lost)),
          num(pts(l.previousPoints)),
          text(flagLabel(l.flag)),
        ],
      })),
    ]),
    legend: null,
  };
  const history: TableView = {
    id: 'history',
    title: 'Lịch sử chỉ số và thứ hạng',
    caption: `Thứ hạng trong khối ${d.agency.groupName} ở các kỳ đã công bố.`,
    wide: false,
    headers: plainHeaders(['Kỳ', 'Chỉ số DTI', 'Hạng']),
    rows: d.history.map((h) => ({ flagged: false, cells: [rowHeader(h.periodName), num(formatIndex(h.value)), centre(h.rank === null ? NO_VALUE : String(h.rank))] })),
    legend: null,
  };
  return renderDocument(
    {
      title: `Phiếu điểm: ${d.agency.name} - ${d.period.name}`,
      issuer: d.issuer,
      numberLine: `Kèm theo Báo cáo số ${d.reportNumber}`,
      date: d.date,
      docType: 'PHIẾU ĐIỂM',
      subject: scorecardSubject(d),
      draft: d.publication === null,
      sections: scorecardSections(d),
      attachmentNote: scorecardNote(d),
      charts: scorecardCharts(d),
      tables: [lines, history],
    },
    opts,
  );
}
