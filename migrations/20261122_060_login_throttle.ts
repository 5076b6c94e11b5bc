// Failed sign-ins counted per account and per client address, in the database so that a lockout holds across every
// app instance and restart. One row per key ('user:<username>' or 'ip:<address>'): failures in the current window,
// when the window started, and until when the key is locked.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('login_throttle', (t) => {
    t.text('key').primary();
    t.integer('failures').notNullable().defaultTo(0);
    t.timestamp('window_started_at', { useTz: true }).notNullable();
    t.timestamp('locked_until', { useTz: true });
    t.index(['window_started_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('login_throttle');
}
