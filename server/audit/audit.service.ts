// The audit trail: who, when, before, after — for every value edit, state change and review decision.
import type { Knex } from 'knex';
import type { Actor } from '../auth/policy.js';
import * as repo from './audit.repository.js';

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
  'auth.lockout': 'Khóa tạm tài khoản do đăng nhập sai',
  'auth.ip_lockout': 'Chặn tạm địa chỉ do đăng nhập sai',
  'session.end_all': 'Kết thúc mọi phiên đăng nhập',
  'token.create': 'Tạo mã API',
  'token.revoke': 'Thu hồi mã API',
};

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
}
