// Reporting periods (kỳ báo cáo). Data cut-off per NĐ 09/2019/NĐ-CP as provinces apply it: semiannual
// 15/12 (previous year) – 14/6, annual 15/12 (previous year) – 14/12; the annual report is due by 15/12.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('periods', (t) => {
    t.increments('id');
    t.integer('framework_id').notNullable().references('id').inTable('frameworks').onDelete('RESTRICT');
    t.text('code').notNullable().unique();
    t.text('name').notNullable();
    t.text('kind').notNullable();
    t.integer('year').notNullable();
    t.date('data_from').notNullable();
    t.date('data_to').notNullable();
    t.date('opens_on').notNullable();
    t.date('due_on').notNullable();
    t.date('closes_on').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['framework_id', 'kind', 'year']);
  });
  await knex.raw(`
    ALTER TABLE periods
      ADD CONSTRAINT periods_kind_check CHECK (kind IN ('semiannual', 'annual')),
      ADD CONSTRAINT periods_data_window_check CHECK (data_from <= data_to),
      ADD CONSTRAINT periods_dates_check CHECK (opens_on <= due_on AND due_on <= closes_on)`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('periods');
}
