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

export interface UserListRow {
  id: number;
  username: string;
  fullName: string;
  email: string | null;
  role: Role;
  agencyId: number | null;
  agencyCode: string | null;
  agencyName: string | null;
  active: boolean;
}

export async function listUsers(db: Knex): Promise<UserListRow[]> {
  const rows = await db('users as u')
    .leftJoin('agencies as a', 'a.id', 'u.agency_id')
    .select('u.id', 'u.username', 'u.full_name', 'u.email', 'u.role', 'u.agency_id', 'u.active', 'a.code as agency_code', 'a.name as agency_name')
    .orderBy([{ column: 'u.active', order: 'desc' }, 'u.username']);
  return rows.map((r) => ({
    id: r.id,
    username: r.username,
    fullName: r.full_name,
    email: r.email,
    role: r.role,
    agencyId: r.agency_id,
    agencyCode: r.agency_code ?? null,
    agencyName: r.agency_name ?? null,
    active: r.active,
  }));
}

export interface UserPatch {
  fullName: string;
  email: string | null;
  role: Role;
  agencyId: number | null;
  active: boolean;
}

export async function updateUser(db: Knex, id: number, p: UserPatch): Promise<void> {
  await db('users').where({ id }).update({ full_name: p.fullName, email: p.email, role: p.role, agency_id: p.agencyId, active: p.active });
}

export async function setPasswordHash(db: Knex, id: number, hash: string): Promise<void> {
  await db('users').where({ id }).update({ password_hash: hash });
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
