// Report numbers and the report archive. A provincial report's "Số: NN/BC-…" is given once per publication and
// numbering restarts each calendar year (NĐ 30/2020/NĐ-CP, Phụ lục I), so the number is stored, not recomputed:
// regenerating the report of a publication keeps its number. Every generated file is archived with its SHA-256.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('report_numbers', (t) => {
    t.integer('year').notNullable();
    t.integer('seq').notNullable();
    t.integer('publication_id').notNullable().unique().references('id').inTable('publications').onDelete('RESTRICT');
    t.timestamp('assigned_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['year', 'seq']);
  });
  await knex.raw('ALTER TABLE report_numbers ADD CONSTRAINT report_numbers_seq_check CHECK (seq > 0)');

  await knex.schema.createTable('report_archive', (t) => {
    t.increments('id');
    t.integer('period_id').notNullable().references('id').inTable('periods').onDelete('RESTRICT');
    t.integer('run_id').notNullable().references('id').inTable('runs').onDelete('RESTRICT');
    t.integer('publication_id').references('id').inTable('publications').onDelete('RESTRICT');
    t.text('kind').notNullable();
    t.integer('agency_id').references('id').inTable('agencies').onDelete('RESTRICT');
    t.text('stage').notNullable();
    t.text('format').notNullable();
    t.text('file_name').notNullable();
    t.text('path').notNullable().unique();
    t.specificType('sha256', 'char(64)').notNullable();
    t.integer('bytes').notNullable();
    t.text('trigger').notNullable();
    t.integer('created_by').references('id').inTable('users').onDelete('RESTRICT');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['period_id', 'kind', 'stage']);
  });

  // Work the scheduled report job has taken on ('draft:<period>', 'final:<publication>'). Claimed under an advisory
  // lock in a short transaction, so across app instances each draft and final is generated once; a claim left
  // unfinished by a crashed instance may be taken again after a while.
  await knex.schema.createTable('report_job_claims', (t) => {
    t.text('key').primary();
    t.timestamp('claimed_at', { useTz: true }).notNullable();
    t.timestamp('finished_at', { useTz: true });
  });
  await knex.raw(`
    ALTER TABLE report_archive
      ADD CONSTRAINT report_archive_kind_check CHECK (kind IN ('province', 'scorecard')),
      ADD CONSTRAINT report_archive_stage_check CHECK (stage IN ('draft', 'final')),
      ADD CONSTRAINT report_archive_format_check CHECK (format IN ('xlsx', 'html')),
      ADD CONSTRAINT report_archive_trigger_check CHECK (trigger IN ('schedule', 'manual', 'cli')),
      ADD CONSTRAINT report_archive_agency_check CHECK ((kind = 'scorecard') = (agency_id IS NOT NULL)),
      ADD CONSTRAINT report_archive_final_check CHECK (stage = 'draft' OR publication_id IS NOT NULL)`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('report_job_claims');
  await knex.schema.dropTable('report_archive');
  await knex.schema.dropTable('report_numbers');
}
