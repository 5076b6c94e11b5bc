// API tokens of integration clients. Only the SHA-256 of a token is kept (it is shown once, at creation); a token
// has one scope — reading published results, or writing one agency's draft values — and is revoked, never deleted,
// so the audit trail keeps naming it.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('api_tokens', (t) => {
    t.increments('id');
    t.text('name').notNullable();
    t.text('token_hash').notNullable().unique();
    t.text('prefix').notNullable();
    t.text('scope').notNullable();
    t.integer('agency_id').references('id').inTable('agencies').onDelete('RESTRICT');
    t.integer('created_by').notNullable().references('id').inTable('users').onDelete('RESTRICT');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('expires_at', { useTz: true });
    t.timestamp('last_used_at', { useTz: true });
    t.timestamp('revoked_at', { useTz: true });
    t.integer('revoked_by').references('id').inTable('users').onDelete('RESTRICT');
  });
  await knex.raw(`
    ALTER TABLE api_tokens
      ADD CONSTRAINT api_tokens_scope_check CHECK (scope IN ('results.read', 'values.write')),
      ADD CONSTRAINT api_tokens_agency_check CHECK ((scope = 'values.write') = (agency_id IS NOT NULL))`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('api_tokens');
}
