import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { sendsBinaryParameters } from '../db/database.js';
import type { LayoutShape, StoredScores } from './result-rows.js';

export interface RunRow {
  id: number;
  periodId: number;
  frameworkId: number;
  status: 'succeeded' | 'failed';
  trigger: string;
  inputHash: string;
  codeVersion: string;
  startedAt: Date;
  finishedAt: Date | null;
  publication: { id: number; number: number; publishedAt: Date } | null;
}

const toRun = (r: Record<string, unknown>): RunRow => ({
  id: r.id as number,
  periodId: r.period_id as number,
  frameworkId: r.framework_id as number,
  status: r.status as RunRow['status'],
  trigger: r.trigger as string,
  inputHash: r.input_hash as string,
  codeVersion: r.code_version as string,
  startedAt: r.started_at as Date,
  finishedAt: (r.finished_at as Date | null) ?? null,
  publication: r.publication_id
    ? { id: r.publication_id as number, number: r.publication_number as number, publishedAt: r.published_at as Date }
    : null,
});

const runQuery = (db: Knex): Knex.QueryBuilder =>
  db('runs as r')
    .leftJoin('publications as p', 'p.run_id', 'r.id')
    .select('r.*', 'p.id as publication_id', 'p.number as publication_number', 'p.published_at');

// Namespace of the per-period advisory locks (pg_try_advisory_xact_lock(namespace, period id)).
const COMPUTE_LOCK_NAMESPACE = 7_240_002;

/** Takes the period's compute lock for the rest of the transaction; false when another instance holds it. */
export async function tryLockPeriod(trx: Knex.Transaction, periodId: number): Promise<boolean> {
  const r = await trx.raw('SELECT pg_try_advisory_xact_lock(?, ?) AS ok', [COMPUTE_LOCK_NAMESPACE, periodId]);
  return r.rows[0]?.ok === true;
}

export async function getRun(db: Knex, id: number): Promise<RunRow | undefined> {
  const r = await runQuery(db).where('r.id', id).first();
  return r && toRun(r);
}

/** The newest succeeded run of a period, or the newest published one. */
export async function latestRun(db: Knex, periodId: number, publishedOnly: boolean): Promise<RunRow | undefined> {
  const q = runQuery(db).where({ 'r.period_id': periodId, 'r.status': 'succeeded' });
  if (publishedOnly) q.whereNotNull('p.id');
  const r = await q.orderBy('r.id', 'desc').first();
  return r && toRun(r);
}

export async function listRuns(db: Knex, periodId: number): Promise<RunRow[]> {
  const rows = await runQuery(db).where('r.period_id', periodId).orderBy('r.id', 'desc').limit(50);
  return rows.map(toRun);
}

export interface NewRun {
  periodId: number;
  frameworkId: number;
  status: 'succeeded' | 'failed';
  trigger: string;
  inputHash: string;
  codeVersion: string;
  startedBy: number | null;
  startedAt: Date;
}

export async function insertRun(db: Knex, run: NewRun): Promise<number> {
  const [row] = await db('runs')
    .insert({
      period_id: run.periodId,
      framework_id: run.frameworkId,
      status: run.status,
      trigger: run.trigger,
      input_hash: run.inputHash,
      code_version: run.codeVersion,
      started_by: run.startedBy,
      started_at: run.startedAt,
      finished_at: db.fn.now(),
    })
    .returning('id');
  return (row as { id: number }).id;
}

/** The input hash of a run whose inputs were hashed as they were read (a run scored in one pass). */
export async function setRunInputHash(trx: Knex.Transaction, runId: number, inputHash: string): Promise<void> {
  await trx('runs').where({ id: runId }).update({ input_hash: inputHash });
}

export const layoutKey = (l: LayoutShape): string =>
  createHash('md5').update(`${l.codes.join(',')}|${l.kinds.join(',')}`).digest('hex');

/** The id of a layout, stored on first use. */
export async function ensureLayout(trx: Knex.Transaction, layout: LayoutShape): Promise<number> {
  const key = layoutKey(layout);
  await trx.raw(
    `INSERT INTO score_layouts (key, codes, kinds, ranked) VALUES (?, ?::text[], ?::text[], ?) ON CONFLICT (key) DO NOTHING`,
    [key, layout.codes, layout.kinds, layout.ranked] as unknown as Knex.RawBinding[],
  );
  const row = await trx('score_layouts').where({ key }).first('id');
  return (row as { id: number }).id;
}

/** An agency's current (newest) row of a period: what decides whether it must be read and written again. */
export interface CurrentResult {
  agencyId: number;
  groupId: number;
  inputHash: string;
  sourceKey: string;
}

export async function currentResults(db: Knex, periodId: number): Promise<CurrentResult[]> {
  const rows = await db('agency_scores')
    .where({ period_id: periodId })
    .whereNull('to_run')
    .select('agency_id', 'ranking_group_id', 'input_hash', 'source_key');
  return rows.map((x: Record<string, unknown>) => ({
    agencyId: x.agency_id as number,
    groupId: x.ranking_group_id as number,
    inputHash: x.input_hash as string,
    sourceKey: x.source_key as string,
  }));
}

