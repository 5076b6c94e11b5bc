// Frameworks are versioned: (code, version) is imported once and never edited, so results computed on a version
// stay explainable. framework_nodes mirrors the definition's tree so values can reference indicators by key.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('frameworks', (t) => {
    t.increments('id');
    t.text('code').notNullable();
    t.integer('version').notNullable();
    t.text('name').notNullable();
    t.jsonb('definition').notNullable();
    t.text('source_hash').notNullable();
    t.timestamp('imported_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['code', 'version']);
  });
  await knex.schema.createTable('framework_ranking_groups', (t) => {
    t.integer('framework_id').notNullable().references('id').inTable('frameworks').onDelete('CASCADE');
    t.integer('ranking_group_id').notNullable().references('id').inTable('ranking_groups').onDelete('RESTRICT');
    t.primary(['framework_id', 'ranking_group_id']);
  });
  await knex.schema.createTable('framework_nodes', (t) => {
    t.increments('id');
    t.integer('framework_id').notNullable().references('id').inTable('frameworks').onDelete('CASCADE');
    t.text('code').notNullable();
    t.text('parent_code');
    t.text('name').notNullable();
    t.text('kind').notNullable();
    t.decimal('max_points', 12, 4).notNullable();
    t.integer('position').notNullable();
    t.text('input_kind');
    t.unique(['framework_id', 'code']);
  });
  await knex.raw(`
    ALTER TABLE framework_nodes
      ADD CONSTRAINT framework_nodes_kind_check CHECK (kind IN ('index', 'indicator')),
      ADD CONSTRAINT framework_nodes_input_check CHECK ((kind = 'indicator') = (input_kind IS NOT NULL)),
      ADD CONSTRAINT framework_nodes_max_check CHECK (max_points >= 0)`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('framework_nodes');
  await knex.schema.dropTable('framework_ranking_groups');
  await knex.schema.dropTable('frameworks');
}
