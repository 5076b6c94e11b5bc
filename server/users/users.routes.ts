import type { Request, Response } from 'express';
import type { Services } from '../container.js';
import { AppError } from '../errors.js';
import { ROLE_LABELS, ROLES, type Role } from '../auth/policy.js';
import { actorOf, bodyString, idParam, noticeOf, type Route } from '../http/route.js';
import { renderPage } from '../http/views.js';
import type { UserInput } from './user-admin.service.js';
import type { UserRow } from './users.service.js';

function userForm(req: Request): UserInput {
  return {
    username: bodyString(req, 'username', 64),
    fullName: bodyString(req, 'fullName', 200),
    email: bodyString(req, 'email', 200).trim() || null,
    role: bodyString(req, 'role', 20) as Role,
    agencyCode: bodyString(req, 'agencyCode', 40).trim() || null,
    password: bodyString(req, 'password', 200) || null,
    active: bodyString(req, 'active', 5) === 'on',
  };
}

export function userAdminRoutes(s: Services): Route[] {
  const roles = ROLES.map((r) => ({ code: r, label: ROLE_LABELS[r] }));

  const edit = async (res: Response, values: Omit<UserInput, 'password'> & { id?: number }, errors?: AppError): Promise<void> => {
    const agencies = await s.agencyAdmin.list(actorOf(res));
    res.status(errors?.status ?? 200).send(
      renderPage('admin/user-edit', {
        ...res.locals,
        title: values.id ? `Sửa người dùng ${values.username}` : 'Thêm người dùng',
        values,
        isNew: !values.id,
        roles,
        agencies,
        errorMessage: errors?.message,
        errorList: errors?.details ?? [],
      }),
    );
  };

  /** A stored user as the edit form shows it. */
  const shown = async (u: UserRow): Promise<Omit<UserInput, 'password'> & { id: number }> => ({
    id: u.id,
    username: u.username,
    fullName: u.fullName,
    email: u.email,
    role: u.role,
    agencyCode: u.agencyId === null ? null : (await s.agencies.get(u.agencyId)).code,
    active: u.active,
  });

  const refusedOr = async (res: Response, fn: () => Promise<void>, values: () => Promise<Omit<UserInput, 'password'> & { id?: number }>): Promise<void> => {
    try {
      await fn();
    } catch (err) {
      if (err instanceof AppError && err.code === 'validation') return edit(res, await values(), err);
      throw err;
    }
  };

  return [
    {
      method: 'get',
      path: '/admin/users',
      access: 'directory.manage',
      handler: async (req, res) => {
        const users = await s.userAdmin.list(actorOf(res));
        res.send(renderPage('admin/users', { ...res.locals, title: 'Quản lý người dùng', notice: noticeOf(req), users }));
      },
    },
    {
      method: 'get',
      path: '/admin/users/new',
      access: 'directory.manage',
      handler: (_req, res) => edit(res, { username: '', fullName: '', email: null, role: 'reporter', agencyCode: null, active: true }),
    },
    {
      method: 'post',
      path: '/admin/users',
      access: 'directory.manage',
      handler: async (req, res) => {
        const input = userForm(req);
        await refusedOr(
          res,
          async () => {
            await s.userAdmin.save(actorOf(res), input);
            res.redirect(303, '/admin/users?msg=user-saved');
          },
          async () => ({ ...input, password: undefined }),
        );
      },
    },
    {
      method: 'get',
      path: '/admin/users/:id',
      access: 'directory.manage',
      handler: async (req, res) => {
        const actor = actorOf(res);
        await edit(res, await shown(await s.userAdmin.get(actor, idParam(req, 'id'))));
      },
    },
    {
      method: 'post',
      path: '/admin/users/:id',
      access: 'directory.manage',
      handler: async (req, res) => {
        const id = idParam(req, 'id');
        const existing = await s.userAdmin.get(actorOf(res), id);
        // The edit screen never changes the password; that has its own form.
        const input = { ...userForm(req), username: existing.username, password: null };
        await refusedOr(
          res,
          async () => {
            await s.userAdmin.save(actorOf(res), input, id);
            res.redirect(303, '/admin/users?msg=user-saved');
          },
          async () => ({ ...input, id }),
        );
      },
    },
    {
      method: 'post',
      path: '/admin/users/:id/password',
      access: 'directory.manage',
      handler: async (req, res) => {
        const id = idParam(req, 'id');
        const u = await s.userAdmin.get(actorOf(res), id);
        await refusedOr(
          res,
          async () => {
            await s.userAdmin.resetPassword(actorOf(res), id, bodyString(req, 'password', 200));
            res.redirect(303, '/admin/users?msg=password-reset');
          },
          () => shown(u),
        );
      },
    },
  ];
}
