// What the provincial report says beyond the rankings, worked out once from ReportData so the workbook and the
// HTML carry the same figures: change since the previous period, pillar tables, rates against targets,
// completeness, the weakest indicators and the charts.
import { rankingSelection, type ChartSpec } from './charts.js';
import { formatDate, formatIndex, formatNumber, periodLabel, signed } from './format.js';
import type { ReportData, ReportGroup, ReportRankingRow } from './report.types.js';
import { roundPublished } from '../server/scoring/score.js';


export function sortedByRank(rows: ReportRankingRow[]): ReportRankingRow[] {
  // Stable: agencies sharing a rank keep the order the ranking gave them.
  return [...rows].sort((a, b) => (a.rank ?? Number.POSITIVE_INFINITY) - (b.rank ?? Number.POSITIVE_INFINITY));
}

const mean = (xs: number[]): number | null => (xs.length ? roundPublished(xs.reduce((s, x) => s + x, 0) / xs.length) : null);

// ---------------------------------------------------------------------------------------------------------------
// Change since the previous period

export interface GroupChange {
  name: string;
  ranked: boolean;
  mean: number | null;
  previousMean: number | null;
  /** Agencies scored in both periods. */
  compared: number;
  improved: number;
  declined: number;
  /** Largest rises and falls of the index value, at most five each. */
  risers: Array<{ name: string; previous: number; current: number; delta: number; rankMove: number | null }>;
  fallers: Array<{ name: string; previous: number; current: number; delta: number; rankMove: number | null }>;
}

export function changesSincePrevious(data: ReportData): GroupChange[] {
  return data.groups.map((g) => {
    const both = g.rows.filter((r) => r.previousTotal !== null);
    const moves = both.map((r) => ({
      name: r.agencyName,
      previous: r.previousTotal!,
      current: r.total,
      delta: roundPublished(r.total - r.previousTotal!),
      rankMove: g.ranked && r.rank !== null && r.previousRank !== null ? r.previousRank - r.rank : null,
    }));
    const byDelta = [...moves].sort((a, b) => b.delta - a.delta || a.name.localeCompare(b.name, 'vi'));
    return {
      name: g.name,
      ranked: g.ranked,
      mean: mean(g.rows.map((r) => r.total)),
      previousMean: mean(both.map((r) => r.previousTotal!)),
      compared: both.length,
      improved: moves.filter((m) => m.delta > 0).length,
      declined: moves.filter((m) => m.delta < 0).length,
      risers: byDelta.filter((m) => m.delta > 0).slice(0, 5),
      fallers: byDelta.filter((m) => m.delta < 0).reverse().slice(0, 5),
    };
  });
}

