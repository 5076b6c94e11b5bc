// In-app notifications and the mail outbox. A message is recorded in the same transaction as the event that caused
// it (a return, an appeal decision, a reminder), so it exists exactly when the event does; a worker sends the
// outbox with retries. Every mail also appears in the recipient's in-app notifications.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('notifications', (t) => {
    t.bigIncrements('id');
    t.integer('user_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.text('kind').notNullable();
    t.text('subject').notNullable();
    t.text('body').notNullable();
    t.text('link');
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('read_at', { useTz: true });
    t.index(['user_id', 'read_at']);
  });
  await knex.raw(`
    ALTER TABLE notifications ADD CONSTRAINT notifications_link_local CHECK (link IS NULL OR link LIKE '/%')`);

  await knex.schema.createTable('mail_outbox', (t) => {
    t.bigIncrements('id');
    t.bigInteger('notification_id').references('id').inTable('notifications').onDelete('SET NULL');
    t.integer('user_id').references('id').inTable('users').onDelete('SET NULL');
    t.text('to_address').notNullable();
    t.text('subject').notNullable();
    t.text('body').notNullable();
    t.text('state').notNullable().defaultTo('pending');
    t.integer('attempts').notNullable().defaultTo(0);
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('next_attempt_at', { useTz: true }).notNullable();
    t.timestamp('sent_at', { useTz: true });
    t.text('last_error');
  });
  await knex.raw(`
    ALTER TABLE mail_outbox
      ADD CONSTRAINT mail_outbox_state_check CHECK (state IN ('pending', 'sent', 'failed', 'skipped')),
      ADD CONSTRAINT mail_outbox_sent_check CHECK ((state = 'sent') = (sent_at IS NOT NULL))`);
  await knex.raw(`CREATE INDEX mail_outbox_due ON mail_outbox (next_attempt_at) WHERE state = 'pending'`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('mail_outbox');
  await knex.schema.dropTable('notifications');
}
