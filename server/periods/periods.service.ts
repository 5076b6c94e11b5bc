import type { Knex } from 'knex';
import { notFound } from '../errors.js';
import type { PeriodKind } from '../frameworks/framework.types.js';
import { defaultPeriodDates, isEntryOpen, isoDay, periodCode, periodName } from './period-calendar.js';
import * as repo from './periods.repository.js';

export type { PeriodRow } from './periods.repository.js';

export class PeriodService {
  constructor(
    private readonly db: Knex,
    private readonly now: () => Date = () => new Date(),
  ) {}

  today(): string {
    return isoDay(this.now());
  }

  async get(id: number, db: Knex = this.db): Promise<repo.PeriodRow> {
    const p = await repo.getPeriod(db, id);
    if (!p) throw notFound('kỳ báo cáo');
    return p;
  }

  list(db: Knex = this.db): Promise<repo.PeriodRow[]> {
    return repo.listPeriods(db);
  }

  findByCode(code: string, db: Knex = this.db): Promise<repo.PeriodRow | undefined> {
    return repo.findPeriodByCode(db, code);
  }

  previous(period: repo.PeriodRow, db: Knex = this.db): Promise<repo.PeriodRow | undefined> {
    return repo.previousPeriod(db, period);
  }

  isOpen(period: repo.PeriodRow): boolean {
    return isEntryOpen(period, this.today());
  }

  /** Creates a period with the default dates for its kind, or returns the existing one. */
  async ensure(
    framework: { id: number; code: string },
    kind: PeriodKind,
    year: number,
    db: Knex = this.db,
  ): Promise<repo.PeriodRow> {
    const code = periodCode(framework.code, kind, year);
    const existing = await repo.findPeriodByCode(db, code);
    if (existing) return existing;
    const id = await repo.insertPeriod(db, {
      frameworkId: framework.id,
      code,
      name: periodName(kind, year),
      kind,
      year,
      ...defaultPeriodDates(kind, year),
    });
    return (await repo.getPeriod(db, id))!;
  }
}