export function changeParagraphs(data: ReportData): string[] {
  return changesSincePrevious(data).map((c) => {
    const head = `Khối ${c.name}: `;
    if (c.compared === 0) return `${head}không có số liệu kỳ trước để so sánh.`;
    const delta = c.mean !== null && c.previousMean !== null ? roundPublished(c.mean - c.previousMean) : null;
    const trend =
      delta === null ? '' : `chỉ số trung bình ${formatIndex(c.mean)} (kỳ trước ${formatIndex(c.previousMean)}, ${signed(delta)}); `;
    return (
      `${head}${trend}${c.improved}/${c.compared} đơn vị tăng điểm, ${c.declined} đơn vị giảm điểm.` +
      (c.risers.length ? ` Tăng nhiều nhất: ${c.risers.map((m) => `${m.name} (${signed(m.delta)})`).join(', ')}.` : '') +
      (c.fallers.length ? ` Giảm nhiều nhất: ${c.fallers.map((m) => `${m.name} (${signed(m.delta)})`).join(', ')}.` : '')
    );
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Pillars (sub-indices): each group ranked by each pillar

export interface PillarTable {
  group: string;
  ranked: boolean;
  code: string;
  name: string;
  rows: Array<{ rank: number | null; name: string; value: number | null }>;
  mean: number | null;
}

export function pillarTables(data: ReportData): PillarTable[] {
  return data.groups.flatMap((g) =>
    data.subindices.map((s) => {
      const rows = g.rows
        .map((r) => ({ rank: g.ranked ? (r.subindices[s.code]?.rank ?? null) : null, name: r.agencyName, value: r.subindices[s.code]?.value ?? null }))
        .sort(
          (a, b) =>
            (a.rank ?? Number.POSITIVE_INFINITY) - (b.rank ?? Number.POSITIVE_INFINITY) ||
            (b.value ?? -1) - (a.value ?? -1),
        );
      return {
        group: g.name,
        ranked: g.ranked,
        code: s.code,
        name: s.name,
        rows,
        mean: mean(rows.flatMap((r) => (r.value === null ? [] : [r.value]))),
      };
    }),
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Rates against targets and completeness

export function targetParagraphs(data: ReportData): string[] {
  if (data.targets.length === 0) return ['Chưa cấu hình chỉ tiêu nào để so sánh.'];
  return data.targets.map((t) => {
    const pct = (x: number | null): string => (x === null ? '—' : `${formatNumber(x * 100, 1)} %`);
    const verdict = t.pooled === null ? 'chưa có số liệu' : t.pooled >= t.target ? 'đạt chỉ tiêu' : 'chưa đạt chỉ tiêu';
    return (
      `${t.name} (${t.indicatorCode}): toàn tỉnh ${pct(t.pooled)} (${formatNumber(t.numerator)}/${formatNumber(t.denominator)}), ` +
      `trung bình các đơn vị ${pct(t.meanOfRates)}; chỉ tiêu ${pct(t.target)} — ${verdict}; ` +
      `${t.meeting}/${t.agencies} đơn vị đạt.`
    );
  });
}

export function completenessParagraphs(data: ReportData): string[] {
  const c = data.completeness;
  return c.groups.map((g) => {
    const base =
      `Khối ${g.name}: ${g.submitted}/${g.expected} đơn vị đã gửi báo cáo, trong đó ${g.onTime} đúng hạn ` +
      `(hạn ${formatDate(c.dueOn)}), ${g.late} trễ hạn.`;
    const missing = g.missing.length ? ` Chưa gửi: ${listNames(g.missing)}.` : '';
    const late = g.lateAgencies.length ? ` Gửi trễ: ${listNames(g.lateAgencies)}.` : '';
    return base + missing + late;
  });
}

function listNames(names: string[], limit = 20): string {
  return names.length <= limit ? names.join(', ') : `${names.slice(0, limit).join(', ')} và ${names.length - limit} đơn vị khác`;
}

// ---------------------------------------------------------------------------------------------------------------
// Weakest indicators across the province

export interface WeakIndicator {
  code: string;
  name: string;
  points: number;
  max: number;
  /** Σ points / Σ max over agencies where it applies. */
  share: number;
  agencies: number;
  /** Agencies earning less than half its points. */
  belowHalf: number;
}

export function weakestIndicators(data: ReportData, limit = 10): WeakIndicator[] {
  const byCode = new Map<string, WeakIndicator>();
  for (const a of data.annex) {
    if (a.max <= 0) continue;
    let w = byCode.get(a.indicatorCode);
    if (!w) {
      w = { code: a.indicatorCode, name: a.indicatorName, points: 0, max: 0, share: 0, agencies: 0, belowHalf: 0 };
      byCode.set(a.indicatorCode, w);
    }
    w.points += a.points;
    w.max += a.max;
    w.agencies += 1;
    if (a.points < a.max / 2) w.belowHalf += 1;
  }
  return [...byCode.values()]
    .map((w) => ({ ...w, points: roundPublished(w.points), max: roundPublished(w.max), share: roundPublished(w.points / w.max) }))
    .sort((a, b) => a.share - b.share || a.code.localeCompare(b.code))
    .slice(0, limit);
}

// ---------------------------------------------------------------------------------------------------------------
// Charts

export function reportCharts(data: ReportData): ChartSpec[] {
  const period = periodLabel(data.period.kind, data.period.year);
  const ranking = data.groups.map((g: ReportGroup, i): ChartSpec => {
    const { rows, truncated } = rankingSelection(sortedByRank(g.rows));
    return {
      id: `chart-ranking-${i + 1}`,
      kind: 'ranking',
      title: `Chỉ số DTI ${period} - khối ${g.name}`,
      description:
        `Biểu đồ thanh: chỉ số DTI của ${truncated ? `${rows.length / 2} đơn vị đứng đầu và ${rows.length / 2} đơn vị cuối` : `${rows.length} đơn vị`} ` +
        `khối ${g.name}, xếp theo hạng; số liệu đầy đủ ở bảng xếp hạng.`,
      labels: rows.map((r) => (g.ranked && r.rank !== null ? `${r.rank}. ${r.agencyName}` : r.agencyName)),
      series: [{ label: 'Chỉ số DTI', data: rows.map((r) => r.total) }],
    };
  });
  const scored = data.indices.filter((c) => c.max > 0);
  const profile: ChartSpec = {
    id: 'chart-profile',
    kind: 'profile',
    title: `Chỉ số chính bình quân theo khối ${period}`,
    description: 'Biểu đồ cột: giá trị bình quân từng chỉ số chính của mỗi khối.',
    labels: scored.map((c) => c.code),
    series: data.groups.map((g) => ({
      label: g.name,
      data: scored.map((c) => mean(g.rows.flatMap((r) => (r.indices[c.code] == null ? [] : [r.indices[c.code]!])))),
    })),
  };
  const groupNames = data.groups.map((g) => g.name);
  const trend: ChartSpec = {
    id: 'chart-trend',
    kind: 'trend',
    title: 'Chỉ số DTI bình quân qua các kỳ',
    description: 'Biểu đồ đường: chỉ số DTI bình quân của mỗi khối qua các kỳ đã công bố.',
    labels: data.trend.map((t) => t.periodName),
    series: groupNames.map((name) => ({ label: name, data: data.trend.map((t) => t.means[name] ?? null) })),
  };
  return [...ranking, profile, trend];
}
