// How an annual value is formed for an indicator collected semiannually (DESIGN.md §3, "period rule per
// indicator"), pure. An indicator with `periodicity: semiannual` is reported in the semiannual reports only; in
// the annual period its value is formed from the year's semiannual values by `annual_from`:
//   latest — the value of the year's last semiannual period (an earlier one only through the "carry" policy);
//   sum    — Σ of the halves (a ratio sums numerators and denominators: the year's pooled rate);
//   mean   — the mean of the halves (a ratio averages numerators and denominators).
// Sum and mean need every half: a year with a half missing has no annual value, so the missing-data policy
// decides, and the result is flagged as it would be for any value not reported.

import type { FrameworkNode, IndicatorDef, PeriodKind } from '../frameworks/framework.types.js';
import { indicatorsOf } from '../frameworks/framework.types.js';
import { isUsableValue } from './score.js';
import type { IndicatorInput, ReportedValue } from './scoring.types.js';

/** One semiannual period's recognised value of the indicator, and whether the reviewer set it. */
export interface HalfValue {
  value: ReportedValue | null;
  adjusted?: boolean;
}

/**
 * The annual input of a semiannual indicator from the year's semiannual values, oldest first. `previous` is the
 * last approved value before the year's last half, for the "carry" policy; for `latest`, an earlier half of the
 * same year is more recent than that and takes its place.
 */
export function annualInput(def: IndicatorDef, halves: readonly HalfValue[], previous: ReportedValue | null = null): IndicatorInput {
  const last = halves[halves.length - 1];
  if (def.annualFrom === 'latest' || halves.length === 0) {
    let earlier = previous;
    for (const half of halves.slice(0, -1)) if (isUsableValue(def, half.value)) earlier = half.value;
    return { value: last?.value ?? null, adjusted: last?.adjusted === true, previous: earlier };
  }
  if (!halves.every((h) => isUsableValue(def, h.value))) return { value: null, previous };
  const values = halves.map((h) => h.value!);
  const adjusted = halves.some((h) => h.adjusted === true);
  const divisor = def.annualFrom === 'mean' ? values.length : 1;
  const total = (pick: (v: ReportedValue) => number | null): number => values.reduce((s, v) => s + (pick(v) ?? 0), 0) / divisor;
  const denominator = def.input.kind === 'ratio' ? total((v) => v.denominator) : null;
  return { value: { value: total((v) => v.value), denominator, option: null }, adjusted, previous };
}

/**
 * Indicators that take no part in a period of this kind: annual-only ones in a semiannual period. Semiannual-only
 * indicators do take part in an annual period, through the value formed from the year's halves.
 */
export function notScoredIn(nodes: readonly FrameworkNode[], kind: PeriodKind): string[] {
  if (kind === 'annual') return [];
  return indicatorsOf(nodes)
    .filter((i) => i.periodicity === 'annual')
    .map((i) => i.code);
}

/** Indicators whose annual value is formed from the year's semiannual values. */
export function formedAnnually(nodes: readonly FrameworkNode[]): IndicatorDef[] {
  return indicatorsOf(nodes).filter((i) => i.periodicity === 'semiannual');
}

/** The recognised values of one agency in one semiannual period, by indicator code. */
export type HalfValues = ReadonlyMap<string, HalfValue>;

/**
 * Puts the formed annual value of every semiannual indicator into one agency's inputs for an annual period.
 * `halves` are the agency's values in the year's semiannual periods, oldest first.
 */
export function withAnnualValues(
  formed: readonly IndicatorDef[],
  values: Record<string, IndicatorInput | undefined>,
  halves: readonly HalfValues[],
): Record<string, IndicatorInput | undefined> {
  for (const def of formed) {
    const own = halves.map((h) => h.get(def.code) ?? { value: null });
    values[def.code] = annualInput(def, own, values[def.code]?.previous ?? null);
  }
  return values;
}
