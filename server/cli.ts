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
import type { OutboxOutcome } from './notifications/notifications.service.js';
import { BackupService } from './backup/backup.service.js';
import { AuditService } from './audit/audit.service.js';

const HELP = `Cách dùng: dti <lệnh> [tùy chọn]

  serve                         chạy máy chủ web (như npm start)
  migrate                       áp dụng các migration còn thiếu
  seed-demo                     nạp tỉnh mẫu vào cơ sở dữ liệu trống
  compute [--period MÃ] [--force]
                                tính chỉ số (mọi kỳ, hoặc một kỳ); bỏ qua kỳ không đổi số liệu trừ khi --force
  report --period MÃ [--format xlsx|html] [--agency MÃ_ĐƠN_VỊ] [--out TỆP] [--archive]
                                xuất báo cáo tỉnh của kỳ (bản công bố mới nhất, hoặc bản dự thảo), hoặc phiếu
                                điểm của một đơn vị (--agency); --archive tạo lại và lưu trữ báo cáo của kỳ
                                (cả hai định dạng, kèm phiếu điểm nếu kỳ đã công bố) vào DATA_DIR/reports
  report-job                    chạy một lượt việc tạo báo cáo theo lịch (dự thảo trước hạn, bản chính thức)
  user add --username TÊN --name "HỌ TÊN" --role VAI_TRÒ [--agency MÃ_ĐƠN_VỊ] [--email EMAIL]
                                tạo người dùng; mật khẩu đọc từ biến DTI_PASSWORD
                                vai trò: ${ROLES.join(', ')}
  periods                       liệt kê các kỳ báo cáo
  uncertainty --period MÃ|SỐ [--draws 1000] [--spread 10] [--seed N] [--format csv|json]
                                khoảng xếp hạng (phân vị 5 %–95 %) khi trọng số thay đổi ±spread % và cách
                                xử lý số liệu thiếu thay đổi ngẫu nhiên (mô phỏng Monte Carlo, có hạt giống)
  score --framework TỆP.yaml --values TỆP.csv [--agencies TỆP.csv] [--format csv|json] [--kind annual|semiannual] [--out TỆP]
                                tính chỉ số ngoại tuyến từ tệp, không cần cơ sở dữ liệu
  remind                        gửi ngay lời nhắc nộp báo cáo đến hạn hôm nay (không gửi trùng), rồi gửi thư
  send-mail                     gửi các thư đang chờ trong hàng đợi (có thử lại)
  audit verify                  kiểm tra chuỗi băm của nhật ký; báo sự kiện đầu tiên bị phá vỡ
  backup --out TỆP              sao lưu cơ sở dữ liệu và tệp minh chứng (DATA_DIR/files) vào một tệp
  restore TỆP [--force]         khôi phục vào cơ sở dữ liệu trống (--force: thay thế dữ liệu hiện có)
  exempt --period MÃ [--agency MÃ_ĐƠN_VỊ --node MÃ_CHỈ_SỐ (--reason "LÝ DO" | --remove)]
                                chỉ số không áp dụng cho một đơn vị trong kỳ;
                                không có --agency: liệt kê
  files check [--delete-orphans]
                                đối chiếu kho tệp kiểm chứng (DATA_DIR/files) với cơ sở dữ liệu: tệp thiếu, tệp
                                sai SHA-256, tệp không còn được dùng (xóa nếu --delete-orphans, khi cũ hơn 1 giờ)

Cơ sở dữ liệu: DATABASE_URL (PostgreSQL) hoặc PGlite trong DATA_DIR (mặc định ./data).`;

const OUTCOME_LABELS: Record<string, string> = {
  computed: 'đã tính',
  unchanged: 'số liệu không đổi, giữ kết quả',
  busy: 'đang có một lần tính khác, bỏ qua',
};

const mailSummary = (m: OutboxOutcome): string =>
  `Thư: đã gửi ${m.sent}, chờ gửi lại ${m.retried}, thất bại ${m.failed}, chỉ hiển thị trong ứng dụng ${m.skipped}.`;

/** The command line acts with the Department's authority; it is run by whoever operates the server. */
const CLI_ACTOR: Actor = { id: 0, username: 'cli', fullName: 'Dòng lệnh', role: 'admin', agencyId: null };

