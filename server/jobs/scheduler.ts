// The scheduled jobs (node-cron). The index job recomputes every period whose entry window is open or that has
// approved data not yet in a run; ScoringService skips periods whose inputs have not changed and holds a
// per-period advisory lock, so several app instances may run this job without computing twice.
import cron, { type ScheduledTask } from 'node-cron';
import type { Services } from '../container.js';

export interface JobLog {
  info(msg: string): void;
  error(msg: string, err?: unknown): void;
}

/** One pass of the index job over all periods; returns what happened to each, for the CLI and tests. */
export async function runIndexJob(
  s: Services,
  trigger: 'schedule' | 'cli' = 'schedule',
  opts: { force?: boolean } = {},
): Promise<Array<{ period: string; status: string; runId?: number }>> {
  const out: Array<{ period: string; status: string; runId?: number }> = [];
  for (const period of await s.periods.list()) {
    const outcome = await s.scoring.computePeriod(period.id, { trigger, force: opts.force });
    out.push({ period: period.code, status: outcome.status, ...('runId' in outcome ? { runId: outcome.runId } : {}) });
  }
  return out;
}

export function startScheduler(s: Services, log: JobLog): { stop(): Promise<void> } {
  const tasks: ScheduledTask[] = [];
  let running: Promise<unknown> = Promise.resolve();
  // Passes of the reminder and mail jobs still under way, awaited on stop like the index job.
  const inFlight = new Set<Promise<unknown>>();
  const track = (p: Promise<unknown>): void => {
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
  };
  tasks.push(
    cron.schedule(
      s.config.computeSchedule,
      () => {
        running = runIndexJob(s)
          .then((r) => {
            const computed = r.filter((x) => x.status === 'computed');
            if (computed.length) log.info(`Đã tính lại chỉ số: ${computed.map((x) => x.period).join(', ')}`);
          })
          .catch((err) => log.error('Tính chỉ số theo lịch thất bại', err));
      },
      { timezone: s.config.timeZone, noOverlap: true, name: 'compute-index' },
    ),
  );
  // Reminders to agencies that have not submitted; the job's advisory lock and its per-day key make a second
  // instance (or a second run) a no-op.
  tasks.push(
    cron.schedule(
      s.config.reminderSchedule,
      () => {
        track(
          s.reminders
            .run()
            .then((r) => {
              if (r.status === 'done' && r.sent.length) log.info(`Đã ghi ${r.sent.length} lời nhắc nộp báo cáo.`);
            })
            .catch((err) => log.error('Gửi nhắc nộp báo cáo thất bại', err)),
        );
      },
      { timezone: s.config.timeZone, noOverlap: true, name: 'reminders' },
    ),
  );
  // The mail outbox: sends what events recorded, with retries.
  tasks.push(
    cron.schedule(
      s.config.outboxSchedule,
      () => track(s.notifications.deliverOutbox().catch((err) => log.error('Gửi thư trong hàng đợi thất bại', err))),
      { timezone: s.config.timeZone, noOverlap: true, name: 'mail-outbox' },
    ),
  );
  // Reports: a draft ahead of each due date (REPORT_DRAFT_DAYS_BEFORE) and the final reports once a period is
  // published; the archive service claims each piece of work under an advisory lock, so it runs once across instances.
  tasks.push(
    cron.schedule(
      s.config.reports.schedule,
      () => {
        track(
          s.reportArchive
          .runJob()
          .then((r) => {
            const done = r.filter((x) => x.status === 'generated');
            if (done.length) log.info(`Đã tạo báo cáo: ${done.map((x) => `${x.period} (${x.stage})`).join(', ')}`);
          })
          .catch((err) => log.error('Tạo báo cáo theo lịch thất bại', err)),
        );
      },
      { timezone: s.config.timeZone, noOverlap: true, name: 'report-archive' },
    ),
  );
  tasks.push(
    cron.schedule('17 3 * * *', () => void s.auth.purgeExpired().catch((e) => log.error('Dọn phiên hết hạn', e)), {
      timezone: s.config.timeZone,
      name: 'purge-sessions',
    }),
  );
  return {
    async stop() {
      for (const t of tasks) await t.stop();
      await running;
      await Promise.all([...inFlight]);
    },
  };
}
