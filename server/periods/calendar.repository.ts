import type { Knex } from 'knex';
import type { CalendarDay, CalendarDayKind } from './working-days.js';

export interface CalendarDayRow extends CalendarDay {
  createdBy: string | null;
}

export async function calendarDays(db: Knex, from: string, to: string): Promise<CalendarDayRow[]> {
  const rows = await db('calendar_days as c')
    .leftJoin('users as u', 'u.id', 'c.created_by')
    .whereBetween('c.day', [from, to])
    .orderBy('c.day')
    .select('c.day', 'c.kind', 'c.name', 'u.full_name as created_by_name');
  return rows.map((r) => ({ day: r.day, kind: r.kind as CalendarDayKind, name: r.name, createdBy: r.created_by_name ?? null }));
}

export async function getCalendarDay(db: Knex, day: string): Promise<CalendarDayRow | undefined> {
  return (await calendarDays(db, day, day))[0];
}

export async function insertCalendarDay(db: Knex, d: CalendarDay, userId: number): Promise<boolean> {
  const rows = await db('calendar_days')
    .insert({ day: d.day, kind: d.kind, name: d.name, created_by: userId })
    .onConflict('day')
    .ignore()
    .returning('day');
  return rows.length === 1;
}

export async function deleteCalendarDay(db: Knex, day: string): Promise<number> {
  return db('calendar_days').where({ day }).delete();
}

/** Years that have at least one entry, newest first, for the admin screen's year picker. */
export async function calendarYears(db: Knex): Promise<number[]> {
  const rows = await db('calendar_days').distinct(db.raw('EXTRACT(YEAR FROM day)::int AS year')).orderBy('year', 'desc');
  return rows.map((r: { year: number }) => Number(r.year));
}
