// The report archive: every generated provincial report and scorecard kept as a file under <DATA_DIR>/reports/
// with its SHA-256, listed for the people who may download it. Files are written to a temporary name and renamed,
// so a crash never leaves a half-written report under an archived name, and a generation's files are listed
// together once all are written. The admin's regeneration runs in the background (report-requests.service.ts).
// The scheduled job generates a draft ahead
// of each due date and the final reports once a period is published; claims taken under an advisory lock make it
// run once across instances.
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Knex } from 'knex';
import { authorize, can, type Actor } from '../auth/policy.js';
import { notFound } from '../errors.js';
import type { Config } from '../config.js';
import type { PeriodService, PeriodRow } from '../periods/periods.service.js';
import type { ScoringService } from '../scoring/scoring.service.js';
import type { ReportFormat, ReportingService } from './reporting.service.js';
import * as repo from './reporting.repository.js';

export type { ArchiveRow } from './reporting.repository.js';

const FORMATS: ReportFormat[] = ['xlsx', 'html'];
/** A claim not finished after this long belongs to an instance that died; another may take it. */
const STALE_CLAIM_MS = 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

/** The jobs act with the Department's authority; the scheduled one records no user. */
export const JOB_ACTOR: Actor = { id: 0, username: 'he-thong', fullName: 'Hệ thống', role: 'admin', agencyId: null };

export type ArchiveTrigger = 'schedule' | 'manual' | 'cli';

export interface JobOutcome {
  period: string;
  stage: 'draft' | 'final';
  status: 'generated' | 'taken' | 'busy' | 'no-run';
  files?: number;
}

export class ReportArchiveService {
  constructor(
    private readonly db: Knex,
    private readonly config: Pick<Config, 'dataDir' | 'reports'>,
    private readonly deps: { reporting: ReportingService; periods: PeriodService; scoring: ScoringService; now: () => Date },
  ) {}

  private root(): string {
    return path.join(this.config.dataDir, 'reports');
  }

