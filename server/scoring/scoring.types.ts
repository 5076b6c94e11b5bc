// Inputs and outputs of the pure scoring core (no database, no HTTP).

/** A value as an agency or the reviewer gave it. Which fields are used depends on the input kind. */
export interface ReportedValue {
  /** The value, or the numerator of a ratio; for yes/no 1 or 0; for an appraised indicator the points. */
  value: number | null;
  /** The denominator of a ratio. */
  denominator: number | null;
  /** The chosen option's code, for a choice input. */
  option: string | null;
}

export interface IndicatorInput {
  /** The recognised value: the appraised one where the reviewer set it, else the self-assessed one; null if not reported. */
  value: ReportedValue | null;
  /** The reviewer's value differs from the agency's own. */
  adjusted?: boolean;
  /** The last approved value from an earlier period, used by the "carry" missing-data policy. */
  previous?: ReportedValue | null;
}

export interface AgencyInput {
  agencyId: number;
  /** Ranking group code. */
  group: string;
  values: Record<string, IndicatorInput | undefined>;
  /** Indicator or node codes that do not apply to this agency (beyond the framework's own applicability). */
  notApplicable?: string[];
}

/** How the value behind an indicator's points came about; everything but "reported" is flagged wherever shown. */
export type ValueFlag = 'reported' | 'adjusted' | 'missing' | 'carried' | 'excluded' | 'not_applicable';

export interface IndicatorScore {
  code: string;
  points: number;
  /** The max points counted for this agency: 0 when not applicable or excluded. */
  max: number;
  /** The input on the rule's scale (ratio → n/d, percent → v/100); null when there was no value. */
  measure: number | null;
  flag: ValueFlag;
  /**
   * Rank within the ranking group, present only for an indicator that is itself a main index (a top-level node,
   * as in a framework kept at QĐ 922's main-index level); null where not ranked.
   */
  rank?: number | null;
}

export interface NodeScore {
  code: string;
  points: number;
  max: number;
  /** points / max in [0, 1]; null when the max is 0 (assessed, not scored). */
  value: number | null;
  /** Standard competition rank within the agency's ranking group; null for groups assessed but not ranked. */
  rank: number | null;
}

export interface AgencyScore {
  agencyId: number;
  group: string;
  indicators: IndicatorScore[];
  /** Index nodes (main indices and groups), depth first. */
  nodes: NodeScore[];
  subindices: NodeScore[];
  total: NodeScore;
}

export interface RankingGroup {
  code: string;
  /** False for groups that are assessed but not ranked. */
  ranked: boolean;
}

/** Published values carry four decimals; ties are decided on the published value (DESIGN.md §4). */
export const PUBLISHED_DECIMALS = 4;
