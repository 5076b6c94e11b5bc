import type { Knex } from 'knex';
import type { AgencyScore } from './scoring.types.js';

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

/**
 * Writes a run's results with one set-based statement per table (unnest of column arrays), so a province of any
 * size is a handful of round trips rather than one per row.
 */
export async function insertResults(
  trx: Knex.Transaction,
  runId: number,
  scores: AgencyScore[],
  groupIds: Map<string, number>,
): Promise<void> {
  const agency: number[] = [];
  const group: number[] = [];
  const points: number[] = [];
  const max: number[] = [];
  const value: (number | null)[] = [];
  const rank: (number | null)[] = [];
  for (const s of scores) {
    agency.push(s.agencyId);
    group.push(groupIds.get(s.group)!);
    points.push(s.total.points);
    max.push(s.total.max);
    value.push(s.total.value);
    rank.push(s.total.rank);
  }
  await trx.raw(
    `INSERT INTO run_results (run_id, agency_id, ranking_group_id, points, max_points, value, rank)
     SELECT ?, * FROM unnest(?::int[], ?::int[], ?::numeric[], ?::numeric[], ?::float8[], ?::int[])`,
    [runId, agency, group, points, max, value, rank] as unknown as Knex.RawBinding[],
  );

  const cols = {
    agency: [] as number[],
    code: [] as string[],
    kind: [] as string[],
    points: [] as number[],
    max: [] as number[],
    value: [] as (number | null)[],
    measure: [] as (number | null)[],
    flag: [] as (string | null)[],
    rank: [] as (number | null)[],
  };
  const push = (
    a: number,
    code: string,
    kind: string,
    p: number,
    m: number,
    v: number | null,
    me: number | null,
    f: string | null,
    r: number | null,
  ): void => {
    cols.agency.push(a);
    cols.code.push(code);
    cols.kind.push(kind);
    cols.points.push(p);
    cols.max.push(m);
    cols.value.push(v);
    cols.measure.push(me);
    cols.flag.push(f);
    cols.rank.push(r);
  };
  for (const s of scores) {
    for (const n of s.nodes) push(s.agencyId, n.code, 'index', n.points, n.max, n.value, null, null, n.rank);
    for (const n of s.subindices) push(s.agencyId, n.code, 'subindex', n.points, n.max, n.value, null, null, n.rank);
    for (const i of s.indicators) {
      push(s.agencyId, i.code, 'indicator', i.points, i.max, i.max > 0 ? i.points / i.max : null, i.measure, i.flag, i.rank ?? null);
    }
  }
  if (cols.agency.length === 0) return;
  await trx.raw(
    `INSERT INTO run_node_scores (run_id, agency_id, node_code, node_kind, points, max_points, value, measure, flag, rank)
     SELECT ?, * FROM unnest(?::int[], ?::text[], ?::text[], ?::numeric[], ?::numeric[], ?::float8[], ?::float8[],
                             ?::text[], ?::int[])`,
    [runId, cols.agency, cols.code, cols.kind, cols.points, cols.max, cols.value, cols.measure, cols.flag, cols.rank] as unknown as Knex.RawBinding[],
  );
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
