// The admin's "regenerate" of a period's reports, done in the background: each request is recorded here and moves
// queued → running → done | failed (with the Vietnamese reason). Kept in the database so a restart loses none: a
// request left running by a process that died (no heartbeat for a while) is taken up again or failed. At most one
// request per period is queued or running at a time (the partial unique index), so a second one is refused.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('report_requests', (t) => {
    t.increments('id');
    t.integer('period_id').notNullable().references('id').inTable('periods').onDelete('RESTRICT');
    t.integer('requested_by').notNullable().references('id').inTable('users').onDelete('RESTRICT');
    t.timestamp('requested_at', { useTz: true }).notNullable();
    t.text('status').notNullable();
    t.integer('attempts').notNullable().defaultTo(0);
    t.timestamp('started_at', { useTz: true });
    // Database time, renewed while the request runs; a stale one means the process working on it died.
    t.timestamp('heartbeat_at', { useTz: true });
    t.timestamp('finished_at', { useTz: true });
    t.integer('files');
    t.text('error');
    t.index(['period_id', 'id']);
  });
  await knex.raw(`
    ALTER TABLE report_requests
      ADD CONSTRAINT report_requests_status_check CHECK (status IN ('queued', 'running', 'done', 'failed')),
      ADD CONSTRAINT report_requests_error_check CHECK ((status = 'failed') = (error IS NOT NULL))`);
  await knex.raw(
    `CREATE UNIQUE INDEX report_requests_one_active ON report_requests (period_id) WHERE status IN ('queued', 'running')`,
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('report_requests');
}
