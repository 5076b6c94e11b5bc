// One HTML document shape for every report: the NĐ 30/2020/NĐ-CP header block, the document type and subject,
// body sections, charts and accessible tables. Data is always written through {{ }} so it is HTML-escaped.
// Two variants: served by the app (stylesheet and chart.js from /static, charts drawn in the browser from JSON in
// a data attribute — no inline script, so the app's CSP holds), and a single file for e-mail and the archive
// (stylesheet inline, charts as PNG data: images, no script at all).
import { readFileSync } from 'node:fs';
import Handlebars from 'handlebars';
import { renderChartPng, type ChartSpec } from './charts.js';
import { longDate } from './format.js';
import type { ReportIssuer } from './report.types.js';

export interface RenderReportOptions {
  /** The single-file variant: stylesheet and chart images inline, no script (archived or e-mailed reports). */
  inlineAssets?: boolean;
  /** Where the app serves public/, for the stylesheet and script links; '/static' by default. */
  assetBase?: string;
  /** Font file the inline chart images are drawn with. */
  chartFont?: string;
}

const TEMPLATE_URL = new URL('../templates/reports/annual-report.hbs', import.meta.url);
const STYLESHEET_URL = new URL('../public/css/report.css', import.meta.url);

// A private instance: the report needs no helpers, and nothing registered globally by the web UI can leak in.
const hbs = Handlebars.create();
let template: Handlebars.TemplateDelegate<DocumentView> | undefined;
let stylesheet: string | undefined;

function documentTemplate(): Handlebars.TemplateDelegate<DocumentView> {
  // strict: a field the template names but the view lacks is an error, not a silently empty cell.
  template ??= hbs.compile<DocumentView>(readFileSync(TEMPLATE_URL, 'utf8'), { strict: true, knownHelpersOnly: true });
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

export interface CellView {
  text: string;
  cls: string;
  rowHeader: boolean;
}

export const num = (text: string): CellView => ({ text, cls: 'num', rowHeader: false });
export const centre = (text: string): CellView => ({ text, cls: 'centre', rowHeader: false });
export const text = (value: string): CellView => ({ text: value, cls: 'text', rowHeader: false });
export const rowHeader = (value: string): CellView => ({ text: value, cls: 'text', rowHeader: true });

export interface TableView {
  id: string;
  title: string;
  caption: string;
  /** Landscape page in print. */
  wide: boolean;
  headers: { text: string; title: string | null }[];
  rows: { flagged: boolean; cells: CellView[] }[];
  legend: string | null;
}

export const plainHeaders = (names: string[]): TableView['headers'] => names.map((t) => ({ text: t, title: null }));

interface ChartView {
  id: string;
  title: string;
  description: string;
  json: string | null;
  png: string | null;
}

interface DocumentView {
  title: string;
  inlineCss: string | null;
  stylesheetHref: string | null;
  scripts: string[];
  issuer: { parent: string; name: string };
  numberLine: string;
  dateLine: string;
  docType: string;
  subject: string;
  draft: boolean;
  sections: { id: string; heading: string; paragraphs: string[] }[];
  attachmentNote: string;
  charts: ChartView[];
  tables: TableView[];
}

export interface DocumentContent {
  title: string;
  issuer: ReportIssuer;
  numberLine: string;
  date: string;
  docType: string;
  subject: string;
  draft: boolean;
  sections: { heading: string; paragraphs: string[] }[];
  attachmentNote: string;
  charts: ChartSpec[];
  tables: TableView[];
}

export function renderDocument(content: DocumentContent, opts: RenderReportOptions = {}): string {
  const inline = opts.inlineAssets === true;
  const base = (opts.assetBase ?? '/static').replace(/\/+$/, '');
  return documentTemplate()({
    title: content.title,
    inlineCss: inline ? inlineStylesheet() : null,
    stylesheetHref: inline ? null : `${base}/css/report.css`,
    scripts: inline || content.charts.length === 0 ? [] : [`${base}/vendor/chart.umd.js`, `${base}/js/report-charts.js`],
    // Capitals in the text itself, not only through CSS, so copied or unstyled text keeps the NĐ 30 form.
    issuer: {
      parent: content.issuer.parent.toLocaleUpperCase('vi-VN'),
      name: content.issuer.name.toLocaleUpperCase('vi-VN'),
    },
    numberLine: content.numberLine,
    dateLine: longDate(content.date, content.issuer.place),
    docType: content.docType,
    subject: content.subject,
    draft: content.draft,
    sections: content.sections.map((s, i) => ({ id: `section-${i + 1}`, ...s })),
    attachmentNote: content.attachmentNote,
    charts: content.charts.map((spec) => ({
      id: spec.id,
      title: spec.title,
      description: spec.description,
      json: inline ? null : JSON.stringify(spec),
      png: inline ? `data:image/png;base64,${renderChartPng(spec, opts.chartFont).toString('base64')}` : null,
    })),
    tables: content.tables,
  });
}
