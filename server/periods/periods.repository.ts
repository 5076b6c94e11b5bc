import type { Knex } from 'knex';
import type { PeriodKind } from '../frameworks/framework.types.js';

export interface PeriodRow {
  id: number;
  frameworkId: number;
  code: string;
  name: string;
  kind: PeriodKind;
  year: number;
  dataFrom: string;
  dataTo: string;
  opensOn: string;
  dueOn: string;
  closesOn: string;
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

export async function insertPeriod(db: Knex, p: Omit<PeriodRow, 'id'>): Promise<number> {
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
    })
    .returning('id');
  return (row as { id: number }).id;
}
