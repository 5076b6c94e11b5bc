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
// Serialises appends so that each row's prev_hash is the hash of the row before it.
const AUDIT_LOCK_KEY = 7_240_001;

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

/** The hash covers the previous hash and every field of the event, in a fixed order. */
export function eventHash(prevHash: string, e: AuditEvent): string {
  const text = JSON.stringify([
    prevHash,
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
  await trx.raw('SELECT pg_advisory_xact_lock(?)', [AUDIT_LOCK_KEY]);
  const last = await trx('audit_events').orderBy('id', 'desc').first('hash');
  let prev: string = last?.hash ?? GENESIS;
  const rows = events.map((e) => {
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
      prev_hash: prev,
      hash,
    };
    prev = hash;
    return row;
  });
  await trx.batchInsert('audit_events', rows, 500);
}

export interface ChainCheck {
  checked: number;
  /** The first row whose link does not hold, and why; absent when the whole chain holds. */
  broken?: { id: number; reason: 'prev_hash' | 'hash' };
}

/** Recomputes the chain from the first row, in pages, and stops at the first broken link. */
export async function verifyChain(db: Knex, pageSize = 2000): Promise<ChainCheck> {
  let prev = GENESIS;
  let lastId = 0;
  let checked = 0;
  for (;;) {
    const rows = await db('audit_events').where('id', '>', lastId).orderBy('id').limit(pageSize);
    if (rows.length === 0) return { checked };
    for (const r of rows) {
      const id = Number(r.id);
      if (r.prev_hash !== prev) return { checked, broken: { id, reason: 'prev_hash' } };
      const hash = eventHash(prev, {
        at: r.at,
        actorId: r.actor_id,
        actorName: r.actor_name,
        action: r.action,
        entity: r.entity,
        entityId: r.entity_id,
        agencyId: r.agency_id,
        submissionId: r.submission_id,
        before: r.before,
        after: r.after,
        reason: r.reason,
      });
      if (hash !== r.hash) return { checked, broken: { id, reason: 'hash' } };
      prev = r.hash;
      lastId = id;
      checked += 1;
    }
  }
}

export async function eventsForSubmission(db: Knex, submissionId: number): Promise<AuditRow[]> {
  const rows = await db('audit_events').where('submission_id', submissionId).orderBy('id');
  return rows.map((r) => ({
    id: r.id,
    at: r.at,
    actorId: r.actor_id,
    actorName: r.actor_name,
    action: r.action,
    entity: r.entity,
    entityId: r.entity_id,
    agencyId: r.agency_id,
    submissionId: r.submission_id,
    before: r.before,
    after: r.after,
    reason: r.reason,
    hash: r.hash,
    prevHash: r.prev_hash,
  }));
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
