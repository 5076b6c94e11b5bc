// Seeds the demo province: agencies, users, frameworks, last year's and this half-year's published results, and
// the current annual period open with submissions in every state, so each screen has something real to show.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Services } from '../container.js';
import type { Actor } from '../auth/policy.js';
import { loadFrameworkFile } from '../frameworks/framework.loader.js';
import { indicatorsOf, type FrameworkDef, type IndicatorDef } from '../frameworks/framework.types.js';
import type { PeriodKind } from '../frameworks/framework.types.js';
import type { SubmissionState } from '../submissions/workflow.js';
import type { ImportedSubmission } from '../submissions/submissions.service.js';
import { conflict } from '../errors.js';
import {
  DEMO_PASSWORD,
  demoAgencies,
  demoEvidenceFor,
  demoRankingGroups,
  demoUsers,
  demoValueFor,
} from './demo-province.js';

const frameworksDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../frameworks');
export const DEMO_FRAMEWORK_FILES = ['dti-so.yaml', 'dti-xa.yaml'];

export interface DemoSummary {
  agencies: number;
  users: number;
  periods: string[];
}

/** Seeds only an empty database; refuses otherwise so real data is never mixed with demo data. */
export async function seedDemo(s: Services, opts: { currentYear: number }): Promise<DemoSummary> {
  if ((await s.agencies.count()) > 0) {
    throw conflict('Cơ sở dữ liệu đã có dữ liệu; dữ liệu mẫu chỉ được nạp vào cơ sở dữ liệu trống.');
  }
  const year = opts.currentYear;
  const groupIds = new Map<string, number>();
  const agencyIds = new Map<string, number>();
  await s.db.transaction(async (trx) => {
    for (const g of demoRankingGroups) groupIds.set(g.code, await s.agencies.createGroup(g, trx));
    // Parents before children: the list is in tree order.
    for (const a of demoAgencies) {
      agencyIds.set(
        a.code,
        await s.agencies.createAgency(
          {
            code: a.code,
            name: a.name,
            kind: a.kind,
            parentId: a.parent ? agencyIds.get(a.parent)! : null,
            rankingGroupId: a.group ? groupIds.get(a.group)! : null,
          },
          trx,
        ),
      );
    }
    for (const u of demoUsers) {
      await s.users.create(
        { username: u.username, fullName: u.fullName, email: u.email, password: DEMO_PASSWORD, role: u.role, agencyCode: u.agency },
        trx,
      );
    }
  });

  // The demo's review and publication are recorded as done by the demo reviewer and admin.
  const actorOf = async (username: string): Promise<Actor> => {
    const u = await s.users.findByUsername(username);
    if (!u) throw new Error(`demo user ${username} missing`);
    return { id: u.id, username: u.username, fullName: u.fullName, role: u.role, agencyId: u.agencyId };
  };
  const admin = await actorOf('quantri');
  const reviewer = await actorOf('thamdinh');

  const periods: string[] = [];
  for (const file of DEMO_FRAMEWORK_FILES) {
    const def = await loadFrameworkFile(path.join(frameworksDir, file));
    const { id: frameworkId } = await s.frameworks.importFramework(def);
    const framework = { id: frameworkId, code: def.code };
    const members = demoAgencies.filter((a) => a.group && def.appliesTo.includes(a.group));
    const history: Array<[PeriodKind, number]> = [
      ['annual', year - 1],
      ['semiannual', year],
    ];
    for (const [kind, y] of history) {
      const period = await s.periods.ensure(framework, kind, y);
      await s.db.transaction(async (trx) => {
        for (const [i, a] of members.entries()) {
          const sub = demoSubmission(def, agencyIds.get(a.code)!, a.code, period.id, y, kind === 'annual' ? 'Y' : 'H1', 'approved');
          await s.submissions.importSubmission(trx, reviewer, { ...sub, ...historyDates(period.dueOn, i) }, 'demo');
        }
      });
      await s.scoring.publish(admin, period.id);
      periods.push(period.code);
    }

    const current = await s.periods.ensure(framework, 'annual', year);
    await s.db.transaction(async (trx) => {
      for (const [i, a] of members.entries()) {
        const state = currentState(a.code, i);
        const sub = demoSubmission(def, agencyIds.get(a.code)!, a.code, current.id, year, 'Y', state);
        if (state === 'draft') sub.values = sub.values.filter((_, k) => k % 2 === 0);
        await s.submissions.importSubmission(trx, reviewer, sub, 'demo');
      }
    });
    await s.scoring.computePeriod(current.id, { trigger: 'seed' });
    periods.push(current.code);
  }
  return { agencies: demoAgencies.length, users: demoUsers.length, periods };
}

