// Run results stored once per agency and shared by the runs they hold for (docs/adr/0007-versioned-run-results.md).
// A row of agency_scores is valid from run `from_run` up to, not including, run `to_run` of its period, so a run
// that changes one agency writes one row instead of the whole province. Ranks are not stored: each row keeps the
// published (rounded) value of every ranked figure, as the scoring core rounds it, and a snapshot ranks on those
// keys when read, so one agency moving does not rewrite the rows of all it overtakes. Every run is still a complete
// snapshot: run_results and run_node_scores become views with the same columns as the tables they replace, and
// the rows of earlier runs are moved over with the ranks they were published with.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  // The order of the codes behind the per-agency arrays: index nodes and sub-indices first (they are ranked, and
  // agency_scores.keys follows the same order), then indicators. One row per distinct framework layout.
  await knex.schema.createTable('score_layouts', (t) => {
    t.increments('id');
    t.text('key').notNullable().unique();
    t.specificType('codes', 'text[]').notNullable();
    t.specificType('kinds', 'text[]').notNullable();
    t.integer('ranked').notNullable();
  });

  // Keys: (period, agency, from_run) serves a period's snapshots and an agency's versions; the partial unique index
  // on current rows serves each run's reads and updates.
  await knex.schema.createTable('agency_scores', (t) => {
    t.integer('period_id').notNullable().references('id').inTable('periods').onDelete('RESTRICT');
    t.integer('agency_id').notNullable().references('id').inTable('agencies').onDelete('RESTRICT');
    t.integer('ranking_group_id').notNullable().references('id').inTable('ranking_groups').onDelete('RESTRICT');
    t.integer('layout_id').notNullable().references('id').inTable('score_layouts').onDelete('RESTRICT');
    t.integer('from_run').notNullable().references('id').inTable('runs').onDelete('CASCADE');
    t.integer('to_run').references('id').inTable('runs').onDelete('RESTRICT');
    // Hash of everything the agency's scores were computed from; equal hashes give equal scores.
    t.text('input_hash').notNullable();
    // Cheap change marker of the inputs (submission ids and versions); only decides what to re-read.
    t.text('source_key').notNullable();
    t.double('total_points').notNullable();
    t.double('total_max').notNullable();
    t.specificType('points', 'float8[]').notNullable();
    t.specificType('max_points', 'float8[]').notNullable();
    t.specificType('measures', 'float8[]').notNullable();
    t.specificType('flags', 'text[]').notNullable();
    // The ranked figures' points and max again, in narrow columns: the rankings read these and the rank keys only,
    // while the indicator arrays above live out of line.
    t.specificType('head_points', 'float8[]').notNullable();
    t.specificType('head_max', 'float8[]').notNullable();
    // Whether the agency's group was ranked when the row was written (a change of the flag rescores the period).
    t.boolean('ranked').notNullable();
    // Rank keys: the published value of the total and of each ranked figure (null: not ranked). Competition ranks
    // are 1 + the number of the group's keys strictly above, computed when a snapshot is read.
    t.double('total_key');
    t.specificType('keys', 'float8[]').notNullable();
    t.primary(['period_id', 'agency_id', 'from_run']);
    t.index(['agency_id']);
  });
  // The wide arrays (~1 kB each for 100 indicators) go out of line uncompressed: no compression work when a province
  // is written, and a scan of totals and ranked figures reads only the narrow rest of each row.
  for (const column of ['points', 'max_points', 'measures', 'flags']) {
    await knex.raw('ALTER TABLE agency_scores ALTER COLUMN ?? SET STORAGE EXTERNAL', [column]);
  }
  await knex.raw('ALTER TABLE agency_scores ADD CONSTRAINT agency_scores_range_check CHECK (to_run IS NULL OR to_run > from_run)');
  await knex.raw('CREATE UNIQUE INDEX agency_scores_current_unique ON agency_scores (period_id, agency_id) WHERE to_run IS NULL');

  await moveLegacyResults(knex);
  await knex.schema.dropTable('run_node_scores');
  await knex.schema.dropTable('run_results');

  // The snapshot of every run, with the columns of the former tables, for readers that want one row per figure.
  // rank() is competition ranking ("1, 2, 2, 4") over the keys; partitions include the run, so a filter on run_id
  // is applied before ranking.
  await knex.raw(`
    CREATE VIEW run_results AS
    SELECT r.id AS run_id, s.agency_id, s.ranking_group_id,
           s.total_points::numeric(14, 4) AS points, s.total_max::numeric(14, 4) AS max_points,
           CASE WHEN s.total_max > 0 THEN s.total_points / s.total_max END AS value,
           CASE WHEN s.ranked AND s.total_key IS NOT NULL
                THEN rank() OVER (PARTITION BY r.id, s.ranking_group_id, s.ranked, s.total_key IS NULL
                                  ORDER BY s.total_key DESC)::int END AS rank
      FROM runs r
      JOIN agency_scores s ON s.period_id = r.period_id AND s.from_run <= r.id AND (s.to_run IS NULL OR s.to_run > r.id)`);
  await knex.raw(`
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
      JOIN score_layouts l ON l.id = s.layout_id
      CROSS JOIN LATERAL unnest(l.codes, l.kinds, s.points, s.max_points, s.measures, s.flags, s.keys)
        WITH ORDINALITY AS u(code, kind, points, max, measure, flag, key, ord)`);
}

