// The only reader of process.env. Read once, validated, and the app refuses to start on a bad value.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import cron from 'node-cron';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  DATABASE_URL: z.string().url().optional(),
  DATA_DIR: z.string().default('./data'),
  COMPUTE_SCHEDULE: z
    .string()
    .default('*/15 * * * *')
    .refine((s) => cron.validate(s), 'không phải biểu thức cron hợp lệ'),
  SCHEDULER: bool.default(true),
  SEED_DEMO: bool.default(true),
  COOKIE_SECURE: bool.default(false),
  SESSION_HOURS: z.coerce.number().int().min(1).max(24 * 30).default(12),
  PROVINCE_NAME: z.string().default('Khánh Hòa'),
  TZ: z.string().default('Asia/Ho_Chi_Minh'),
  LOG_LEVEL: z.enum(['silent', 'error', 'info', 'debug']).default('info'),
  UPLOAD_MAX_MB: z.coerce.number().positive().max(1024).default(20),
  WORKBOOK_MAX_UNCOMPRESSED_MB: z.coerce.number().positive().max(2048).default(20),
  WORKBOOK_MAX_ROWS: z.coerce.number().int().min(10).max(1_000_000).default(5000),
  WORKBOOK_MAX_COLUMNS: z.coerce.number().int().min(10).max(16_384).default(50),
  PUBLIC_URL: z.string().url().default('http://localhost:3000'),
  APPEAL_DAYS: z.coerce.number().int().min(1).max(90).default(10),
  SMTP_HOST: z.string().optional(),
  SMTP_PORT: z.coerce.number().int().min(1).max(65535).default(587),
  SMTP_SECURE: bool.default(false),
  SMTP_USER: z.string().optional(),
  SMTP_PASSWORD: z.string().optional(),
  MAIL_FROM: z.string().default('Nền tảng DTI <no-reply@localhost>'),
  OUTBOX_SCHEDULE: z
    .string()
    .default('* * * * *')
    .refine((s) => cron.validate(s), 'không phải biểu thức cron hợp lệ'),
  REMINDER_SCHEDULE: z
    .string()
    .default('0 7 * * *')
    .refine((s) => cron.validate(s), 'không phải biểu thức cron hợp lệ'),
  REMINDER_DAYS_BEFORE: z
    .string()
    .default('7,3,1')
    .transform((s) => s.split(',').map((x) => x.trim()))
    .refine((xs) => xs.every((x) => /^\d{1,3}$/.test(x) && Number(x) >= 1), 'danh sách số ngày, ví dụ "7,3,1"')
    .transform((xs) => [...new Set(xs.map(Number))].sort((a, b) => b - a)),
  LOGIN_MAX_FAILURES: z.coerce.number().int().min(1).max(100).default(5),
  LOGIN_LOCK_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(15),
  LOGIN_IP_MAX_FAILURES: z.coerce.number().int().min(1).max(100_000).default(50),
  SHUTDOWN_GRACE_SECONDS: z.coerce.number().int().min(0).max(600).default(15),
  DB_APPLICATION_NAME: z.string().min(1).max(60).default('dti-platform'),
  REPORT_SCHEDULE: z
    .string()
    .default('*/15 * * * *')
    .refine((s) => cron.validate(s), 'không phải biểu thức cron hợp lệ'),
  REPORT_DRAFT_DAYS_BEFORE: z.coerce.number().int().min(0).max(120).default(14),
  REPORT_TARGETS_FILE: z.string().default(fileURLToPath(new URL('../reports/report-targets.json', import.meta.url))),
  REPORT_CHART_FONT: z.string().default('/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf'),
  REPORT_ISSUER_NAME: z.string().default('Sở Khoa học và Công nghệ'),
  REPORT_ISSUER_CODE: z.string().regex(/^[A-ZĐ0-9-]{1,20}$/, 'chữ in hoa, số hoặc "-"').default('SKHCN'),
  DB_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
});

