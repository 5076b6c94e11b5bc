// Per-agency exemptions (indicator_exemptions): the Department's admin decides, with a reason, that an indicator or
// an index node does not apply to one agency in a period.
import type { Services } from '../container.js';
import { actorOf, bodyString, idParam, noticeOf, type Route } from '../http/route.js';
import { renderPage } from '../http/views.js';
import { notFound } from '../errors.js';
import type { FrameworkNode } from './framework.types.js';
import type { ExemptionTarget } from './frameworks.service.js';

/** Every node of the framework with its depth, for the choice list. */
function nodeChoices(nodes: readonly FrameworkNode[], depth = 0): Array<{ code: string; name: string; depth: number }> {
  return nodes.flatMap((n) => [{ code: n.code, name: n.name, depth }, ...(n.type === 'index' ? nodeChoices(n.children, depth + 1) : [])]);
}

export function frameworksRoutes(s: Services): Route[] {
  const target = async (req: Parameters<Route['handler']>[0]): Promise<ExemptionTarget> => {
    const period = await s.periods.get(idParam(req, 'periodId'));
    const agency = Number(bodyString(req, 'agency', 12));
    if (!Number.isSafeInteger(agency) || agency <= 0) throw notFound('đơn vị');
    return { period, agencyId: agency, nodeCode: bodyString(req, 'node', 100).trim() };
  };
  return [
    {
      method: 'get',
      path: '/periods/:periodId/exemptions',
      access: 'frameworks.manage',
      handler: async (req, res) => {
        const actor = actorOf(res);
        const period = await s.periods.get(idParam(req, 'periodId'));
        const fw = await s.frameworks.get(period.frameworkId);
        const list = await s.frameworks.listExemptions(actor, period.id);
        const groups = await s.agencies.groupIdsByCode(fw.definition.appliesTo);
        const agencies = await s.agencies.expectedAgencies([...groups.values()], period.dataFrom, period.dataTo);
        const agencyName = new Map(agencies.map((a) => [a.id, a.name]));
        const nodes = nodeChoices(fw.definition.nodes);
        const nodeName = new Map(nodes.map((n) => [n.code, n.name]));
        res.send(
          renderPage('frameworks/exemptions', {
            ...res.locals,
            title: 'Chỉ số không áp dụng cho đơn vị',
            period,
            framework: { code: fw.code, name: fw.name, version: fw.version },
            exemptions: list.map((e) => ({ ...e, agencyName: agencyName.get(e.agencyId) ?? `#${e.agencyId}`, nodeName: nodeName.get(e.nodeCode) ?? '' })),
            agencies,
            nodes: nodes.map((n) => ({ ...n, indent: '— '.repeat(n.depth) })),
            notice: noticeOf(req),
          }),
        );
      },
    },
    {
      method: 'post',
      path: '/periods/:periodId/exemptions',
      access: 'frameworks.manage',
      handler: async (req, res) => {
        const t = await target(req);
        await s.frameworks.exempt(actorOf(res), { ...t, reason: bodyString(req, 'reason', 1000) });
        res.redirect(303, `/periods/${t.period.id}/exemptions?msg=exemption-set`);
      },
    },
    {
      method: 'post',
      path: '/periods/:periodId/exemptions/delete',
      access: 'frameworks.manage',
      handler: async (req, res) => {
        const t = await target(req);
        await s.frameworks.unexempt(actorOf(res), t);
        res.redirect(303, `/periods/${t.period.id}/exemptions?msg=exemption-removed`);
      },
    },
  ];
}
