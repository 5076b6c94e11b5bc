import { expect } from 'chai';
import { AppError } from '../../../server/errors.js';
import {
  COUNTED_STATES,
  STATES,
  STATE_LABELS,
  isEditable,
  isUnderReview,
  nextState,
  type SubmissionState,
  type Transition,
} from '../../../server/submissions/workflow.js';

// DESIGN.md §5: draft ─submit→ submitted ─approve→ approved ─publish→ published; submitted ─return→ returned;
// returned ─submit→ submitted. Everything else is refused.
const ALLOWED: Record<Transition, Partial<Record<SubmissionState, SubmissionState>>> = {
  submit: { draft: 'submitted', returned: 'submitted' },
  return: { submitted: 'returned' },
  approve: { submitted: 'approved' },
  publish: { approved: 'published' },
};
const TRANSITIONS = Object.keys(ALLOWED) as Transition[];

const VERB: Record<Transition, string> = {
  submit: 'gửi báo cáo',
  return: 'trả lại báo cáo',
  approve: 'phê duyệt báo cáo',
  publish: 'công bố kết quả',
};

describe('submission workflow', () => {
  it('when the states are listed, then each has a Vietnamese label', () => {
    expect([...STATES]).to.have.members(['draft', 'submitted', 'returned', 'approved', 'published']);
    for (const s of STATES) expect(STATE_LABELS[s]).to.be.a('string').and.not.equal('');
  });

  for (const transition of TRANSITIONS) {
    for (const from of STATES) {
      const to = ALLOWED[transition][from];
      if (to) {
        it(`when "${transition}" is applied to ${from}, then the report is ${to}`, () => {
          expect(nextState(from, transition)).to.equal(to);
        });
      } else {
        it(`when "${transition}" is applied to ${from}, then it is refused naming "${STATE_LABELS[from]}"`, () => {
          let err: unknown;
          try {
            nextState(from, transition);
          } catch (e) {
            err = e;
          }
          expect(err).to.be.instanceOf(AppError);
          const e = err as AppError;
          expect(e.code).to.equal('invalid_transition');
          expect(e.status).to.equal(409);
          expect(e.message).to.include(`"${STATE_LABELS[from]}"`);
          expect(e.message).to.include(VERB[transition]);
        });
      }
    }
  }

  const editable: Record<SubmissionState, boolean> = {
    draft: true,
    returned: true,
    submitted: false,
    approved: false,
    published: false,
  };
  for (const s of STATES) {
    it(`when a report is ${s}, then the agency ${editable[s] ? 'may' : 'may not'} edit its values`, () => {
      expect(isEditable(s)).to.equal(editable[s]);
    });
    it(`when a report is ${s}, then the Department ${s === 'submitted' ? 'may' : 'may not'} appraise it`, () => {
      expect(isUnderReview(s)).to.equal(s === 'submitted');
    });
  }

  it('when the index is computed, then only approved and published reports count', () => {
    expect([...COUNTED_STATES]).to.have.members(['approved', 'published']);
  });

  it('when every transition is tried from every state, then only the five arrows of the diagram succeed', () => {
    const arrows: string[] = [];
    for (const t of TRANSITIONS) {
      for (const from of STATES) {
        try {
          arrows.push(`${from} -${t}-> ${nextState(from, t)}`);
        } catch {
          // refused
        }
      }
    }
    expect(arrows).to.have.members([
      'draft -submit-> submitted',
      'returned -submit-> submitted',
      'submitted -return-> returned',
      'submitted -approve-> approved',
      'approved -publish-> published',
    ]);
  });
});
