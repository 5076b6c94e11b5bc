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
  REPORT_SCHEDULE: z
    .string()
    .default('*/15 * * * *')
    .refine((s) => cron.validate(s), 'không phải biểu thức cron hợp lệ'),
  REPORT_DRAFT_DAYS_BEFORE: z.coerce.number().int().min(0).max(120).default(14),
  REPORT_TARGETS_FILE: z.string().default(fileURLToPath(new URL('../config/report-targets.json', import.meta.url))),
  REPORT_CHART_FONT: z.string().default('/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf'),
  REPORT_ISSUER_NAME: z.string().default('Sở Khoa học và Công nghệ'),
  REPORT_ISSUER_CODE: z.string().regex(/^[A-ZĐ0-9-]{1,20}$/, 'chữ in hoa, số hoặc "-"').default('SKHCN'),
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
  reports: {
    schedule: string;
    draftDaysBefore: number;
    targetsFile: string;
    chartFont: string;
    issuerName: string;
    issuerCode: string;
  };
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
    reports: {
      schedule: c.REPORT_SCHEDULE,
      draftDaysBefore: c.REPORT_DRAFT_DAYS_BEFORE,
      targetsFile: path.resolve(c.REPORT_TARGETS_FILE),
      chartFont: c.REPORT_CHART_FONT,
      issuerName: c.REPORT_ISSUER_NAME,
      issuerCode: c.REPORT_ISSUER_CODE,
    },
  };
}
