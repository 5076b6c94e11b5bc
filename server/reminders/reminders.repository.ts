import type { Knex } from 'knex';
import type { ReminderKind } from './reminder-plan.js';

// Namespace of the reminder job's advisory lock (pg_try_advisory_xact_lock(namespace, 0)).
const REMINDER_LOCK_NAMESPACE = 7_240_050;

/** Takes the reminder job's lock for the rest of the transaction; false when another instance is running it. */
export async function tryLockJob(trx: Knex.Transaction): Promise<boolean> {
  const r = await trx.raw('SELECT pg_try_advisory_xact_lock(?, 0) AS ok', [REMINDER_LOCK_NAMESPACE]);
  return r.rows[0]?.ok === true;
}

/** Records a reminder once; false when the same agency, period, kind and day was already recorded. */
export async function claim(
  trx: Knex.Transaction,
  r: { periodId: number; agencyId: number; kind: ReminderKind; day: string; recipients: number; at: Date },
): Promise<boolean> {
  const rows = await trx('reminders_sent')
    .insert({ period_id: r.periodId, agency_id: r.agencyId, kind: r.kind, day: r.day, recipients: r.recipients, sent_at: r.at })
    .onConflict(['period_id', 'agency_id', 'kind', 'day'])
    .ignore()
    .returning('id');
  return rows.length === 1;
}
