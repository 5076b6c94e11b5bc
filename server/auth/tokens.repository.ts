import type { Knex } from 'knex';

export type TokenScope = 'results.read' | 'values.write';

export interface TokenRow {
  id: number;
  name: string;
  prefix: string;
  scope: TokenScope;
  agencyId: number | null;
  createdBy: number;
  createdAt: Date;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

const toToken = (r: Record<string, unknown>): TokenRow => ({
  id: r.id as number,
  name: r.name as string,
  prefix: r.prefix as string,
  scope: r.scope as TokenScope,
  agencyId: (r.agency_id as number | null) ?? null,
  createdBy: r.created_by as number,
  createdAt: r.created_at as Date,
  expiresAt: (r.expires_at as Date | null) ?? null,
  lastUsedAt: (r.last_used_at as Date | null) ?? null,
  revokedAt: (r.revoked_at as Date | null) ?? null,
});

export interface NewToken {
  name: string;
  tokenHash: string;
  prefix: string;
  scope: TokenScope;
  agencyId: number | null;
  createdBy: number;
  createdAt: Date;
  expiresAt: Date | null;
}

export async function insertToken(db: Knex, t: NewToken): Promise<number> {
  const [row] = await db('api_tokens')
    .insert({
      name: t.name,
      token_hash: t.tokenHash,
      prefix: t.prefix,
      scope: t.scope,
      agency_id: t.agencyId,
      created_by: t.createdBy,
      created_at: t.createdAt,
      expires_at: t.expiresAt,
    })
    .returning('id');
  return (row as { id: number }).id;
}

/** A token that is neither revoked nor expired at `now`. */
export async function findLiveByHash(db: Knex, hash: string, now: Date): Promise<TokenRow | undefined> {
  const r = await db('api_tokens')
    .where('token_hash', hash)
    .whereNull('revoked_at')
    .andWhere((q) => q.whereNull('expires_at').orWhere('expires_at', '>', now))
    .first();
  return r && toToken(r);
}

export async function getToken(db: Knex, id: number): Promise<TokenRow | undefined> {
  const r = await db('api_tokens').where('id', id).first();
  return r && toToken(r);
}

export async function listTokens(db: Knex): Promise<TokenRow[]> {
  const rows = await db('api_tokens').orderBy('id', 'desc');
  return rows.map(toToken);
}

/** Records use at most once a minute, so reading with a token does not write on every request. */
export async function touch(db: Knex, id: number, now: Date): Promise<void> {
  await db('api_tokens')
    .where('id', id)
    .andWhere((q) => q.whereNull('last_used_at').orWhere('last_used_at', '<', new Date(now.getTime() - 60_000)))
    .update({ last_used_at: now });
}

export async function revoke(db: Knex, id: number, by: number, now: Date): Promise<boolean> {
  const n = await db('api_tokens').where('id', id).whereNull('revoked_at').update({ revoked_at: now, revoked_by: by });
  return n > 0;
}
