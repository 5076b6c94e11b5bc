// Reminders sent to agencies that have not submitted, one row per agency, period, kind and scheduled day: the
// unique key makes the job idempotent, so a second run (or a second app instance) never sends one twice.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('reminders_sent', (t) => {
    t.increments('id');
    t.integer('period_id').notNullable().references('id').inTable('periods').onDelete('CASCADE');
    t.integer('agency_id').notNullable().references('id').inTable('agencies').onDelete('CASCADE');
    t.text('kind').notNullable();
    t.date('day').notNullable().comment('the day the reminder was scheduled for');
    t.integer('recipients').notNullable();
    t.timestamp('sent_at', { useTz: true }).notNullable();
    t.unique(['period_id', 'agency_id', 'kind', 'day']);
  });
  await knex.raw(`
    ALTER TABLE reminders_sent ADD CONSTRAINT reminders_sent_kind_check CHECK (kind IN ('before_due', 'overdue'))`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('reminders_sent');
}
