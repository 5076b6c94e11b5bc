// The JSON API for integration clients: published results of a period, and one agency's draft values for a period.
// Periods and agencies are named by their codes. Everything goes through the same services, policy and validation
// as the web forms (SubmissionService.saveDraft), so a value refused on the form is refused here with the same
// messages, and a token or user of one agency cannot reach another's report.
import { authorize, type Actor } from '../auth/policy.js';
import { notFound } from '../errors.js';
import type { AgencyService, AgencyRow } from '../agencies/agencies.service.js';
import type { PeriodService, PeriodRow } from '../periods/periods.service.js';
import type { RankingsService } from '../rankings/rankings.service.js';
import type { ScoringService } from '../scoring/scoring.service.js';
import type { SubmissionService } from '../submissions/submissions.service.js';
import type { RawValue } from '../submissions/value-validation.js';
import { roundPublished } from '../scoring/score.js';

export interface ApiValues {
  period: { code: string; name: string; entryOpen: boolean };
  agency: { code: string; name: string };
  submission: { id: number; state: string; version: number };
  values: Record<
    string,
    {
      name: string;
      kind: string;
      applicable: boolean;
      value: number | null;
      denominator: number | null;
      option: string | null;
      comment: string | null;
      points: number;
      max: number;
    }
  >;
}

export class ApiService {
  constructor(
    private readonly deps: {
      periods: PeriodService;
      agencies: AgencyService;
      submissions: SubmissionService;
      rankings: RankingsService;
      scoring: ScoringService;
    },
  ) {}

  private async period(code: string): Promise<PeriodRow> {
    const p = await this.deps.periods.findByCode(code);
    if (!p) throw notFound(`kỳ báo cáo ${code}`);
    return p;
  }

  private async agency(code: string): Promise<AgencyRow> {
    const a = await this.deps.agencies.findByCode(code);
    if (!a) throw notFound(`đơn vị ${code}`);
    return a;
  }

  /** The latest publication of a period, as the public reads it (never an unpublished run, whoever asks). */
  async results(actor: Actor, periodCode: string) {
    authorize(actor, 'rankings.read');
    const period = await this.period(periodCode);
    const run = await this.deps.scoring.latestRun(period.id, true);
    if (!run?.publication) throw notFound('kết quả đã công bố của kỳ này');
    const page = await this.deps.rankings.rankings(actor, period.id, run);
    const round = (x: number | null): number | null => (x === null ? null : roundPublished(x));
    return {
      period: { code: period.code, name: period.name, kind: period.kind, year: period.year },
      framework: page.framework,
      publication: { number: run.publication.number, publishedAt: run.publication.publishedAt.toISOString() },
      indices: page.indices,
      subindices: page.subindices,
      groups: page.groups.map((g) => ({
        code: g.code,
        name: g.name,
        ranked: g.ranked,
        agencies: g.rows.map((r) => ({
          code: r.agencyCode,
          name: r.agencyName,
          rank: r.rank,
          value: round(r.value),
          points: r.points,
          max: r.max,
          indices: Object.fromEntries(Object.entries(r.indices).map(([k, v]) => [k, round(v)])),
          subindices: Object.fromEntries(
            Object.entries(r.subindices).map(([k, v]) => [k, { value: round(v.value), rank: v.rank }]),
          ),
        })),
      })),
    };
  }

  /** The agency's report of the period; refused before anything is looked up when the actor may not read it. */
  private async submissionOf(actor: Actor, periodCode: string, agencyCode: string) {
    const agency = await this.agency(agencyCode);
    authorize(actor, 'submission.read', agency.id);
    const period = await this.period(periodCode);
    const sub = await this.deps.submissions.find(agency.id, period.id);
    if (!sub) throw notFound(`báo cáo của ${agency.name} trong kỳ ${period.code}`);
    return { agency, period, sub };
  }

  async values(actor: Actor, periodCode: string, agencyCode: string): Promise<ApiValues> {
    const { sub } = await this.submissionOf(actor, periodCode, agencyCode);
    const form = await this.deps.submissions.form(actor, sub.id);
    const values: ApiValues['values'] = {};
    for (const section of form.sections) {
      for (const l of section.lines) {
        values[l.indicator.code] = {
          name: l.indicator.name,
          kind: l.indicator.input.kind,
          applicable: l.applicable,
          value: l.stored?.self?.value ?? null,
          denominator: l.stored?.self?.denominator ?? null,
          option: l.stored?.self?.option ?? null,
          comment: l.stored?.comment ?? null,
          points: l.selfScore.points,
          max: l.selfScore.max,
        };
      }
    }
    return {
      period: { code: form.period.code, name: form.period.name, entryOpen: form.entryOpen },
      agency: { code: form.agency.code, name: form.agency.name },
      submission: { id: form.submission.id, state: form.submission.state, version: form.submission.version },
      values,
    };
  }

  /** Opens (creates) the agency's report of an open period, or returns the existing one. */
  async open(actor: Actor, periodCode: string, agencyCode: string): Promise<{ id: number; created: boolean }> {
    const agency = await this.agency(agencyCode);
    authorize(actor, 'submission.edit', agency.id);
    const period = await this.period(periodCode);
    const existing = await this.deps.submissions.find(agency.id, period.id);
    if (existing) return { id: existing.id, created: false };
    return { id: await this.deps.submissions.open(actor, period.id, agency.id), created: true };
  }

  async saveValues(
    actor: Actor,
    periodCode: string,
    agencyCode: string,
    version: number,
    raw: Record<string, RawValue>,
  ): Promise<{ version: number }> {
    const { agency, sub } = await this.submissionOf(actor, periodCode, agencyCode);
    authorize(actor, 'submission.edit', agency.id);
    return this.deps.submissions.saveDraft(actor, sub.id, version, raw);
  }
}
