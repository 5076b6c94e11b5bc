// Wires the services together from a database, the configuration and a clock. The app, the scheduler and the
// command line all use the same wiring, so they share every rule.
import fs from 'node:fs';
import path from 'node:path';
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
import { ReportArchiveService } from './reporting/report-archive.service.js';
import { ReportRequestService } from './reporting/report-requests.service.js';
import { UserService } from './users/users.service.js';
import { DashboardService } from './dashboard/dashboard.service.js';
import { FileStore } from './files/file-store.js';
import { AgencyAdminService } from './agencies/agency-admin.service.js';
import { UserAdminService } from './users/user-admin.service.js';
import { EvidenceFileService } from './submissions/evidence-files.service.js';
import { SubmissionWorkbookService } from './submissions/submission-workbook.service.js';
import { DirectoryImportService } from './directory/directory-import.service.js';
import { NotificationService } from './notifications/notifications.service.js';
import { SubmissionNoticeService } from './notifications/submission-notices.service.js';
import { createMailer } from './notifications/mailer.js';
import { AppealService } from './appeals/appeals.service.js';
import { RunComparisonService } from './rankings/run-comparison.service.js';
import { ReminderService } from './reminders/reminders.service.js';
import { ApiTokenService } from './auth/tokens.service.js';
import { ApiService } from './api/api.service.js';

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
  dashboard: DashboardService;
  evidenceFiles: EvidenceFileService;
  workbooks: SubmissionWorkbookService;
  directoryImport: DirectoryImportService;
  agencyAdmin: AgencyAdminService;
  userAdmin: UserAdminService;
  notifications: NotificationService;
  runComparison: RunComparisonService;
  appeals: AppealService;
  reminders: ReminderService;
  tokens: ApiTokenService;
  api: ApiService;
  reportArchive: ReportArchiveService;
  reportRequests: ReportRequestService;
}

export const CODE_VERSION: string = (
  JSON.parse(fs.readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

export function createServices(db: Knex, config: Config, now: () => Date = () => new Date()): Services {
  const agencies = new AgencyService(db);
  const audit = new AuditService(db, now);
  const frameworks = new FrameworkService(db, agencies, audit);
  const periods = new PeriodService(db, now, audit);
  const users = new UserService(db, agencies);
  const notifications = new NotificationService(db, {
    mailer: createMailer(config),
    publicUrl: config.publicUrl,
    now,
    log: (msg) => {
      if (config.logLevel !== 'silent') console.log(msg);
    },
  });
  const events = new SubmissionNoticeService({ notifications, users, periods, agencies });
  const submissions = new SubmissionService(db, { frameworks, agencies, periods, audit, events, now });
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
  const store = new FileStore(path.join(config.dataDir, 'files'));
  const auth = new AuthService(db, users, config.sessionHours, now, { audit, login: config.login });
  const agencyAdmin = new AgencyAdminService(db, { audit, today: () => periods.today() });
  const userAdmin = new UserAdminService(db, { agencies, audit, auth });
  const runComparison = new RunComparisonService(db, { periods, frameworks, scoring });
  const reporting = new ReportingService(db, config, { rankings, frameworks, periods, scoring });
  const reportArchive = new ReportArchiveService(db, config, { reporting, periods, scoring, now });
  return {
    db,
    config,
    auth,
    users,
    agencies,
    frameworks,
    periods,
    audit,
    submissions,
    scoring,
    rankings,
    reporting,
    dashboard: new DashboardService(db, { periods }),
    evidenceFiles: new EvidenceFileService(db, { submissions, frameworks, audit, store, maxBytes: config.uploadMaxBytes }),
    workbooks: new SubmissionWorkbookService({ submissions, limits: config.workbookLimits }),
    directoryImport: new DirectoryImportService(db, { agencyAdmin, userAdmin, limits: config.workbookLimits }),
    agencyAdmin,
    userAdmin,
    notifications,
    runComparison,
    appeals: new AppealService(db, {
      periods,
      frameworks,
      agencies,
      submissions,
      scoring,
      runComparison,
      audit,
      notifications,
      users,
      store,
      maxBytes: config.uploadMaxBytes,
      appealDays: config.appealDays,
      now,
    }),
    reminders: new ReminderService(db, {
      periods,
      frameworks,
      agencies,
      submissions,
      users,
      notifications,
      daysBefore: config.reminderDaysBefore,
      now,
    }),
    tokens: new ApiTokenService(db, { agencies, audit, now }),
    api: new ApiService({ periods, agencies, submissions, rankings, scoring }),
    reportArchive,
    reportRequests: new ReportRequestService(db, {
      archive: reportArchive,
      periods,
      now,
      log: {
        info: (msg) => {
          if (config.logLevel !== 'silent') console.log(msg);
        },
        error: (msg, err) => {
          if (config.logLevel !== 'silent') console.error(msg, err);
        },
      },
    }),
  };
}
