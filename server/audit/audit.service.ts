// The audit trail: who, when, before, after — for every value edit, state change and review decision.
import type { Knex } from 'knex';
import { authorize, type Actor } from '../auth/policy.js';
import * as repo from './audit.repository.js';
import { describeChange } from './audit-format.js';
import { formatDate } from '../../reports/format.js';

export type { AuditRow, ChainCheck } from './audit.repository.js';

export const ACTION_LABELS: Record<string, string> = {
  'submission.create': 'Tạo báo cáo',
  'value.update': 'Cập nhật số liệu',
  'evidence.add': 'Thêm tài liệu kiểm chứng',
  'evidence.remove': 'Xóa tài liệu kiểm chứng',
  'submission.submit': 'Gửi báo cáo',
  'submission.return': 'Trả lại báo cáo',
  'submission.approve': 'Phê duyệt',
  'value.appraise': 'Thẩm định số liệu',
  'submission.publish': 'Công bố',
  'run.publish': 'Công bố kết quả',
  seed: 'Khởi tạo dữ liệu mẫu',
  'period.create': 'Tạo kỳ báo cáo',
  'period.update': 'Sửa lịch kỳ báo cáo',
  'exception.grant': 'Mở lại nhập liệu cho đơn vị',
  'exception.revoke': 'Thu hồi mở lại nhập liệu',
  'calendar.add': 'Thêm ngày vào lịch nghỉ',
  'calendar.remove': 'Xóa ngày khỏi lịch nghỉ',
  'evidence.file.add': 'Đính kèm tệp kiểm chứng',
  'agency.create': 'Thêm đơn vị',
  'agency.update': 'Sửa đơn vị',
  'user.create': 'Thêm người dùng',
  'user.update': 'Sửa người dùng',
  'user.password': 'Đặt lại mật khẩu',
  'appeal.file': 'Gửi kiến nghị',
  'appeal.accept': 'Chấp nhận kiến nghị',
  'appeal.reject': 'Không chấp nhận kiến nghị',
  'appeal.republish': 'Công bố lại sau kiến nghị',
  'auth.lockout': 'Khóa tạm tài khoản do đăng nhập sai',
  'auth.ip_lockout': 'Chặn tạm địa chỉ do đăng nhập sai',
  'session.end_all': 'Kết thúc mọi phiên đăng nhập',
  'token.create': 'Tạo mã API',
  'token.revoke': 'Thu hồi mã API',
};

export const PAGE_SIZE = 50;

export interface AuditLine {
  id: number;
  at: Date;
  actorName: string;
  action: string;
  actionLabel: string;
  subject: string;
  before: string;
  after: string;
  reason: string | null;
  submissionId: number | null;
}

export interface AuditPage {
  lines: AuditLine[];
  page: number;
  pages: number;
  total: number;
}

export interface AuditInput {
  action: string;
  entity: string;
  entityId: string | number;
  agencyId?: number | null;
  submissionId?: number | null;
  before?: unknown;
  after?: unknown;
  reason?: string | null;
}

export class AuditService {
  constructor(
    private readonly db: Knex,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Records events inside the caller's transaction, so they commit or vanish with the change they describe. */
  async record(trx: Knex.Transaction, actor: Actor | null, events: AuditInput[]): Promise<void> {
    const at = this.now();
    await repo.appendEvents(
      trx,
      events.map((e) => ({
        at,
        actorId: actor?.id ?? null,
        actorName: actor ? `${actor.fullName} (${actor.username})` : 'Hệ thống',
        action: e.action,
        entity: e.entity,
        entityId: String(e.entityId),
        agencyId: e.agencyId ?? null,
        submissionId: e.submissionId ?? null,
        before: e.before ?? null,
        after: e.after ?? null,
        reason: e.reason ?? null,
      })),
    );
  }

  /** Recomputes the hash chain; reports the first event whose link is broken. */
  verify(db: Knex = this.db): Promise<repo.ChainCheck> {
    return repo.verifyChain(db);
  }

  forSubmission(submissionId: number): Promise<repo.AuditRow[]> {
    return repo.eventsForSubmission(this.db, submissionId);
  }

  /** A page of a submission's trail; the caller has checked the submission belongs to `agencyId`. */
  pageForSubmission(actor: Actor, submission: { id: number; agencyId: number }, page: number): Promise<AuditPage> {
    authorize(actor, 'audit.read', submission.agencyId);
    return this.page({ submissionId: submission.id }, page);
  }

  pageForAgency(actor: Actor, agencyId: number, page: number): Promise<AuditPage> {
    authorize(actor, 'audit.read', agencyId);
    return this.page({ agencyId }, page);
  }

  /** The Department's own changes (periods, calendar), for its admin screens. */
  pageForEntity(actor: Actor, entity: string, entityId: string | undefined, page: number): Promise<AuditPage> {
    authorize(actor, 'periods.manage');
    return this.page(entityId === undefined ? { entity } : { entity, entityId }, page);
  }

  private async page(scope: repo.AuditScope, page: number): Promise<AuditPage> {
    const p = Number.isSafeInteger(page) && page > 0 ? page : 1;
    const { rows, total } = await repo.pageOfEvents(this.db, scope, PAGE_SIZE, (p - 1) * PAGE_SIZE);
    return {
      lines: rows.map(line),
      page: p,
      pages: Math.max(1, Math.ceil(total / PAGE_SIZE)),
      total,
    };
  }
}

function line(r: repo.AuditRow): AuditLine {
  const { before, after } = describeChange(r.before, r.after);
  return {
    id: r.id,
    at: r.at,
    actorName: r.actorName,
    action: r.action,
    actionLabel: ACTION_LABELS[r.action] ?? r.action,
    subject: `${SUBJECTS[r.entity] ?? ''} ${r.entity === 'calendar_day' ? formatDate(r.entityId) : r.entityId}`.trim(),
    before,
    after,
    reason: r.reason,
    submissionId: r.submissionId,
  };
}

const SUBJECTS: Record<string, string> = {
  submission: 'Báo cáo',
  indicator: 'Chỉ số',
  evidence: 'Tài liệu',
  period: 'Kỳ báo cáo',
  entry_exception: 'Ngoại lệ',
  calendar_day: 'Ngày',
};
