/**
 * The transitions of a completed instrument or contract order (`completed`, `completedEndOfDay`).
 * They are not final states: a broker's correction of a fill can come after the family completed
 * (IB `fill-corrected`), so a completed order takes the correction of a child fill it holds
 * (`recordCorrection`, then `amendCompletion`: the host rewrites the family's history) and ignores
 * every other event. Each machine supplies those actions and the `correctionHeld` guard.
 */
export const AFTER_COMPLETION = {
  CHILD_FILL_CORRECTED: [
    { guard: 'correctionHeld', actions: ['recordCorrection', 'amendCompletion'] },
    { actions: 'recordCorrection' },
  ],
  END_OF_DAY: { actions: 'reportIgnored' },
  '*': { actions: 'reportIgnored' },
} as const;
