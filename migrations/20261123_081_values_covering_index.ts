// A run reads every counted value of a period in agency order (submissions.repository, countedValueColumnsQuery):
// a lookup of each submission's values by (submission_id, node_id). The unique index that already serves that
// lookup also carries the values (INCLUDE), so the read comes from the index alone wherever the table's pages are
// all-visible — as a period's approved reports are, which sit still once appraised and are soon vacuumed — instead
// of visiting the table for each of a province's million values (less than half the time, measured). Uniqueness and
// the ON CONFLICT (submission_id, node_id) upserts are unchanged: included columns are not part of the key.
import type { Knex } from 'knex';

const NAME = 'submission_values_submission_id_node_id_unique';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE submission_values
      DROP CONSTRAINT ${NAME},
      ADD CONSTRAINT ${NAME} UNIQUE (submission_id, node_id)
        INCLUDE (self_value, self_denominator, self_option, appraised_value, appraised_denominator, appraised_option)`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`ALTER TABLE submission_values DROP CONSTRAINT ${NAME}, ADD CONSTRAINT ${NAME} UNIQUE (submission_id, node_id)`);
}
