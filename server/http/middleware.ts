import { randomUUID, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { AuthService } from '../auth/auth.service.js';
import type { ApiTokenService } from '../auth/tokens.service.js';
import { AppError, isDatabaseUnavailable } from '../errors.js';
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

/**
 * Loads the actor: from an `Authorization: Bearer` API token on /api/ paths (the cookie is then ignored, and no
 * CSRF token is needed, since a browser never sends the header by itself), else from the session cookie, if any.
 */
export function loadSession(auth: AuthService, tokens?: ApiTokenService) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const authorization = req.get('authorization');
    const bearer = authorization !== undefined && /^bearer\s/i.test(authorization);
    if (bearer) {
      const secret = authorization.slice(7).trim();
      const actor = tokens && req.path.startsWith('/api/') ? await tokens.resolve(secret) : undefined;
      if (!actor) {
        res.set('WWW-Authenticate', 'Bearer');
        return next(new AppError('unauthenticated', 'Mã API không hợp lệ, đã bị thu hồi hoặc đã hết hạn.'));
      }
      res.locals.actor = actor;
      res.locals.viaToken = true;
      return next();
    }
    const token = sessionToken(req);
    if (token && token.length < 200) {
      const session = await auth.resolve(token);
      if (session) {
        res.locals.actor = session.actor;
        res.locals.csrfToken = session.csrfToken;
        res.locals.unreadNotifications = session.unreadNotifications;
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
  if (res.locals.viaToken) return next();
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

const MAX_DEPTH = 12;
const MAX_NODES = 50_000;
// Half of a UTF-16 surrogate pair: not a character, and PostgreSQL refuses it in JSON.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** The first reason a parsed body is refused, if any: NUL characters, prototype keys, absurd nesting or size. */
export function bodyProblem(body: unknown): string | undefined {
  const stack: Array<[unknown, number]> = [[body, 0]];
  let nodes = 0;
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if ((nodes += 1) > MAX_NODES) return 'Dữ liệu gửi lên có quá nhiều trường.';
    if (typeof v === 'string') {
      if (v.includes('\u0000') || LONE_SURROGATE.test(v)) return 'Dữ liệu gửi lên chứa ký tự không hợp lệ.';
    } else if (v !== null && typeof v === 'object') {
      if (depth >= MAX_DEPTH) return 'Dữ liệu gửi lên lồng nhau quá sâu.';
      for (const [k, child] of Object.entries(v)) {
        if (FORBIDDEN_KEYS.has(k) || k.includes('\u0000') || LONE_SURROGATE.test(k)) return 'Dữ liệu gửi lên chứa tên trường không hợp lệ.';
        stack.push([child, depth + 1]);
      }
    }
  }
  return undefined;
}

/**
 * Every state-changing request arrives with an object body (empty when nothing was sent): a body in a format no
 * route reads is refused with 415, one that is not an object or fails `bodyProblem` with 400. Multipart bodies are
 * parsed (and checked) by the routes that take files.
 */
export function bodyGuard(req: Request, _res: Response, next: NextFunction): void {
  if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') return next();
  const type = req.get('content-type') ?? '';
  if (/^multipart\/form-data/i.test(type)) return next();
  if (req.body === undefined) {
    const hasBody = Number(req.get('content-length') ?? 0) > 0 || req.get('transfer-encoding') !== undefined;
    if (hasBody && type) return next(new AppError('unsupported', 'Định dạng dữ liệu gửi lên không được hỗ trợ.'));
    req.body = {};
  }
  if (req.body === null || typeof req.body !== 'object' || Array.isArray(req.body)) {
    return next(new AppError('validation', 'Dữ liệu gửi lên phải là một đối tượng.'));
  }
  const problem = bodyProblem(req.body);
  next(problem ? new AppError('validation', problem) : undefined);
}

export const wantsJson = (req: Request): boolean =>
  req.path.startsWith('/api/') || /^bearer\s/i.test(req.get('authorization') ?? '') || req.accepts(['html', 'json']) === 'json';

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
    } else if (e?.type === 'entity.too.large' || e?.type === 'parameters.too.many') {
      status = 413;
      code = 'too_large';
      message = 'Dữ liệu gửi lên quá lớn.';
    } else if (e?.type === 'charset.unsupported' || e?.type === 'encoding.unsupported') {
      status = 415;
      code = 'unsupported';
      message = 'Định dạng dữ liệu gửi lên không được hỗ trợ.';
    } else if (e?.type === 'entity.parse.failed' || (typeof e?.status === 'number' && e.status >= 400 && e.status < 500)) {
      status = 400;
      code = 'validation';
      message = 'Dữ liệu gửi lên không đúng định dạng.';
    } else if (isDatabaseUnavailable(err)) {
      status = 503;
      code = 'unavailable';
      message = 'Hệ thống tạm thời không kết nối được cơ sở dữ liệu. Vui lòng thử lại sau ít phút.';
      res.set('Retry-After', '30');
      log(`request ${res.locals.requestId} ${req.method} ${req.path}: database unavailable`, undefined);
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
