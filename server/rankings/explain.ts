// Pure helpers behind the rankings screen and the scorecard: province-wide pooled rates and what moved an
// agency's total and rank since the previous period (DESIGN.md §4, "each result can explain itself").
import { indicatorsOf, type FrameworkDef } from '../frameworks/framework.types.js';
import { pooledRate, type PooledRate } from '../scoring/compute.js';
import { roundPublished } from '../scoring/score.js';
import type { ReportedValue } from '../scoring/scoring.types.js';

export interface ProvinceRate extends PooledRate {
  code: string;
  name: string;
}

/**
 * The province-wide figure of every ratio indicator: Σ numerators / Σ denominators over the agencies of the run
 * that reported both, beside the plain mean of their rates (a large agency weighs more in the first).
 */
export function provinceRates(
  fw: FrameworkDef,
  values: ReadonlyArray<{ agencyId: number; code: string; value: ReportedValue | null }>,
  agencies: ReadonlySet<number>,
): ProvinceRate[] {
  const byCode = new Map<string, Array<{ numerator: number | null; denominator: number | null }>>();
  for (const v of values) {
    if (!agencies.has(v.agencyId) || v.value === null) continue;
    const list = byCode.get(v.code) ?? [];
    list.push({ numerator: v.value.value, denominator: v.value.denominator });
    byCode.set(v.code, list);
  }
  return indicatorsOf(fw.nodes)
    .filter((i) => i.input.kind === 'ratio')
    .map((i) => ({ code: i.code, name: i.name, ...pooledRate(byCode.get(i.code) ?? []) }));
}

export interface IndicatorChange {
  code: string;
  name: string;
  /** Points now minus points in the previous period. */
  delta: number;
  /** The rank the agency would hold now had this indicator kept its previous points; null when not ranked. */
  rankWithout: number | null;
}

/**
 * The indicators whose points changed since the previous period, largest change first, each with the rank the
 * agency would hold had that indicator alone not changed (the others' totals as they are now). A rank that
 * differs from the actual one means the indicator moved the rank.
 */
export function indicatorChanges(
  lines: ReadonlyArray<{ code: string; name: string; points: number; previousPoints: number | null }>,
  agency: { points: number; max: number; rank: number | null },
  others: ReadonlyArray<number | null>,
  limit = 5,
): IndicatorChange[] {
  const rankOf = (value: number): number => 1 + others.filter((o) => o !== null && roundPublished(o) > roundPublished(value)).length;
  return lines
    .filter((l) => l.previousPoints !== null && l.points !== l.previousPoints)
    .map((l) => {
      const delta = roundPublished(l.points - l.previousPoints!);
      const without = agency.max > 0 ? (agency.points - delta) / agency.max : null;
      return { code: l.code, name: l.name, delta, rankWithout: agency.rank === null || without === null ? null : rankOf(without) };
    })
    .sort((a, b) => Math.abs(b.delta) - Math.abs(a.delta) || (a.code < b.code ? -1 : 1))
    .slice(0, limit);
}
