// Builds the Express app from its services; never listens, so tests drive it with supertest.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type Express, type Request, type Response, type NextFunction } from 'express';
import helmet from 'helmet';
import type { Services } from './container.js';
import { can } from './auth/policy.js';
import { authRoutes } from './auth/auth.routes.js';
import { healthRoutes } from './http/health.routes.js';
import { bodyGuard, csrfProtection, errorHandler, loadSession, requestId } from './http/middleware.js';
import { assertRulesComplete, type Route } from './http/route.js';
import { AppError, notFound } from './errors.js';
import { submissionRoutes } from './submissions/submissions.routes.js';
import { reviewRoutes } from './review/review.routes.js';
import { rankingsRoutes } from './rankings/rankings.routes.js';
import { runsRoutes } from './scoring/runs.routes.js';
import { reportingRoutes } from './reporting/reporting.routes.js';
import { submissionApiRoutes } from './submissions/submissions-api.routes.js';
import { periodAdminRoutes } from './periods/periods.routes.js';
import { dashboardRoutes } from './dashboard/dashboard.routes.js';
import { auditRoutes } from './audit/audit.routes.js';
import { multipartBody } from './http/uploads.js';
import { evidenceFileRoutes } from './submissions/evidence-files.routes.js';
import { workbookRoutes } from './submissions/submission-workbook.routes.js';
import { agencyAdminRoutes } from './agencies/agencies.routes.js';
import { userAdminRoutes } from './users/users.routes.js';
import { directoryImportRoutes } from './directory/directory-import.routes.js';
import { notificationRoutes } from './notifications/notifications.routes.js';
import { appealRoutes } from './appeals/appeals.routes.js';
import { runDiffRoutes } from './rankings/run-diff.routes.js';
import { securityRoutes } from './auth/security.routes.js';
import { apiRoutes } from './api/api.routes.js';
import { frameworksRoutes } from './frameworks/frameworks.routes.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface AppOptions {
  log?: (msg: string, err?: unknown) => void;
}

/** Every route of the application, in one table. */
export function routeTable(s: Services): Route[] {
  return [
    ...healthRoutes(s),
    ...authRoutes(s),
    ...submissionRoutes(s),
    ...reviewRoutes(s),
    ...rankingsRoutes(s),
    ...runsRoutes(s),
    ...reportingRoutes(s),
    ...submissionApiRoutes(s),
    ...periodAdminRoutes(s),
    ...dashboardRoutes(s),
    ...auditRoutes(s),
    ...evidenceFileRoutes(s),
    ...workbookRoutes(s),
    ...agencyAdminRoutes(s),
    ...userAdminRoutes(s),
    ...directoryImportRoutes(s),
    ...notificationRoutes(s),
    ...appealRoutes(s),
    ...runDiffRoutes(s),
    ...securityRoutes(s),
    ...apiRoutes(s),
    ...frameworksRoutes(s),
  ];
}

export function createApp(s: Services, opts: AppOptions = {}): Express {
  const log = opts.log ?? ((msg: string, err?: unknown) => console.error(msg, err));
  const routes = routeTable(s);
  assertRulesComplete(routes);

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use(requestId);
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
          objectSrc: ["'none'"],
          upgradeInsecureRequests: s.config.cookieSecure ? [] : null,
        },
      },
      strictTransportSecurity: s.config.cookieSecure,
    }),
  );
  // Static files first: they need no session. chart.js is served from the app, never a CDN.
  app.use('/static/vendor/chart.umd.js', (_req, res) =>
    res.sendFile(path.join(root, 'node_modules/chart.js/dist/chart.umd.js'), { maxAge: '7d' }),
  );
  app.use('/static', express.static(path.join(root, 'public'), { maxAge: '1h', index: false }));
  app.use(express.urlencoded({ extended: true, limit: '512kb', parameterLimit: 5000 }));
  app.use(express.json({ limit: '512kb' }));
  app.use(bodyGuard);
  app.use(loadSession(s.auth, s.tokens));
  app.use((req: Request, res: Response, next: NextFunction) => {
    const actor = res.locals.actor;
    res.locals.nav = actor
      ? {
          submissions: can(actor, 'submission.edit', actor.agencyId ?? undefined) && actor.agencyId !== null,
          review: can(actor, 'submission.review'),
          rankings: can(actor, 'rankings.read'),
          dashboard: can(actor, 'dashboard.read'),
          periodsAdmin: can(actor, 'periods.manage'),
          directory: can(actor, 'directory.manage'),
          appeals: can(actor, 'appeal.read'),
          security: can(actor, 'security.manage'),
          reports: can(actor, 'scorecards.read'),
        }
      : null;
    res.locals.path = req.path;
    next();
  });
  // Multipart forms carry their CSRF token in the body, so they are parsed (signed-in users only) before the check.
  app.use(multipartBody(s.config.uploadMaxBytes));
  app.use(csrfProtection);

  for (const route of routes) {
    app[route.method](route.path, (req: Request, res: Response, next: NextFunction) => {
      if (route.access === 'public') return next();
      const actor = res.locals.actor;
      if (!actor) return next(new AppError('unauthenticated', 'Bạn cần đăng nhập.'));
      if (route.access !== 'authenticated' && !can(actor, route.access)) {
        return next(new AppError('forbidden', 'Vai trò của bạn không được phép truy cập trang này.'));
      }
      next();
    }, route.handler);
  }
  app.use((_req, _res, next) => next(notFound('trang yêu cầu')));
  app.use(errorHandler(log));
  return app;
}
