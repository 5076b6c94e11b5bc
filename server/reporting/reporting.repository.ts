// Report numbers, the report archive, the report job's claims and the admins' regeneration requests.
import type { Knex } from 'knex';

/** Advisory-lock namespace of the reporting module (the compute lock uses its own). */
const REPORT_LOCK_NAMESPACE = 70;
/** Its key for taking regeneration requests (years, from 2000, key the report numbers; 0 the job's claims). */
const REQUEST_LOCK = 1;

/**
 * The report number of a publication: the one it already has, or the next one of the year. The lock on the year
 * serialises two first generations of different publications, so none gets the same number.
 */
export async function assignReportNumber(trx: Knex.Transaction, publicationId: number, year: number): Promise<number> {
  await trx.raw('SELECT pg_advisory_xact_lock(?, ?)', [REPORT_LOCK_NAMESPACE, year]);
  const existing = await trx('report_numbers').where('publication_id', publicationId).first('seq');
  if (existing) return existing.seq as number;
  const top = await trx('report_numbers').where('year', year).max('seq as max').first();
  const seq = ((top?.max as number | null | undefined) ?? 0) + 1;
  await trx('report_numbers').insert({ year, seq, publication_id: publicationId });
  return seq;
}

export interface ArchiveRow {
  id: number;
  periodId: number;
  periodCode: string;
  periodName: string;
  runId: number;
  publicationId: number | null;
  publicationNumber: number | null;
  kind: 'province' | 'scorecard';
  agencyId: number | null;
  agencyName: string | null;
  stage: 'draft' | 'final';
  format: 'xlsx' | 'html';
  fileName: string;
  path: string;
  sha256: string;
  bytes: number;
  trigger: 'schedule' | 'manual' | 'cli';
  createdBy: number | null;
  createdAt: Date;
}

export type NewArchiveRow = Omit<ArchiveRow, 'id' | 'periodCode' | 'periodName' | 'publicationNumber' | 'agencyName' | 'createdAt'> & {
  createdAt: Date;
};

/** Records archived files, all in one statement: a generation is listed whole or not at all. */
export async function insertArchive(db: Knex, rows: NewArchiveRow[]): Promise<number[]> {
  if (rows.length === 0) return [];
  const inserted = await db('report_archive')
    .insert(
      rows.map((r) => ({
      period_id: r.periodId,
      run_id: r.runId,
      publication_id: r.publicationId,
      kind: r.kind,
      agency_id: r.agencyId,
      stage: r.stage,
      format: r.format,
      file_name: r.fileName,
      path: r.path,
      sha256: r.sha256,
      bytes: r.bytes,
      trigger: r.trigger,
      created_by: r.createdBy,
      created_at: r.createdAt,
      })),
    )
    .returning('id');
  return (inserted as Array<{ id: number }>).map((r) => r.id);
}

function archiveQuery(db: Knex): Knex.QueryBuilder {
  return db('report_archive as r')
    .join('periods as p', 'p.id', 'r.period_id')
    .leftJoin('publications as pu', 'pu.id', 'r.publication_id')
    .leftJoin('agencies as a', 'a.id', 'r.agency_id')
    .select('r.*', 'p.code as period_code', 'p.name as period_name', 'pu.number as publication_number', 'a.name as agency_name');
}

const toArchive = (r: Record<string, unknown>): ArchiveRow => ({
  id: r.id as number,
  periodId: r.period_id as number,
  periodCode: r.period_code as string,
  periodName: r.period_name as string,
  runId: r.run_id as number,
  publicationId: (r.publication_id as number | null) ?? null,
  publicationNumber: (r.publication_number as number | null) ?? null,
  kind: r.kind as ArchiveRow['kind'],
  agencyId: (r.agency_id as number | null) ?? null,
  agencyName: (r.agency_name as string | null) ?? null,
  stage: r.stage as ArchiveRow['stage'],
  format: r.format as ArchiveRow['format'],
  fileName: r.file_name as string,
  path: r.path as string,
  sha256: r.sha256 as string,
  bytes: r.bytes as number,
  trigger: r.trigger as ArchiveRow['trigger'],
  createdBy: (r.created_by as number | null) ?? null,
  createdAt: r.created_at as Date,
});

export async function getArchive(db: Knex, id: number): Promise<ArchiveRow | undefined> {
  const r = await archiveQuery(db).where('r.id', id).first();
  return r && toArchive(r);
}

/** Archived files, newest first; only one agency's scorecards when agencyId is given. */
export async function listArchive(db: Knex, opts: { onlyAgencyScorecards?: number; limit: number }): Promise<ArchiveRow[]> {
  const q = archiveQuery(db);
  if (opts.onlyAgencyScorecards !== undefined) q.where({ 'r.kind': 'scorecard', 'r.agency_id': opts.onlyAgencyScorecards });
  const rows = await q.orderBy([{ column: 'r.created_at', order: 'desc' }, { column: 'r.id', order: 'desc' }]).limit(opts.limit);
  return rows.map(toArchive);
}

/**
 * Claims a piece of report-job work for this instance. Under the advisory lock, a key is taken when it is new or
 * when an earlier claim was never finished and is older than `staleBefore`.
 */
