// The only reader of process.env. Read once, validated, and the app refuses to start on a bad value.
import path from 'node:path';
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
  LOGIN_MAX_FAILURES: z.coerce.number().int().min(1).max(100).default(5),
  LOGIN_LOCK_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(15),
  LOGIN_IP_MAX_FAILURES: z.coerce.number().int().min(1).max(100_000).default(50),
  SHUTDOWN_GRACE_SECONDS: z.coerce.number().int().min(0).max(600).default(15),
  DB_APPLICATION_NAME: z.string().min(1).max(60).default('dti-platform'),
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
  /** Sign-in throttling: failures per account before a lock, its length, and failures per client address. */
  login: { maxFailures: number; lockMinutes: number; ipMaxFailures: number };
  /** How long a stopping server waits for requests in flight before closing their connections. */
  shutdownGraceSeconds: number;
  /** application_name of the PostgreSQL connections (to tell instances apart in pg_stat_activity). */
  dbApplicationName: string;
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
    login: { maxFailures: c.LOGIN_MAX_FAILURES, lockMinutes: c.LOGIN_LOCK_MINUTES, ipMaxFailures: c.LOGIN_IP_MAX_FAILURES },
    shutdownGraceSeconds: c.SHUTDOWN_GRACE_SECONDS,
    dbApplicationName: c.DB_APPLICATION_NAME,
    dbPoolMax: c.DB_POOL_MAX,
  };
}
