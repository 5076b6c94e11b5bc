// How an agency's results are laid out in storage (migration 020): one row of arrays per agency, in a layout shared by
// every agency of a framework — ranked figures first (index nodes, then sub-indices, then the indicators that are
// main indices themselves: top-level nodes, ranked as rank.ts does), then the other indicators. Pure: it reads a
// scored block's flat arrays into the flat arrays a write sends, without an object per figure.
import { roundPublished, VALUE_FLAGS, type ScoredBlock } from './score.js';
import type { ValueFlag } from './scoring.types.js';

/** The order of the per-agency arrays, stored once per distinct layout (score_layouts). */
export interface LayoutShape {
  codes: string[];
  kinds: Array<'index' | 'subindex' | 'indicator'>;
  /** How many leading entries are ranked (index nodes, sub-indices, main indices that are indicators). */
  ranked: number;
}

/** Where each entry of the layout comes from: a slot of the block (index node, indicator) or a sub-index. */
interface LayoutPlan {
  shape: LayoutShape;
  /** Per entry: the block slot, or −1 − k for the k-th sub-index. */
  sources: Int32Array;
  /** The entries that are indicators (measure and flag stored). */
  firstIndicator: number;
}

function layoutPlan(block: ScoredBlock): LayoutPlan {
  const nodes = block.indexNodes();
  const subs = block.subindexCodes();
  const indicators = block.indicators();
  const mains = indicators.filter((i) => i.mainIndex);
  const others = indicators.filter((i) => !i.mainIndex);
  const ordered = [...mains, ...others];
  return {
    shape: {
      codes: [...nodes.map((n) => n.code), ...subs, ...ordered.map((i) => i.code)],
      kinds: [...nodes.map(() => 'index' as const), ...subs.map(() => 'subindex' as const), ...ordered.map(() => 'indicator' as const)],
      ranked: nodes.length + subs.length + mains.length,
    },
    sources: Int32Array.from([...nodes.map((n) => n.slot), ...subs.map((_, k) => -1 - k), ...ordered.map((i) => i.slot)]),
    firstIndicator: nodes.length + subs.length,
  };
}

/**
 * A block's scores as storage rows, column by column: agency k's figures at k × width (rank keys at k × ranked) in
 * the flat arrays, NaN where a stored figure is null (measures of unscored indicators, keys of figures without a
 * value); flags as letters, one per figure (FLAG_LETTERS, '-' for figures that are not indicators).
 */
export interface StoredScores {
  layout: LayoutShape;
  totalPoints: Float64Array;
  totalMax: Float64Array;
  /** The published total, which ranks are decided on; NaN when there is none. */
  totalKeys: Float64Array;
  points: Float64Array;
  max: Float64Array;
  measures: Float64Array;
  /** Every agency's flags, a letter (an ASCII byte) per figure, agency k's the `width` from k × width. */
  flags: Buffer;
  /**
   * Rank keys: the published (rounded) value of each ranked figure, in layout order — for an indicator that is a main
   * index, points / max as rank.ts ranks it. Ranks are competition ranks on these keys within a group (rank.ts),
   * computed when a snapshot is read.
   */
  keys: Float64Array;
}

/**
 * How a value flag is stored: one letter per figure in a text (migration 082 reads them back into words; a text[] of
 * words was a third of every row a run writes). '-' marks a figure that is not an indicator.
 */
export const FLAG_LETTERS: Readonly<Record<ValueFlag, string>> = {
  reported: 'r',
  adjusted: 'a',
  missing: 'm',
  carried: 'c',
  excluded: 'x',
  not_applicable: 'n',
};
export const NO_FLAG = '-';
const LETTERS = VALUE_FLAGS.map((f) => FLAG_LETTERS[f].charCodeAt(0));
const NO_LETTER = NO_FLAG.charCodeAt(0);

const key = (value: number): number => (Number.isFinite(value) ? roundPublished(value) : NaN);

export function storedScores(block: ScoredBlock): StoredScores {
  const plan = layoutPlan(block);
  const { sources, firstIndicator } = plan;
  const width = sources.length;
  const ranked = plan.shape.ranked;
  const n = block.agencies.length;
  const out: StoredScores = {
    layout: plan.shape,
    totalPoints: new Float64Array(n),
    totalMax: new Float64Array(n),
    totalKeys: new Float64Array(n),
    points: new Float64Array(n * width),
    max: new Float64Array(n * width),
    measures: new Float64Array(n * width).fill(NaN),
    // Bytes, not a text per agency: a letter at a time was a string made per figure.
    flags: Buffer.allocUnsafe(n * width),
    keys: new Float64Array(n * ranked),
  };
  const letters = out.flags;
  const { points, max, value, measure, flag } = block;
  for (let a = 0; a < n; a++) {
    const base = a * block.width;
    const root = base + block.root;
    out.totalPoints[a] = points[root]!;
    out.totalMax[a] = max[root]!;
    out.totalKeys[a] = key(value[root]!);
    for (let e = 0; e < width; e++) {
      const source = sources[e]!;
      const at = a * width + e;
      let p: number;
      let m: number;
      let v: number;
      if (source < 0) {
        const sub = block.subindex(a, -1 - source);
        p = sub.points;
        m = sub.max;
        v = sub.value ?? NaN;
      } else {
        p = points[base + source]!;
        m = max[base + source]!;
        v = value[base + source]!;
      }
      out.points[at] = p;
      out.max[at] = m;
      if (e >= firstIndicator) {
        out.measures[at] = measure[base + source]!;
        letters[at] = LETTERS[flag[base + source]!]!;
      } else {
        letters[at] = NO_LETTER;
      }
      // An indicator's value is points / max (score.ts), which is how a main index that is an indicator ranks.
      if (e < ranked) out.keys[a * ranked + e] = key(v);
    }
  }
  return out;
}

/**
 * The distinct vectors of maximum points among a block's agencies (stored once each, score_maxima) and which one is
 * each agency's. They depend on the framework, the figures that apply and the values left out of the max, so a
 * province has a handful; neighbours mostly share one, which is tried first.
 */
export function sharedMaxima(scores: StoredScores): { vectors: Float64Array[]; of: Int32Array } {
  const width = scores.layout.codes.length;
  const n = scores.totalPoints.length;
  const vectors: Float64Array[] = [];
  const of = new Int32Array(n);
  const known = new Map<string, number>();
  const bytes = Buffer.from(scores.max.buffer, scores.max.byteOffset, scores.max.byteLength);
  const rowBytes = 8 * width;
  for (let a = 0; a < n; a++) {
    if (a > 0 && bytes.compare(bytes, a * rowBytes, (a + 1) * rowBytes, (a - 1) * rowBytes, a * rowBytes) === 0) {
      of[a] = of[a - 1]!;
      continue;
    }
    const key = bytes.toString('base64', a * rowBytes, (a + 1) * rowBytes);
    let k = known.get(key);
    if (k === undefined) {
      k = vectors.push(scores.max.slice(a * width, (a + 1) * width)) - 1;
      known.set(key, k);
    }
    of[a] = k;
  }
  return { vectors, of };
}
