// Assembles the plain data of the provincial report and of the per-agency scorecards from a run (the latest
// publication, or for the Department the latest run as a draft) and hands it to the builders in reports/.
// Dates come from the publication, never the clock. A published report's number ("Số: NN/BC-…") is given once,
// on its first generation, and stored: numbering restarts each year (NĐ 30/2020/NĐ-CP) and a publication keeps
// its number however often its report is generated again.
import type { Knex } from 'knex';
import { authorize, type Actor } from '../auth/policy.js';
import { notFound } from '../errors.js';
import type { Config } from '../config.js';
import { indicatorsOf, type IndicatorDef } from '../frameworks/framework.types.js';
import type { FrameworkService } from '../frameworks/frameworks.service.js';
import { displayValue } from '../frameworks/value-display.js';
import type { RankingsPage, RankingsService } from '../rankings/rankings.service.js';
import type { PeriodService, PeriodRow } from '../periods/periods.service.js';
import type { ScoringService, RunRow } from '../scoring/scoring.service.js';
import { isoDay } from '../periods/period-calendar.js';
import { scoreIndicator } from '../scoring/score.js';
import type { ReportedValue } from '../scoring/scoring.types.js';
import type {
  ReportCompleteness,
  ReportData,
  ReportFlag,
  ReportIssuer,
  ReportTargetRow,
  ReportTrendPoint,
  ScorecardData,
} from '../../reports/report.types.js';
import { buildReportWorkbook } from '../../reports/annual-report.xlsx.js';
import { renderReportHtml } from '../../reports/annual-report.html.js';
import { buildScorecardWorkbook } from '../../reports/scorecard.xlsx.js';
import { renderScorecardHtml } from '../../reports/scorecard.js';
import { loadTargets, targetsFor, type TargetsFile } from './report-targets.js';
import * as repo from './reporting.repository.js';
import * as view from './reporting.view.js';
import { roundPublished } from '../scoring/score.js';

export interface ReportFile {
  fileName: string;
  contentType: string;
  body: Buffer | string;
}

export type ReportFormat = 'xlsx' | 'html';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const HTML = 'text/html; charset=utf-8';
const SUBMITTED = new Set(['submitted', 'approved', 'published']);

interface CountedValue {
  agencyId: number;
  code: string;
  self: ReportedValue | null;
  appraised: ReportedValue | null;
}

/** What several scorecards of one run share, loaded once when a job builds them all. */
export interface ScorecardContext {
  page: RankingsPage;
  values: Map<string, CountedValue>;
  reportNumber: string;
}

const key = (agencyId: number, code: string): string => `${agencyId}|${code}`;

export class ReportingService {
  private targets: TargetsFile | undefined;

  constructor(
    private readonly db: Knex,
    private readonly config: Pick<Config, 'provinceName' | 'reports'>,
    private readonly deps: {
      rankings: RankingsService;
      frameworks: FrameworkService;
      periods: PeriodService;
      scoring: ScoringService;
    },
  ) {}

  private issuer(): ReportIssuer {
    const province = this.config.provinceName;
    return {
      parent: `ỦY BAN NHÂN DÂN TỈNH ${province.toLocaleUpperCase('vi-VN')}`,
      name: this.config.reports.issuerName,
      place: province,
    };
  }

  /** "05/BC-SKHCN" for a publication (assigned on first use), a blank number for a draft. */
  async reportNumber(run: RunRow): Promise<string> {
    const code = `/BC-${this.config.reports.issuerCode}`;
    // A draft leaves the number blank, as drafts of administrative documents do; it is given on issue.
    if (!run.publication) return `      ${code}`;
    const pub = run.publication;
    const year = Number(isoDay(pub.publishedAt).slice(0, 4));
    const seq = await this.db.transaction((trx) => repo.assignReportNumber(trx, pub.id, year));
    // NĐ 30/2020/NĐ-CP: numbers below 10 are written with a leading zero.
    return `${String(seq).padStart(2, '0')}${code}`;
  }

  private loadedTargets(): TargetsFile {
    this.targets ??= loadTargets(this.config.reports.targetsFile);
    return this.targets;
  }

