// The provincial DTI report as one HTML page for screen and A4 print, with the same sections as the workbook:
// the NĐ 30/2020/NĐ-CP header block, the summary, one ranking table per group and the data annex. Data is always
// written through {{ }} so it is HTML-escaped; the page carries no script.

import { readFileSync } from 'node:fs';
import Handlebars from 'handlebars';
import { NO_VALUE, flagLabel, formatIndex, formatNumber, isFlagged, longDate, periodLabel } from './format.js';
import type { ReportData, ReportGroup, ReportRankingRow } from './report.types.js';
import { attachmentNote, indexHeader, rankChange, sortedByRank, summaryParagraphs } from './annual-report.xlsx.js';

export interface RenderReportOptions {
  /** Inline the stylesheet so the file is self-contained (archived or e-mailed reports). */
  inlineAssets?: boolean;
  /** Where the app serves public/, for the stylesheet link; '/static' by default. */
  assetBase?: string;
}

const TEMPLATE_URL = new URL('../templates/reports/annual-report.hbs', import.meta.url);
const STYLESHEET_URL = new URL('../public/css/report.css', import.meta.url);

// A private instance: the report needs no helpers, and nothing registered globally by the web UI can leak in.
const hbs = Handlebars.create();
let template: Handlebars.TemplateDelegate<ReportView> | undefined;
let stylesheet: string | undefined;

function reportTemplate(): Handlebars.TemplateDelegate<ReportView> {
  // strict: a field the template names but the view lacks is an error, not a silently empty cell.
  template ??= hbs.compile<ReportView>(readFileSync(TEMPLATE_URL, 'utf8'), { strict: true, knownHelpersOnly: true });
  return template;
}

function inlineStylesheet(): string {
  if (stylesheet === undefined) {
    const css = readFileSync(STYLESHEET_URL, 'utf8');
    // The stylesheet is written raw inside <style>; a closing tag in it would end the element early.
    if (/<\/style/i.test(css)) throw new Error(`${STYLESHEET_URL.pathname} must not contain "</style"`);
    stylesheet = css;
  }
  return stylesheet;
}

interface CellView {
  text: string;
  cls: string;
  rowHeader: boolean;
}

interface GroupView {
  id: string;
  title: string;
  caption: string;
  headers: { text: string; title: string | null }[];
  rows: { cells: CellView[] }[];
  legend: string;
}

interface ReportView {
  title: string;
  inlineCss: string | null;
  stylesheetHref: string | null;
  issuer: { parent: string; name: string };
  number: string;
  dateLine: string;
  subject: string;
  paragraphs: string[];
  attachmentNote: string;
  groups: GroupView[];
  annex: {
    title: string;
    caption: string;
    headers: string[];
    rows: { flagged: boolean; cells: CellView[] }[];
  };
}

const num = (text: string): CellView => ({ text, cls: 'num', rowHeader: false });
const centre = (text: string): CellView => ({ text, cls: 'centre', rowHeader: false });
const text = (value: string): CellView => ({ text: value, cls: 'text', rowHeader: false });
const rowHeader = (value: string): CellView => ({ text: value, cls: 'text', rowHeader: true });

const rankText = (rank: number | null): string => (rank === null ? NO_VALUE : String(rank));
const points = (x: number): string => formatNumber(x, 2);
const maxPoints = (x: number): string => formatNumber(x, Number.isInteger(x) ? 0 : 2);

function changeText(change: number | null): string {
  if (change === null) return NO_VALUE;
  return change > 0 ? `+${change}` : String(change);
}

function groupView(data: ReportData, group: ReportGroup, index: number): GroupView {
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
    headers: [
      { text: 'Hạng', title: null },
      { text: 'Đơn vị', title: null },
      { text: 'Điểm', title: null },
      { text: 'Điểm tối đa', title: null },
      { text: 'Chỉ số DTI (0–1)', title: null },
      ...data.indices.map((c) => ({ text: c.code, title: indexHeader(c) })),
      ...data.subindices.flatMap((s) => [
        { text: s.code, title: `${s.name} (${s.code})` },
        { text: `Hạng ${s.code}`, title: null },
      ]),
      { text: 'Hạng kỳ trước', title: null },
      { text: 'Thay đổi hạng', title: null },
    ],
    rows: sortedByRank(group.rows).map((r) => ({ cells: cells(r) })),
    // Print has no tooltips: the codes used as column headings are spelled out under the table.
    legend: [...data.indices.map(indexHeader), ...data.subindices.map((s) => `${s.name} (${s.code})`)].join('; ') + '.',
  };
}

function reportView(data: ReportData, opts: RenderReportOptions): ReportView {
  const inline = opts.inlineAssets === true;
  const base = (opts.assetBase ?? '/static').replace(/\/+$/, '');
  return {
    title: `Báo cáo số ${data.number}: ${data.subject}`,
    inlineCss: inline ? inlineStylesheet() : null,
    stylesheetHref: inline ? null : `${base}/css/report.css`,
    // Capitals in the text itself, not only through CSS, so copied or unstyled text keeps the NĐ 30 form.
    issuer: {
      parent: data.issuer.parent.toLocaleUpperCase('vi-VN'),
      name: data.issuer.name.toLocaleUpperCase('vi-VN'),
    },
    number: data.number,
    dateLine: longDate(data.date, data.issuer.place),
    subject: data.subject,
    paragraphs: summaryParagraphs(data),
    attachmentNote: attachmentNote(data),
    groups: data.groups.map((g, i) => groupView(data, g, i)),
    annex: {
      title: 'Phụ lục: số liệu theo chỉ số thành phần',
      caption: 'Các dòng tô nền là số liệu không được báo cáo như thường lệ; lý do ghi ở cột Ghi chú.',
      headers: ['Đơn vị', 'Khối', 'Mã', 'Chỉ số', 'Tự đánh giá', 'Thẩm định', 'Điểm', 'Điểm tối đa', 'Ghi chú'],
      rows: data.annex.map((a) => ({
        flagged: isFlagged(a.flag),
        cells: [
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
      })),
    },
  };
}

/** Renders the report as a complete HTML document (A4 print stylesheet, no scripts). */
export function renderReportHtml(data: ReportData, opts: RenderReportOptions = {}): string {
  return reportTemplate()(reportView(data, opts));
}
