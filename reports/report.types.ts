// Plain data a provincial report is built from. The server assembles it from a run or publication; report
// builders turn it into a workbook or HTML and never see the database. Dates are ISO 'YYYY-MM-DD' strings taken
// from the publication, never from the clock, so the same publication always gives the same report.

export interface ReportIssuer {
  /** Parent agency in capitals, e.g. "ỦY BAN NHÂN DÂN TỈNH KHÁNH HÒA". */
  parent: string;
  /** Issuing agency, e.g. "SỞ KHOA HỌC VÀ CÔNG NGHỆ". */
  name: string;
  /** Place for the date line, e.g. "Khánh Hòa". */
  place: string;
}

export interface ReportColumn {
  code: string;
  name: string;
  max: number;
}

export type ReportFlag = 'reported' | 'adjusted' | 'missing' | 'carried' | 'excluded' | 'not_applicable';

export interface ReportRankingRow {
  rank: number | null;
  agencyCode: string;
  agencyName: string;
  points: number;
  max: number;
  /** 0–1, four decimals as published. */
  total: number;
  previousTotal: number | null;
  previousRank: number | null;
  /** Main index values 0–1 by code (null: assessed, not scored). */
  indices: Record<string, number | null>;
  subindices: Record<string, { value: number | null; rank: number | null }>;
}

export interface ReportGroup {
  code: string;
  name: string;
  ranked: boolean;
  rows: ReportRankingRow[];
}

export interface ReportAnnexRow {
  agencyCode: string;
  agencyName: string;
  groupName: string;
  indicatorCode: string;
  indicatorName: string;
  /** The self-assessed value as shown to people, e.g. "45/50", "Có", "12". */
  selfValue: string;
  /** The appraised value when the reviewer set one, else "". */
  appraisedValue: string;
  points: number;
  max: number;
  flag: ReportFlag;
}

export interface ReportData {
  issuer: ReportIssuer;
  /** Full document number, e.g. "05/BC-SKHCN". */
  number: string;
  /** Date of the report (publication date), ISO. */
  date: string;
  /** Subject line after "BÁO CÁO". */
  subject: string;
  period: { code: string; name: string; kind: 'semiannual' | 'annual'; year: number; dataFrom: string; dataTo: string };
  framework: { code: string; name: string; version: number };
  /** Null when built from a run that is not yet published (a draft). */
  publication: { number: number; publishedAt: string } | null;
  runId: number;
  indices: ReportColumn[];
  subindices: ReportColumn[];
  groups: ReportGroup[];
  annex: ReportAnnexRow[];
  /** Province-wide pooled rates of the indicators the province sets targets for (reports/report-targets.json). */
  targets: ReportTargetRow[];
  /** Who reported, and on time, by the period's due date. */
  completeness: ReportCompleteness;
  /** The province mean of each group over the framework's published periods, oldest first (ending with this one). */
  trend: ReportTrendPoint[];
}

export interface ReportTargetRow {
  code: string;
  name: string;
  indicatorCode: string;
  source: string;
  /** 0–1. */
  target: number;
  numerator: number;
  denominator: number;
  /** Σ numerators / Σ denominators, null when nobody reported both. */
  pooled: number | null;
  meanOfRates: number | null;
  /** Agencies that reported both figures, and how many of them reach the target on their own. */
  agencies: number;
  meeting: number;
}

export interface ReportCompletenessGroup {
  name: string;
  expected: number;
  /** Submitted to the Department (submitted, approved or published). */
  submitted: number;
  onTime: number;
  late: number;
  /** Names of agencies that never submitted, and of those that submitted after the due date. */
  missing: string[];
  lateAgencies: string[];
}

export interface ReportCompleteness {
  /** ISO due date of the period. */
  dueOn: string;
  groups: ReportCompletenessGroup[];
}

export interface ReportTrendPoint {
  periodCode: string;
  periodName: string;
  /** Mean total per group name (null: nobody scored). */
  means: Record<string, number | null>;
}

/** One indicator line of a scorecard: self-assessed and appraised side by side. */
export interface ScorecardLine {
  code: string;
  name: string;
  selfValue: string;
  appraisedValue: string;
  /** Points the self-assessed value would earn; null when nothing was reported. */
  selfPoints: number | null;
  /** Points recognised (after appraisal, carry-forward or imputation). */
  points: number;
  max: number;
  lost: number;
  previousPoints: number | null;
  flag: ReportFlag;
}

export interface ScorecardSection {
  code: string;
  name: string;
  points: number;
  max: number;
  value: number | null;
  rank: number | null;
  lines: ScorecardLine[];
}

export interface ScorecardData {
  issuer: ReportIssuer;
  /** ISO date of the publication (or of the run, for a draft). */
  date: string;
  /** The provincial report this scorecard accompanies, e.g. "05/BC-SKHCN"; blank number for drafts. */
  reportNumber: string;
  period: ReportData['period'];
  framework: ReportData['framework'];
  publication: ReportData['publication'];
  runId: number;
  agency: { code: string; name: string; groupName: string; ranked: boolean; groupSize: number };
  total: { points: number; max: number; value: number | null; rank: number | null };
  previous: { periodName: string; value: number | null; rank: number | null } | null;
  history: Array<{ periodName: string; value: number | null; rank: number | null }>;
  sections: ScorecardSection[];
  subindices: Array<{ code: string; name: string; value: number | null; rank: number | null }>;
  /** Group means of each main index, for the profile chart beside the agency's own. */
  groupMeans: Record<string, number | null>;
}
