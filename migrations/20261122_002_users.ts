// Users, their role and agency, and login sessions kept in the database (so they survive restarts and can be
// revoked everywhere). The session id stored is a SHA-256 of the cookie token, never the token itself.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('users', (t) => {
    t.increments('id');
    t.text('username').notNullable().unique();
    t.text('full_name').notNullable();
    t.text('email');
    t.text('password_hash').notNullable();
    t.text('role').notNullable();
    t.integer('agency_id').references('id').inTable('agencies').onDelete('RESTRICT');
    t.boolean('active').notNullable().defaultTo(true);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['agency_id']);
  });
  await knex.raw(`
    ALTER TABLE users
      ADD CONSTRAINT users_role_check CHECK (role IN ('reporter', 'head', 'reviewer', 'admin', 'leader')),
      ADD CONSTRAINT users_agency_role_check CHECK (role NOT IN ('reporter', 'head') OR agency_id IS NOT NULL),
      ADD CONSTRAINT users_username_lower CHECK (username = lower(username))`);
  await knex.schema.createTable('sessions', (t) => {
    t.text('id').primary();
    t.integer('user_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.text('csrf_token').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.index(['user_id']);
    t.index(['expires_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('sessions');
  await knex.schema.dropTable('users');
}
