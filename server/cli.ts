// The `dti` command line. Every command goes through the same services as the web app.
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig, ConfigError, type Config } from './config.js';
import { openDatabase, migrateLatest } from './db/database.js';
import { createServices, type Services } from './container.js';
import { seedDemo } from './demo/demo.service.js';
import { runIndexJob } from './jobs/scheduler.js';
import { ROLES, type Actor } from './auth/policy.js';
import { AppError } from './errors.js';
import { stringify } from 'csv-stringify/sync';
import { safeCell } from '../reports/format.js';
import type { UncertaintyReport } from './scoring/scoring.service.js';

const HELP = `Cách dùng: dti <lệnh> [tùy chọn]

  serve                         chạy máy chủ web (như npm start)
  migrate                       áp dụng các migration còn thiếu
  seed-demo                     nạp tỉnh mẫu vào cơ sở dữ liệu trống
  compute [--period MÃ] [--force]
                                tính chỉ số (mọi kỳ, hoặc một kỳ); bỏ qua kỳ không đổi số liệu trừ khi --force
  report --period MÃ [--format xlsx|html] [--out TỆP]
                                xuất báo cáo tỉnh của kỳ (bản công bố mới nhất, hoặc bản dự thảo)
  user add --username TÊN --name "HỌ TÊN" --role VAI_TRÒ [--agency MÃ_ĐƠN_VỊ] [--email EMAIL]
                                tạo người dùng; mật khẩu đọc từ biến DTI_PASSWORD
                                vai trò: ${ROLES.join(', ')}
  periods                       liệt kê các kỳ báo cáo
  uncertainty --period MÃ|SỐ [--draws 1000] [--spread 10] [--seed N] [--format csv|json]
                                khoảng xếp hạng (phân vị 5 %–95 %) khi trọng số thay đổi ±spread % và cách
                                xử lý số liệu thiếu thay đổi ngẫu nhiên (mô phỏng Monte Carlo, có hạt giống)

Cơ sở dữ liệu: DATABASE_URL (PostgreSQL) hoặc PGlite trong DATA_DIR (mặc định ./data).`;

const OUTCOME_LABELS: Record<string, string> = {
  computed: 'đã tính',
  unchanged: 'số liệu không đổi, giữ kết quả',
  busy: 'đang có một lần tính khác, bỏ qua',
};

/** The command line acts with the Department's authority; it is run by whoever operates the server. */
const CLI_ACTOR: Actor = { id: 0, username: 'cli', fullName: 'Dòng lệnh', role: 'admin', agencyId: null };

async function withServices<T>(config: Config, fn: (s: Services) => Promise<T>): Promise<T> {
  const db = openDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
  try {
    await migrateLatest(db);
    return await fn(createServices(db, config));
  } finally {
    await db.destroy();
  }
}

async function periodByCode(s: Services, code: string | undefined) {
  if (!code) throw new AppError('validation', 'Cần --period MÃ_KỲ (xem "dti periods").');
  const p = await s.periods.findByCode(code);
  if (!p) throw new AppError('not_found', `Không có kỳ báo cáo mã ${code} (xem "dti periods").`);
  return p;
}

