/**
 * The child-fill transitions shared by the instrument and contract order machines: each machine
 * supplies its own `recordFill` action and `childFillCompletesOrder` / `childFillPartlyFills` guards.
 */

/** A child fill moves the order to filled, or to partiallyFilled, or just records it. */
export const FILL_TO_FILLED_OR_PARTIAL = [
  { guard: 'childFillCompletesOrder', target: 'filled', actions: 'recordFill' },
  { guard: 'childFillPartlyFills', target: 'partiallyFilled', actions: 'recordFill' },
  { actions: 'recordFill' },
] as const;

/** A child fill moves the order to filled, or just records it. */
export const FILL_TO_FILLED = [
  { guard: 'childFillCompletesOrder', target: 'filled', actions: 'recordFill' },
  { actions: 'recordFill' },
] as const;
