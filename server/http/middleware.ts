import { randomUUID, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { AuthService } from '../auth/auth.service.js';
import { AppError } from '../errors.js';
import { renderPage } from './views.js';

export const SESSION_COOKIE = 'dti_sid';

export function requestId(req: Request, res: Response, next: NextFunction): void {
  res.locals.requestId = randomUUID();
  next();
}

function readCookie(req: Request, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return undefined;
}

export const sessionToken = (req: Request): string | undefined => readCookie(req, SESSION_COOKIE);

/** Loads the actor from the session cookie, if any. */
export function loadSession(auth: AuthService) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const token = sessionToken(req);
    if (token && token.length < 200) {
      const session = await auth.resolve(token);
      if (session) {
        res.locals.actor = session.actor;
        res.locals.csrfToken = session.csrfToken;
      }
    }
    next();
  };
}

/**
 * Synchroniser-token CSRF check on every state-changing request of a signed-in user: the form field `_csrf` or
 * the `x-csrf-token` header must equal the session's token. The session cookie is also SameSite=Lax.
 */
export function csrfProtection(req: Request, res: Response, next: NextFunction): void {
  if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') return next();
  const expected = res.locals.csrfToken as string | undefined;
  if (!expected) return next(); // anonymous: only the login form, which creates a fresh session
  const body = req.body as Record<string, unknown> | undefined;
  const given = (typeof body?._csrf === 'string' ? body._csrf : undefined) ?? req.get('x-csrf-token') ?? '';
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  if (a.length !== b.length || !timingSafeEqual(a, b)) {
    return next(new AppError('forbidden', 'Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp lệ. Hãy tải lại trang rồi thử lại.'));
  }
  next();
}

export const wantsJson = (req: Request): boolean =>
  req.path.startsWith('/api/') || req.accepts(['html', 'json']) === 'json';

export function errorHandler(log: (msg: string, err: unknown) => void) {
  // Express recognises an error handler by its four parameters.
  return (err: unknown, req: Request, res: Response, _next: NextFunction): void => {
    let status = 500;
    let message = 'Đã có lỗi xảy ra. Vui lòng thử lại sau; nếu lỗi lặp lại, hãy báo quản trị hệ thống kèm mã lỗi.';
    let details: AppError['details'] = [];
    let code = 'internal';
    const e = err as { type?: string; status?: number };
    if (err instanceof AppError) {
      ({ status, message, details, code } = err);
    } else if (e?.type === 'entity.too.large') {
      status = 413;
      code = 'too_large';
      message = 'Dữ liệu gửi lên quá lớn.';
    } else if (e?.type === 'entity.parse.failed' || e?.status === 400) {
      status = 400;
      code = 'validation';
      message = 'Dữ liệu gửi lên không đúng định dạng.';
    } else {
      log(`request ${res.locals.requestId} ${req.method} ${req.path} failed`, err);
    }
    if (res.headersSent) return;
    if (status === 401 && !wantsJson(req)) {
      res.redirect(303, `/login?next=${encodeURIComponent(req.originalUrl)}`);
      return;
    }
    res.status(status);
    if (wantsJson(req)) {
      res.json({ error: { code, message, details, requestId: status >= 500 ? res.locals.requestId : undefined } });
      return;
    }
    res.send(
      renderPage('error', {
        ...res.locals,
        title: status === 404 ? 'Không tìm thấy' : 'Không thực hiện được',
        status,
        message,
        details,
        requestId: status >= 500 ? res.locals.requestId : undefined,
      }),
    );
  };
}
