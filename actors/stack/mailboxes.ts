/**
 * One mailbox per broker order (by orderRef): its events and sweeps run one at a time, in order.
 * The map holds each busy mailbox's tail (what a new piece of work waits for); an idle one is gone.
 */
export class Mailboxes extends Map<string, Promise<void>> {
  /** Run `fn` after everything queued for this broker order; resolves (or rejects) with it. */
  enqueue<R>(orderRef: string, fn: () => Promise<R> | R): Promise<R> {
    const prev = this.get(orderRef) ?? Promise.resolve();
    const run = prev.then(fn);
    const next = run.then(
      () => undefined,
      () => undefined,
    );
    this.set(orderRef, next);
    void next.then(() => {
      if (this.get(orderRef) === next) this.delete(orderRef);
    });
    return run;
  }
}