async function withServices<T>(config: Config, fn: (s: Services) => Promise<T>): Promise<T> {
  const db = openDatabase({ url: config.databaseUrl, dataDir: config.dataDir, applicationName: config.dbApplicationName });
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
      // dti score (server/scoring/offline-score.ts reads its own options again, with its own defaults)
      framework: { type: 'string' },
      values: { type: 'string' },
      agencies: { type: 'string' },
      kind: { type: 'string' },
      archive: { type: 'boolean', default: false },
      // dti exempt
      node: { type: 'string' },
      reason: { type: 'string' },
      remove: { type: 'boolean', default: false },
      'delete-orphans': { type: 'boolean', default: false },
    },
  });
  // Test-only: `DTI_TEST_PAUSE_AT=report-write` makes `dti report` stop after writing its temporary file and before
  // renaming it, printing PAUSED, so a test can kill the process there (test/integration/crash-safety.test.ts).
  const pauseAt = async (point: string): Promise<void> => {
    if (process.env.DTI_TEST_PAUSE_AT !== point) return;
    console.log(`PAUSED ${point}`);
    await new Promise((resolve) => setTimeout(resolve, 600_000));
  };
  const config = loadConfig();

  switch (command) {
    case 'serve': {
      const { serve } = await import('./main.js');
      const app = await serve(config);
      const stop = (): void => {
        console.log('Đang dừng máy chủ…');
        void app.close().then(
          () => {
            console.log('Đã dừng.');
            process.exit(0);
          },
          (err: unknown) => {
            console.error('Dừng máy chủ không trọn vẹn', err);
            process.exit(1);
          },
        );
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
        for (const r of await runIndexJob(s, 'cli', { force: values.force })) {
          console.log(`${r.period}: ${OUTCOME_LABELS[r.status]}${r.runId ? ` (lần tính #${r.runId})` : ''}`);
        }
        return 0;
      });
    case 'remind':
      return withServices(config, async (s) => {
        const r = await s.reminders.run();
        if (r.status === 'busy') {
          console.log('Một tiến trình khác đang gửi lời nhắc; bỏ qua.');
          return 75;
        }
        for (const x of r.sent) console.log(`${x.period}\t${x.agency}\t${x.kind}\t${x.day}\t${x.recipients} người nhận`);
        console.log(`Đã ghi ${r.sent.length} lời nhắc.`);
        console.log(mailSummary(await s.notifications.deliverOutbox()));
        return 0;
      });
    case 'send-mail':
      return withServices(config, async (s) => {
        console.log(mailSummary(await s.notifications.deliverOutbox()));
        return 0;
      });
    case 'report':
      return withServices(config, async (s) => {
        const p = await periodByCode(s, values.period);
        const format = values.format === 'html' ? 'html' : values.format === 'xlsx' ? 'xlsx' : null;
        if (!format) throw new AppError('validation', '--format phải là xlsx hoặc html.');
        if (values.archive) {
          const ids = await s.reportArchive.generate(CLI_ACTOR, p.id, 'cli');
          console.log(`Đã lưu trữ ${ids.length} tệp báo cáo của kỳ ${p.code} vào ${path.join(config.dataDir, 'reports')}`);
          return 0;
        }
        let file;
        if (values.agency) {
          const agency = await s.agencies.findByCode(values.agency);
          if (!agency) throw new AppError('not_found', `Không có đơn vị mã ${values.agency}.`);
          file = await s.reporting.buildScorecard(CLI_ACTOR, p.id, agency.id, format);
        } else {
          file = await s.reporting.build(CLI_ACTOR, p.id, format);
        }
        const out = path.resolve(values.out ?? file.fileName);
        // Written aside and renamed: a run killed half-way leaves the previous report as it was.
        const tmp = `${out}.${process.pid}.tmp`;
        try {
          fs.writeFileSync(tmp, file.body);
          await pauseAt('report-write');
          fs.renameSync(tmp, out);
        } finally {
          fs.rmSync(tmp, { force: true });
        }
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
    case 'report-job':
      return withServices(config, async (s) => {
        for (const r of await s.reportArchive.runJob()) {
          console.log(`${r.period} (${r.stage === 'final' ? 'chính thức' : 'dự thảo'}): ${r.status}${r.files ? `, ${r.files} tệp` : ''}`);
        }
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
    case 'exempt':
      return withServices(config, async (s) => {
        const p = await periodByCode(s, values.period);
        if (!values.agency) {
          for (const e of await s.frameworks.listExemptions(CLI_ACTOR, p.id)) {
            const agency = await s.agencies.get(e.agencyId);
            console.log(`${agency.code.padEnd(12)} ${e.nodeCode.padEnd(12)} ${e.reason}`);
          }
          return 0;
        }
        const agency = await s.agencies.findByCode(values.agency);
        if (!agency) throw new AppError('not_found', `Không có đơn vị mã ${values.agency}.`);
        if (!values.node) throw new AppError('validation', 'Cần --node MÃ_CHỈ_SỐ.');
        const target = { period: p, agencyId: agency.id, nodeCode: values.node };
        if (values.remove) {
          const removed = await s.frameworks.unexempt(CLI_ACTOR, target);
          console.log(removed ? `Đã bỏ: ${values.node} lại áp dụng cho ${agency.name}.` : `${values.node} vốn áp dụng cho ${agency.name}.`);
          return 0;
        }
        await s.frameworks.exempt(CLI_ACTOR, { ...target, reason: values.reason ?? '' });
        console.log(`Đã ghi: ${values.node} không áp dụng cho ${agency.name} (từ lần tính sau).`);
        return 0;
      });
    case 'score': {
      const { runScoreCommand } = await import('./scoring/offline-score.js');
      return runScoreCommand(rest);
    }
    case 'audit': {
      if (positionals[0] !== 'verify') break;
      return withServices(config, async (s) => {
        const r = await s.audit.verify();
        if (r.broken) {
          console.error(
            `Chuỗi nhật ký bị phá vỡ tại sự kiện #${r.broken.id}: ${r.broken.reason === 'hash' ? 'nội dung không khớp mã băm' : 'không nối tiếp sự kiện trước'} (${r.checked} sự kiện trước đó hợp lệ).`,
          );
          return 65;
        }
        console.log(`Chuỗi nhật ký toàn vẹn: đã kiểm tra ${r.checked} sự kiện.`);
        return 0;
      });
    }
    case 'backup': {
      if (!values.out) throw new AppError('validation', 'Cần --out TỆP.');
      const db = openDatabase({ url: config.databaseUrl, dataDir: config.dataDir, applicationName: config.dbApplicationName });
      try {
        const r = await new BackupService(db, path.join(config.dataDir, 'files'), new AuditService(db)).backup(values.out);
        const rows = Object.values(r.tables).reduce((a, b) => a + b, 0);
        console.log(`Đã sao lưu ${Object.keys(r.tables).length} bảng (${rows} bản ghi) và ${r.files} tệp vào ${r.file} (${r.bytes} byte).`);
        return 0;
      } finally {
        await db.destroy();
      }
    }
    case 'restore': {
      const file = positionals[0];
      if (!file) throw new AppError('validation', 'Cần tên tệp sao lưu: dti restore TỆP [--force].');
      const db = openDatabase({ url: config.databaseUrl, dataDir: config.dataDir, applicationName: config.dbApplicationName });
      try {
        const r = await new BackupService(db, path.join(config.dataDir, 'files'), new AuditService(db)).restore(file, { force: values.force });
        const rows = Object.values(r.tables).reduce((a, b) => a + b, 0);
        console.log(`Đã khôi phục ${Object.keys(r.tables).length} bảng (${rows} bản ghi) và ${r.files} tệp.`);
        if (r.audit.broken) {
          console.error(`Cảnh báo: chuỗi nhật ký bị phá vỡ tại sự kiện #${r.audit.broken.id}.`);
          return 65;
        }
        console.log(`Chuỗi nhật ký toàn vẹn (${r.audit.checked} sự kiện).`);
        return 0;
      } finally {
        await db.destroy();
      }
    }
    case 'files': {
      if (positionals[0] !== 'check') break;
      return withServices(config, async (s) => {
        const r = await s.evidenceFiles.checkStore({ deleteOrphans: values['delete-orphans'] });
        console.log(`Kho tệp: ${r.files} tệp; cơ sở dữ liệu dùng ${r.referenced}.`);
        for (const k of r.missing) console.log(`  THIẾU     ${k}`);
        for (const k of r.corrupt) console.log(`  SAI SHA   ${k}`);
        for (const k of r.orphans) console.log(`  KHÔNG DÙNG ${k}`);
        if (r.deleted) console.log(`Đã xóa ${r.deleted} tệp không còn được dùng.`);
        return r.missing.length || r.corrupt.length ? 1 : 0;
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
