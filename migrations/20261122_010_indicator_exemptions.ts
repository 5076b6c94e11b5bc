// Per-agency applicability (DESIGN.md §3): the Department may decide that an indicator — or a whole index node —
// does not apply to one agency (Hà Nội 2025 scored the 34th indicator only for the 8 departments with digital-
// economy tasks). Keyed by the period, which is tied to one framework version: a decision is taken for an
// assessment and never reaches another period's results; a run reads them as inputs and hashes them, so a change
// makes a new run and never alters a published one.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('indicator_exemptions', (t) => {
    t.integer('period_id').notNullable().references('id').inTable('periods').onDelete('CASCADE');
    t.integer('agency_id').notNullable().references('id').inTable('agencies').onDelete('RESTRICT');
    t.text('node_code').notNullable();
    t.text('reason').notNullable();
    t.integer('decided_by').references('id').inTable('users').onDelete('RESTRICT');
    t.timestamp('decided_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['period_id', 'agency_id', 'node_code']);
  });
  await knex.raw(`ALTER TABLE indicator_exemptions ADD CONSTRAINT indicator_exemptions_reason_check CHECK (length(btrim(reason)) > 0)`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('indicator_exemptions');
}