/** The uncertainty table as CSV: one line per agency, names made safe for spreadsheets. */
function uncertaintyCsv(report: UncertaintyReport): string {
  const rows = report.groups.flatMap((g) =>
    g.rows.map((r) => [safeCell(g.name), safeCell(r.agencyCode), safeCell(r.agencyName), r.value ?? '', r.rank ?? '', r.low ?? '', r.high ?? '', r.median ?? '', r.stable ?? '']),
  );
  return stringify([['khoi', 'ma_don_vi', 'don_vi', 'dti', 'hang', 'hang_p5', 'hang_p95', 'hang_trung_vi', 'ty_le_giu_hang'], ...rows]);
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      period: { type: 'string' },
      format: { type: 'string', default: 'xlsx' },
      out: { type: 'string' },
      force: { type: 'boolean', default: false },
      username: { type: 'string' },
      name: { type: 'string' },
      role: { type: 'string' },
      agency: { type: 'string' },
      email: { type: 'string' },
      draws: { type: 'string' },
      spread: { type: 'string' },
      seed: { type: 'string' },
    },
  });
  const config = loadConfig();

  switch (command) {
    case 'serve': {
      const { serve } = await import('./main.js');
      const app = await serve(config);
      const stop = (): void => {
        console.log('Đang dừng máy chủ…');
        void app.close().then(() => process.exit(0));
      };
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
      return new Promise<number>(() => undefined);
    }
    case 'migrate':
      return withServices(config, async () => {
        console.log('Cơ sở dữ liệu đã ở phiên bản mới nhất.');
        return 0;
      });
    case 'seed-demo':
      return withServices(config, async (s) => {
        const r = await seedDemo(s, { currentYear: new Date().getFullYear() });
        console.log(`Đã nạp ${r.agencies} đơn vị, ${r.users} người dùng; các kỳ: ${r.periods.join(', ')}.`);
        return 0;
      });
    case 'periods':
      return withServices(config, async (s) => {
        for (const p of await s.periods.list()) console.log(`${p.code.padEnd(28)} ${p.name}\thạn ${p.dueOn}`);
        return 0;
      });
    case 'compute':
      return withServices(config, async (s) => {
        if (values.period) {
          const p = await periodByCode(s, values.period);
          const r = await s.scoring.computePeriod(p.id, { trigger: 'cli', force: values.force });
          console.log(`${p.code}: ${OUTCOME_LABELS[r.status]}${'runId' in r ? ` (lần tính #${r.runId})` : ''}`);
          return r.status === 'busy' ? 75 : 0;
        }
        for (const r of await runIndexJob(s, 'cli')) {
          console.log(`${r.period}: ${OUTCOME_LABELS[r.status]}${r.runId ? ` (lần tính #${r.runId})` : ''}`);
        }
        return 0;
      });
    case 'report':
      return withServices(config, async (s) => {
        const p = await periodByCode(s, values.period);
        const format = values.format === 'html' ? 'html' : values.format === 'xlsx' ? 'xlsx' : null;
        if (!format) throw new AppError('validation', '--format phải là xlsx hoặc html.');
        const file = await s.reporting.build(CLI_ACTOR, p.id, format);
        const out = path.resolve(values.out ?? file.fileName);
        fs.writeFileSync(out, file.body);
        console.log(`Đã ghi ${out}`);
        return 0;
      });
    case 'uncertainty':
      return withServices(config, async (s) => {
        const p = /^\d+$/.test(values.period ?? '') && !(await s.periods.findByCode(values.period!))
          ? await s.periods.get(Number(values.period))
          : await periodByCode(s, values.period);
        // --format defaults to xlsx for reports; here a table is CSV unless JSON is asked for.
        const format = rest.some((a) => a.startsWith('--format')) ? values.format : 'csv';
        if (format !== 'csv' && format !== 'json') throw new AppError('validation', '--format phải là csv hoặc json.');
        const number = (v: string | undefined): number | undefined => (v === undefined ? undefined : Number(v.replace(',', '.')));
        const options: { draws?: number; spread?: number; seed?: number } = {};
        if (values.draws !== undefined) options.draws = number(values.draws)!;
        if (values.spread !== undefined) options.spread = number(values.spread)! / 100;
        if (values.seed !== undefined) options.seed = number(values.seed)!;
        const report = await s.scoring.uncertainty(CLI_ACTOR, p.id, options);
        process.stdout.write(format === 'json' ? JSON.stringify(report, null, 2) + '\n' : uncertaintyCsv(report));
        return 0;
      });
    case 'user': {
      if (positionals[0] !== 'add') break;
      const password = process.env.DTI_PASSWORD;
      if (!password) throw new AppError('validation', 'Đặt mật khẩu trong biến môi trường DTI_PASSWORD.');
      return withServices(config, async (s) => {
        const id = await s.users.create({
          username: values.username ?? '',
          fullName: values.name ?? '',
          email: values.email ?? null,
          password,
          role: values.role as (typeof ROLES)[number],
          agencyCode: values.agency ?? null,
        });
        console.log(`Đã tạo người dùng #${id} (${values.username}).`);
        return 0;
      });
    }
    case undefined:
    case 'help':
    case '--help':
      console.log(HELP);
      return 0;
  }
  console.error(`Lệnh không hợp lệ: ${[command, ...positionals].join(' ')}\n\n${HELP}`);
  return 64;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof AppError || err instanceof ConfigError) {
      console.error(err.message);
      for (const d of err instanceof AppError ? err.details : []) console.error(`  - ${d.message}`);
      process.exit(err instanceof AppError && err.code === 'not_found' ? 66 : 65);
    }
    console.error(err);
    process.exit(70);
  },
);
