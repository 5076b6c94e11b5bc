// Tells an agency's users when the Department returns their report, inside the transaction of the return, with the
// reason, the due date and a link. Wired into SubmissionService as its transition listener.
import type { Knex } from 'knex';
import type { AgencyService } from '../agencies/agencies.service.js';
import type { PeriodService } from '../periods/periods.service.js';
import type { SubmissionEvents, SubmissionTransition } from '../submissions/submissions.service.js';
import type { UserService } from '../users/users.service.js';
import { formatDate } from '../../reports/format.js';
import type { NotificationService } from './notifications.service.js';

export class SubmissionNoticeService implements SubmissionEvents {
  constructor(
    private readonly deps: { notifications: NotificationService; users: UserService; periods: PeriodService; agencies: AgencyService },
  ) {}

  async transitioned(trx: Knex.Transaction, e: SubmissionTransition): Promise<void> {
    if (e.action !== 'submission.return') return;
    const period = await this.deps.periods.get(e.submission.periodId, trx);
    const agency = await this.deps.agencies.get(e.submission.agencyId, trx);
    const users = await this.deps.users.recipients({ agencyId: agency.id, roles: ['reporter', 'head'] }, trx);
    await this.deps.notifications.notify(trx, users, {
      kind: 'submission.return',
      subject: `Báo cáo ${period.name} của ${agency.name} bị trả lại`,
      body:
        `Sở Khoa học và Công nghệ trả lại báo cáo tự đánh giá chỉ số chuyển đổi số ${period.name} (mã kỳ ${period.code}) ` +
        `của ${agency.name} để bổ sung, chỉnh sửa.\n` +
        `Lý do: ${e.reason ?? ''}\n` +
        `Hạn gửi báo cáo: ngày ${formatDate(period.dueOn)}. Đề nghị đơn vị chỉnh sửa và lãnh đạo đơn vị gửi lại báo cáo.`,
      link: `/submissions/${e.submission.id}`,
    });
  }
}
