import { expect } from 'chai';
import { ACTIONS, ROLES, ROLE_LABELS, authorize, can, type Action, type Actor, type Role } from '../../../server/auth/policy.js';
import { AppError } from '../../../server/errors.js';

// The policy as the product describes it (DESIGN.md §1), written out by hand rather than read back from the code:
// 'all' reaches every agency, 'own' only the actor's agency, absent means never.
type Scope = 'own' | 'all';
const EXPECTED: Record<Action, Partial<Record<Role, Scope>>> = {
  'submission.read': { reporter: 'own', head: 'own', reviewer: 'all', admin: 'all', leader: 'all' },
  'submission.edit': { reporter: 'own', head: 'own' },
  'submission.submit': { head: 'own' },
  'submission.review': { reviewer: 'all', admin: 'all' },
  'rankings.read': { reporter: 'all', head: 'all', reviewer: 'all', admin: 'all', leader: 'all' },
  'runs.read': { reviewer: 'all', admin: 'all' },
  'runs.compute': { admin: 'all' },
  'runs.publish': { admin: 'all' },
  'reports.read': { reviewer: 'all', admin: 'all', leader: 'all' },
  'periods.manage': { admin: 'all' },
  'dashboard.read': { reviewer: 'all', admin: 'all', leader: 'all' },
  'audit.read': { reporter: 'own', head: 'own', reviewer: 'all', admin: 'all' },
  'directory.manage': { admin: 'all' },
  // Notifications are each user's own (filtered by user, not agency).
  'notification.read': { reporter: 'own', head: 'own', reviewer: 'own', admin: 'own', leader: 'own' },
  // Appeals: the agency reads its own and its head files them; the Department reads all, the admin decides.
  'appeal.read': { reporter: 'own', head: 'own', reviewer: 'all', admin: 'all' },
  'appeal.file': { head: 'own' },
  'appeal.decide': { admin: 'all' },
  'security.manage': { admin: 'all' },
  'scorecards.read': { reporter: 'own', head: 'own', reviewer: 'all', admin: 'all', leader: 'all' },
  'reports.generate': { admin: 'all' },
  'frameworks.manage': { admin: 'all' },
};

const OWN_AGENCY = 10;
const OTHER_AGENCY = 20;

const actor = (role: Role, agencyId: number | null = OWN_AGENCY): Actor => ({
  id: 1,
  username: `u-${role}`,
  fullName: `Người dùng ${role}`,
  role,
  agencyId,
});

/** What `can` must answer for each way of asking, given the role's scope for the action. */
function expectedAnswers(scope: Scope | undefined): { any: boolean; own: boolean; other: boolean; noAgency: boolean } {
  if (!scope) return { any: false, own: false, other: false, noAgency: false };
  if (scope === 'all') return { any: true, own: true, other: true, noAgency: true };
  // An agency-scoped permission never reaches an agency the actor does not belong to, nor any agency when the
  // actor belongs to none.
  return { any: true, own: true, other: false, noAgency: false };
}

describe('authorisation policy', () => {
  it('when the policy lists its roles, then they are the five roles of DESIGN.md §1, each with a Vietnamese label', () => {
    expect([...ROLES]).to.have.members(['reporter', 'head', 'reviewer', 'admin', 'leader']);
    for (const role of ROLES) expect(ROLE_LABELS[role]).to.be.a('string').and.not.equal('');
  });

  it('when the policy lists its actions, then every one is in the expected table (a new action needs a row here)', () => {
    expect([...ACTIONS]).to.have.members(Object.keys(EXPECTED));
  });

  for (const action of Object.keys(EXPECTED) as Action[]) {
    describe(action, () => {
      for (const role of ROLES) {
        const scope = EXPECTED[action][role];
        const want = expectedAnswers(scope);
        const label = scope ? `${role} (${scope})` : `${role} (no permission)`;

        it(`when a ${label} asks without naming an agency, then can() is ${want.any}`, () => {
          expect(can(actor(role), action)).to.equal(want.any);
        });

        it(`when a ${label} acts on their own agency, then can() is ${want.own}`, () => {
          expect(can(actor(role), action, OWN_AGENCY)).to.equal(want.own);
        });

        it(`when a ${label} acts on another agency, then can() is ${want.other}`, () => {
          expect(can(actor(role), action, OTHER_AGENCY)).to.equal(want.other);
        });

        it(`when a ${label} with no agency acts on an agency, then can() is ${want.noAgency}`, () => {
          expect(can(actor(role, null), action, OTHER_AGENCY)).to.equal(want.noAgency);
        });

        it(`when a ${label} is authorised on another agency, then authorize() ${want.other ? 'passes' : 'throws a 403'}`, () => {
          const run = (): void => authorize(actor(role), action, OTHER_AGENCY);
          if (want.other) {
            expect(run).not.to.throw();
            return;
          }
          const err = catchError(run);
          expect(err).to.be.instanceOf(AppError);
          expect(err.code).to.equal('forbidden');
          expect(err.status).to.equal(403);
          // A role with the permission on its own agency is told why; a role without it at all is told that.
          expect(err.message).to.equal(
            scope
              ? 'Bạn chỉ được làm việc với số liệu của đơn vị mình.'
              : 'Vai trò của bạn không được phép thực hiện thao tác này.',
          );
        });

        it(`when a ${label} is authorised without naming an agency, then authorize() ${want.any ? 'passes' : 'throws a 403'}`, () => {
          const run = (): void => authorize(actor(role), action);
          if (want.any) {
            expect(run).not.to.throw();
            return;
          }
          const err = catchError(run);
          expect(err.code).to.equal('forbidden');
          expect(err.message).to.equal('Vai trò của bạn không được phép thực hiện thao tác này.');
        });
      }
    });
  }
});

describe('a restricted actor (API token)', () => {
  const token = (role: Role, scope: Action[], agencyId: number | null = OWN_AGENCY): Actor => ({ ...actor(role, agencyId), scope });

  it('when a values token of an agency edits its own agency, then it may; another agency, then it may not', () => {
    const t = token('reporter', ['submission.read', 'submission.edit']);
    expect(can(t, 'submission.edit', OWN_AGENCY)).to.equal(true);
    expect(can(t, 'submission.edit', OTHER_AGENCY)).to.equal(false);
    expect(catchError(() => authorize(t, 'submission.edit', OTHER_AGENCY)).message).to.equal(
      'Bạn chỉ được làm việc với số liệu của đơn vị mình.',
    );
  });

  it('when a values token tries what its role could do but its scope does not list, then it is refused', () => {
    const t = token('reporter', ['submission.read', 'submission.edit']);
    expect(can(actor('reporter'), 'rankings.read')).to.equal(true);
    expect(can(t, 'rankings.read')).to.equal(false);
    const head = token('head', ['submission.read', 'submission.edit']);
    expect(can(head, 'submission.submit', OWN_AGENCY)).to.equal(false);
    expect(catchError(() => authorize(head, 'submission.submit', OWN_AGENCY)).message).to.equal(
      'Vai trò của bạn không được phép thực hiện thao tác này.',
    );
  });

  it('when a scope lists an action its role lacks, then the role still decides (a scope never widens)', () => {
    const t = token('leader', ['rankings.read', 'runs.compute', 'submission.edit'], null);
    expect(can(t, 'rankings.read')).to.equal(true);
    expect(can(t, 'runs.compute')).to.equal(false);
    expect(can(t, 'submission.edit', OWN_AGENCY)).to.equal(false);
    expect(can(t, 'runs.read')).to.equal(false);
  });
});

function catchError(fn: () => void): AppError {
  try {
    fn();
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('expected an AppError');
}
