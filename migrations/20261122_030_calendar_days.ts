// The working-day calendar that deadlines count on: public holidays (Bộ luật Lao động 2019, Điều 112), the days off
// the Government swaps or compensates each year, and the Saturdays worked in exchange. Weekends are not stored.
// The 2026 and 2027 days are seeded here; the Department maintains the calendar on its admin screen afterwards.
// A period also gets a grace of working days after its due date.
import type { Knex } from 'knex';

type Kind = 'holiday' | 'day_off' | 'workday';

// 2026: Tết Dương lịch 4 days 1–4/1, Friday 2/1 swapped with Saturday 10/1 (VPCP 12729/VPCP-KGVX, 25/12/2025);
// Tết Bính Ngọ 14–22/2, the 5 statutory days Mon 16/2 – Fri 20/2; Giỗ Tổ 10/3 âm lịch = Sunday 26/4, compensated
// Monday 27/4; 30/4 and 1/5; Quốc khánh 29/8 – 2/9: 1/9 and 2/9, Monday 31/8 swapped with Saturday 22/8 (Thủ
// tướng agreed to the Bộ Nội vụ plan, October 2025).
// 2027: Tết Đinh Mùi falls on Saturday 6/2; until the Government announces its plan the statutory 5 days are
// 29 Tết (Fri 5/2) to mùng 4 (Tue 9/2) with the two weekend days compensated Wed 10/2 and Thu 11/2. Giỗ Tổ =
// Friday 16/4; 1/5 is a Saturday, compensated Monday 3/5; Quốc khánh 2/9 (Thu) with the adjacent Friday 3/9.
const DAYS: Array<[string, Kind, string]> = [
  ['2026-01-01', 'holiday', 'Tết Dương lịch'],
  ['2026-01-02', 'day_off', 'Nghỉ hoán đổi Tết Dương lịch (làm bù thứ Bảy 10/01/2026)'],
  ['2026-01-10', 'workday', 'Làm bù cho ngày 02/01/2026'],
  ['2026-02-16', 'holiday', 'Tết Nguyên đán Bính Ngọ (29 tháng Chạp)'],
  ['2026-02-17', 'holiday', 'Tết Nguyên đán Bính Ngọ (mùng 1)'],
  ['2026-02-18', 'holiday', 'Tết Nguyên đán Bính Ngọ (mùng 2)'],
  ['2026-02-19', 'holiday', 'Tết Nguyên đán Bính Ngọ (mùng 3)'],
  ['2026-02-20', 'holiday', 'Tết Nguyên đán Bính Ngọ (mùng 4)'],
  ['2026-04-27', 'day_off', 'Nghỉ bù Giỗ Tổ Hùng Vương (10/3 âm lịch rơi vào Chủ nhật 26/4)'],
  ['2026-04-30', 'holiday', 'Ngày Chiến thắng 30/4'],
  ['2026-05-01', 'holiday', 'Ngày Quốc tế lao động 1/5'],
  ['2026-08-22', 'workday', 'Làm bù cho ngày 31/08/2026'],
  ['2026-08-31', 'day_off', 'Nghỉ hoán đổi dịp Quốc khánh (làm bù thứ Bảy 22/08/2026)'],
  ['2026-09-01', 'holiday', 'Quốc khánh (ngày liền kề)'],
  ['2026-09-02', 'holiday', 'Quốc khánh'],
  ['2027-01-01', 'holiday', 'Tết Dương lịch'],
  ['2027-02-05', 'holiday', 'Tết Nguyên đán Đinh Mùi (29 tháng Chạp)'],
  ['2027-02-08', 'holiday', 'Tết Nguyên đán Đinh Mùi (mùng 3)'],
  ['2027-02-09', 'holiday', 'Tết Nguyên đán Đinh Mùi (mùng 4)'],
  ['2027-02-10', 'day_off', 'Nghỉ bù Tết Nguyên đán (mùng 1 rơi vào thứ Bảy)'],
  ['2027-02-11', 'day_off', 'Nghỉ bù Tết Nguyên đán (mùng 2 rơi vào Chủ nhật)'],
  ['2027-04-16', 'holiday', 'Giỗ Tổ Hùng Vương (10/3 âm lịch)'],
  ['2027-04-30', 'holiday', 'Ngày Chiến thắng 30/4'],
  ['2027-05-03', 'day_off', 'Nghỉ bù Ngày Quốc tế lao động (1/5 rơi vào thứ Bảy)'],
  ['2027-09-02', 'holiday', 'Quốc khánh'],
  ['2027-09-03', 'holiday', 'Quốc khánh (ngày liền kề)'],
];

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('calendar_days', (t) => {
    t.date('day').primary();
    t.text('kind').notNullable();
    t.text('name').notNullable();
    t.integer('created_by').references('id').inTable('users').onDelete('RESTRICT');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  // A worked Saturday or Sunday only makes sense on a weekend; a holiday or day off on a weekday or weekend both
  // happen (a holiday on a Sunday is what makes the compensating day off).
  await knex.raw(`
    ALTER TABLE calendar_days
      ADD CONSTRAINT calendar_days_kind_check CHECK (kind IN ('holiday', 'day_off', 'workday')),
      ADD CONSTRAINT calendar_days_workday_weekend_check CHECK (kind <> 'workday' OR EXTRACT(ISODOW FROM day) IN (6, 7))`);
  await knex('calendar_days').insert(DAYS.map(([day, kind, name]) => ({ day, kind, name })));

  await knex.schema.alterTable('periods', (t) => {
    t.integer('grace_days').notNullable().defaultTo(0).comment('working days after the due date still counted on time');
  });
  await knex.raw('ALTER TABLE periods ADD CONSTRAINT periods_grace_days_check CHECK (grace_days BETWEEN 0 AND 60)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE periods DROP CONSTRAINT periods_grace_days_check');
  await knex.schema.alterTable('periods', (t) => t.dropColumn('grace_days'));
  await knex.schema.dropTable('calendar_days');
}
