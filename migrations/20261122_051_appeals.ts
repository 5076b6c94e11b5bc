// Appeals (kiến nghị, phúc khảo): after a publication, an agency head asks the Department to re-examine named
// indicators, with an explanation and new evidence. The admin accepts (new appraised values with a reason per
// indicator → a new run and a new publication, whose change log is kept here) or rejects with a reason.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('appeals', (t) => {
    t.increments('id');
    t.integer('period_id').notNullable().references('id').inTable('periods').onDelete('RESTRICT');
    t.integer('agency_id').notNullable().references('id').inTable('agencies').onDelete('RESTRICT');
    t.integer('submission_id').notNullable().references('id').inTable('submissions').onDelete('RESTRICT');
    t.integer('publication_id').notNullable().references('id').inTable('publications').onDelete('RESTRICT')
      .comment('the publication appealed against');
    t.integer('run_id').notNullable().references('id').inTable('runs').onDelete('RESTRICT').comment('that publication\'s run');
    t.text('state').notNullable().defaultTo('open');
    t.text('explanation').notNullable();
    t.integer('filed_by').notNullable().references('id').inTable('users').onDelete('RESTRICT');
    t.timestamp('filed_at', { useTz: true }).notNullable();
    t.integer('decided_by').references('id').inTable('users').onDelete('RESTRICT');
    t.timestamp('decided_at', { useTz: true });
    t.text('decision_reason');
    t.integer('result_publication_id').references('id').inTable('publications').onDelete('RESTRICT')
      .comment('the new publication an accepted appeal led to');
    t.jsonb('change_log').comment('run diff between the appealed and the new publication');
    t.index(['period_id', 'state']);
    t.index(['agency_id']);
  });
  await knex.raw(`
    ALTER TABLE appeals
      ADD CONSTRAINT appeals_state_check CHECK (state IN ('open', 'accepted', 'rejected')),
      ADD CONSTRAINT appeals_decision_check CHECK (
        (state = 'open') = (decided_at IS NULL) AND (state = 'open' OR decision_reason IS NOT NULL)),
      ADD CONSTRAINT appeals_result_check CHECK (result_publication_id IS NULL OR state = 'accepted')`);
  // One appeal under consideration per agency and period at a time.
  await knex.raw(`CREATE UNIQUE INDEX appeals_one_open ON appeals (period_id, agency_id) WHERE state = 'open'`);

  await knex.schema.createTable('appeal_items', (t) => {
    t.increments('id');
    t.integer('appeal_id').notNullable().references('id').inTable('appeals').onDelete('CASCADE');
    t.integer('node_id').notNullable().references('id').inTable('framework_nodes').onDelete('RESTRICT');
    t.text('explanation').notNullable();
    t.decimal('points_before', 14, 4).comment('points of the indicator in the appealed publication');
    t.text('outcome').comment('changed | unchanged, once decided');
    t.jsonb('value_before');
    t.jsonb('value_after');
    t.text('decision_reason');
    t.unique(['appeal_id', 'node_id']);
  });
  await knex.raw(`
    ALTER TABLE appeal_items ADD CONSTRAINT appeal_items_outcome_check CHECK (
      outcome IS NULL OR outcome = 'unchanged' OR (outcome = 'changed' AND decision_reason IS NOT NULL))`);

  // New evidence of an appeal: document references now; the file columns are the hook for attachments, filled by
  // the file store the same way as the submission's evidence table.
  await knex.schema.createTable('appeal_evidence', (t) => {
    t.increments('id');
    t.integer('appeal_id').notNullable().references('id').inTable('appeals').onDelete('CASCADE');
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
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.index(['appeal_id']);
  });
  await knex.raw(`
    ALTER TABLE appeal_evidence ADD CONSTRAINT appeal_evidence_has_reference_or_file
      CHECK (doc_number IS NOT NULL OR storage_key IS NOT NULL)`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('appeal_evidence');
  await knex.schema.dropTable('appeal_items');
  await knex.schema.dropTable('appeals');
}