  async reportData(actor: Actor, periodId: number): Promise<ReportData> {
    authorize(actor, 'reports.read');
    const page = await this.deps.rankings.rankings(actor, periodId);
    const run = page.run;
    if (!run) throw notFound('kết quả tính chỉ số của kỳ này');
    const fw = await this.deps.frameworks.get(page.period.frameworkId);
    const indicators = indicatorsOf(fw.definition.nodes);
    const scores = await this.deps.rankings.indicatorScores(run.id);
    const valueMap = new Map(page.counted.map((v) => [key(v.agencyId, v.code), v]));
    const scoreMap = new Map(scores.map((s) => [key(s.agencyId, s.code), s]));
    const date = isoDay(run.publication?.publishedAt ?? run.startedAt);
    const kind = page.period.kind === 'annual' ? 'năm' : '6 tháng đầu năm';
    const agencyIds = page.groups.flatMap((g) => g.rows.map((r) => r.agencyId));

    return {
      issuer: this.issuer(),
      number: await this.reportNumber(run),
      date,
      subject: `Kết quả đánh giá, xếp hạng mức độ chuyển đổi số ${kind} ${page.period.year} — ${fw.name}`,
      period: {
        code: page.period.code,
        name: page.period.name,
        kind: page.period.kind,
        year: page.period.year,
        dataFrom: page.period.dataFrom,
        dataTo: page.period.dataTo,
      },
      framework: { code: fw.code, name: fw.name, version: fw.version },
      publication: run.publication
        ? { number: run.publication.number, publishedAt: isoDay(run.publication.publishedAt) }
        : null,
      runId: run.id,
      indices: page.indices,
      subindices: page.subindices,
      groups: page.groups.map((g) => ({
        code: g.code,
        name: g.name,
        ranked: g.ranked,
        rows: g.rows.map((r) => ({
          rank: r.rank,
          agencyCode: r.agencyCode,
          agencyName: r.agencyName,
          points: r.points,
          max: r.max,
          total: r.value ?? 0,
          previousTotal: r.previousValue,
          previousRank: r.previousRank,
          indices: r.indices,
          subindices: r.subindices,
        })),
      })),
      annex: page.groups.flatMap((g) =>
        g.rows.flatMap((r) =>
          indicators.map((ind) => {
            const v = valueMap.get(key(r.agencyId, ind.code));
            const s = scoreMap.get(key(r.agencyId, ind.code));
            return {
              agencyCode: r.agencyCode,
              agencyName: r.agencyName,
              groupName: g.name,
              indicatorCode: ind.code,
              indicatorName: ind.name,
              selfValue: displayValue(ind.input, v?.self ?? null),
              appraisedValue: displayValue(ind.input, v?.appraised ?? null),
              points: s?.points ?? 0,
              max: s?.max ?? 0,
              flag: (s?.flag ?? 'missing') as ReportFlag,
            };
          }),
        ),
      ),
      targets: this.targetRows(fw.code, page.period.year, agencyIds, valueMap),
      completeness: await this.completeness(run.id, page.period),
      trend: await this.trend(actor, page),
    };
  }

  /** Province-wide pooled rates (Σ numerators / Σ denominators) of the target indicators, beside the mean of rates. */
  private targetRows(frameworkCode: string, year: number, agencyIds: number[], values: Map<string, CountedValue>): ReportTargetRow[] {
    return targetsFor(this.loadedTargets(), frameworkCode, year).map((t) => {
      let numerator = 0;
      let denominator = 0;
      let rates = 0;
      let agencies = 0;
      let meeting = 0;
      for (const id of agencyIds) {
        const v = values.get(key(id, t.indicatorCode));
        const recognised = v?.appraised ?? v?.self ?? null;
        const n = recognised?.value ?? null;
        const d = recognised?.denominator ?? null;
        // Only agencies that reported both figures with a positive denominator count, in both figures.
        if (n === null || d === null || !Number.isFinite(n) || !Number.isFinite(d) || d <= 0) continue;
        numerator += n;
        denominator += d;
        rates += n / d;
        agencies += 1;
        if (n / d >= t.target) meeting += 1;
      }
      return {
        code: t.code,
        name: t.name,
        indicatorCode: t.indicatorCode,
        source: t.source,
        target: t.target,
        numerator: roundPublished(numerator),
        denominator: roundPublished(denominator),
        pooled: agencies ? roundPublished(numerator / denominator) : null,
        meanOfRates: agencies ? roundPublished(rates / agencies) : null,
        agencies,
        meeting,
      };
    });
  }

