import { createHash } from 'node:crypto';
import type { Knex } from 'knex';

export interface AuditEvent {
  at: Date;
  actorId: number | null;
  actorName: string;
  action: string;
  entity: string;
  entityId: string;
  agencyId: number | null;
  submissionId: number | null;
  before: unknown;
  after: unknown;
  reason: string | null;
}

export interface AuditRow extends AuditEvent {
  id: number;
  hash: string;
  prevHash: string;
}

const GENESIS = '0'.repeat(64);
// Serialises the appends to one chain (pg_advisory_xact_lock(key, hashtext(chain))), so that each row's prev_hash
// is the hash of the row before it in its chain.
const AUDIT_LOCK_KEY = 7_240_001;
const GLOBAL_CHAIN = 'global';

/** Events about a submission form its own chain; all others the global one. */
export const chainOf = (e: Pick<AuditEvent, 'submissionId'>): string =>
  e.submissionId !== null && e.submissionId !== undefined ? `submission:${e.submissionId}` : GLOBAL_CHAIN;

/**
 * A JSON value with object keys sorted at every level: the database (jsonb) does not keep key order, so the hash is
 * computed over this form to be recomputable from the stored row.
 */
function canonicalJson(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  const plain: unknown = JSON.parse(JSON.stringify(v));
  const sort = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map(sort);
    if (x !== null && typeof x === 'object') {
      return Object.fromEntries(
        Object.keys(x)
          .sort()
          .map((k) => [k, sort((x as Record<string, unknown>)[k])]),
      );
    }
    return x;
  };
  return sort(plain);
}

/** The hash covers the previous hash, the chain and every field of the event, in a fixed order. */
export function eventHash(prevHash: string, e: AuditEvent): string {
  const text = JSON.stringify([
    prevHash,
    chainOf(e),
    e.at.toISOString(),
    e.actorId,
    e.actorName,
    e.action,
    e.entity,
    e.entityId,
    e.agencyId,
    e.submissionId,
    canonicalJson(e.before),
    canonicalJson(e.after),
    e.reason,
  ]);
  return createHash('sha256').update(text).digest('hex');
}

/** Appends events inside the caller's transaction. */
export async function appendEvents(trx: Knex.Transaction, events: AuditEvent[]): Promise<void> {
  if (events.length === 0) return;
  // Locks in a fixed order, so two transactions appending to the same chains cannot deadlock.
  const chains = [...new Set(events.map(chainOf))].sort();
  const prevOf = new Map<string, string>();
  for (const chain of chains) {
    await trx.raw('SELECT pg_advisory_xact_lock(?, hashtext(?))', [AUDIT_LOCK_KEY, chain]);
    const last = await trx('audit_events').where('chain', chain).orderBy('id', 'desc').first('hash');
    prevOf.set(chain, last?.hash ?? GENESIS);
  }
  const rows = events.map((e) => {
    const chain = chainOf(e);
    const prev = prevOf.get(chain)!;
    const hash = eventHash(prev, e);
    const row = {
      at: e.at,
      actor_id: e.actorId,
      actor_name: e.actorName,
      action: e.action,
      entity: e.entity,
      entity_id: e.entityId,
      agency_id: e.agencyId,
      submission_id: e.submissionId,
      before: e.before === undefined || e.before === null ? null : JSON.stringify(e.before),
      after: e.after === undefined || e.after === null ? null : JSON.stringify(e.after),
      reason: e.reason,
      chain,
      prev_hash: prev,
      hash,
    };
    prevOf.set(chain, hash);
    return row;
  });
  // In chunks of 500 (14 parameters a row, within PostgreSQL's 65 535), as plain inserts: knex's batchInsert would
  // wrap them in a savepoint, two more round trips on every save.
  for (let i = 0; i < rows.length; i += 500) await trx('audit_events').insert(rows.slice(i, i + 500));
}

export interface ChainCheck {
  checked: number;
  /** The first row whose link does not hold, and why; absent when the whole chain holds. */
  broken?: { id: number; reason: 'prev_hash' | 'hash' };
}

/** Recomputes every chain from its first row, in id order and in pages, and stops at the first broken link. */
export async function verifyChain(db: Knex, pageSize = 2000): Promise<ChainCheck> {
  const lastOf = new Map<string, string>();
  let lastId = 0;
  let checked = 0;
  for (;;) {
    const rows = await db('audit_events').where('id', '>', lastId).orderBy('id').limit(pageSize);
    if (rows.length === 0) return { checked };
    for (const r of rows) {
      const id = Number(r.id);
      const event = toRow(r);
      const prev = lastOf.get(r.chain) ?? GENESIS;
      // A row filed under another chain than its submission's would escape its chain's check.
      if (r.chain !== chainOf(event) || r.prev_hash !== prev) return { checked, broken: { id, reason: 'prev_hash' } };
      if (eventHash(prev, event) !== r.hash) return { checked, broken: { id, reason: 'hash' } };
      lastOf.set(r.chain, r.hash);
      lastId = id;
      checked += 1;
    }
  }
}

export async function eventsForSubmission(db: Knex, submissionId: number): Promise<AuditRow[]> {
  const rows = await db('audit_events').where('submission_id', submissionId).orderBy('id');
  return rows.map(toRow);
}

const toRow = (r: Record<string, unknown>): AuditRow => ({
  id: Number(r.id),
  at: r.at as Date,
  actorId: (r.actor_id as number | null) ?? null,
  actorName: r.actor_name as string,
  action: r.action as string,
  entity: r.entity as string,
  entityId: r.entity_id as string,
  agencyId: (r.agency_id as number | null) ?? null,
  submissionId: (r.submission_id as number | null) ?? null,
  before: r.before,
  after: r.after,
  reason: (r.reason as string | null) ?? null,
  hash: r.hash as string,
  prevHash: r.prev_hash as string,
});

export type AuditScope = { submissionId: number } | { agencyId: number } | { entity: string; entityId?: string };

function scoped(db: Knex, scope: AuditScope) {
  const q = db('audit_events');
  if ('submissionId' in scope) return q.where('submission_id', scope.submissionId);
  if ('agencyId' in scope) return q.where('agency_id', scope.agencyId);
  const e = q.where('entity', scope.entity);
  return scope.entityId === undefined ? e : e.andWhere('entity_id', scope.entityId);
}

/** One page of events, newest first, and how many there are in all. */
export async function pageOfEvents(db: Knex, scope: AuditScope, limit: number, offset: number): Promise<{ rows: AuditRow[]; total: number }> {
  const counted = (await scoped(db, scope).count('* as n')) as Array<{ n: number | string }>;
  const rows = await scoped(db, scope).orderBy('id', 'desc').limit(limit).offset(offset).select('*');
  return { rows: rows.map(toRow), total: Number(counted[0]?.n ?? 0) };
}
