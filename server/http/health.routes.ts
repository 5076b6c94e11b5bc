import type { Services } from '../container.js';
import { migrationsCurrent, ping } from '../db/database.js';
import type { Route } from './route.js';

export function healthRoutes(s: Services): Route[] {
  return [
    { method: 'get', path: '/healthz', access: 'public', handler: (_req, res) => void res.json({ status: 'ok' }) },
    {
      method: 'get',
      path: '/readyz',
      access: 'public',
      handler: async (_req, res) => {
        try {
          await ping(s.db);
          const current = await migrationsCurrent(s.db);
          res.status(current ? 200 : 503).json({ status: current ? 'ready' : 'migrations pending' });
        } catch {
          res.status(503).json({ status: 'database unavailable' });
        }
      },
    },
  ];
}
