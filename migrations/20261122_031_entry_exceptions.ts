// Lock exceptions: after a period's entry closes, the Department may reopen entry for one agency until a date,
// with a reason. Rows are kept when revoked (revoked_at), so the history of who was let in stays visible.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('entry_exceptions', (t) => {
    t.increments('id');
    t.integer('period_id').notNullable().references('id').inTable('periods').onDelete('RESTRICT');
    t.integer('agency_id').notNullable().references('id').inTable('agencies').onDelete('RESTRICT');
    t.date('until').notNullable();
    t.text('reason').notNullable();
    t.integer('granted_by').references('id').inTable('users').onDelete('RESTRICT');
    t.timestamp('granted_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.integer('revoked_by').references('id').inTable('users').onDelete('RESTRICT');
    t.timestamp('revoked_at', { useTz: true });
    t.index(['period_id', 'agency_id']);
  });
  await knex.raw(`ALTER TABLE entry_exceptions ADD CONSTRAINT entry_exceptions_reason_check CHECK (length(btrim(reason)) > 0)`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('entry_exceptions');
}