  /** Who submitted, and whether on or before the due date (the calendar day in Vietnam). */
  private async completeness(runId: number, period: PeriodRow): Promise<ReportCompleteness> {
    const rows = await view.completenessRows(this.db, runId, period.id);
    const groups = new Map<string, ReportCompleteness['groups'][number]>();
    for (const r of rows) {
      let g = groups.get(r.groupName);
      if (!g) {
        g = { name: r.groupName, expected: 0, submitted: 0, onTime: 0, late: 0, missing: [], lateAgencies: [] };
        groups.set(r.groupName, g);
      }
      g.expected += 1;
      if (!r.state || !SUBMITTED.has(r.state) || !r.submittedAt) {
        g.missing.push(r.agencyName);
        continue;
      }
      g.submitted += 1;
      if (isoDay(r.submittedAt) <= period.dueOn) g.onTime += 1;
      else {
        g.late += 1;
        g.lateAgencies.push(r.agencyName);
      }
    }
    return { dueOn: period.dueOn, groups: [...groups.values()] };
  }

  /** Group means over the framework's published periods up to this one (this one from the run being reported). */
  private async trend(actor: Actor, page: RankingsPage): Promise<ReportTrendPoint[]> {
    const means = (p: RankingsPage): Record<string, number | null> =>
      Object.fromEntries(
        p.groups.map((g) => {
          const xs = g.rows.flatMap((r) => (r.value === null ? [] : [r.value]));
          return [g.name, xs.length ? roundPublished(xs.reduce((s, x) => s + x, 0) / xs.length) : null];
        }),
      );
    const earlier = (await this.deps.periods.list())
      .filter((p) => p.id !== page.period.id && p.dataTo < page.period.dataTo)
      .sort((a, b) => a.dataTo.localeCompare(b.dataTo));
    const points: ReportTrendPoint[] = [];
    for (const p of earlier) {
      const fw = await this.deps.frameworks.get(p.frameworkId);
      if (fw.code !== page.framework.code) continue;
      const run = await this.deps.scoring.latestRun(p.id, true);
      if (!run) continue;
      const other = await this.deps.rankings.rankings(actor, p.id, run);
      points.push({ periodCode: p.code, periodName: p.name, means: means(other) });
    }
    points.push({ periodCode: page.period.code, periodName: page.period.name, means: means(page) });
    return points;
  }

  /** What every scorecard of a period shares; load once to build many. */
  async scorecardContext(actor: Actor, periodId: number): Promise<ScorecardContext> {
    const page = await this.deps.rankings.rankings(actor, periodId);
    if (!page.run) throw notFound('kết quả tính chỉ số của kỳ này');
    return {
      page,
      values: new Map(page.counted.map((v) => [key(v.agencyId, v.code), v])),
      reportNumber: await this.reportNumber(page.run),
    };
  }

