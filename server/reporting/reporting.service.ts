// Assembles a provincial report's plain data from a run (the latest publication, or for the Department the latest
// run as a draft) and hands it to the builders in reports/. Dates come from the publication, never the clock.
import { authorize, type Actor } from '../auth/policy.js';
import { notFound } from '../errors.js';
import type { Config } from '../config.js';
import { indicatorsOf } from '../frameworks/framework.types.js';
import type { FrameworkService } from '../frameworks/frameworks.service.js';
import { displayValue } from '../frameworks/value-display.js';
import type { RankingsService } from '../rankings/rankings.service.js';
import type { SubmissionService } from '../submissions/submissions.service.js';
import { isoDay } from '../periods/period-calendar.js';
import type { ReportData, ReportFlag } from '../../reports/report.types.js';
import { buildReportWorkbook } from '../../reports/annual-report.xlsx.js';
import { renderReportHtml } from '../../reports/annual-report.html.js';

export interface ReportFile {
  fileName: string;
  contentType: string;
  body: Buffer | string;
}

export class ReportingService {
  constructor(
    private readonly config: Pick<Config, 'provinceName'>,
    private readonly deps: { rankings: RankingsService; frameworks: FrameworkService; submissions: SubmissionService },
  ) {}

  async reportData(actor: Actor, periodId: number): Promise<ReportData> {
    authorize(actor, 'reports.read');
    const page = await this.deps.rankings.rankings(actor, periodId);
    const run = page.run;
    if (!run) throw notFound('kết quả tính chỉ số của kỳ này');
    const fw = await this.deps.frameworks.get(page.period.frameworkId);
    const indicators = indicatorsOf(fw.definition.nodes);
    const [scores, values] = await Promise.all([
      this.deps.rankings.indicatorScores(run.id),
      this.deps.submissions.countedValues(periodId),
    ]);
    const valueKey = (a: number, c: string): string => `${a}|${c}`;
    const valueMap = new Map(values.map((v) => [valueKey(v.agencyId, v.code), v]));
    const scoreMap = new Map(scores.map((s) => [valueKey(s.agencyId, s.code), s]));
    const date = isoDay(run.publication?.publishedAt ?? run.startedAt);
    const province = this.config.provinceName;

    return {
      issuer: {
        parent: `ỦY BAN NHÂN DÂN TỈNH ${province.toLocaleUpperCase('vi-VN')}`,
        name: 'SỞ KHOA HỌC VÀ CÔNG NGHỆ',
        place: province,
      },
      // A draft leaves the number blank, as drafts of administrative documents do; it is given on issue.
      number: run.publication ? `${String(run.publication.number).padStart(2, '0')}/BC-SKHCN` : '      /BC-SKHCN',
      date,
      subject: `Kết quả đánh giá, xếp hạng mức độ chuyển đổi số ${page.period.kind === 'annual' ? 'năm' : '6 tháng đầu năm'} ${page.period.year} — ${fw.name}`,
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
            const v = valueMap.get(valueKey(r.agencyId, ind.code));
            const s = scoreMap.get(valueKey(r.agencyId, ind.code));
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
    };
  }

  async build(actor: Actor, periodId: number, format: 'xlsx' | 'html'): Promise<ReportFile> {
    const data = await this.reportData(actor, periodId);
    const base = `bao-cao-dti-${data.period.code}${data.publication ? `-cong-bo-${data.publication.number}` : '-du-thao'}`;
    if (format === 'xlsx') {
      return {
        fileName: `${base}.xlsx`,
        contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        body: await buildReportWorkbook(data),
      };
    }
    return { fileName: `${base}.html`, contentType: 'text/html; charset=utf-8', body: renderReportHtml(data, { inlineAssets: true }) };
  }
}
