import type { Knex } from 'knex';
import type { Actor, Role } from '../auth/policy.js';

export interface UserRow extends Actor {
  email: string | null;
  passwordHash: string;
  active: boolean;
}

interface DbUser {
  id: number;
  username: string;
  full_name: string;
  email: string | null;
  password_hash: string;
  role: Role;
  agency_id: number | null;
  active: boolean;
}

const toUser = (r: DbUser): UserRow => ({
  id: r.id,
  username: r.username,
  fullName: r.full_name,
  email: r.email,
  passwordHash: r.password_hash,
  role: r.role,
  agencyId: r.agency_id,
  active: r.active,
});

export async function findByUsername(db: Knex, username: string): Promise<UserRow | undefined> {
  const row = await db<DbUser>('users').where({ username: username.toLowerCase() }).first();
  return row && toUser(row);
}

export async function findById(db: Knex, id: number): Promise<UserRow | undefined> {
  const row = await db<DbUser>('users').where({ id }).first();
  return row && toUser(row);
}

export interface NewUser {
  username: string;
  fullName: string;
  email: string | null;
  passwordHash: string;
  role: Role;
  agencyId: number | null;
}

export async function insertUser(db: Knex, u: NewUser): Promise<number> {
  const [row] = await db('users')
    .insert({
      username: u.username.toLowerCase(),
      full_name: u.fullName,
      email: u.email,
      password_hash: u.passwordHash,
      role: u.role,
      agency_id: u.agencyId,
    })
    .returning('id');
  return (row as { id: number }).id;
}

export async function countUsers(db: Knex): Promise<number> {
  const row = (await db('users').count<{ n: number }[]>('* as n'))[0];
  return Number(row?.n ?? 0);
}

export interface Recipient {
  id: number;
  fullName: string;
  email: string | null;
}

export async function activeUsers(db: Knex, filter: { agencyId?: number; roles: Role[] }): Promise<Recipient[]> {
  const q = db<DbUser>('users').where({ active: true }).whereIn('role', filter.roles);
  if (filter.agencyId !== undefined) q.andWhere('agency_id', filter.agencyId);
  const rows = await q.orderBy('id').select('id', 'full_name', 'email');
  return rows.map((r) => ({ id: r.id, fullName: r.full_name, email: r.email }));
}
