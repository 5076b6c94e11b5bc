// The reminder job: agencies that have not submitted (no report, a draft, or a returned report) are reminded by
// mail and in-app before the due date (REMINDER_DAYS_BEFORE), and after it the agency is told it is late and the
// lateness is escalated — to the heads of its parent agency where the parent is itself a reporting unit, otherwise
// to the Department. Each reminder is recorded once per agency, period, kind and day (unique key), the messages in
// the same transaction, and an advisory lock keeps two app instances from running the job at once.
import type { Knex } from 'knex';
import type { AgencyService, AgencyRow } from '../agencies/agencies.service.js';
import type { FrameworkService } from '../frameworks/frameworks.service.js';
import type { NotificationService, Recipient } from '../notifications/notifications.service.js';
import type { PeriodService, PeriodRow } from '../periods/periods.service.js';
import type { SubmissionService } from '../submissions/submissions.service.js';
import type { UserService } from '../users/users.service.js';
import { formatDate } from '../../reports/format.js';
import { planReminder, type PlannedReminder } from './reminder-plan.js';
import * as repo from './reminders.repository.js';

export interface ReminderSent {
  period: string;
  agency: string;
  kind: PlannedReminder['kind'];
  day: string;
  recipients: number;
}

export type ReminderOutcome = { status: 'busy' } | { status: 'done'; sent: ReminderSent[] };

/** States in which the agency still owes the Department its report. */
const NOT_SUBMITTED = new Set(['draft', 'returned']);

export class ReminderService {
  constructor(
    private readonly db: Knex,
    private readonly deps: {
      periods: PeriodService;
      frameworks: FrameworkService;
      agencies: AgencyService;
      submissions: SubmissionService;
      users: UserService;
      notifications: NotificationService;
      daysBefore: number[];
      now: () => Date;
    },
  ) {}

  async run(): Promise<ReminderOutcome> {
    return this.db.transaction(async (trx) => {
      if (!(await repo.tryLockJob(trx))) return { status: 'busy' } as const;
      const sent: ReminderSent[] = [];
      const today = this.deps.periods.today();
      for (const period of await this.deps.periods.list(trx)) {
        const plan = planReminder(period, today, this.deps.daysBefore);
        if (plan) sent.push(...(await this.remindPeriod(trx, period, plan)));
      }
      return { status: 'done', sent } as const;
    });
  }

  private async remindPeriod(trx: Knex.Transaction, period: PeriodRow, plan: PlannedReminder): Promise<ReminderSent[]> {
    const fw = await this.deps.frameworks.get(period.frameworkId, trx);
    const groups = await this.deps.agencies.groupIdsByCode(fw.definition.appliesTo, trx);
    const expected = await this.deps.agencies.expectedAgencies([...groups.values()], period.dataFrom, period.dataTo, trx);
    const states = await this.deps.submissions.statesByAgency(period.id, trx);
    const late = expected.filter((a) => {
      const s = states.get(a.id);
      return !s || NOT_SUBMITTED.has(s.state);
    });
    const at = this.deps.now();
    const sent: ReminderSent[] = [];
    // Escalations are gathered per target (a parent agency, or the Department) and sent as one list each.
    const escalations = new Map<string, { recipients: Recipient[]; parent: AgencyRow | null; agencies: AgencyRow[] }>();
    for (const agency of late) {
      const users = await this.deps.users.recipients({ agencyId: agency.id, roles: ['reporter', 'head'] }, trx);
      const claimed = await repo.claim(trx, {
        periodId: period.id,
        agencyId: agency.id,
        kind: plan.kind,
        day: plan.day,
        recipients: users.length,
        at,
      });
      if (!claimed) continue;
      const submission = states.get(agency.id);
      await this.deps.notifications.notify(trx, users, this.agencyMessage(period, agency, plan, submission?.id));
      sent.push({ period: period.code, agency: agency.code, kind: plan.kind, day: plan.day, recipients: users.length });
      if (plan.kind === 'overdue') {
        const target = await this.escalationTarget(trx, agency);
        const key = target.parent ? `agency:${target.parent.id}` : 'department';
        const entry = escalations.get(key) ?? { ...target, agencies: [] };
        entry.agencies.push(agency);
        escalations.set(key, entry);
      }
    }
    for (const e of escalations.values()) {
      await this.deps.notifications.notify(trx, e.recipients, this.escalationMessage(period, e.agencies, e.parent, plan));
    }
    return sent;
  }

  /** The heads of the parent agency when the parent is itself a reporting unit with a head; else the Department. */
  private async escalationTarget(trx: Knex.Transaction, agency: AgencyRow): Promise<{ recipients: Recipient[]; parent: AgencyRow | null }> {
    if (agency.parentId !== null) {
      const parent = await this.deps.agencies.get(agency.parentId, trx);
      if (parent.kind !== 'province') {
        const heads = await this.deps.users.recipients({ agencyId: parent.id, roles: ['head'] }, trx);
        if (heads.length > 0) return { recipients: heads, parent };
      }
    }
    return { recipients: await this.deps.users.recipients({ roles: ['admin', 'reviewer'] }, trx), parent: null };
  }

  private agencyMessage(period: PeriodRow, agency: AgencyRow, plan: PlannedReminder, submissionId: number | undefined) {
    const due = formatDate(period.dueOn);
    const link = submissionId ? `/submissions/${submissionId}` : '/submissions';
    if (plan.kind === 'before_due') {
      const left = plan.days === 0 ? 'hạn là hôm nay' : `còn ${plan.days} ngày`;
      return {
        kind: 'reminder.before_due',
        subject: `Nhắc gửi báo cáo ${period.name} — hạn ngày ${due}`,
        body:
          `Kính gửi ${agency.name},\n` +
          `Đơn vị chưa gửi báo cáo tự đánh giá chỉ số chuyển đổi số ${period.name} (mã kỳ ${period.code}). ` +
          `Hạn gửi báo cáo là ngày ${due} (${left}). Đề nghị đơn vị hoàn thiện số liệu, tài liệu kiểm chứng ` +
          `và lãnh đạo đơn vị ký gửi báo cáo trước hạn.`,
        link,
      };
    }
    return {
      kind: 'reminder.overdue',
      subject: `Quá hạn gửi báo cáo ${period.name} (hạn ngày ${due})`,
      body:
        `Kính gửi ${agency.name},\n` +
        `Đơn vị đã quá hạn gửi báo cáo tự đánh giá chỉ số chuyển đổi số ${period.name} (mã kỳ ${period.code}); ` +
        `hạn gửi là ngày ${due}. Việc chậm gửi đã được báo cáo cấp trên. Đề nghị đơn vị gửi báo cáo ngay; ` +
        `hệ thống nhận báo cáo đến hết ngày ${formatDate(period.closesOn)}.`,
      link,
    };
  }

  private escalationMessage(period: PeriodRow, agencies: AgencyRow[], parent: AgencyRow | null, plan: PlannedReminder) {
    const list = agencies.map((a, i) => `${i + 1}. ${a.name}`).join('\n');
    return {
      kind: 'reminder.escalation',
      subject: `${agencies.length} đơn vị quá hạn gửi báo cáo ${period.name}`,
      body:
        `${parent ? `Kính gửi lãnh đạo ${parent.name},\n` : ''}` +
        `Đến nay (quá hạn ${plan.days} ngày), các đơn vị sau chưa gửi báo cáo tự đánh giá chỉ số chuyển đổi số ` +
        `${period.name} (mã kỳ ${period.code}, hạn ngày ${formatDate(period.dueOn)}):\n${list}`,
      link: parent ? null : `/review?period=${period.id}`,
    };
  }
}
