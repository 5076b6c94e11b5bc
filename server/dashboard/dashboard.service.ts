// The completeness and timeliness dashboard of a period, for the Department and the province's leaders, and its
// export as a workbook or CSV.
import type { Knex } from 'knex';
import { authorize, type Actor } from '../auth/policy.js';
import type { PeriodService, PeriodRow } from '../periods/periods.service.js';
import { isoDay } from '../periods/period-calendar.js';
import { completeness, type Completeness } from './completeness.js';
import { expectedAgencies } from './dashboard.view.js';

export interface DashboardPage {
  period: PeriodRow;
  completeness: Completeness;
}

export class DashboardService {
  constructor(
    private readonly db: Knex,
    private readonly deps: { periods: PeriodService },
  ) {}

  async forPeriod(actor: Actor, periodId: number): Promise<DashboardPage> {
    authorize(actor, 'dashboard.read');
    const period = await this.deps.periods.get(periodId);
    const { deadline, calendar } = await this.deps.periods.deadlineOf(period);
    const today = this.deps.periods.today();
    const rows = await expectedAgencies(this.db, periodId);
    const result = completeness(
      rows.map((r) => ({ ...r, firstSubmittedOn: r.firstSubmittedAt ? isoDay(r.firstSubmittedAt) : null })),
      deadline,
      today,
      calendar,
    );
    return { period, completeness: result };
  }
}
