import type { Knex } from 'knex';
import type { PeriodKind } from '../frameworks/framework.types.js';
import type { PeriodSchedule } from './period-calendar.js';

export interface PeriodRow extends PeriodSchedule {
  id: number;
  frameworkId: number;
  code: string;
  name: string;
  kind: PeriodKind;
  year: number;
}

const toPeriod = (r: Record<string, unknown>): PeriodRow => ({
  id: r.id as number,
  frameworkId: r.framework_id as number,
  code: r.code as string,
  name: r.name as string,
  kind: r.kind as PeriodKind,
  year: r.year as number,
  dataFrom: r.data_from as string,
  dataTo: r.data_to as string,
  opensOn: r.opens_on as string,
  dueOn: r.due_on as string,
  closesOn: r.closes_on as string,
  graceDays: (r.grace_days as number | undefined) ?? 0,
});

export async function getPeriod(db: Knex, id: number): Promise<PeriodRow | undefined> {
  const r = await db('periods').where({ id }).first();
  return r && toPeriod(r);
}

export async function findPeriodByCode(db: Knex, code: string): Promise<PeriodRow | undefined> {
  const r = await db('periods').where({ code }).first();
  return r && toPeriod(r);
}

export async function listPeriods(db: Knex): Promise<PeriodRow[]> {
  const rows = await db('periods').orderBy([{ column: 'data_to', order: 'desc' }, { column: 'code' }]);
  return rows.map(toPeriod);
}

/** The latest period of the same framework family (code) that ended before this one, for trends and carry-forward. */
export async function previousPeriod(db: Knex, period: PeriodRow): Promise<PeriodRow | undefined> {
  const r = await db('periods as p')
    .join('frameworks as f', 'f.id', 'p.framework_id')
    .whereIn(
      'f.code',
      db('frameworks').select('code').where('id', period.frameworkId),
    )
    .andWhere('p.data_to', '<', period.dataTo)
    .orderBy('p.data_to', 'desc')
    .first('p.*');
  return r && toPeriod(r);
}

export async function insertPeriod(db: Knex, p: Omit<PeriodRow, 'id' | 'graceDays'> & { graceDays?: number }): Promise<number> {
  const [row] = await db('periods')
    .insert({
      framework_id: p.frameworkId,
      code: p.code,
      name: p.name,
      kind: p.kind,
      year: p.year,
      data_from: p.dataFrom,
      data_to: p.dataTo,
      opens_on: p.opensOn,
      due_on: p.dueOn,
      closes_on: p.closesOn,
      grace_days: p.graceDays ?? 0,
    })
    .returning('id');
  return (row as { id: number }).id;
}

export type PeriodDatesPatch = Pick<PeriodRow, 'name' | 'dataFrom' | 'dataTo' | 'opensOn' | 'dueOn' | 'closesOn' | 'graceDays'>;

export async function updatePeriod(db: Knex, id: number, p: PeriodDatesPatch): Promise<void> {
  await db('periods').where({ id }).update({
    name: p.name,
    data_from: p.dataFrom,
    data_to: p.dataTo,
    opens_on: p.opensOn,
    due_on: p.dueOn,
    closes_on: p.closesOn,
    grace_days: p.graceDays,
  });
}

export interface EntryExceptionRow {
  id: number;
  periodId: number;
  agencyId: number;
  agencyName: string;
  until: string;
  reason: string;
  grantedBy: string | null;
  grantedAt: Date;
  revokedBy: string | null;
  revokedAt: Date | null;
}

const toException = (r: Record<string, unknown>): EntryExceptionRow => ({
  id: r.id as number,
  periodId: r.period_id as number,
  agencyId: r.agency_id as number,
  agencyName: r.agency_name as string,
  until: r.until as string,
  reason: r.reason as string,
  grantedBy: (r.granted_by_name as string | null) ?? null,
  grantedAt: r.granted_at as Date,
  revokedBy: (r.revoked_by_name as string | null) ?? null,
  revokedAt: (r.revoked_at as Date | null) ?? null,
});

const exceptionsQuery = (db: Knex) =>
  db('entry_exceptions as x')
    .join('agencies as a', 'a.id', 'x.agency_id')
    .leftJoin('users as g', 'g.id', 'x.granted_by')
    .leftJoin('users as r', 'r.id', 'x.revoked_by')
    .select('x.*', 'a.name as agency_name', 'g.full_name as granted_by_name', 'r.full_name as revoked_by_name');

export async function exceptionsOf(db: Knex, periodId: number): Promise<EntryExceptionRow[]> {
  const rows = await exceptionsQuery(db).where('x.period_id', periodId).orderBy('x.id', 'desc');
  return rows.map(toException);
}

export async function getException(db: Knex, id: number): Promise<EntryExceptionRow | undefined> {
  const r = await exceptionsQuery(db).where('x.id', id).first();
  return r && toException(r);
}

/** The exception that keeps entry open for the agency on the day, if any (the one lasting longest). */
export async function activeException(
  db: Knex,
  periodId: number,
  agencyId: number,
  today: string,
): Promise<EntryExceptionRow | undefined> {
  const r = await exceptionsQuery(db)
    .where({ 'x.period_id': periodId, 'x.agency_id': agencyId })
    .whereNull('x.revoked_at')
    .andWhere('x.until', '>=', today)
    .orderBy('x.until', 'desc')
    .first();
  return r && toException(r);
}

export async function insertException(
  db: Knex,
  e: { periodId: number; agencyId: number; until: string; reason: string; grantedBy: number },
): Promise<number> {
  const [row] = await db('entry_exceptions')
    .insert({ period_id: e.periodId, agency_id: e.agencyId, until: e.until, reason: e.reason, granted_by: e.grantedBy })
    .returning('id');
  return (row as { id: number }).id;
}

export async function revokeException(db: Knex, id: number, userId: number): Promise<number> {
  return db('entry_exceptions').where({ id }).whereNull('revoked_at').update({ revoked_at: db.fn.now(), revoked_by: userId });
}
