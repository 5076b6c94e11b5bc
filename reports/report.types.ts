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
}
