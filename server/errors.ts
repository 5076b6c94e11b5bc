// One error family for the whole application. Services throw these; the error middleware turns them into a page
// or JSON with the Vietnamese message. Anything else is a bug: logged with the request id, answered with a bare 500.

export type ErrorCode =
  | 'validation'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'invalid_transition'
  | 'too_large'
  | 'unavailable'
  | 'rate_limited'
  | 'unsupported';

const STATUS: Record<ErrorCode, number> = {
  validation: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  invalid_transition: 409,
  too_large: 413,
  unavailable: 503,
  rate_limited: 429,
  unsupported: 415,
};

export interface FieldProblem {
  /** Form field or indicator code the problem is about. */
  field: string;
  message: string;
}

export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: FieldProblem[] = [],
  ) {
    super(message);
    this.name = 'AppError';
    this.status = STATUS[code];
  }
}

export const validationError = (message: string, details: FieldProblem[] = []): AppError =>
  new AppError('validation', message, details);
export const notFound = (what: string): AppError => new AppError('not_found', `Không tìm thấy ${what}.`);
export const forbidden = (message = 'Bạn không có quyền thực hiện thao tác này.'): AppError =>
  new AppError('forbidden', message);
export const conflict = (message: string): AppError => new AppError('conflict', message);
export const invalidTransition = (message: string): AppError => new AppError('invalid_transition', message);

// Errors of the database driver that mean "the database cannot be reached right now" rather than a bug: refused or
// dropped connections, a server shutting down or restarting, no connection to be had from the pool in time.
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'EAI_AGAIN',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
  '53300', // too_many_connections
]);

export function isDatabaseUnavailable(err: unknown): boolean {
  const e = err as { code?: unknown; name?: unknown; message?: unknown; errors?: unknown } | null;
  if (!e || typeof e !== 'object') return false;
  if (typeof e.code === 'string' && UNAVAILABLE_CODES.has(e.code)) return true;
  if (e.name === 'KnexTimeoutError') return true;
  const msg = typeof e.message === 'string' ? e.message : '';
  if (/Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(msg)) {
    return true;
  }
  // Node reports a refused connection to a name with several addresses as an AggregateError.
  return Array.isArray(e.errors) && e.errors.some(isDatabaseUnavailable);
}