  /** Writes a file under the archive root (temp name, fsync, rename) and returns its record, with its SHA-256. */
  private async write(
    meta: Omit<repo.NewArchiveRow, 'path' | 'sha256' | 'bytes' | 'createdAt'>,
    periodCode: string,
    body: Buffer | string,
  ): Promise<repo.NewArchiveRow> {
    const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const now = this.deps.now();
    const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');
    const ext = path.extname(meta.fileName);
    const relative = path.posix.join(periodCode, `${path.basename(meta.fileName, ext)}-${stamp}-${randomUUID().slice(0, 8)}${ext}`);
    const target = path.join(this.root(), relative);
    await fs.mkdir(path.dirname(target), { recursive: true });
    const temp = `${target}.${process.pid}.tmp`;
    const handle = await fs.open(temp, 'wx');
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temp, target);
    return { ...meta, path: relative, sha256, bytes: bytes.length, createdAt: now };
  }

  /**
   * Generates and archives a period's provincial report in both formats, and, for a published period, every
   * agency's scorecard. The admin's regeneration requests, the CLI and the job all come here. The files are
   * recorded together once all are written, so a failure (or a crash) half-way lists none of them and the earlier
   * reports stay as they were; the files a failure wrote are removed (a crash's stay on disk, unlisted).
   */
  async generate(
    actor: Actor,
    periodId: number,
    trigger: ArchiveTrigger,
    opts: { scorecards?: boolean; requestedBy?: number } = {},
  ): Promise<number[]> {
    authorize(actor, 'reports.generate');
    const period = await this.deps.periods.get(periodId);
    const written: repo.NewArchiveRow[] = [];
    const createdBy = opts.requestedBy ?? (actor.id > 0 ? actor.id : null);
    const save = async (
      run: { id: number; publication: { id: number } | null },
      agencyId: number | null,
      format: ReportFormat,
      file: { fileName: string; body: Buffer | string },
    ): Promise<void> => {
      const stage = run.publication ? 'final' : 'draft';
      const kind = agencyId === null ? 'province' : 'scorecard';
      const meta = { periodId, runId: run.id, publicationId: run.publication?.id ?? null, kind, agencyId, stage, format } as const;
      written.push(await this.write({ ...meta, fileName: file.fileName, trigger, createdBy }, period.code, file.body));
    };
    try {
      let published = false;
      for (const format of FORMATS) {
        const file = await this.deps.reporting.build(actor, periodId, format);
        const run = await this.deps.scoring.getRun(file.data.runId);
        if (!run) throw notFound('lần tính');
        published = run.publication !== null;
        await save(run, null, format, file);
      }
      if (published && opts.scorecards !== false) {
        const ctx = await this.deps.reporting.scorecardContext(actor, periodId);
        const run = ctx.page.run!;
        for (const g of ctx.page.groups) {
          for (const r of g.rows) {
            for (const format of FORMATS) {
              await save(run, r.agencyId, format, await this.deps.reporting.buildScorecard(actor, periodId, r.agencyId, format, ctx));
            }
          }
        }
      }
      return await repo.insertArchive(this.db, written);
    } catch (err) {
      await Promise.all(written.map((w) => fs.rm(path.join(this.root(), w.path), { force: true })));
      throw err;
    }
  }

  /** What the actor may download: everything for the Department and leaders, an agency's own scorecards otherwise. */
  async list(actor: Actor, limit = 500): Promise<repo.ArchiveRow[]> {
    authorize(actor, 'scorecards.read', actor.agencyId ?? undefined);
    if (can(actor, 'reports.read')) return repo.listArchive(this.db, { limit });
    if (actor.agencyId === null) return [];
    return repo.listArchive(this.db, { onlyAgencyScorecards: actor.agencyId, limit });
  }

  /** An archived file the actor may download, with its absolute path. */
  async open(actor: Actor, id: number): Promise<{ row: repo.ArchiveRow; file: string }> {
    const row = await repo.getArchive(this.db, id);
    if (!row) throw notFound('tệp báo cáo');
    if (row.kind === 'province') authorize(actor, 'reports.read');
    else authorize(actor, 'scorecards.read', row.agencyId ?? undefined);
    const file = path.resolve(this.root(), row.path);
    // The stored path is ours, but never let one step outside the archive.
    if (!file.startsWith(path.resolve(this.root()) + path.sep)) throw notFound('tệp báo cáo');
    return { row, file };
  }

  /** Whether the draft of a period is due: from REPORT_DRAFT_DAYS_BEFORE days before its due date to the due date. */
  draftDue(period: PeriodRow, today: string): boolean {
    const due = Date.parse(`${period.dueOn}T00:00:00Z`);
    const from = new Date(due - this.config.reports.draftDaysBefore * DAY_MS).toISOString().slice(0, 10);
    return today >= from && today <= period.dueOn;
  }

  /** One pass of the report job over every period (scorecards: false archives the provincial reports only). */
  async runJob(opts: { scorecards?: boolean } = {}): Promise<JobOutcome[]> {
    const out: JobOutcome[] = [];
    const today = this.deps.periods.today();
    for (const period of await this.deps.periods.list()) {
      const published = await this.deps.scoring.latestRun(period.id, true);
      if (published?.publication) {
        out.push(await this.claimed(`final:${published.publication.id}`, period, 'final', opts));
      } else if (this.draftDue(period, today)) {
        if (!(await this.deps.scoring.latestRun(period.id, false))) {
          out.push({ period: period.code, stage: 'draft', status: 'no-run' });
          continue;
        }
        out.push(await this.claimed(`draft:${period.id}`, period, 'draft', opts));
      }
    }
    return out;
  }

  private async claimed(key: string, period: PeriodRow, stage: 'draft' | 'final', opts: { scorecards?: boolean }): Promise<JobOutcome> {
    const now = this.deps.now();
    const claim = await this.db.transaction((trx) => repo.claimJob(trx, key, now, new Date(now.getTime() - STALE_CLAIM_MS)));
    if (claim !== 'claimed') return { period: period.code, stage, status: claim };
    try {
      const ids = await this.generate(JOB_ACTOR, period.id, 'schedule', opts);
      await repo.finishJob(this.db, key, this.deps.now());
      return { period: period.code, stage, status: 'generated', files: ids.length };
    } catch (err) {
      // Let the next pass (here or on another instance) try again.
      await repo.releaseJob(this.db, key);
      throw err;
    }
  }
}
