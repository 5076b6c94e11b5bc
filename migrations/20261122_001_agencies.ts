// Agencies (đơn vị) form a tree and are ranked in ranking groups (khối). Mergers keep history: an agency that
// ceases gets valid_to and a successor, never a delete (reorganisation of 2025, see the methodology reference).
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('ranking_groups', (t) => {
    t.increments('id');
    t.text('code').notNullable().unique();
    t.text('name').notNullable();
    t.boolean('ranked').notNullable().defaultTo(true).comment('false: assessed, not ranked');
    t.integer('sort_order').notNullable().defaultTo(0);
  });
  await knex.schema.createTable('agencies', (t) => {
    t.increments('id');
    t.text('code').notNullable().unique();
    t.text('name').notNullable();
    t.text('kind').notNullable();
    t.integer('parent_id').references('id').inTable('agencies').onDelete('RESTRICT');
    t.integer('ranking_group_id').references('id').inTable('ranking_groups').onDelete('RESTRICT');
    t.date('valid_from').notNullable().defaultTo('2000-01-01');
    t.date('valid_to');
    t.integer('successor_id').references('id').inTable('agencies').onDelete('SET NULL');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['parent_id']);
    t.index(['ranking_group_id']);
  });
  await knex.raw(`
    ALTER TABLE agencies
      ADD CONSTRAINT agencies_kind_check CHECK (kind IN ('province', 'department', 'district', 'commune', 'ward', 'other')),
      ADD CONSTRAINT agencies_validity_check CHECK (valid_to IS NULL OR valid_to >= valid_from),
      ADD CONSTRAINT agencies_not_own_parent CHECK (parent_id IS DISTINCT FROM id)`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('agencies');
  await knex.schema.dropTable('ranking_groups');
}