/** The demo users' own agencies stay in draft so their journeys can be clicked through. */
function currentState(agencyCode: string, i: number): SubmissionState {
  const ownDemoAgencies = new Set(demoUsers.filter((u) => u.role === 'reporter' || u.role === 'head').map((u) => u.agency));
  if (ownDemoAgencies.has(agencyCode)) return 'draft';
  const cycle: SubmissionState[] = ['approved', 'approved', 'approved', 'submitted', 'approved', 'returned', 'submitted', 'draft'];
  return cycle[i % cycle.length]!;
}

function demoSubmission(
  def: FrameworkDef,
  agencyId: number,
  agencyCode: string,
  periodId: number,
  year: number,
  half: 'H1' | 'Y',
  state: SubmissionState,
): ImportedSubmission {
  const indicators = indicatorsOf(def.nodes).filter((ind) => half === 'Y' || ind.periodicity !== 'annual');
  const values: ImportedSubmission['values'] = [];
  const evidence: ImportedSubmission['evidence'] = [];
  for (const ind of indicators) {
    const self = demoValueFor(agencyCode, ind, year, half);
    const reviewed = state === 'approved' || state === 'published';
    const appraised = reviewed ? demoAppraisal(ind, self, agencyCode, year) : null;
    values.push({
      code: ind.code,
      self,
      comment: self ? null : 'Đơn vị chưa tổng hợp được số liệu trong kỳ.',
      appraised: appraised?.value ?? null,
      appraisalReason: appraised?.reason ?? null,
    });
    const e = demoEvidenceFor(agencyCode, ind, year);
    if (e && self) evidence.push({ code: ind.code, ...e });
  }
  return {
    agencyId,
    periodId,
    state,
    values,
    evidence,
    returnReason:
      state === 'returned'
        ? 'Đề nghị bổ sung tài liệu kiểm chứng cho chỉ số tỷ lệ hồ sơ trực tuyến và rà soát lại số liệu CBCCVC đạt chuẩn kỹ năng CNTT.'
        : null,
  };
}

/** About one value in twelve is adjusted on appraisal, as appraisal councils do. */
function demoAppraisal(
  ind: IndicatorDef,
  self: ReturnType<typeof demoValueFor>,
  agencyCode: string,
  year: number,
): { value: NonNullable<ReturnType<typeof demoValueFor>>; reason: string } | null {
  if (!self || self.value === null) return null;
  const h = [...`${agencyCode}|${ind.code}|${year}`].reduce((a, c) => (a * 31 + c.charCodeAt(0)) >>> 0, 7);
  if (h % 12 !== 0) return null;
  if (ind.input.kind === 'ratio' && self.denominator) {
    return {
      value: { ...self, value: Math.floor(self.value * 0.85) },
      reason: 'Tài liệu kiểm chứng chỉ chứng minh được một phần số liệu; Hội đồng thẩm định công nhận theo số liệu có kiểm chứng.',
    };
  }
  if (ind.input.kind === 'count' && self.value > 0) {
    return { value: { ...self, value: self.value - 1 }, reason: 'Một lớp bồi dưỡng không có danh sách học viên kèm theo.' };
  }
  return null;
}

/**
 * When a past period's report was sent and approved: most agencies a few days before the due date, one in eleven
 * three days after it, so the dashboard and the report's timeliness section have something to show.
 */
function historyDates(dueOn: string, i: number): { submittedAt: Date; reviewedAt: Date } {
  const due = new Date(`${dueOn}T09:00:00+07:00`).getTime();
  const day = 86_400_000;
  const submittedAt = new Date(i % 11 === 5 ? due + 3 * day : due - ((i * 3) % 10) * day);
  return { submittedAt, reviewedAt: new Date(submittedAt.getTime() + 4 * day) };
}