/**
 * Refreshes the planner's statistics of the result rows after a large write, so the snapshot reads of the
 * rankings and reports plan on the real sizes instead of waiting for autovacuum. Key columns only, and a sample of
 * 7 500 rows instead of 30 000 (statistics target 25): the sizes and the few periods and runs are what the plans
 * need, and the rows are wide, so the sample is most of the cost. Autovacuum's later refreshes take the full one.
 */
export async function analyzeResults(db: Knex): Promise<void> {
  await db.transaction(async (trx) => {
    await trx.raw('SET LOCAL default_statistics_target = 25');
    await trx.raw('ANALYZE agency_scores (period_id, agency_id, ranking_group_id, from_run, to_run)');
  });
}

/** Ends the current rows of these agencies at `runId`: they stay in every earlier run's snapshot. */
export async function closeCurrent(trx: Knex.Transaction, periodId: number, agencyIds: number[], runId: number): Promise<void> {
  if (agencyIds.length === 0) return;
  await trx.raw(`UPDATE agency_scores SET to_run = ? WHERE period_id = ? AND to_run IS NULL AND agency_id = ANY(?::int[])`, [
    runId,
    periodId,
    agencyIds as unknown as Knex.RawBinding,
  ]);
}

/** Who the rows of a write are: per agency, in the order of its StoredScores, with its maxima (maximaIds). */
export interface ScoreRowsMeta {
  agencyIds: number[];
  groupIds: number[];
  ranked: boolean[];
  inputHashes: string[];
  sourceKeys: string[];
  maximaIds: number[];
}

/**
 * The key of a vector of maximum points in a layout: md5 of the layout id and the figures in PostgreSQL's binary
 * form (int4send, float8send), as migration 080 keyed the vectors it moved over.
 */
export function maximaKey(layoutId: number, max: Float64Array): string {
  const bytes = Buffer.allocUnsafe(4 + 8 * max.length);
  bytes.writeInt32BE(layoutId, 0);
  for (let i = 0; i < max.length; i++) bytes.writeDoubleBE(max[i]!, 4 + 8 * i);
  return createHash('md5').update(bytes).digest('hex');
}

/**
 * The ids of these vectors of maximum points of a layout (score_maxima), each stored on first use. `known` (key →
 * id, for one transaction) saves the round trip for vectors already stored or looked up; it is filled with the rest.
 */
export async function maximaIds(
  trx: Knex.Transaction,
  layoutId: number,
  vectors: readonly Float64Array[],
  known: Map<string, number> = new Map(),
): Promise<number[]> {
  const keys = vectors.map((v) => maximaKey(layoutId, v));
  const fresh = keys.flatMap((key, k) => (known.has(key) ? [] : [k]));
  for (let i = 0; i < fresh.length; i += 1000) {
    const part = fresh.slice(i, i + 1000);
    await trx.raw(
      `INSERT INTO score_maxima (layout_id, key, max) VALUES ${part.map(() => '(?, ?, ?::float8[])').join(', ')} ON CONFLICT (key) DO NOTHING`,
      part.flatMap((k) => [layoutId, keys[k]!, [...vectors[k]!]]) as unknown as Knex.RawBinding[],
    );
  }
  if (fresh.length > 0) {
    const rows = (await trx('score_maxima').whereIn('key', fresh.map((k) => keys[k]!)).select('id', 'key')) as Array<{ id: number; key: string }>;
    for (const r of rows) known.set(r.key, r.id);
  }
  return keys.map((k) => known.get(k)!);
}

/**
 * The float8 columns travel as one flat array per statement, each row taking its slice. A slice is only cheap in an
 * array without a null bitmap (with one, PostgreSQL counts its way to every offset), so a null travels as NaN —
 * which no stored figure is: points are finite, and measures and rank keys are null when not finite — and the
 * statement turns NaN back into null.
 */
const FLOAT8_OID = 701;

/**
 * A one-dimensional float8[] without nulls in PostgreSQL's binary array format (array_recv): dimensions, lower
 * bound 1, then each element as its length and the big-endian double. Exact, and nothing to print or parse.
 */
function numbersBinary(xs: Float64Array): Buffer {
  const out = Buffer.allocUnsafe(20 + xs.length * 12);
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  view.setInt32(0, 1);
  view.setInt32(4, 0);
  view.setInt32(8, FLOAT8_OID);
  view.setInt32(12, xs.length);
  view.setInt32(16, 1);
  for (let i = 0, at = 20; i < xs.length; i++, at += 12) {
    view.setInt32(at, 8);
    view.setFloat64(at + 4, xs[i]!);
  }
  return out;
}

/** Array literal of numbers: shortest round-trip decimal, which float8 reads back to the same double. */
const numbersLiteral = (xs: Float64Array): string => `{${Array.from(xs, (x) => (Number.isNaN(x) ? 'NaN' : String(x))).join(',')}}`;

