// Read queries for the rankings screens and reports.
import type { Knex } from 'knex';

export interface RankingRow {
  agencyId: number;
  agencyCode: string;
  agencyName: string;
  groupId: number;
  groupCode: string;
  groupName: string;
  ranked: boolean;
  points: number;
  max: number;
  value: number | null;
  rank: number | null;
}

export async function rankingRows(db: Knex, runId: number, agencyId?: number): Promise<RankingRow[]> {
  const q = db('run_results as r');
  if (agencyId !== undefined) q.where('r.agency_id', agencyId);
  const rows = await q
    .join('agencies as a', 'a.id', 'r.agency_id')
    .join('ranking_groups as g', 'g.id', 'r.ranking_group_id')
    .where('r.run_id', runId)
    .orderBy([
      { column: 'g.sort_order' },
      { column: 'g.id' },
      { column: 'r.rank', nulls: 'last' },
      { column: 'r.value', order: 'desc', nulls: 'last' },
      { column: 'a.name' },
    ])
    .select(
      'r.agency_id',
      'a.code as agency_code',
      'a.name as agency_name',
      'g.id as group_id',
      'g.code as group_code',
      'g.name as group_name',
      'g.ranked',
      'r.points',
      'r.max_points',
      'r.value',
      'r.rank',
    );
  return rows.map((r) => ({
    agencyId: r.agency_id,
    agencyCode: r.agency_code,
    agencyName: r.agency_name,
    groupId: r.group_id,
    groupCode: r.group_code,
    groupName: r.group_name,
    ranked: r.ranked,
    points: r.points,
    max: r.max_points,
    value: r.value,
    rank: r.rank,
  }));
}

export interface NodeScoreRow {
  agencyId: number;
  code: string;
  kind: 'index' | 'subindex' | 'indicator';
  points: number;
  max: number;
  value: number | null;
  measure: number | null;
  flag: string | null;
  rank: number | null;
}

/**
 * A run's figures per agency, from the rows the run shares with others (migration 020). Ranked figures (index
 * nodes, sub-indices and indicators that are main indices themselves) are ranked here within each group on their
 * stored keys, competition-style; the other indicators are unnested only when asked for. For one agency, only its
 * group is read for the ranks.
 */
export async function nodeScores(
  db: Knex,
  runId: number,
  opts: { kinds: Array<NodeScoreRow['kind']>; agencyId?: number },
): Promise<NodeScoreRow[]> {
  const agency = opts.agencyId ?? null;
  // The ranked head holds indicators too where a main index is an indicator; the kind filter comes before the
  // ranking, which partitions by figure, so a figure's ranks do not depend on which kinds were asked for.
  const wantHead = opts.kinds.length > 0;
  const wantIndicators = opts.kinds.includes('indicator');
  const r = await db.raw(
    `WITH snap AS (
       SELECT s.* FROM runs r
         JOIN agency_scores s ON s.period_id = r.period_id AND s.from_run <= r.id AND (s.to_run IS NULL OR s.to_run > r.id)
        WHERE r.id = ?
     ), mine AS (
       SELECT * FROM snap
        WHERE ?::int IS NULL OR ranking_group_id = (SELECT ranking_group_id FROM snap WHERE agency_id = ?::int)
     ), head AS (
       SELECT m.agency_id, u.code, u.kind, u.points, u.max, u.measure, score_flag(u.flag) AS flag,
              CASE WHEN m.ranked AND u.key IS NOT NULL
                   THEN rank() OVER (PARTITION BY m.ranking_group_id, m.ranked, u.ord, u.key IS NULL ORDER BY u.key DESC)::int
              END AS rank
         FROM mine m JOIN score_maxima x ON x.id = m.maxima_id JOIN score_layouts l ON l.id = x.layout_id
        -- Measures (stored out of line) and flags are read only where the head ends in indicators.
        CROSS JOIN LATERAL unnest(l.codes[1:l.ranked], l.kinds[1:l.ranked], m.head_points, x.max[1:l.ranked],
                                  CASE WHEN l.kinds[l.ranked] = 'indicator' THEN m.measures[1:l.ranked] END,
                                  CASE WHEN l.kinds[l.ranked] = 'indicator' THEN string_to_array(left(m.flags, l.ranked), NULL) END, m.keys)
          WITH ORDINALITY AS u(code, kind, points, max, measure, flag, key, ord)
        WHERE ?::bool AND u.kind = ANY(?::text[])
     )
     SELECT agency_id, code, kind, points, max, measure, flag, rank FROM head WHERE (?::int IS NULL OR agency_id = ?::int)
     UNION ALL
     SELECT s.agency_id, u.code, u.kind, u.points, u.max, u.measure, score_flag(u.flag), NULL::int
       FROM snap s JOIN score_maxima x ON x.id = s.maxima_id JOIN score_layouts l ON l.id = x.layout_id
      CROSS JOIN LATERAL unnest(l.codes[l.ranked + 1:], l.kinds[l.ranked + 1:], s.points[l.ranked + 1:],
                                x.max[l.ranked + 1:], s.measures[l.ranked + 1:], string_to_array(substr(s.flags, l.ranked + 1), NULL))
        AS u(code, kind, points, max, measure, flag)
      WHERE ?::bool AND (?::int IS NULL OR s.agency_id = ?::int)`,
    [runId, agency, agency, wantHead, opts.kinds, agency, agency, wantIndicators, agency, agency] as unknown as Knex.RawBinding[],
  );
  return (r.rows as Array<Record<string, unknown>>).map((x) => ({
    agencyId: x.agency_id as number,
    code: x.code as string,
    kind: x.kind as NodeScoreRow['kind'],
    points: x.points as number,
    max: x.max as number,
    value: (x.max as number) > 0 ? (x.points as number) / (x.max as number) : null,
    measure: (x.measure as number | null) ?? null,
    flag: (x.flag as string | null) ?? null,
    rank: (x.rank as number | null) ?? null,
  }));
}

/** An agency's total and rank in each published run of a framework family, oldest first, for its history. */
export async function rankHistory(
  db: Knex,
  agencyId: number,
  frameworkCode: string,
): Promise<Array<{ periodId: number; periodName: string; value: number | null; rank: number | null }>> {
  const rows = await db('run_results as r')
    .join('publications as p', 'p.run_id', 'r.run_id')
    .join('periods as pe', 'pe.id', 'p.period_id')
    .join('frameworks as f', 'f.id', 'pe.framework_id')
    .where({ 'r.agency_id': agencyId, 'f.code': frameworkCode })
    // Only the latest publication of each period counts.
    .whereNotExists(
      db('publications as p2').whereRaw('p2.period_id = p.period_id AND p2.number > p.number'),
    )
    .orderBy('pe.data_to')
    .select('pe.id as period_id', 'pe.name as period_name', 'r.value', 'r.rank');
  return rows.map((r) => ({ periodId: r.period_id, periodName: r.period_name, value: r.value, rank: r.rank }));
}
