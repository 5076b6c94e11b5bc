// Who saved a submission last (told to a second editor whose save is refused as stale), when it first reached the
// Department (timeliness counts the first submission, not a resubmission after a return), and who has the form
// open right now (a heartbeat, so a second editor is warned before typing).
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('submissions', (t) => {
    t.integer('updated_by').references('id').inTable('users').onDelete('RESTRICT');
    t.timestamp('first_submitted_at', { useTz: true });
  });
  await knex.raw('UPDATE submissions SET first_submitted_at = submitted_at WHERE submitted_at IS NOT NULL');
  await knex.schema.createTable('submission_presence', (t) => {
    t.integer('submission_id').notNullable().references('id').inTable('submissions').onDelete('CASCADE');
    t.integer('user_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.timestamp('seen_at', { useTz: true }).notNullable();
    t.primary(['submission_id', 'user_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('submission_presence');
  await knex.schema.alterTable('submissions', (t) => {
    t.dropColumn('first_submitted_at');
    t.dropColumn('updated_by');
  });
}
