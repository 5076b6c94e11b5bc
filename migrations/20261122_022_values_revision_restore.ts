// A restore copies submissions with their values_rev, then their values: the trigger of migration 021 would move
// every restored submission's counter once more, so the restored database would differ from its source. The restore
// marks its transaction (`dti.restoring`, backup.repository.ts) and the trigger leaves the counters alone then.
import type { Knex } from 'knex';

const BODY = (guarded: boolean): string => `
    CREATE OR REPLACE FUNCTION bump_submission_values_rev() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      ${guarded ? "IF current_setting('dti.restoring', true) = 'on' THEN RETURN NULL; END IF;" : ''}
      IF TG_OP = 'DELETE' THEN
        UPDATE submissions s SET values_rev = s.values_rev + 1
         WHERE s.id IN (SELECT DISTINCT submission_id FROM changed_old);
      ELSE
        UPDATE submissions s SET values_rev = s.values_rev + 1
         WHERE s.id IN (SELECT DISTINCT submission_id FROM changed_new);
      END IF;
      RETURN NULL;
    END $$`;

export async function up(knex: Knex): Promise<void> {
  await knex.raw(BODY(true));
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(BODY(false));
}
