// Returns carry structured reasons: one return (lần trả lại) with an overall note and a reason per indicator, so the
// agency sees beside each value what the Department asked to fix. Earlier returns stay for the history.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('submission_returns', (t) => {
    t.increments('id');
    t.integer('submission_id').notNullable().references('id').inTable('submissions').onDelete('CASCADE');
    t.text('reason').notNullable();
    t.integer('returned_by').references('id').inTable('users').onDelete('RESTRICT');
    t.timestamp('returned_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['submission_id']);
  });
  await knex.schema.createTable('submission_return_items', (t) => {
    t.increments('id');
    t.integer('return_id').notNullable().references('id').inTable('submission_returns').onDelete('CASCADE');
    t.integer('node_id').notNullable().references('id').inTable('framework_nodes').onDelete('RESTRICT');
    t.text('reason').notNullable();
    t.unique(['return_id', 'node_id']);
  });
  await knex.raw(`ALTER TABLE submission_return_items ADD CONSTRAINT submission_return_items_reason_check CHECK (length(btrim(reason)) > 0)`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('submission_return_items');
  await knex.schema.dropTable('submission_returns');
}
