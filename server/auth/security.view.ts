// Read queries of the admin's security screen: who has live sessions, the API tokens and the agencies a values
// token may be issued for.
import type { Knex } from 'knex';

export interface UserSessionsRow {
  id: number;
  username: string;
  fullName: string;
  role: string;
  agencyName: string | null;
  active: boolean;
  sessions: number;
  lastSignIn: Date | null;
}

export async function usersWithSessions(db: Knex, now: Date): Promise<UserSessionsRow[]> {
  const rows = await db('users as u')
    .leftJoin('agencies as a', 'a.id', 'u.agency_id')
    .leftJoin('sessions as s', (j) => j.on('s.user_id', 'u.id').andOn('s.expires_at', '>', db.raw('?', [now])))
    .groupBy('u.id', 'a.name')
    .orderBy('u.username')
    .select('u.id', 'u.username', 'u.full_name', 'u.role', 'u.active', 'a.name as agency_name')
    .count('s.id as sessions')
    .max('s.created_at as last_sign_in');
  return rows.map((r) => ({
    id: r.id as number,
    username: r.username as string,
    fullName: r.full_name as string,
    role: r.role as string,
    agencyName: (r.agency_name as string | null) ?? null,
    active: r.active as boolean,
    sessions: Number(r.sessions),
    lastSignIn: (r.last_sign_in as Date | null) ?? null,
  }));
}

export interface TokenListRow {
  id: number;
  name: string;
  prefix: string;
  scope: string;
  agencyName: string | null;
  createdByName: string;
  createdAt: Date;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

export async function tokenList(db: Knex): Promise<TokenListRow[]> {
  const rows = await db('api_tokens as t')
    .leftJoin('agencies as a', 'a.id', 't.agency_id')
    .join('users as u', 'u.id', 't.created_by')
    .orderBy('t.id', 'desc')
    .select('t.*', 'a.name as agency_name', 'u.full_name as created_by_name');
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    prefix: r.prefix,
    scope: r.scope,
    agencyName: r.agency_name ?? null,
    createdByName: r.created_by_name,
    createdAt: r.created_at,
    expiresAt: r.expires_at ?? null,
    lastUsedAt: r.last_used_at ?? null,
    revokedAt: r.revoked_at ?? null,
  }));
}

/** Agencies that report (members of a ranking group), for the token form. */
export async function reportingAgencies(db: Knex): Promise<Array<{ code: string; name: string }>> {
  return db('agencies').whereNotNull('ranking_group_id').whereNull('valid_to').orderBy('name').select('code', 'name');
}
