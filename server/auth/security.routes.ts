// "Log out everywhere" for every user, and the admin's security screen: API tokens (create, shown once; revoke)
// and ending another user's sessions.
import type { Request, Response } from 'express';
import type { Services } from '../container.js';
import type { Actor } from './policy.js';
import { AppError } from '../errors.js';
import { actorOf, bodyString, idParam, type Route } from '../http/route.js';
import { SESSION_COOKIE } from '../http/middleware.js';
import { renderPage } from '../http/views.js';
import { TOKEN_SCOPES } from './tokens.service.js';
import * as view from './security.view.js';

const NOTICES: Record<string, string> = {
  revoked: 'Đã thu hồi mã API.',
  ended: 'Đã kết thúc mọi phiên đăng nhập của người dùng.',
};

export function securityRoutes(s: Services): Route[] {
  const page = async (req: Request, res: Response, extra: Record<string, unknown> = {}, status = 200): Promise<void> => {
    const actor: Actor = actorOf(res);
    await s.tokens.list(actor); // authorises
    const [tokens, users, agencies] = await Promise.all([
      view.tokenList(s.db),
      view.usersWithSessions(s.db, s.auth.time()),
      view.reportingAgencies(s.db),
    ]);
    const msg = typeof req.query.msg === 'string' ? NOTICES[req.query.msg] : undefined;
    res.status(status).send(
      renderPage('security/index', {
        ...res.locals,
        title: 'Bảo mật: mã API và phiên đăng nhập',
        tokens: tokens.map((t) => ({ ...t, scopeLabel: TOKEN_SCOPES[t.scope as keyof typeof TOKEN_SCOPES]?.label ?? t.scope })),
        users,
        agencies,
        scopes: Object.entries(TOKEN_SCOPES).map(([code, v]) => ({ code, label: v.label })),
        notice: msg,
        ...extra,
      }),
    );
  };

  return [
    {
      method: 'post',
      path: '/account/sessions/end',
      access: 'authenticated',
      handler: async (_req, res) => {
        const actor = actorOf(res);
        await s.auth.endSessions(actor, actor.id);
        res.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'lax', secure: s.config.cookieSecure, path: '/' });
        res.redirect(303, '/login');
      },
    },
    { method: 'get', path: '/admin/security', access: 'security.manage', handler: (req, res) => page(req, res) },
    {
      method: 'post',
      path: '/admin/tokens',
      access: 'security.manage',
      handler: async (req, res) => {
        const input = {
          name: bodyString(req, 'name', 100),
          scope: bodyString(req, 'scope', 20),
          agencyCode: bodyString(req, 'agencyCode', 50),
          days: bodyString(req, 'days', 4) || '0',
        };
        try {
          const { secret } = await s.tokens.create(actorOf(res), input as Parameters<typeof s.tokens.create>[1]);
          // Shown once: the page is not cached and the secret is never stored.
          res.set('Cache-Control', 'no-store');
          await page(req, res, { secret, notice: 'Đã tạo mã API. Hãy sao chép ngay: mã sẽ không được hiển thị lại.' }, 201);
        } catch (err) {
          if (!(err instanceof AppError) || err.code !== 'validation') throw err;
          await page(req, res, { errorMessage: err.message, errorList: err.details, form: input }, 400);
        }
      },
    },
    {
      method: 'post',
      path: '/admin/tokens/:tokenId/revoke',
      access: 'security.manage',
      handler: async (req, res) => {
        await s.tokens.revoke(actorOf(res), idParam(req, 'tokenId'));
        res.redirect(303, '/admin/security?msg=revoked');
      },
    },
    {
      method: 'post',
      path: '/admin/users/:userId/sessions/end',
      access: 'security.manage',
      handler: async (req, res) => {
        const userId = idParam(req, 'userId');
        if (!(await s.users.findById(userId))) throw new AppError('not_found', 'Không tìm thấy người dùng.');
        await s.auth.endSessions(actorOf(res), userId);
        res.redirect(303, '/admin/security?msg=ended');
      },
    },
  ];
}
