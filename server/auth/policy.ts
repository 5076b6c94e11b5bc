// The one authorisation policy: role × action × agency. Every route names an action; services call `authorize`
// again with the agency the object belongs to, so guessing another agency's ids gets a 403, never data.
import { forbidden } from '../errors.js';

export const ROLES = ['reporter', 'head', 'reviewer', 'admin', 'leader'] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_LABELS: Record<Role, string> = {
  reporter: 'Chuyên viên đơn vị',
  head: 'Lãnh đạo đơn vị',
  reviewer: 'Thẩm định viên',
  admin: 'Quản trị',
  leader: 'Lãnh đạo tỉnh',
};

export interface Actor {
  id: number;
  username: string;
  fullName: string;
  role: Role;
  /** The agency an agency user belongs to; for Department and province users, their own agency or null. */
  agencyId: number | null;
  /** An API token acts as a restricted actor: only these actions, on top of its role's rules. */
  scope?: readonly Action[];
}

/** Whether the role's permission reaches every agency or only the actor's own. */
type Scope = 'own' | 'all';

const RULES = {
  'submission.read': { reporter: 'own', head: 'own', reviewer: 'all', admin: 'all', leader: 'all' },
  'submission.edit': { reporter: 'own', head: 'own' },
  'submission.submit': { head: 'own' },
  'submission.review': { reviewer: 'all', admin: 'all' },
  'rankings.read': { reporter: 'all', head: 'all', reviewer: 'all', admin: 'all', leader: 'all' },
  /** Unpublished runs are the Department's working material. */
  'runs.read': { reviewer: 'all', admin: 'all' },
  'runs.compute': { admin: 'all' },
  'runs.publish': { admin: 'all' },
  'reports.read': { reviewer: 'all', admin: 'all', leader: 'all' },
  /** Periods, the holiday calendar and lock exceptions are the Department's to set. */
  'periods.manage': { admin: 'all' },
  /** Completeness and timeliness of a period, for the Department and the province's leaders. */
  'dashboard.read': { reviewer: 'all', admin: 'all', leader: 'all' },
  /** The audit trail: agency users see their own agency's, the Department every agency's. */
  'audit.read': { reporter: 'own', head: 'own', reviewer: 'all', admin: 'all' },
  /** Agencies, users and their bulk import: the Department's administration. */
  'directory.manage': { admin: 'all' },
  /** Everyone reads their own notifications; the service filters by user, never by agency. */
  'notification.read': { reporter: 'own', head: 'own', reviewer: 'own', admin: 'own', leader: 'own' },
  'appeal.read': { reporter: 'own', head: 'own', reviewer: 'all', admin: 'all' },
  /** The head is accountable for the report, so only the head appeals its results. */
  'appeal.file': { head: 'own' },
  'appeal.decide': { admin: 'all' },
  /** API tokens and other users' sessions. */
  'security.manage': { admin: 'all' },
  /** Scorecards (phiếu điểm) and the archive list: the Department and leaders all, an agency its own. */
  'scorecards.read': { reporter: 'own', head: 'own', reviewer: 'all', admin: 'all', leader: 'all' },
  'reports.generate': { admin: 'all' },
  /** Framework settings that change how agencies are scored, such as per-agency exemptions. */
  'frameworks.manage': { admin: 'all' },
} as const satisfies Record<string, Partial<Record<Role, Scope>>>;

export type Action = keyof typeof RULES;
export const ACTIONS = Object.keys(RULES) as Action[];

function scopeOf(role: Role, action: Action): Scope | undefined {
  return (RULES[action] as Partial<Record<Role, Scope>>)[role];
}

/** May the actor perform the action at all (on some agency)? */
export function can(actor: Actor, action: Action, agencyId?: number): boolean {
  const scope = scopeOf(actor.role, action);
  if (!scope) return false;
  if (actor.scope && !actor.scope.includes(action)) return false;
  if (scope === 'all' || agencyId === undefined) return true;
  return actor.agencyId === agencyId;
}

export function authorize(actor: Actor, action: Action, agencyId?: number): void {
  if (!can(actor, action, agencyId)) {
    throw forbidden(
      agencyId !== undefined && scopeOf(actor.role, action) && (!actor.scope || actor.scope.includes(action))
        ? 'Bạn chỉ được làm việc với số liệu của đơn vị mình.'
        : 'Vai trò của bạn không được phép thực hiện thao tác này.',
    );
  }
}
