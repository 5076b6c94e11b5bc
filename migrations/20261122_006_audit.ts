// The audit trail: append-only and hash-chained (each row's hash covers the previous row's), so an edited or
// deleted row breaks the chain. Updates and deletes are refused by a trigger.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('audit_events', (t) => {
    t.bigIncrements('id');
    t.timestamp('at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.integer('actor_id').references('id').inTable('users').onDelete('RESTRICT');
    t.text('actor_name').notNullable();
    t.text('action').notNullable();
    t.text('entity').notNullable();
    t.text('entity_id').notNullable();
    t.integer('agency_id').references('id').inTable('agencies').onDelete('RESTRICT');
    t.integer('submission_id').references('id').inTable('submissions').onDelete('RESTRICT');
    t.jsonb('before');
    t.jsonb('after');
    t.text('reason');
    t.text('prev_hash').notNullable();
    t.text('hash').notNullable().unique();
    t.index(['submission_id']);
    t.index(['agency_id']);
  });
  await knex.raw(`
    CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'audit_events is append-only';
    END $$`);
  await knex.raw(`
    CREATE TRIGGER audit_events_no_update BEFORE UPDATE OR DELETE ON audit_events
      FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('audit_events');
  await knex.raw('DROP FUNCTION IF EXISTS audit_events_append_only()');
}
