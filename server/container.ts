// Wires the services together from a database, the configuration and a clock. The app, the scheduler and the
// command line all use the same wiring, so they share every rule.
import fs from 'node:fs';
import type { Knex } from 'knex';
import type { Config } from './config.js';
import { AgencyService } from './agencies/agencies.service.js';
import { AuditService } from './audit/audit.service.js';
import { AuthService } from './auth/auth.service.js';
import { FrameworkService } from './frameworks/frameworks.service.js';
import { PeriodService } from './periods/periods.service.js';
import { SubmissionService } from './submissions/submissions.service.js';
import { ScoringService } from './scoring/scoring.service.js';
import { RankingsService } from './rankings/rankings.service.js';
import { ReportingService } from './reporting/reporting.service.js';
import { UserService } from './users/users.service.js';

export interface Services {
  db: Knex;
  config: Config;
  auth: AuthService;
  users: UserService;
  agencies: AgencyService;
  frameworks: FrameworkService;
  periods: PeriodService;
  audit: AuditService;
  submissions: SubmissionService;
  scoring: ScoringService;
  rankings: RankingsService;
  reporting: ReportingService;
}

export const CODE_VERSION: string = (
  JSON.parse(fs.readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

export function createServices(db: Knex, config: Config, now: () => Date = () => new Date()): Services {
  const agencies = new AgencyService(db);
  const audit = new AuditService(db, now);
  const frameworks = new FrameworkService(db, agencies, audit);
  const periods = new PeriodService(db, now);
  const submissions = new SubmissionService(db, { frameworks, agencies, periods, audit });
  const scoring = new ScoringService(db, {
    agencies,
    frameworks,
    periods,
    submissions,
    audit,
    codeVersion: process.env.GIT_COMMIT ? `${CODE_VERSION}+${process.env.GIT_COMMIT}` : CODE_VERSION,
    now,
  });
  const rankings = new RankingsService(db, { periods, frameworks, scoring, agencies, submissions });
  const users = new UserService(db, agencies);
  return {
    db,
    config,
    auth: new AuthService(db, users, config.sessionHours, now),
    users,
    agencies,
    frameworks,
    periods,
    audit,
    submissions,
    scoring,
    rankings,
    reporting: new ReportingService(config, { rankings, frameworks, submissions }),
  };
}
