/**
 * When a hosted actor's unwritten changes are written (order-host.ts): at the end of the current
 * synchronous step (`soon`, a microtask: what one step changes in an actor lands as one append;
 * nothing in between can observe the difference, `durable()` writes at once), or after a wait
 * (`defer`, grouped by how long: `deferMs`, `lazyMs`) so they coalesce with what follows.
 */
export class WriteSchedule<S> {
  /** Actors with an undeferred change, written once the current synchronous step is done. */
  private readonly soonSet = new Set<S>();
  /** Actors with deferred changes waiting, by how long they may wait. */
  private readonly deferred = new Map<number, { slots: Set<S>; timer: NodeJS.Timeout | undefined }>();

  constructor(
    private readonly write: (s: S) => void,
    /** Whether a deferred actor may be written when its wait is over (a held one waits for its release). */
    private readonly free: (s: S) => boolean,
  ) {}

  soon(s: S): void {
    if (this.soonSet.size === 0)
      queueMicrotask(() => {
        const slots = [...this.soonSet];
        this.soonSet.clear();
        for (const x of slots) this.write(x);
      });
    this.soonSet.add(s);
  }

  defer(s: S, waitMs: number): void {
    let q = this.deferred.get(waitMs);
    if (!q) {
      q = { slots: new Set(), timer: undefined };
      this.deferred.set(waitMs, q);
    }
    q.slots.add(s);
    const queue = q;
    queue.timer ??= setTimeout(() => {
      queue.timer = undefined;
      const slots = [...queue.slots];
      queue.slots.clear();
      for (const x of slots) if (this.free(x)) this.write(x);
    }, waitMs);
  }

  /** The actor is being written now: nothing of it waits any more. */
  cancel(s: S): void {
    for (const q of this.deferred.values()) q.slots.delete(s);
    this.soonSet.delete(s);
  }
}
