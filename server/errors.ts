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
  | 'unavailable';

const STATUS: Record<ErrorCode, number> = {
  validation: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  invalid_transition: 409,
  too_large: 413,
  unavailable: 503,
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
