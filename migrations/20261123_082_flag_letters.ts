// How each stored figure's value came about (reported, adjusted, missing, carried, excluded, not applicable) is kept
// as one letter per figure in a text — 'r', 'a', 'm', 'c', 'x', 'n', and '-' for a figure that is not an indicator
// (result-rows.ts, FLAG_LETTERS) — instead of a text[] of words: the words were a third of every row a run writes. The
// letters are read back into words by one function, score_flag, which the view and the rankings use.
import type { Knex } from 'knex';

/** The view, its flags unnested from `flags` (an array expression) and shown as `flag` (an expression of u.flag). */
const RUN_NODE_SCORES = (flags: string, flag: string): string => `
    CREATE VIEW run_node_scores AS
    SELECT r.id AS run_id, s.agency_id, u.code AS node_code, u.kind AS node_kind,
           u.points::numeric(14, 4) AS points, u.max::numeric(14, 4) AS max_points,
           CASE WHEN u.max > 0 THEN u.points / u.max END AS value,
           u.measure, ${flag} AS flag,
           CASE WHEN s.ranked AND u.key IS NOT NULL
                THEN rank() OVER (PARTITION BY r.id, s.ranking_group_id, s.ranked, u.ord, u.key IS NULL
                                  ORDER BY u.key DESC)::int END AS rank
      FROM runs r
      JOIN agency_scores s ON s.period_id = r.period_id AND s.from_run <= r.id AND (s.to_run IS NULL OR s.to_run > r.id)
      JOIN score_maxima x ON x.id = s.maxima_id
      JOIN score_layouts l ON l.id = x.layout_id
      CROSS JOIN LATERAL unnest(l.codes, l.kinds, s.points, x.max, s.measures, ${flags}, s.keys)
        WITH ORDINALITY AS u(code, kind, points, max, measure, flag, key, ord)`;

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE FUNCTION score_flag(letter text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
      SELECT CASE letter WHEN 'r' THEN 'reported' WHEN 'a' THEN 'adjusted' WHEN 'm' THEN 'missing'
                         WHEN 'c' THEN 'carried' WHEN 'x' THEN 'excluded' WHEN 'n' THEN 'not_applicable' END
    $$`);
  await knex.raw('ALTER TABLE agency_scores ADD COLUMN flag_letters text');
  await knex.raw(`
    UPDATE agency_scores SET flag_letters = coalesce((
      SELECT string_agg(CASE f WHEN 'reported' THEN 'r' WHEN 'adjusted' THEN 'a' WHEN 'missing' THEN 'm'
                               WHEN 'carried' THEN 'c' WHEN 'excluded' THEN 'x' WHEN 'not_applicable' THEN 'n'
                               ELSE '-' END, '' ORDER BY o)
        FROM unnest(flags) WITH ORDINALITY AS u(f, o)), '')`);
  await knex.raw('DROP VIEW run_node_scores');
  await knex.raw('ALTER TABLE agency_scores DROP COLUMN flags');
  await knex.raw('ALTER TABLE agency_scores RENAME COLUMN flag_letters TO flags');
  await knex.raw('ALTER TABLE agency_scores ALTER COLUMN flags SET NOT NULL');
  await knex.raw(RUN_NODE_SCORES('string_to_array(s.flags, NULL)', 'score_flag(u.flag)'));
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE agency_scores ADD COLUMN flag_words text[]');
  await knex.raw(`
    UPDATE agency_scores SET flag_words = coalesce((
      SELECT array_agg(score_flag(f) ORDER BY o) FROM unnest(string_to_array(flags, NULL)) WITH ORDINALITY AS u(f, o)), '{}')`);
  await knex.raw('DROP VIEW run_node_scores');
  await knex.raw('ALTER TABLE agency_scores DROP COLUMN flags');
  await knex.raw('ALTER TABLE agency_scores RENAME COLUMN flag_words TO flags');
  await knex.raw('ALTER TABLE agency_scores ALTER COLUMN flags SET NOT NULL, ALTER COLUMN flags SET STORAGE EXTERNAL');
  await knex.raw(RUN_NODE_SCORES('s.flags', 'u.flag'));
  await knex.raw('DROP FUNCTION score_flag(text)');
}
