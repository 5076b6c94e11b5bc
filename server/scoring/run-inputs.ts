// The inputs of a run: the counted values read for a period (and last period's, for carry-forward, and the year's
// semiannual ones, for values formed annually) placed into the scoring core's input blocks, a slice of agencies at a
// time, and each agency's input hash taken over exactly what it is scored on. Pure: the reading is the caller's.
import { createHash } from 'node:crypto';
import type { FrameworkDef, IndicatorDef } from '../frameworks/framework.types.js';
import type { ValueColumns } from '../submissions/submissions.service.js';
import { annualInput, type HalfValue } from './annual-value.js';
import { blockIndicators, emptyInputBlock, HAS_PREVIOUS, HAS_VALUE, optionIndex, REVIEWER_SET, writeInput, type InputBlock } from './score.js';
import type { ReportedValue } from './scoring.types.js';

/** Node id → block column (blockIndicators) of one framework version, −1 for a node that is not an indicator of it. */
export class NodeColumns {
  private readonly base: number;
  private readonly columns: Int32Array;

  /** `nodeIds`: code → node id of the version the values were reported against; columns are those of `fw`. */
  constructor(fw: FrameworkDef, nodeIds: ReadonlyMap<string, number>) {
    const column = new Map(blockIndicators(fw).map((def, j) => [def.code, j]));
    const ids = [...nodeIds.values()];
    this.base = ids.length ? Math.min(...ids) : 0;
    this.columns = new Int32Array(ids.length ? Math.max(...ids) - this.base + 1 : 0).fill(-1);
    for (const [code, id] of nodeIds) this.columns[id - this.base] = column.get(code) ?? -1;
  }

  of(nodeId: number): number {
    const i = nodeId - this.base;
    return i >= 0 && i < this.columns.length ? this.columns[i]! : -1;
  }
}

/** One agency to place in a block: its id, ranking group (id and code) and codes that do not apply to it. */
export interface RunAgency {
  id: number;
  groupId: number;
  group: string;
  notApplicable: readonly string[];
}


/** Which periods' values a run reads, and how their node ids map to block columns. */
export interface RunInputSource {
  periodId: number;
  previousPeriodId: number | null;
  halfPeriodIds: readonly number[];
  columns: NodeColumns;
  previousColumns: NodeColumns;
  formed: readonly IndicatorDef[];
}

/** Every period whose values a run reads: its own, last period, the year's halves. */
export const periodsRead = (source: RunInputSource): number[] => [
  source.periodId,
  ...(source.previousPeriodId !== null ? [source.previousPeriodId] : []),
  ...source.halfPeriodIds,
];

/** The inputs of a run (or of a part of it) read, from which blocks of its agencies are made. */
export class RunInputs {
  private readonly defs: IndicatorDef[];
  private readonly current = new Map<number, ValueColumns>();
  private readonly previous = new Map<number, ValueColumns>();
  private readonly halves: Array<Map<number, ValueColumns>>;
  /** The indicators formed annually, with their block columns. */
  private readonly formed: Array<[IndicatorDef, number]>;

  /**
   * `rows`: the counted values of the period, of last period (`previousPeriodId`) and of the year's semiannual
   * periods (`halfPeriodIds`, oldest first) when the framework forms annual values from them (`formed`), of every
   * agency that will be placed in a block.
   */
  constructor(
    private readonly fw: FrameworkDef,
    rows: readonly ValueColumns[],
    private readonly source: RunInputSource,
  ) {
    this.defs = blockIndicators(fw);
    this.formed = source.formed.map((def): [IndicatorDef, number] => [def, this.defs.indexOf(def)]).filter(([, j]) => j >= 0);
    this.halves = source.halfPeriodIds.map(() => new Map());
    for (const row of rows) {
      if (row.periodId === source.periodId) this.current.set(row.agencyId, row);
      if (row.periodId === source.previousPeriodId) this.previous.set(row.agencyId, row);
      const half = source.halfPeriodIds.indexOf(row.periodId);
      if (half >= 0) this.halves[half]!.set(row.agencyId, row);
    }
  }

