import type { Request, Response } from 'express';
import type { Services } from '../container.js';
import type { Route } from '../http/route.js';
import { bodyString } from '../http/route.js';
import { SESSION_COOKIE, sessionToken } from '../http/middleware.js';
import { renderPage } from '../http/views.js';
import { AppError } from '../errors.js';
import type { Actor } from './policy.js';

/** Where each role starts after signing in. */
export function homeOf(actor: Actor): string {
  switch (actor.role) {
    case 'reporter':
    case 'head':
      return '/submissions';
    case 'reviewer':
      return '/review';
    default:
      return '/rankings';
  }
}

/** Only same-site paths are followed after login (no open redirect). */
const safeNext = (next: unknown): string | undefined =>
  typeof next === 'string' && /^\/(?!\/)[\w\-./?=&%]*$/.test(next) && !next.startsWith('/login') ? next : undefined;

export function authRoutes(s: Services): Route[] {
  const cookieOptions = {
    httpOnly: true,
    sameSite: 'lax' as const,
    secure: s.config.cookieSecure,
    path: '/',
  };
  return [
    {
      method: 'get',
      path: '/',
      access: 'public',
      handler: (_req: Request, res: Response) => {
        const actor = res.locals.actor as Actor | undefined;
        res.redirect(303, actor ? homeOf(actor) : '/login');
      },
    },
    {
      method: 'get',
      path: '/login',
      access: 'public',
      handler: (req, res) => {
        res.send(renderPage('auth/login', { ...res.locals, title: 'Đăng nhập', next: safeNext(req.query.next) }));
      },
    },
    {
      method: 'post',
      path: '/login',
      access: 'public',
      handler: async (req, res) => {
        const username = bodyString(req, 'username', 100);
        const password = bodyString(req, 'password', 200);
        const next = safeNext(bodyString(req, 'next', 500));
        try {
          const { token, actor } = await s.auth.login(username, password, req.ip ?? 'unknown');
          // A new session at every login (no fixation); the one it replaces ends.
          const old = sessionToken(req);
          if (old) await s.auth.logout(old);
          res.cookie(SESSION_COOKIE, token, { ...cookieOptions, maxAge: s.config.sessionHours * 3600_000 });
          res.redirect(303, next ?? homeOf(actor));
        } catch (err) {
          if (!(err instanceof AppError) || (err.code !== 'unauthenticated' && err.code !== 'rate_limited')) throw err;
          res.status(err.status).send(
            renderPage('auth/login', { ...res.locals, title: 'Đăng nhập', error: err.message, username, next }),
          );
        }
      },
    },
    {
      method: 'post',
      path: '/logout',
      access: 'authenticated',
      handler: async (req, res) => {
        const token = sessionToken(req);
        if (token) await s.auth.logout(token);
        res.clearCookie(SESSION_COOKIE, cookieOptions);
        res.redirect(303, '/login');
      },
    },
  ];
}
