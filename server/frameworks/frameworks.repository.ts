import type { Knex } from 'knex';
import type { FrameworkDef, FrameworkNode } from './framework.types.js';

export interface FrameworkRow {
  id: number;
  code: string;
  version: number;
  name: string;
  sourceHash: string;
  definition: FrameworkDef;
}

export async function findFramework(db: Knex, code: string, version: number): Promise<FrameworkRow | undefined> {
  const r = await db('frameworks').where({ code, version }).first();
  return r && toRow(r);
}

export async function getFramework(db: Knex, id: number): Promise<FrameworkRow | undefined> {
  const r = await db('frameworks').where({ id }).first();
  return r && toRow(r);
}

const toRow = (r: {
  id: number;
  code: string;
  version: number;
  name: string;
  source_hash: string;
  definition: FrameworkDef;
}): FrameworkRow => ({
  id: r.id,
  code: r.code,
  version: r.version,
  name: r.name,
  sourceHash: r.source_hash,
  definition: r.definition,
});

/** Inserts the framework, its ranking groups and its node tree; the caller provides the transaction. */
export async function insertFramework(
  trx: Knex.Transaction,
  def: FrameworkDef,
  sourceHash: string,
  groupIds: number[],
): Promise<number> {
  const [row] = await trx('frameworks')
    .insert({
      code: def.code,
      version: def.version,
      name: def.name,
      definition: JSON.stringify(def),
      source_hash: sourceHash,
    })
    .returning('id');
  const id = (row as { id: number }).id;
  await trx('framework_ranking_groups').insert(groupIds.map((g) => ({ framework_id: id, ranking_group_id: g })));
  const nodes: Record<string, unknown>[] = [];
  const walk = (list: FrameworkNode[], parent: string | null): void => {
    for (const n of list) {
      nodes.push({
        framework_id: id,
        code: n.code,
        parent_code: parent,
        name: n.name,
        kind: n.type,
        max_points: n.max,
        position: nodes.length,
        input_kind: n.type === 'indicator' ? n.input.kind : null,
      });
      if (n.type === 'index') walk(n.children, n.code);
    }
  };
  walk(def.nodes, null);
  await trx.batchInsert('framework_nodes', nodes, 500);
  return id;
}

/** Indicator code → framework_nodes.id for one framework. */
export async function nodeIds(db: Knex, frameworkId: number): Promise<Map<string, number>> {
  const rows: { id: number; code: string }[] = await db('framework_nodes')
    .where({ framework_id: frameworkId })
    .select('id', 'code');
  return new Map(rows.map((r) => [r.code, r.id]));
}

/** Ids of every framework, newest version first within a code (for pickers). */
export async function frameworkIds(db: Knex): Promise<number[]> {
  const rows = await db('frameworks').orderBy([{ column: 'code' }, { column: 'version', order: 'desc' }]).select('id');
  return rows.map((r: { id: number }) => r.id);
}

export interface ExemptionRow {
  periodId: number;
  agencyId: number;
  nodeCode: string;
  reason: string;
}

/** A period's per-agency exemptions, optionally of one agency. */
export async function exemptionsOf(db: Knex, periodId: number, agencyId?: number): Promise<ExemptionRow[]> {
  const q = db('indicator_exemptions').where({ period_id: periodId });
  if (agencyId !== undefined) q.andWhere({ agency_id: agencyId });
  const rows = await q.orderBy(['agency_id', 'node_code']).select('period_id', 'agency_id', 'node_code', 'reason');
  return rows.map((r) => ({ periodId: r.period_id, agencyId: r.agency_id, nodeCode: r.node_code, reason: r.reason }));
}

/** Inserts or replaces the reason of an exemption; returns the previous one, if any. */
export async function upsertExemption(trx: Knex.Transaction, row: ExemptionRow, decidedBy: number | null): Promise<ExemptionRow | undefined> {
  const [before] = await exemptionsOf(trx, row.periodId, row.agencyId).then((list) => list.filter((e) => e.nodeCode === row.nodeCode));
  await trx('indicator_exemptions')
    .insert({ period_id: row.periodId, agency_id: row.agencyId, node_code: row.nodeCode, reason: row.reason, decided_by: decidedBy })
    .onConflict(['period_id', 'agency_id', 'node_code'])
    .merge(['reason', 'decided_by', 'decided_at']);
  return before;
}

export async function deleteExemption(trx: Knex.Transaction, periodId: number, agencyId: number, nodeCode: string): Promise<boolean> {
  const n = await trx('indicator_exemptions').where({ period_id: periodId, agency_id: agencyId, node_code: nodeCode }).delete();
  return n > 0;
}