  /** A block of these agencies' inputs, in their order. */
  block(agencies: readonly RunAgency[]): InputBlock {
    const block = emptyInputBlock(
      this.fw,
      agencies.map((a) => ({ agencyId: a.id, group: a.group, notApplicable: a.notApplicable })),
    );
    const k = this.defs.length;
    agencies.forEach((agency, a) => {
      const previous = this.previous.get(agency.id);
      if (previous) this.place(block, a * k, previous, this.source.previousColumns, true);
      const current = this.current.get(agency.id);
      if (current) this.place(block, a * k, current, this.source.columns, false);
      if (this.formed.length > 0) this.formAnnual(block, a * k, agency.id);
    });
    return block;
  }

  /**
   * Each agency's input hash: what its scores depend on besides the run's context — its ranking group, the codes
   * that do not apply to it, and its row of the block, as scored.
   */
  hashes(block: InputBlock, context: string, agencies: readonly RunAgency[]): string[] {
    const k = this.defs.length;
    const columns = [block.value, block.denominator, block.option, block.previousValue, block.previousDenominator, block.previousOption, block.state];
    // An agency's row of every column, one after another, hashed in one go.
    const row = Buffer.allocUnsafe(columns.reduce((n, c) => n + k * c.BYTES_PER_ELEMENT, 0));
    return agencies.map((agency, a) => {
      let at = 0;
      for (const column of columns) {
        const size = k * column.BYTES_PER_ELEMENT;
        row.set(new Uint8Array(column.buffer, column.byteOffset + a * size, size), at);
        at += size;
      }
      return createHash('sha256').update(`${context}|${agency.groupId}|${[...agency.notApplicable].sort().join(',')}|`).update(row).digest('hex');
    });
  }

  /** Puts one period's values of an agency into its row of the block (starting at `row`), as its own or last period's. */
  private place(block: InputBlock, row: number, values: ValueColumns, columns: NodeColumns, asPrevious: boolean): void {
    const { nodeIds, options, adjusted } = values;
    for (let i = 0; i < nodeIds.length; i++) {
      const j = columns.of(nodeIds[i]!);
      if (j < 0) continue;
      const value = values.values[i]!;
      const denominator = values.denominators[i]!;
      const option = options?.[i] ?? null;
      // A value with nothing in it is not a value (nothing reported).
      if (Number.isNaN(value) && Number.isNaN(denominator) && option === null) continue;
      const at = row + j;
      const def = this.defs[j]!;
      if (asPrevious) {
        block.state[at]! |= HAS_PREVIOUS;
        block.previousValue[at] = value;
        block.previousDenominator[at] = denominator;
        block.previousOption[at] = optionIndex(def, option);
      } else {
        block.state[at]! |= HAS_VALUE | (adjusted?.[i] === 1 ? REVIEWER_SET : 0);
        block.value[at] = value;
        block.denominator[at] = denominator;
        block.option[at] = optionIndex(def, option);
      }
    }
  }

  /** An annual period's value of each indicator collected semiannually, formed from the year's halves (annual-value.ts). */
  private formAnnual(block: InputBlock, row: number, agencyId: number): void {
    const halves = this.halves.map((h) => h.get(agencyId));
    const previous = this.previous.get(agencyId);
    for (const [def, j] of this.formed) {
      const own: HalfValue[] = halves.map((h) => valueOf(h, this.source.columns, j) ?? { value: null });
      const last = previous ? (valueOf(previous, this.source.previousColumns, j)?.value ?? null) : null;
      writeInput(block, row + j, def, annualInput(def, own, last));
    }
  }
}

/** The value a period's row holds for block column j, as objects; undefined when it holds none. */
function valueOf(values: ValueColumns | undefined, columns: NodeColumns, j: number): HalfValue | undefined {
  if (!values) return undefined;
  for (let i = 0; i < values.nodeIds.length; i++) {
    if (columns.of(values.nodeIds[i]!) !== j) continue;
    const value = values.values[i]!;
    const denominator = values.denominators[i]!;
    const v: ReportedValue = {
      value: Number.isNaN(value) ? null : value,
      denominator: Number.isNaN(denominator) ? null : denominator,
      option: values.options?.[i] ?? null,
    };
    const empty = v.value === null && v.denominator === null && v.option === null;
    return { value: empty ? null : v, adjusted: values.adjusted?.[i] === 1 };
  }
  return undefined;
}
