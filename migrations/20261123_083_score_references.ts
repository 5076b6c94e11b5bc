// A score row's agency, ranking group and vector of maximum points are checked once per statement instead of once
// per row (docs/adr/0007, decision 10). A foreign key checks each row on its own — a query per row and reference —
// and those three checks were a third of what writing a run cost the server (EXPLAIN ANALYZE at 10 000 agencies:
// ~18 ms of every 1 000 rows' ~60). The rows they point to are never deleted and never change their id (an agency
// ceases on a day and keeps its history; a ranking group is part of that history; a vector of maximum points is
// content-addressed), which a trigger on each of those tables now enforces; so nothing can take a referenced row away,
// and checking the references of the rows a statement wrote, all at once, when it has written them, is the same
// guarantee. The run's references (from_run, to_run) stay foreign keys: deleting a run removes its rows.
import type { Knex } from 'knex';

/** The tables score rows refer to, by their column. */
const REFERENCED = [
  { column: 'agency_id', table: 'agencies', what: 'agency' },
  { column: 'ranking_group_id', table: 'ranking_groups', what: 'ranking group' },
  { column: 'maxima_id', table: 'score_maxima', what: 'vector of maximum points' },
] as const;

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE agency_scores
      DROP CONSTRAINT agency_scores_agency_id_foreign,
      DROP CONSTRAINT agency_scores_ranking_group_id_foreign,
      DROP CONSTRAINT agency_scores_maxima_id_foreign`);

  // The rows of a statement with a reference that does not exist: one scan of them, one join per table.
  await knex.raw(`
    CREATE FUNCTION agency_scores_check_references() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
      missing text;
    BEGIN
      SELECT CASE ${REFERENCED.map((r, i) => `WHEN r${i}.id IS NULL THEN '${r.what} ' || n.${r.column}`).join(' ')} END
        INTO missing
        FROM written n
        ${REFERENCED.map((r, i) => `LEFT JOIN ${r.table} r${i} ON r${i}.id = n.${r.column}`).join('\n        ')}
       WHERE ${REFERENCED.map((_, i) => `r${i}.id IS NULL`).join(' OR ')}
       LIMIT 1;
      IF missing IS NOT NULL THEN
        RAISE EXCEPTION 'a score row refers to % that does not exist', missing USING ERRCODE = 'foreign_key_violation';
      END IF;
      RETURN NULL;
    END $$`);
  await knex.raw(`
    CREATE TRIGGER agency_scores_references AFTER INSERT ON agency_scores
      REFERENCING NEW TABLE AS written FOR EACH STATEMENT EXECUTE FUNCTION agency_scores_check_references()`);

  // A written row keeps its references (only to_run and source_key ever change).
  await knex.raw(`
    CREATE FUNCTION agency_scores_references_kept() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'a score row keeps its agency, ranking group and maximum points' USING ERRCODE = 'restrict_violation';
    END $$`);
  await knex.raw(`
    CREATE TRIGGER agency_scores_references_kept BEFORE UPDATE OF ${REFERENCED.map((r) => r.column).join(', ')} ON agency_scores
      FOR EACH ROW WHEN (${REFERENCED.map((r) => `OLD.${r.column} IS DISTINCT FROM NEW.${r.column}`).join(' OR ')})
      EXECUTE FUNCTION agency_scores_references_kept()`);

  // What score rows refer to stays: never deleted, never renumbered.
  await knex.raw(`
    CREATE FUNCTION referenced_by_scores() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'rows of % are never deleted and keep their id: run results refer to them', TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
    END $$`);
  for (const { table } of REFERENCED) {
    await knex.raw(`CREATE TRIGGER ${table}_kept BEFORE DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION referenced_by_scores()`);
    await knex.raw(`
      CREATE TRIGGER ${table}_id_kept BEFORE UPDATE OF id ON ${table}
        FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION referenced_by_scores()`);
  }
}

export async function down(knex: Knex): Promise<void> {
  for (const { table } of REFERENCED) {
    await knex.raw(`DROP TRIGGER ${table}_kept ON ${table}`);
    await knex.raw(`DROP TRIGGER ${table}_id_kept ON ${table}`);
  }
  await knex.raw('DROP FUNCTION referenced_by_scores()');
  await knex.raw('DROP TRIGGER agency_scores_references_kept ON agency_scores');
  await knex.raw('DROP FUNCTION agency_scores_references_kept()');
  await knex.raw('DROP TRIGGER agency_scores_references ON agency_scores');
  await knex.raw('DROP FUNCTION agency_scores_check_references()');
  await knex.raw(`
    ALTER TABLE agency_scores
      ADD CONSTRAINT agency_scores_agency_id_foreign FOREIGN KEY (agency_id) REFERENCES agencies (id) ON DELETE RESTRICT,
      ADD CONSTRAINT agency_scores_ranking_group_id_foreign FOREIGN KEY (ranking_group_id) REFERENCES ranking_groups (id) ON DELETE RESTRICT,
      ADD CONSTRAINT agency_scores_maxima_id_foreign FOREIGN KEY (maxima_id) REFERENCES score_maxima (id) ON DELETE RESTRICT`);
}
