// A submission is one agency's self-report for one period. Self-assessed and appraised values sit side by side
// (Điểm tự đánh giá | Điểm thẩm định); an appraisal always carries its reason. `version` detects concurrent edits.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('submissions', (t) => {
    t.increments('id');
    t.integer('agency_id').notNullable().references('id').inTable('agencies').onDelete('RESTRICT');
    t.integer('period_id').notNullable().references('id').inTable('periods').onDelete('RESTRICT');
    t.text('state').notNullable().defaultTo('draft');
    t.integer('version').notNullable().defaultTo(1);
    t.timestamp('submitted_at', { useTz: true });
    t.integer('submitted_by').references('id').inTable('users').onDelete('RESTRICT');
    t.timestamp('reviewed_at', { useTz: true });
    t.integer('reviewed_by').references('id').inTable('users').onDelete('RESTRICT');
    t.text('return_reason');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['agency_id', 'period_id']);
    t.index(['period_id', 'state']);
  });
  await knex.raw(`
    ALTER TABLE submissions
      ADD CONSTRAINT submissions_state_check
        CHECK (state IN ('draft', 'submitted', 'returned', 'approved', 'published')),
      ADD CONSTRAINT submissions_returned_reason_check CHECK (state <> 'returned' OR return_reason IS NOT NULL)`);

  await knex.schema.createTable('submission_values', (t) => {
    t.increments('id');
    t.integer('submission_id').notNullable().references('id').inTable('submissions').onDelete('CASCADE');
    t.integer('node_id').notNullable().references('id').inTable('framework_nodes').onDelete('RESTRICT');
    t.decimal('self_value', 20, 6);
    t.decimal('self_denominator', 20, 6);
    t.text('self_option');
    t.text('comment');
    t.decimal('appraised_value', 20, 6);
    t.decimal('appraised_denominator', 20, 6);
    t.text('appraised_option');
    t.text('appraisal_reason');
    t.integer('appraised_by').references('id').inTable('users').onDelete('RESTRICT');
    t.timestamp('appraised_at', { useTz: true });
    t.integer('updated_by').references('id').inTable('users').onDelete('RESTRICT');
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['submission_id', 'node_id']);
  });
  await knex.raw(`
    ALTER TABLE submission_values
      ADD CONSTRAINT submission_values_appraisal_reason_check CHECK (
        (appraised_value IS NULL AND appraised_denominator IS NULL AND appraised_option IS NULL)
        OR appraisal_reason IS NOT NULL),
      ADD CONSTRAINT submission_values_denominator_check CHECK (
        (self_denominator IS NULL OR self_denominator >= 0) AND (appraised_denominator IS NULL OR appraised_denominator >= 0))`);

  await knex.schema.createTable('evidence', (t) => {
    t.increments('id');
    t.integer('submission_id').notNullable().references('id').inTable('submissions').onDelete('CASCADE');
    t.integer('node_id').references('id').inTable('framework_nodes').onDelete('RESTRICT');
    t.text('doc_number').comment('số ký hiệu');
    t.date('issued_on').comment('ngày ban hành');
    t.text('summary').comment('trích yếu');
    t.text('issuer').comment('cơ quan ban hành');
    t.text('file_name');
    t.text('mime_type');
    t.integer('size_bytes');
    t.text('sha256');
    t.text('storage_key');
    t.integer('created_by').references('id').inTable('users').onDelete('RESTRICT');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['submission_id', 'node_id']);
  });
  await knex.raw(`
    ALTER TABLE evidence ADD CONSTRAINT evidence_has_reference_or_file
      CHECK (doc_number IS NOT NULL OR storage_key IS NOT NULL)`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('evidence');
  await knex.schema.dropTable('submission_values');
  await knex.schema.dropTable('submissions');
}