  async scorecardData(actor: Actor, periodId: number, agencyId: number, ctx?: ScorecardContext): Promise<ScorecardData> {
    // An agency sees its own scorecard; the Department and leaders every agency's.
    authorize(actor, 'scorecards.read', agencyId);
    const card = await this.deps.rankings.scorecard(actor, periodId, agencyId);
    if (!card) throw notFound('kết quả đã công bố của kỳ này');
    const context = ctx ?? (await this.scorecardContext(actor, periodId));
    const group = context.page.groups.find((g) => g.rows.some((r) => r.agencyId === agencyId));
    if (!group) throw notFound('kết quả của đơn vị trong kỳ này');
    const groupMeans: Record<string, number | null> = {};
    for (const c of context.page.indices) {
      const xs = group.rows.flatMap((r) => (r.indices[c.code] == null ? [] : [r.indices[c.code]!]));
      groupMeans[c.code] = xs.length ? roundPublished(xs.reduce((s, x) => s + x, 0) / xs.length) : null;
    }
    const selfPoints = (ind: IndicatorDef, self: ReportedValue | null, flag: string): number | null =>
      self === null || flag === 'not_applicable' ? null : scoreIndicator(ind, { value: self }, true).points;
    const date = isoDay(card.run.publication?.publishedAt ?? card.run.startedAt);
    return {
      issuer: this.issuer(),
      date,
      reportNumber: context.reportNumber,
      period: {
        code: card.period.code,
        name: card.period.name,
        kind: card.period.kind,
        year: card.period.year,
        dataFrom: card.period.dataFrom,
        dataTo: card.period.dataTo,
      },
      framework: context.page.framework,
      publication: card.run.publication
        ? { number: card.run.publication.number, publishedAt: isoDay(card.run.publication.publishedAt) }
        : null,
      runId: card.run.id,
      agency: {
        code: card.agency.code,
        name: card.agency.name,
        groupName: group.name,
        ranked: group.ranked,
        groupSize: group.rows.length,
      },
      total: { points: card.total.points, max: card.total.max, value: card.total.value, rank: card.total.rank },
      previous: card.previous,
      // Only published periods count as history; a draft's own period is added so the trend ends at it.
      history: [
        ...card.history.filter((h) => h.periodId !== card.period.id),
        { periodId: card.period.id, periodName: card.period.name, value: card.total.value, rank: card.total.rank },
      ].map((h) => ({ periodName: h.periodName, value: h.value, rank: h.rank })),
      sections: card.sections.map((s) => ({
        code: s.code,
        name: s.name,
        points: s.points,
        max: s.max,
        value: s.value,
        rank: s.rank,
        lines: s.lines.map((l) => {
          const v = context.values.get(key(agencyId, l.indicator.code));
          return {
            code: l.indicator.code,
            name: l.indicator.name,
            selfValue: displayValue(l.indicator.input, v?.self ?? null),
            appraisedValue: displayValue(l.indicator.input, v?.appraised ?? null),
            selfPoints: selfPoints(l.indicator, v?.self ?? null, l.flag),
            points: l.points,
            max: l.max,
            lost: l.lost,
            previousPoints: l.previousPoints,
            flag: l.flag as ReportFlag,
          };
        }),
      })),
      subindices: card.subindices,
      groupMeans,
    };
  }

  /** The provincial report as a file: the workbook, or the single-file HTML (styles and chart images inline). */
  async build(actor: Actor, periodId: number, format: ReportFormat): Promise<ReportFile & { data: ReportData }> {
    const data = await this.reportData(actor, periodId);
    const base = `bao-cao-dti-${data.period.code}${data.publication ? `-cong-bo-${data.publication.number}` : '-du-thao'}`;
    const chartFont = this.config.reports.chartFont;
    if (format === 'xlsx') {
      return { data, fileName: `${base}.xlsx`, contentType: XLSX, body: await buildReportWorkbook(data, { chartFont }) };
    }
    return { data, fileName: `${base}.html`, contentType: HTML, body: renderReportHtml(data, { inlineAssets: true, chartFont }) };
  }

  /** The provincial report as a page of the app: stylesheet and chart.js from /static, so the app's CSP holds. */
  async page(actor: Actor, periodId: number): Promise<string> {
    return renderReportHtml(await this.reportData(actor, periodId));
  }

  async buildScorecard(
    actor: Actor,
    periodId: number,
    agencyId: number,
    format: ReportFormat,
    ctx?: ScorecardContext,
  ): Promise<ReportFile & { data: ScorecardData }> {
    const data = await this.scorecardData(actor, periodId, agencyId, ctx);
    const base = `phieu-diem-${data.period.code}-${data.agency.code}${data.publication ? `-cong-bo-${data.publication.number}` : '-du-thao'}`;
    const chartFont = this.config.reports.chartFont;
    if (format === 'xlsx') {
      return { data, fileName: `${base}.xlsx`, contentType: XLSX, body: await buildScorecardWorkbook(data, { chartFont }) };
    }
    return { data, fileName: `${base}.html`, contentType: HTML, body: renderScorecardHtml(data, { inlineAssets: true, chartFont }) };
  }

  async scorecardPage(actor: Actor, periodId: number, agencyId: number): Promise<string> {
    return renderScorecardHtml(await this.scorecardData(actor, periodId, agencyId));
  }
}
