import type { Request, Response } from 'express';
import type { Services } from '../container.js';
import { AppError } from '../errors.js';
import { actorOf, bodyString, idParam, noticeOf, type Route } from '../http/route.js';
import { renderPage } from '../http/views.js';
import { AGENCY_KIND_LABELS, AGENCY_KINDS, type AgencyInput } from './agency-admin.service.js';

function agencyForm(req: Request): AgencyInput {
  const validTo = bodyString(req, 'validTo', 10).trim();
  return {
    code: bodyString(req, 'code', 40),
    name: bodyString(req, 'name', 300),
    kind: bodyString(req, 'kind', 20) as AgencyInput['kind'],
    parentCode: bodyString(req, 'parentCode', 40).trim() || null,
    groupCode: bodyString(req, 'groupCode', 40).trim() || null,
    validTo: validTo || null,
  };
}

export function agencyAdminRoutes(s: Services): Route[] {
  const kinds = AGENCY_KINDS.map((k) => ({ code: k, label: AGENCY_KIND_LABELS[k] }));

  const edit = async (res: Response, values: AgencyInput & { id?: number }, errors?: AppError): Promise<void> => {
    const actor = actorOf(res);
    const [agencies, groups] = await Promise.all([s.agencyAdmin.list(actor), s.agencyAdmin.groups()]);
    res.status(errors?.status ?? 200).send(
      renderPage('admin/agency-edit', {
        ...res.locals,
        title: values.id ? `Sửa đơn vị ${values.code}` : 'Thêm đơn vị',
        values,
        isNew: !values.id,
        kinds,
        groups,
        parents: agencies.filter((a) => a.id !== values.id),
        errorMessage: errors?.message,
        errorList: errors?.details ?? [],
      }),
    );
  };

  const save = (id?: number) => async (req: Request, res: Response, input: AgencyInput): Promise<void> => {
    try {
      await s.agencyAdmin.save(actorOf(res), input, id);
      res.redirect(303, '/admin/agencies?msg=agency-saved');
    } catch (err) {
      if (err instanceof AppError && err.code === 'validation') return edit(res, { ...input, ...(id ? { id } : {}) }, err);
      throw err;
    }
  };

  return [
    {
      method: 'get',
      path: '/admin/agencies',
      access: 'directory.manage',
      handler: async (req, res) => {
        const agencies = await s.agencyAdmin.list(actorOf(res));
        res.send(
          renderPage('admin/agencies', {
            ...res.locals,
            title: 'Quản lý đơn vị',
            notice: noticeOf(req),
            agencies: agencies.map((a) => ({ ...a, kindLabel: AGENCY_KIND_LABELS[a.kind as keyof typeof AGENCY_KIND_LABELS] ?? a.kind })),
          }),
        );
      },
    },
    {
      method: 'get',
      path: '/admin/agencies/new',
      access: 'directory.manage',
      handler: (_req, res) => edit(res, { code: '', name: '', kind: 'department', parentCode: null, groupCode: null, validTo: null }),
    },
    {
      method: 'post',
      path: '/admin/agencies',
      access: 'directory.manage',
      handler: (req, res) => save()(req, res, agencyForm(req)),
    },
    {
      method: 'get',
      path: '/admin/agencies/:id',
      access: 'directory.manage',
      handler: async (req, res) => {
        const actor = actorOf(res);
        const a = await s.agencyAdmin.get(actor, idParam(req, 'id'));
        const row = (await s.agencyAdmin.list(actor)).find((x) => x.id === a.id)!;
        await edit(res, { id: a.id, code: a.code, name: a.name, kind: a.kind as AgencyInput['kind'], parentCode: row.parentCode, groupCode: row.groupCode, validTo: a.validTo });
      },
    },
    {
      method: 'post',
      path: '/admin/agencies/:id',
      access: 'directory.manage',
      handler: async (req, res) => {
        const id = idParam(req, 'id');
        await s.agencyAdmin.get(actorOf(res), id);
        await save(id)(req, res, agencyForm(req));
      },
    },
  ];
}
