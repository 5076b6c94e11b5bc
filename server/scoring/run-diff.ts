// The difference between two runs of a period, pure: per agency the total and rank before and after, the indicators
// whose points changed, and who moved up or down. It explains a recomputation (an appeal decided, an appraisal
// corrected) and is the change log of a new publication.
import { roundPublished } from './score.js';

export interface RunTotalRow {
  agencyId: number;
  agencyName: string;
  groupId: number;
  groupName: string;
  points: number;
  value: number | null;
  rank: number | null;
}

export interface RunIndicatorRow {
  agencyId: number;
  code: string;
  points: number;
}

export interface RunSide {
  totals: RunTotalRow[];
  indicators: RunIndicatorRow[];
}

export interface Standing {
  points: number;
  value: number | null;
  rank: number | null;
}

export type Movement = 'up' | 'down' | 'same' | 'added' | 'removed';

export interface IndicatorChange {
  code: string;
  before: number | null;
  after: number | null;
  delta: number;
}

export interface AgencyDiff {
  agencyId: number;
  agencyName: string;
  groupId: number;
  groupName: string;
  before: Standing | null;
  after: Standing | null;
  pointsDelta: number;
  /** Places gained (positive) or lost (negative); null when either side has no rank. */
  rankDelta: number | null;
  movement: Movement;
  indicators: IndicatorChange[];
}

export interface RunDiff {
  /** Every agency of either run, in the order of the later run's groups and ranks. */
  agencies: AgencyDiff[];
  /** Agencies whose total points, rank or any indicator changed. */
  changed: AgencyDiff[];
  movedUp: AgencyDiff[];
  movedDown: AgencyDiff[];
}

/** Points are stored to four decimals; anything smaller is noise from float arithmetic. */
const EPSILON = 5e-5;

export function diffRuns(from: RunSide, to: RunSide): RunDiff {
  const beforeTotals = new Map(from.totals.map((r) => [r.agencyId, r]));
  const afterTotals = new Map(to.totals.map((r) => [r.agencyId, r]));
  const pointsOf = (rows: RunIndicatorRow[]): Map<number, Map<string, number>> => {
    const m = new Map<number, Map<string, number>>();
    for (const r of rows) {
      const byCode = m.get(r.agencyId) ?? new Map<string, number>();
      byCode.set(r.code, r.points);
      m.set(r.agencyId, byCode);
    }
    return m;
  };
  const beforePoints = pointsOf(from.indicators);
  const afterPoints = pointsOf(to.indicators);

  // The later run's order first, then agencies that only the earlier run had.
  const order = [...to.totals, ...from.totals.filter((r) => !afterTotals.has(r.agencyId))];
  const agencies = order.map((row): AgencyDiff => {
    const b = beforeTotals.get(row.agencyId);
    const a = afterTotals.get(row.agencyId);
    const bi = beforePoints.get(row.agencyId) ?? new Map<string, number>();
    const ai = afterPoints.get(row.agencyId) ?? new Map<string, number>();
    const codes = [...new Set([...ai.keys(), ...bi.keys()])];
    const indicators = codes
      .map((code) => {
        const before = bi.get(code) ?? null;
        const after = ai.get(code) ?? null;
        return { code, before, after, delta: roundPublished((after ?? 0) - (before ?? 0)) };
      })
      .filter((c) => Math.abs(c.delta) > EPSILON || (c.before === null) !== (c.after === null))
      .sort((x, y) => Math.abs(y.delta) - Math.abs(x.delta) || x.code.localeCompare(y.code));
    const rankDelta = b?.rank != null && a?.rank != null ? b.rank - a.rank : null;
    let movement: Movement;
    if (!b) movement = 'added';
    else if (!a) movement = 'removed';
    else if (rankDelta !== null && rankDelta > 0) movement = 'up';
    else if (rankDelta !== null && rankDelta < 0) movement = 'down';
    else movement = 'same';
    return {
      agencyId: row.agencyId,
      agencyName: row.agencyName,
      groupId: row.groupId,
      groupName: row.groupName,
      before: b ? standing(b) : null,
      after: a ? standing(a) : null,
      pointsDelta: roundPublished((a?.points ?? 0) - (b?.points ?? 0)),
      rankDelta,
      movement,
      indicators,
    };
  });
  const changed = agencies.filter(
    (d) =>
      d.movement !== 'same' ||
      Math.abs(d.pointsDelta) > EPSILON ||
      d.indicators.length > 0 ||
      publishedValue(d.before) !== publishedValue(d.after),
  );
  return {
    agencies,
    changed,
    movedUp: agencies.filter((d) => d.movement === 'up').sort((x, y) => y.rankDelta! - x.rankDelta!),
    movedDown: agencies.filter((d) => d.movement === 'down').sort((x, y) => x.rankDelta! - y.rankDelta!),
  };
}

const standing = (r: RunTotalRow): Standing => ({ points: r.points, value: r.value, rank: r.rank });
const publishedValue = (s: Standing | null): number | null => (s?.value == null ? null : roundPublished(s.value));
