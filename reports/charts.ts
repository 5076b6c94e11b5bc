// Report charts: one plain description (ChartSpec) drawn two ways — as a PNG on the server with chart.js on
// @napi-rs/canvas (for the workbook and the single-file HTML), and in the browser by public/js/report-charts.js
// from the same JSON. The server never falls back to a system font silently: the font file is registered
// explicitly, and a missing one is an error naming the file (Debian's fonts-dejavu-core, installed by .ci/run).
import fs from 'node:fs';
import { createCanvas, GlobalFonts } from '@napi-rs/canvas';
import { Chart, registerables, type ChartConfiguration } from 'chart.js';
import { formatIndex } from './format.js';

Chart.register(...registerables);

export interface ChartSeries {
  label: string;
  data: Array<number | null>;
}

export interface ChartSpec {
  id: string;
  kind: 'ranking' | 'profile' | 'trend';
  title: string;
  /** What the chart shows, in words: the image's alternative text and the caption under it. */
  description: string;
  labels: string[];
  series: ChartSeries[];
}

/** The family name the registered font is known by in the canvas. */
export const CHART_FONT_FAMILY = 'DTI Report Sans';
export const DEFAULT_CHART_FONT = '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf';
const COLOURS = ['#1f4e79', '#c55a11', '#548235', '#7f6000', '#7030a0', '#2e75b6'];
/** Bars in one ranking chart; larger groups show their first and last agencies (the table lists all). */
export const RANKING_CHART_LIMIT = 60;

const PIXEL_RATIO = 1.5;

let registeredFont: string | undefined;
/** Recently drawn charts by spec: a scorecard's workbook and HTML draw the same charts. */
const recent = new Map<string, Buffer>();
const RECENT_MAX = 16;

/** Registers the font with Vietnamese glyphs the charts are drawn in. Idempotent for the same file. */
export function registerChartFont(file: string = DEFAULT_CHART_FONT): void {
  if (registeredFont === file) return;
  if (!fs.existsSync(file)) {
    throw new Error(
      `Không tìm thấy phông chữ vẽ biểu đồ ${file} (cần phông có chữ tiếng Việt, ví dụ gói Debian fonts-dejavu-core; ` +
        'đặt REPORT_CHART_FONT để dùng tệp khác).',
    );
  }
  if (!GlobalFonts.registerFromPath(file, CHART_FONT_FAMILY)) throw new Error(`Không nạp được phông chữ ${file}.`);
  registeredFont = file;
}

/** The chart.js configuration of a spec; the browser script builds the same one from the JSON. */
export function chartConfig(spec: ChartSpec): ChartConfiguration {
  const datasets = spec.series.map((s, i) => ({
    label: s.label,
    data: s.data,
    backgroundColor: COLOURS[i % COLOURS.length],
    borderColor: COLOURS[i % COLOURS.length],
    borderWidth: spec.kind === 'trend' ? 2 : 0,
    spanGaps: true,
  }));
  const scale = { min: 0, max: 1, ticks: { callback: (v: string | number) => formatIndex(Number(v)).replace(/0+$/, '').replace(/,$/, '') } };
  return {
    type: spec.kind === 'trend' ? 'line' : 'bar',
    data: { labels: spec.labels, datasets },
    options: {
      responsive: false,
      animation: false,
      // 1.5× the layout size: about 200 dpi at the width the reports print charts, and PNG encoding (the bulk of
      // the cost) stays a third of what 2× takes.
      devicePixelRatio: PIXEL_RATIO,
      indexAxis: spec.kind === 'ranking' ? 'y' : 'x',
      plugins: {
        title: { display: true, text: spec.title, font: { size: 16, weight: 'bold' } },
        legend: { display: spec.series.length > 1, position: 'bottom' },
      },
      scales: spec.kind === 'ranking' ? { x: scale } : { y: scale },
    },
  } as ChartConfiguration;
}

/** Pixel size a chart is laid out at (the PNG is 1.5× as large, for print). */
export function chartSize(spec: ChartSpec): { width: number; height: number } {
  if (spec.kind === 'ranking') return { width: 900, height: Math.max(240, 90 + 18 * spec.labels.length) };
  return { width: 900, height: 380 };
}

/** Draws a chart as PNG. The same spec gives the same bytes on the same machine and font. */
export function renderChartPng(spec: ChartSpec, fontFile?: string): Buffer {
  registerChartFont(fontFile);
  const key = `${registeredFont}\n${JSON.stringify(spec)}`;
  const hit = recent.get(key);
  if (hit) return hit;
  const png = drawChart(spec);
  if (recent.size >= RECENT_MAX) recent.delete(recent.keys().next().value!);
  recent.set(key, png);
  return png;
}

function drawChart(spec: ChartSpec): Buffer {
  const { width, height } = chartSize(spec);
  // chart.js lays out at the canvas size and enlarges the canvas itself by devicePixelRatio for print.
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext('2d');
  Chart.defaults.font.family = CHART_FONT_FAMILY;
  Chart.defaults.color = '#000';
  const chart = new Chart(ctx as unknown as CanvasRenderingContext2D, chartConfig(spec));
  const png = canvas.toBuffer('image/png');
  chart.destroy();
  return png;
}

/** Picks the agencies a ranking chart shows: all of them, or the first and last when the group is large. */
export function rankingSelection<T>(rows: T[]): { rows: T[]; truncated: boolean } {
  if (rows.length <= RANKING_CHART_LIMIT) return { rows, truncated: false };
  const half = RANKING_CHART_LIMIT / 2;
  return { rows: [...rows.slice(0, half), ...rows.slice(rows.length - half)], truncated: true };
}
