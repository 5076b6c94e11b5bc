// The submission workflow (DESIGN.md §5), pure. The agency head is accountable for the report, so only the head
// submits (seed 000: "Trực tiếp chỉ đạo và chịu trách nhiệm"); approved data is locked.
//
//   draft ──submit──▶ submitted ──approve──▶ approved ──publish──▶ published
//     ▲                   │
//     └──── returned ◀────┘ return (with a reason)      returned ──submit──▶ submitted
import { invalidTransition } from '../errors.js';

export const STATES = ['draft', 'submitted', 'returned', 'approved', 'published'] as const;
export type SubmissionState = (typeof STATES)[number];

export const STATE_LABELS: Record<SubmissionState, string> = {
  draft: 'Đang nhập',
  submitted: 'Đã gửi, chờ thẩm định',
  returned: 'Bị trả lại',
  approved: 'Đã thẩm định',
  published: 'Đã công bố',
};

export type Transition = 'submit' | 'return' | 'approve' | 'publish';

const TRANSITIONS: Record<Transition, { from: readonly SubmissionState[]; to: SubmissionState; verb: string }> = {
  submit: { from: ['draft', 'returned'], to: 'submitted', verb: 'gửi báo cáo' },
  return: { from: ['submitted'], to: 'returned', verb: 'trả lại báo cáo' },
  approve: { from: ['submitted'], to: 'approved', verb: 'phê duyệt báo cáo' },
  publish: { from: ['approved'], to: 'published', verb: 'công bố kết quả' },
};

/** The state after the transition, or a 409 naming the current state. */
export function nextState(current: SubmissionState, transition: Transition): SubmissionState {
  const t = TRANSITIONS[transition];
  if (!t.from.includes(current)) {
    throw invalidTransition(
      `Không thể ${t.verb}: báo cáo đang ở trạng thái "${STATE_LABELS[current]}".`,
    );
  }
  return t.to;
}

/** Values can be edited by the agency only while the report is with the agency. */
export const isEditable = (state: SubmissionState): boolean => state === 'draft' || state === 'returned';

/** The Department may record appraised values only while a report is under review. */
export const isUnderReview = (state: SubmissionState): boolean => state === 'submitted';

/** Approved and published values are what the index is computed from. */
export const COUNTED_STATES: readonly SubmissionState[] = ['approved', 'published'];