export async function claimJob(trx: Knex.Transaction, key: string, now: Date, staleBefore: Date): Promise<'claimed' | 'taken' | 'busy'> {
  const lock = await trx.raw('SELECT pg_try_advisory_xact_lock(?, ?) AS ok', [REPORT_LOCK_NAMESPACE, 0]);
  if (lock.rows[0]?.ok !== true) return 'busy';
  const rows = await trx('report_job_claims')
    .insert({ key, claimed_at: now })
    .onConflict('key')
    .merge({ claimed_at: now })
    .where('report_job_claims.finished_at', null)
    .andWhere('report_job_claims.claimed_at', '<', staleBefore)
    .returning('key');
  return rows.length ? 'claimed' : 'taken';
}

export async function finishJob(db: Knex, key: string, now: Date): Promise<void> {
  await db('report_job_claims').where({ key }).update({ finished_at: now });
}

export async function releaseJob(db: Knex, key: string): Promise<void> {
  await db('report_job_claims').where({ key }).whereNull('finished_at').delete();
}

export type RequestStatus = 'queued' | 'running' | 'done' | 'failed';

export interface RequestRow {
  id: number;
  periodId: number;
  requestedBy: number;
  requesterName: string;
  requestedAt: Date;
  status: RequestStatus;
  attempts: number;
  startedAt: Date | null;
  finishedAt: Date | null;
  files: number | null;
  error: string | null;
}

const toRequest = (r: Record<string, unknown>): RequestRow => ({
  id: r.id as number,
  periodId: r.period_id as number,
  requestedBy: r.requested_by as number,
  requesterName: r.requester_name as string,
  requestedAt: r.requested_at as Date,
  status: r.status as RequestStatus,
  attempts: r.attempts as number,
  startedAt: (r.started_at as Date | null) ?? null,
  finishedAt: (r.finished_at as Date | null) ?? null,
  files: (r.files as number | null) ?? null,
  error: (r.error as string | null) ?? null,
});

const requestQuery = (db: Knex): Knex.QueryBuilder =>
  db('report_requests as q').join('users as u', 'u.id', 'q.requested_by').select('q.*', 'u.full_name as requester_name');

/** Queues a request unless the period already has one queued or running (the partial unique index decides). */
export async function insertRequest(db: Knex, periodId: number, requestedBy: number, now: Date): Promise<number | undefined> {
  const r = await db.raw(
    `INSERT INTO report_requests (period_id, requested_by, requested_at, status) VALUES (?, ?, ?, 'queued')
     ON CONFLICT (period_id) WHERE status IN ('queued', 'running') DO NOTHING RETURNING id`,
    [periodId, requestedBy, now],
  );
  return (r.rows[0] as { id: number } | undefined)?.id;
}

export async function activeRequest(db: Knex, periodId: number): Promise<RequestRow | undefined> {
  const r = await requestQuery(db).where('q.period_id', periodId).whereIn('q.status', ['queued', 'running']).first();
  return r && toRequest(r);
}

export async function getRequest(db: Knex, id: number): Promise<RequestRow | undefined> {
  const r = await requestQuery(db).where('q.id', id).first();
  return r && toRequest(r);
}

/** The latest request of each period. */
export async function latestRequests(db: Knex): Promise<RequestRow[]> {
  const rows = await requestQuery(db)
    .whereIn('q.id', db('report_requests').max('id').groupBy('period_id'))
    .orderBy('q.id', 'desc');
  return rows.map(toRequest);
}

/**
 * Takes the oldest queued request for this process, under the reporting module's request lock so that two
 * instances never take the same one. First, requests whose heartbeat (database time) is older than `staleSeconds`
 * belong to a process that died: they are queued again, or failed with `gaveUp` once `maxAttempts` were made.
 */
export async function claimRequest(
  trx: Knex.Transaction,
  opts: { staleSeconds: number; maxAttempts: number; gaveUp: string; now: Date },
): Promise<RequestRow | undefined> {
  await trx.raw('SELECT pg_advisory_xact_lock(?, ?)', [REPORT_LOCK_NAMESPACE, REQUEST_LOCK]);
  const stale = trx.raw("now() - make_interval(secs => ?)", [opts.staleSeconds]);
  await trx('report_requests')
    .where({ status: 'running' })
    .andWhere('heartbeat_at', '<', stale)
    .update({
      status: trx.raw("CASE WHEN attempts >= ? THEN 'failed' ELSE 'queued' END", [opts.maxAttempts]),
      error: trx.raw('CASE WHEN attempts >= ? THEN ? END', [opts.maxAttempts, opts.gaveUp]),
      finished_at: trx.raw('CASE WHEN attempts >= ? THEN ?::timestamptz END', [opts.maxAttempts, opts.now]),
    });
  const [row] = await trx('report_requests')
    .where('id', trx('report_requests').where({ status: 'queued' }).orderBy('id').limit(1).select('id'))
    .update({ status: 'running', attempts: trx.raw('attempts + 1'), started_at: opts.now, heartbeat_at: trx.fn.now() })
    .returning('id');
  return row ? getRequest(trx, (row as { id: number }).id) : undefined;
}

export async function heartbeat(db: Knex, id: number): Promise<void> {
  await db('report_requests').where({ id, status: 'running' }).update({ heartbeat_at: db.fn.now() });
}

export async function finishRequest(
  db: Knex,
  id: number,
  outcome: { status: 'done'; files: number } | { status: 'failed'; error: string },
  now: Date,
): Promise<void> {
  await db('report_requests')
    .where({ id, status: 'running' })
    .update({ status: outcome.status, files: 'files' in outcome ? outcome.files : null, error: 'error' in outcome ? outcome.error : null, finished_at: now });
}
