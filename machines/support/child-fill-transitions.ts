/**
 * The child-fill transitions shared by the instrument and contract order machines: each machine
 * supplies its own `recordFill` action and `childFillCompletesFamily` / `childFillCompletesOrder` /
 * `childFillPartlyFills` guards. A fill that completes the whole family goes straight to
 * `completed` (what `filled` would reach at once through its `always`), saving xstate an eventless
 * microstep on the hot path.
 */

/** A child fill completes the family, moves the order to filled or partiallyFilled, or is recorded. */
export const FILL_TO_FILLED_OR_PARTIAL = [
  { guard: 'childFillCompletesFamily', target: 'completed', actions: 'recordFill' },
  { guard: 'childFillCompletesOrder', target: 'filled', actions: 'recordFill' },
  { guard: 'childFillPartlyFills', target: 'partiallyFilled', actions: 'recordFill' },
  { actions: 'recordFill' },
] as const;

/** A child fill completes the family, moves the order to filled, or is recorded. */
export const FILL_TO_FILLED = [
  { guard: 'childFillCompletesFamily', target: 'completed', actions: 'recordFill' },
  { guard: 'childFillCompletesOrder', target: 'filled', actions: 'recordFill' },
  { actions: 'recordFill' },
] as const;

/**
 * A child's completion that completes the family goes straight to completed (filled, cancelled);
 * the child is known there, so a plain assign records it (`recordChildCompleted`).
 */
export const CHILD_COMPLETION = [
  { guard: 'childCompletionCompletesFamily', target: 'completed', actions: 'recordChildCompleted' },
  { actions: 'markChildCompleted' },
] as const;