/**
 * The statement that writes score rows. Every row of a run has the same layout, so each array column travels as one
 * flat array of all the rows, `width` (or `ranked`) entries each, and row k takes its slice; the flags likewise as
 * one bytea of letters, `width` bytes a row (a text would be cut by characters, each cut a walk from its start in
 * UTF-8). The maximum points are not written with the rows: each row names its vector (maximaIds).
 */
const INSERT_SCORES = `
INSERT INTO agency_scores (period_id, agency_id, ranking_group_id, maxima_id, from_run, input_hash, source_key,
                           total_points, total_max, points, measures, flags, head_points, ranked, total_key, keys)
SELECT ?, u.a, u.g, u.x, ?, u.h, u.k, u.tp, u.tm,
       x.p[(u.o - 1) * x.w + 1 : u.o * x.w],
       array_replace(x.me[(u.o - 1) * x.w + 1 : u.o * x.w], 'NaN', NULL),
       convert_from(substring(x.f FROM ((u.o - 1) * x.w + 1)::int FOR x.w), 'UTF8'),
       coalesce(x.p[(u.o - 1) * x.w + 1 : (u.o - 1) * x.w + x.r], '{}'),
       u.r, nullif(u.tk, 'NaN'), coalesce(array_replace(x.ks[(u.o - 1) * x.r + 1 : u.o * x.r], 'NaN', NULL), '{}')
  FROM unnest(?::int[], ?::int[], ?::int[], ?::text[], ?::text[], ?::float8[], ?::float8[], ?::bool[], ?::float8[])
         WITH ORDINALITY AS u(a, g, x, h, k, tp, tm, r, tk, o),
       (SELECT ?::int AS w, ?::int AS r, ?::float8[] AS p, ?::float8[] AS me, ?::float8[] AS ks, ?::bytea AS f) x`;

/**
 * Writes score rows valid from `runId` in one set-based statement; on node-postgres the numbers go in binary,
 * elsewhere as array literals.
 */
export async function insertScores(
  trx: Knex.Transaction,
  periodId: number,
  runId: number,
  meta: ScoreRowsMeta,
  scores: StoredScores,
): Promise<void> {
  const width = scores.layout.codes.length;
  const { ranked } = scores.layout;
  const n = meta.agencyIds.length;
  if (
    scores.totalPoints.length !== n ||
    scores.points.length !== n * width ||
    scores.keys.length !== n * ranked ||
    scores.flags.length !== n * width ||
    meta.maximaIds.length !== n
  ) {
    throw new Error(`score rows do not fit their layout (${n} agencies, ${width} figures, ${ranked} ranked)`);
  }
  if (n === 0) return;
  const encode = sendsBinaryParameters(trx) ? numbersBinary : numbersLiteral;
  await trx.raw(INSERT_SCORES, [
    periodId,
    runId,
    meta.agencyIds,
    meta.groupIds,
    meta.maximaIds,
    meta.inputHashes,
    meta.sourceKeys,
    encode(scores.totalPoints),
    encode(scores.totalMax),
    meta.ranked,
    encode(scores.totalKeys),
    width,
    ranked,
    encode(scores.points),
    encode(scores.measures),
    encode(scores.keys),
    scores.flags,
  ] as unknown as Knex.RawBinding[]);
}

/**
 * Records the new change marker of rows whose inputs were re-read and found equal. The marker only decides what the
 * next run re-reads; the scores a run shows never change.
 */
export async function updateSourceKeys(
  trx: Knex.Transaction,
  periodId: number,
  keys: ReadonlyArray<{ agencyId: number; sourceKey: string }>,
): Promise<void> {
  if (keys.length === 0) return;
  await trx.raw(
    `UPDATE agency_scores s SET source_key = u.k
       FROM unnest(?::int[], ?::text[]) AS u(a, k)
      WHERE s.period_id = ? AND s.to_run IS NULL AND s.agency_id = u.a`,
    [keys.map((k) => k.agencyId), keys.map((k) => k.sourceKey), periodId] as unknown as Knex.RawBinding[],
  );
}

/** Every agency's total and rank in a run. */
export async function runTotals(db: Knex, runId: number): Promise<Array<{ agencyId: number; value: number | null; rank: number | null }>> {
  const rows = await db('run_results').where({ run_id: runId }).select('agency_id', 'value', 'rank');
  return rows.map((r: { agency_id: number; value: number | null; rank: number | null }) => ({ agencyId: r.agency_id, value: r.value, rank: r.rank }));
}

export async function insertPublication(
  trx: Knex.Transaction,
  runId: number,
  periodId: number,
  userId: number | null,
  publishedAt: Date,
): Promise<{ id: number; number: number }> {
  const last = await trx('publications').where('period_id', periodId).max<{ n: number | null }[]>('number as n');
  const number = (last[0]?.n ?? 0) + 1;
  const [row] = await trx('publications')
    .insert({ run_id: runId, period_id: periodId, number, published_by: userId, published_at: publishedAt })
    .returning('id');
  return { id: (row as { id: number }).id, number };
}
