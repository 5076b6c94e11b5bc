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

export async function nodeScores(
  db: Knex,
  runId: number,
  opts: { kinds: Array<NodeScoreRow['kind']>; agencyId?: number },
): Promise<NodeScoreRow[]> {
  const q = db('run_node_scores').where('run_id', runId).whereIn('node_kind', opts.kinds);
  if (opts.agencyId !== undefined) q.andWhere('agency_id', opts.agencyId);
  const rows = await q.select('*');
  return rows.map((r) => ({
    agencyId: r.agency_id,
    code: r.node_code,
    kind: r.node_kind,
    points: r.points,
    max: r.max_points,
    value: r.value,
    measure: r.measure,
    flag: r.flag,
    rank: r.rank,
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