/**
 * Each earlier run's rows become rows valid from that run to the next run of its period. Their rank keys are the
 * negated ranks they were published with (null where there was none), so reading them ranks them exactly as
 * before; an indicator that was ranked (a main index that is an indicator) joins the ranked head.
 */
async function moveLegacyResults(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TEMP TABLE legacy_scores ON COMMIT DROP AS
    SELECT res.run_id, res.agency_id, res.ranking_group_id, res.points::float8 AS total_points,
           res.max_points::float8 AS total_max, res.rank AS total_rank, run.period_id,
           (SELECT min(n.id) FROM runs n WHERE n.period_id = run.period_id AND n.status = 'succeeded' AND n.id > run.id) AS to_run,
           coalesce(x.codes, '{}') AS codes, coalesce(x.kinds, '{}') AS kinds, coalesce(x.ranked, 0) AS ranked,
           coalesce(x.points, '{}') AS points, coalesce(x.max_points, '{}') AS max_points,
           coalesce(x.measures, '{}') AS measures, coalesce(x.flags, '{}') AS flags, coalesce(x.ranks, '{}') AS ranks
      FROM run_results res
      JOIN runs run ON run.id = res.run_id
      LEFT JOIN (
        SELECT run_id, agency_id,
               array_agg(node_code ORDER BY k, node_code) AS codes,
               array_agg(node_kind ORDER BY k, node_code) AS kinds,
               (count(*) FILTER (WHERE k < 3))::int AS ranked,
               array_agg(points::float8 ORDER BY k, node_code) AS points,
               array_agg(max_points::float8 ORDER BY k, node_code) AS max_points,
               array_agg(measure ORDER BY k, node_code) AS measures,
               array_agg(flag ORDER BY k, node_code) AS flags,
               coalesce(array_agg(rank ORDER BY k, node_code) FILTER (WHERE k < 3), '{}') AS ranks
          FROM (SELECT *, CASE WHEN node_kind = 'index' THEN 0 WHEN node_kind = 'subindex' THEN 1
                            WHEN rank IS NOT NULL THEN 2 ELSE 3 END AS k
                  FROM run_node_scores) ns
         GROUP BY run_id, agency_id
      ) x ON x.run_id = res.run_id AND x.agency_id = res.agency_id`);
  await knex.raw(`
    INSERT INTO score_layouts (key, codes, kinds, ranked)
    SELECT DISTINCT ON (key) key, codes, kinds, ranked
      FROM (SELECT md5(array_to_string(codes, ',') || '|' || array_to_string(kinds, ',')) AS key, codes, kinds, ranked
              FROM legacy_scores) l
    ON CONFLICT (key) DO NOTHING`);
  await knex.raw(`
    INSERT INTO agency_scores (period_id, agency_id, ranking_group_id, layout_id, from_run, to_run, input_hash,
                               source_key, total_points, total_max, points, max_points, measures, flags, head_points,
                               head_max, ranked, total_key, keys)
    SELECT s.period_id, s.agency_id, s.ranking_group_id, l.id, s.run_id, s.to_run, 'legacy', 'legacy',
           s.total_points, s.total_max, s.points, s.max_points, s.measures, s.flags, s.points[1:s.ranked],
           s.max_points[1:s.ranked], true,
           -s.total_rank, coalesce((SELECT array_agg(-x ORDER BY o) FROM unnest(s.ranks) WITH ORDINALITY AS k(x, o)), '{}')
      FROM legacy_scores s
      JOIN score_layouts l ON l.key = md5(array_to_string(s.codes, ',') || '|' || array_to_string(s.kinds, ','))`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('CREATE TABLE run_results_v1 AS SELECT * FROM run_results');
  await knex.raw('CREATE TABLE run_node_scores_v1 AS SELECT * FROM run_node_scores');
  await knex.raw('DROP VIEW run_node_scores');
  await knex.raw('DROP VIEW run_results');
  await knex.raw('ALTER TABLE run_results_v1 RENAME TO run_results');
  await knex.raw('ALTER TABLE run_node_scores_v1 RENAME TO run_node_scores');
  await knex.raw('ALTER TABLE run_results ADD PRIMARY KEY (run_id, agency_id)');
  await knex.raw('ALTER TABLE run_node_scores ADD PRIMARY KEY (run_id, agency_id, node_code)');
  await knex.schema.dropTable('agency_scores');
  await knex.schema.dropTable('score_layouts');
}