export interface Config {
  env: 'development' | 'production' | 'test';
  port: number;
  host: string;
  databaseUrl: string | undefined;
  dataDir: string;
  computeSchedule: string;
  scheduler: boolean;
  seedDemo: boolean;
  cookieSecure: boolean;
  sessionHours: number;
  provinceName: string;
  timeZone: string;
  logLevel: 'silent' | 'error' | 'info' | 'debug';
  /** Largest accepted upload (evidence file, workbook, import file), in bytes. */
  uploadMaxBytes: number;
  /** Guards for uploaded workbooks: total uncompressed size of the zip entries, and sheet dimensions. */
  workbookLimits: { maxUncompressedBytes: number; maxRows: number; maxColumns: number };
  /** Base address of the site, for links in mail. */
  publicUrl: string;
  /** Calendar days after a publication during which an agency head may appeal. */
  appealDays: number;
  /** SMTP relay; without a host, mail is recorded in-app only. */
  smtp: { host: string | undefined; port: number; secure: boolean; user: string | undefined; password: string | undefined };
  mailFrom: string;
  outboxSchedule: string;
  reminderSchedule: string;
  /** Days before the due date on which agencies that have not submitted are reminded, largest first. */
  reminderDaysBefore: number[];
  /** Sign-in throttling: failures per account before a lock, its length, and failures per client address. */
  login: { maxFailures: number; lockMinutes: number; ipMaxFailures: number };
  /** How long a stopping server waits for requests in flight before closing their connections. */
  shutdownGraceSeconds: number;
  /** application_name of the PostgreSQL connections (to tell instances apart in pg_stat_activity). */
  dbApplicationName: string;
  reports: {
    schedule: string;
    draftDaysBefore: number;
    targetsFile: string;
    chartFont: string;
    issuerName: string;
    issuerCode: string;
  };
  /** Most PostgreSQL connections one instance opens. */
  dbPoolMax: number;
}

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(
    Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== '')),
  );
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Cấu hình không hợp lệ:\n${lines.join('\n')}`);
  }
  const c = parsed.data;
  return {
    env: c.NODE_ENV,
    port: c.PORT,
    host: c.HOST,
    databaseUrl: c.DATABASE_URL,
    dataDir: path.resolve(c.DATA_DIR),
    computeSchedule: c.COMPUTE_SCHEDULE,
    scheduler: c.SCHEDULER,
    seedDemo: c.SEED_DEMO,
    cookieSecure: c.COOKIE_SECURE,
    sessionHours: c.SESSION_HOURS,
    provinceName: c.PROVINCE_NAME,
    timeZone: c.TZ,
    logLevel: c.LOG_LEVEL,
    uploadMaxBytes: Math.round(c.UPLOAD_MAX_MB * 1024 * 1024),
    workbookLimits: {
      maxUncompressedBytes: Math.round(c.WORKBOOK_MAX_UNCOMPRESSED_MB * 1024 * 1024),
      maxRows: c.WORKBOOK_MAX_ROWS,
      maxColumns: c.WORKBOOK_MAX_COLUMNS,
    },
    publicUrl: c.PUBLIC_URL.replace(/\/+$/, ''),
    appealDays: c.APPEAL_DAYS,
    smtp: { host: c.SMTP_HOST, port: c.SMTP_PORT, secure: c.SMTP_SECURE, user: c.SMTP_USER, password: c.SMTP_PASSWORD },
    mailFrom: c.MAIL_FROM,
    outboxSchedule: c.OUTBOX_SCHEDULE,
    reminderSchedule: c.REMINDER_SCHEDULE,
    reminderDaysBefore: c.REMINDER_DAYS_BEFORE,
    login: { maxFailures: c.LOGIN_MAX_FAILURES, lockMinutes: c.LOGIN_LOCK_MINUTES, ipMaxFailures: c.LOGIN_IP_MAX_FAILURES },
    shutdownGraceSeconds: c.SHUTDOWN_GRACE_SECONDS,
    dbApplicationName: c.DB_APPLICATION_NAME,
    reports: {
      schedule: c.REPORT_SCHEDULE,
      draftDaysBefore: c.REPORT_DRAFT_DAYS_BEFORE,
      targetsFile: path.resolve(c.REPORT_TARGETS_FILE),
      chartFont: c.REPORT_CHART_FONT,
      issuerName: c.REPORT_ISSUER_NAME,
      issuerCode: c.REPORT_ISSUER_CODE,
    },
    dbPoolMax: c.DB_POOL_MAX,
  };
}
