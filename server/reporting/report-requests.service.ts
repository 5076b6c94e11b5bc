// The admin's "regenerate" of a period's reports as a background job. The request is authorised and recorded
// (report_requests, migration 071) and answered at once; the work runs in this process outside any HTTP request,
// one request at a time. Requests are taken under an advisory lock, so with several app instances on one database
// each is generated once; every instance also polls, so a request queued on one instance that died is taken by
// another, or by this one on its next start. A running request renews a heartbeat in database time; one whose
// heartbeat has stopped belonged to a process that died and is queued again (once), then failed with a reason.
// A second request for a period that has one queued or running is refused (409) rather than merged: the admin
// sees who asked first and when, and the files already under way are the ones they asked for.
import type { Knex } from 'knex';
import { authorize, type Actor } from '../auth/policy.js';
import { AppError, conflict } from '../errors.js';
import { formatDateTime } from '../periods/period-calendar.js';
import type { PeriodService } from '../periods/periods.service.js';
import { JOB_ACTOR, type ReportArchiveService } from './report-archive.service.js';
import * as repo from './reporting.repository.js';

export type { RequestRow } from './reporting.repository.js';

const HEARTBEAT_MS = 15_000;
/** No heartbeat for this long: the process that ran the request is gone (a live one renews it every 15 s). */
const STALE_SECONDS = 120;
/** A request that twice took its process down with it is not tried a third time. */
const MAX_ATTEMPTS = 2;
const POLL_MS = 10_000;
const GAVE_UP = 'Máy chủ đã dừng giữa chừng hai lần khi tạo báo cáo này; yêu cầu được dừng lại. Hãy tạo lại.';
const SYSTEM_ERROR = 'Lỗi hệ thống khi tạo báo cáo; chi tiết đã ghi vào nhật ký máy chủ. Các báo cáo đã lưu trước đó vẫn giữ nguyên.';

export interface RequestLog {
  info(msg: string): void;
  error(msg: string, err?: unknown): void;
}

export class ReportRequestService {
  private loop: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private poller: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: Knex,
    private readonly deps: { archive: ReportArchiveService; periods: PeriodService; now: () => Date; log: RequestLog },
  ) {}

  /** Records a regeneration of the period's reports for `actor` and starts it in the background. */
  async request(actor: Actor, periodId: number): Promise<repo.RequestRow> {
    authorize(actor, 'reports.generate');
    const period = await this.deps.periods.get(periodId);
    const id = await repo.insertRequest(this.db, period.id, actor.id, this.deps.now());
    if (id === undefined) {
      const active = await repo.activeRequest(this.db, period.id);
      const who = active ? ` (yêu cầu lúc ${formatDateTime(active.requestedAt)} bởi ${active.requesterName})` : '';
      throw conflict(`Báo cáo của kỳ ${period.code} đang được tạo${who}. Hãy chờ lần tạo này xong rồi tạo lại nếu cần.`);
    }
    void this.kick();
    return (await repo.getRequest(this.db, id))!;
  }

  /** The latest request of each period, by period id. */
  async latest(): Promise<Map<number, repo.RequestRow>> {
    return new Map((await repo.latestRequests(this.db)).map((r) => [r.periodId, r]));
  }

  /** Works through the queued requests unless a pass is already under way here; resolves when the queue is empty. */
  kick(): Promise<void> {
    this.again = true;
    this.loop ??= this.work().finally(() => {
      this.loop = undefined;
    });
    return this.loop;
  }

  /** Resolves when the work under way in this process, if any, is done (for tests and the command line). */
  idle(): Promise<void> {
    return this.loop ?? Promise.resolve();
  }

  /** Takes up what dead processes left and keeps polling for requests queued elsewhere. */
  start(): void {
    this.stopped = false;
    void this.kick();
    this.poller = setInterval(() => void this.kick(), POLL_MS);
    this.poller.unref();
  }

  /** No new work; waits for the request under way to finish. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.poller);
    await this.loop;
  }

  private async work(): Promise<void> {
    while (this.again && !this.stopped) {
      this.again = false;
      try {
        for (let next = await this.claim(); next && !this.stopped; next = await this.claim()) await this.run(next);
      } catch (err) {
        // The database is unreachable, say: the next kick or poll tries again.
        this.deps.log.error('Không lấy được yêu cầu tạo báo cáo', err);
      }
    }
  }

  private claim(): Promise<repo.RequestRow | undefined> {
    const opts = { staleSeconds: STALE_SECONDS, maxAttempts: MAX_ATTEMPTS, gaveUp: GAVE_UP, now: this.deps.now() };
    return this.db.transaction((trx) => repo.claimRequest(trx, opts));
  }

  private async run(req: repo.RequestRow): Promise<void> {
    const beat = setInterval(() => {
      repo.heartbeat(this.db, req.id).catch((err) => this.deps.log.error('Không ghi được nhịp của yêu cầu tạo báo cáo', err));
    }, HEARTBEAT_MS);
    beat.unref();
    try {
      // Authorised when it was asked for; the work is done with the Department's authority, filed under the asker.
      const ids = await this.deps.archive.generate(JOB_ACTOR, req.periodId, 'manual', { requestedBy: req.requestedBy });
      await repo.finishRequest(this.db, req.id, { status: 'done', files: ids.length }, this.deps.now());
      this.deps.log.info(`Đã tạo ${ids.length} tệp báo cáo theo yêu cầu số ${req.id}.`);
    } catch (err) {
      if (!(err instanceof AppError)) this.deps.log.error(`Tạo báo cáo theo yêu cầu số ${req.id} thất bại`, err);
      const error = err instanceof AppError ? err.message : SYSTEM_ERROR;
      await repo.finishRequest(this.db, req.id, { status: 'failed', error }, this.deps.now());
    } finally {
      clearInterval(beat);
    }
  }
}
