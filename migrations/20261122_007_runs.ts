// Computation runs and their results. A run is written in one transaction and only a 'succeeded' run is ever
// read, so a run that dies half-way leaves the previous results as they were. A publication freezes a run.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('runs', (t) => {
    t.increments('id');
    t.integer('period_id').notNullable().references('id').inTable('periods').onDelete('RESTRICT');
    t.integer('framework_id').notNullable().references('id').inTable('frameworks').onDelete('RESTRICT');
    t.text('status').notNullable();
    t.text('trigger').notNullable();
    t.text('input_hash').notNullable();
    t.text('code_version').notNullable();
    t.integer('started_by').references('id').inTable('users').onDelete('RESTRICT');
    t.timestamp('started_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('finished_at', { useTz: true });
    t.index(['period_id', 'status']);
  });
  await knex.raw(`
    ALTER TABLE runs
      ADD CONSTRAINT runs_status_check CHECK (status IN ('succeeded', 'failed')),
      ADD CONSTRAINT runs_trigger_check CHECK (trigger IN ('schedule', 'manual', 'cli', 'seed'))`);

  await knex.schema.createTable('run_results', (t) => {
    t.integer('run_id').notNullable().references('id').inTable('runs').onDelete('CASCADE');
    t.integer('agency_id').notNullable().references('id').inTable('agencies').onDelete('RESTRICT');
    t.integer('ranking_group_id').notNullable().references('id').inTable('ranking_groups').onDelete('RESTRICT');
    t.decimal('points', 14, 4).notNullable();
    t.decimal('max_points', 14, 4).notNullable();
    t.double('value');
    t.integer('rank');
    t.primary(['run_id', 'agency_id']);
  });
  await knex.schema.createTable('run_node_scores', (t) => {
    t.integer('run_id').notNullable().references('id').inTable('runs').onDelete('CASCADE');
    t.integer('agency_id').notNullable().references('id').inTable('agencies').onDelete('RESTRICT');
    t.text('node_code').notNullable();
    t.text('node_kind').notNullable();
    t.decimal('points', 14, 4).notNullable();
    t.decimal('max_points', 14, 4).notNullable();
    t.double('value');
    t.double('measure');
    t.text('flag');
    t.integer('rank');
    t.primary(['run_id', 'agency_id', 'node_code']);
  });
  await knex.raw(`
    ALTER TABLE run_node_scores ADD CONSTRAINT run_node_scores_kind_check
      CHECK (node_kind IN ('index', 'subindex', 'indicator'))`);

  await knex.schema.createTable('publications', (t) => {
    t.increments('id');
    t.integer('run_id').notNullable().unique().references('id').inTable('runs').onDelete('RESTRICT');
    t.integer('period_id').notNullable().references('id').inTable('periods').onDelete('RESTRICT');
    t.integer('number').notNullable();
    t.integer('published_by').references('id').inTable('users').onDelete('RESTRICT');
    t.timestamp('published_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.text('note');
    t.unique(['period_id', 'number']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('publications');
  await knex.schema.dropTable('run_node_scores');
  await knex.schema.dropTable('run_results');
  await knex.schema.dropTable('runs');
}
