// How a reported value reads to people, pure: "45/50", "Có", the chosen option's label, "12,5".
import { formatNumber } from '../../reports/format.js';
import type { InputSpec } from './framework.types.js';
import type { ReportedValue } from '../scoring/scoring.types.js';

export function displayValue(input: InputSpec, v: ReportedValue | null): string {
  if (!v) return '';
  const n = (x: number | null): string => (x === null ? '' : formatNumber(x, Number.isInteger(x) ? 0 : 2));
  switch (input.kind) {
    case 'ratio':
      return v.value === null ? '' : `${n(v.value)}/${n(v.denominator)}`;
    case 'yesno':
      return v.value === null ? '' : v.value >= 1 ? 'Có' : 'Không';
    case 'choice':
      return input.options?.find((o) => o.code === v.option)?.label ?? v.option ?? '';
    case 'percent':
      return v.value === null ? '' : `${n(v.value)} %`;
    case 'evidence':
      return '';
    default:
      return n(v.value);
  }
}
