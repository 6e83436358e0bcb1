/**
 * A one-entry memo for the pure look-ahead a transition's guards and its action share (the ledger
 * after a fill, the children after a completion, ...). xstate evaluates a transition's guards and
 * then its actions on the same (context, event) pair within one macrostep; keeping the last result
 * computes it once instead of once per guard and again in the action. Keyed by object identity:
 * contexts and events are never mutated, so a hit is always the value `fn` would return. Nothing
 * but the last pair is held. No I/O, no clock: the machines stay pure.
 */
export function lookahead<C extends object, E extends object, R>(fn: (context: C, event: E) => R) {
  let lastContext: C | undefined;
  let lastEvent: E | undefined;
  let lastResult: R | undefined;
  return (context: C, event: E): R => {
    if (context === lastContext && event === lastEvent) return lastResult as R;
    const r = fn(context, event);
    lastContext = context;
    lastEvent = event;
    lastResult = r;
    return r;
  };
}
