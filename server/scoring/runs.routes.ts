import type { Services } from '../container.js';
import { actorOf, idParam, type Route } from '../http/route.js';

export function runsRoutes(s: Services): Route[] {
  return [
    {
      method: 'post',
      path: '/periods/:periodId/runs',
      access: 'runs.compute',
      handler: async (req, res) => {
        const periodId = idParam(req, 'periodId');
        const outcome = await s.scoring.computeAsActor(actorOf(res), periodId);
        res.redirect(303, `/rankings?period=${periodId}&msg=${outcome.status}`);
      },
    },
    {
      method: 'post',
      path: '/periods/:periodId/publish',
      access: 'runs.publish',
      handler: async (req, res) => {
        const periodId = idParam(req, 'periodId');
        await s.scoring.publish(actorOf(res), periodId);
        res.redirect(303, `/rankings?period=${periodId}&msg=published`);
      },
    },
  ];
}
