// A revision counter per submission that moves whenever any of its values is written, by whatever path. The index
// job compares it (with the submission's version) to decide which agencies to re-read, so an import or an API push
// that writes values without going through the review workflow is still picked up. Statement-level triggers over
// transition tables: a bulk write of a million values touches each submission once, not once per value.
import type { Knex } from 'knex';

const EVENTS = ['INSERT', 'UPDATE', 'DELETE'] as const;

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('submissions', (t) => {
    t.bigInteger('values_rev').notNullable().defaultTo(0);
  });
  await knex.raw(`
    CREATE FUNCTION bump_submission_values_rev() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'DELETE' THEN
        UPDATE submissions s SET values_rev = s.values_rev + 1
         WHERE s.id IN (SELECT DISTINCT submission_id FROM changed_old);
      ELSE
        UPDATE submissions s SET values_rev = s.values_rev + 1
         WHERE s.id IN (SELECT DISTINCT submission_id FROM changed_new);
      END IF;
      RETURN NULL;
    END $$`);
  for (const event of EVENTS) {
    const referencing = event === 'DELETE' ? 'OLD TABLE AS changed_old' : 'NEW TABLE AS changed_new';
    await knex.raw(`
      CREATE TRIGGER submission_values_rev_${event.toLowerCase()}
        AFTER ${event} ON submission_values REFERENCING ${referencing}
        FOR EACH STATEMENT EXECUTE FUNCTION bump_submission_values_rev()`);
  }
}

export async function down(knex: Knex): Promise<void> {
  for (const event of EVENTS) await knex.raw(`DROP TRIGGER submission_values_rev_${event.toLowerCase()} ON submission_values`);
  await knex.raw('DROP FUNCTION bump_submission_values_rev()');
  await knex.schema.alterTable('submissions', (t) => {
    t.dropColumn('values_rev');
  });
}
