/**
 * The transitions of a completed instrument or contract order (`completed`, `completedEndOfDay`).
 * They are not final states: a broker's correction of a fill can come after the family completed
 * (IB `fill-corrected`), so a completed order takes the correction of a child fill it holds
 * (`recordCorrection`, then `amendCompletion`: the host rewrites the family's history), a child
 * fill that comes after completion (`recordFill`, then `amendCompletion`), and ignores every other
 * event. Each machine supplies those actions and the `correctionHeld` guard.
 */
export const AFTER_COMPLETION = {
  // A fill that comes after completion (a broker order filled late or beyond its trade): held as
  // fill and overfill like any child fill (positions follow the fills), the completion amended.
  CHILD_FILL: { actions: ['recordFill', 'amendCompletion'] },
  CHILD_FILL_CORRECTED: [
    { guard: 'correctionHeld', actions: ['recordCorrection', 'amendCompletion'] },
    { actions: 'recordCorrection' },
  ],
  END_OF_DAY: { actions: 'reportIgnored' },
  '*': { actions: 'reportIgnored' },
} as const;

/** The fill a completed order's amendment is about: the corrected fill's id, or a late fill's. */
export function amendingFillId(
  event:
    | { type: 'CHILD_FILL_CORRECTED'; original: { fillId: string } }
    | { type: 'CHILD_FILL'; fill: { fillId: string } }
    | { type: string },
): string {
  if (event.type === 'CHILD_FILL_CORRECTED' && 'original' in event) return event.original.fillId;
  if (event.type === 'CHILD_FILL' && 'fill' in event) return event.fill.fillId;
  return '';
}

/**
 * Entering a completed state (`completed`, `completedEndOfDay`): report the completion
 * (`reportCompleted`), then deactivate the order (`complete`): two static actions, so no action
 * objects are built per completion. Each machine supplies both.
 */
export const completing = (mode: 'strict' | 'endOfDay') =>
  [
    { type: 'reportCompleted', params: { mode } },
    { type: 'complete', params: { mode } },
  ] as const;
