// An agency's maximum points per figure are shared by every agency with the same ones (docs/adr/0007, decision 7).
// They follow from the framework, the figures that apply to the agency and the values it left out of the max, so
// across a province there are a handful of distinct vectors, not one per agency: they are stored once each in
// score_maxima, and a row of agency_scores names its vector instead of carrying it (it was a third of every row a run
// writes). The layout comes with the vector, and a row's run and period are checked together against runs.
import type { Knex } from 'knex';

/** md5 of the layout id and the figures in their binary form: what the runtime keys a vector by (runs.repository). */
const KEY = (layout: string, figures: string): string =>
  `md5(int4send(${layout}) || coalesce((SELECT string_agg(float8send(f), ''::bytea ORDER BY o)
                                           FROM unnest(${figures}) WITH ORDINALITY AS m(f, o)), ''::bytea))`;

const RUN_NODE_SCORES = (maxima: string): string => `
    CREATE VIEW run_node_scores AS
    SELECT r.id AS run_id, s.agency_id, u.code AS node_code, u.kind AS node_kind,
           u.points::numeric(14, 4) AS points, u.max::numeric(14, 4) AS max_points,
           CASE WHEN u.max > 0 THEN u.points / u.max END AS value,
           u.measure, u.flag,
           CASE WHEN s.ranked AND u.key IS NOT NULL
                THEN rank() OVER (PARTITION BY r.id, s.ranking_group_id, s.ranked, u.ord, u.key IS NULL
                                  ORDER BY u.key DESC)::int END AS rank
      FROM runs r
      JOIN agency_scores s ON s.period_id = r.period_id AND s.from_run <= r.id AND (s.to_run IS NULL OR s.to_run > r.id)
      ${maxima}
      CROSS JOIN LATERAL unnest(l.codes, l.kinds, s.points, x.max, s.measures, s.flags, s.keys)
        WITH ORDINALITY AS u(code, kind, points, max, measure, flag, key, ord)`;

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('score_maxima', (t) => {
    t.increments('id');
    t.integer('layout_id').notNullable().references('id').inTable('score_layouts').onDelete('RESTRICT');
    t.text('key').notNullable().unique();
    // In the layout's order, ranked figures first.
    t.specificType('max', 'float8[]').notNullable();
  });
  await knex.raw(`
    INSERT INTO score_maxima (layout_id, key, max)
    SELECT DISTINCT ON (key) layout_id, key, max_points
      FROM (SELECT layout_id, max_points, ${KEY('layout_id', 'max_points')} AS key FROM agency_scores) s
     ORDER BY key`);
  await knex.raw('ALTER TABLE agency_scores ADD COLUMN maxima_id integer');
  await knex.raw(`
    UPDATE agency_scores s SET maxima_id = x.id
      FROM score_maxima x WHERE x.key = ${KEY('s.layout_id', 's.max_points')}`);
  await knex.raw('ALTER TABLE agency_scores ALTER COLUMN maxima_id SET NOT NULL');
  await knex.raw(`ALTER TABLE agency_scores ADD CONSTRAINT agency_scores_maxima_id_foreign
                    FOREIGN KEY (maxima_id) REFERENCES score_maxima (id) ON DELETE RESTRICT`);

  await knex.raw('DROP VIEW run_node_scores');
  await knex.raw('ALTER TABLE agency_scores DROP COLUMN max_points, DROP COLUMN head_max, DROP COLUMN layout_id');
  await knex.raw(RUN_NODE_SCORES('JOIN score_maxima x ON x.id = s.maxima_id JOIN score_layouts l ON l.id = x.layout_id'));

  // A row's run is a run of its period: one check of both instead of one each (every row a run writes pays them).
  await knex.raw('ALTER TABLE runs ADD CONSTRAINT runs_id_period_unique UNIQUE (id, period_id)');
  await knex.raw(`
    ALTER TABLE agency_scores
      DROP CONSTRAINT agency_scores_period_id_foreign,
      DROP CONSTRAINT agency_scores_from_run_foreign,
      DROP CONSTRAINT agency_scores_to_run_foreign,
      ADD CONSTRAINT agency_scores_from_run_foreign FOREIGN KEY (from_run, period_id) REFERENCES runs (id, period_id) ON DELETE CASCADE,
      ADD CONSTRAINT agency_scores_to_run_foreign FOREIGN KEY (to_run, period_id) REFERENCES runs (id, period_id) ON DELETE RESTRICT`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE agency_scores
      DROP CONSTRAINT agency_scores_from_run_foreign,
      DROP CONSTRAINT agency_scores_to_run_foreign,
      ADD CONSTRAINT agency_scores_period_id_foreign FOREIGN KEY (period_id) REFERENCES periods (id) ON DELETE RESTRICT,
      ADD CONSTRAINT agency_scores_from_run_foreign FOREIGN KEY (from_run) REFERENCES runs (id) ON DELETE CASCADE,
      ADD CONSTRAINT agency_scores_to_run_foreign FOREIGN KEY (to_run) REFERENCES runs (id) ON DELETE RESTRICT`);
  await knex.raw('ALTER TABLE runs DROP CONSTRAINT runs_id_period_unique');

  await knex.raw('DROP VIEW run_node_scores');
  await knex.raw(`ALTER TABLE agency_scores ADD COLUMN layout_id integer, ADD COLUMN max_points float8[], ADD COLUMN head_max float8[]`);
  await knex.raw(`
    UPDATE agency_scores s SET layout_id = x.layout_id, max_points = x.max, head_max = coalesce(x.max[1:l.ranked], '{}')
      FROM score_maxima x JOIN score_layouts l ON l.id = x.layout_id WHERE x.id = s.maxima_id`);
  await knex.raw(`ALTER TABLE agency_scores ALTER COLUMN layout_id SET NOT NULL, ALTER COLUMN max_points SET NOT NULL,
                    ALTER COLUMN head_max SET NOT NULL, ALTER COLUMN max_points SET STORAGE EXTERNAL`);
  await knex.raw(`ALTER TABLE agency_scores ADD CONSTRAINT agency_scores_layout_id_foreign
                    FOREIGN KEY (layout_id) REFERENCES score_layouts (id) ON DELETE RESTRICT`);
  await knex.raw('ALTER TABLE agency_scores DROP COLUMN maxima_id');
  await knex.raw(RUN_NODE_SCORES('JOIN score_layouts l ON l.id = s.layout_id CROSS JOIN LATERAL (SELECT s.max_points AS max) x'));
  await knex.schema.dropTable('score_maxima');
}
