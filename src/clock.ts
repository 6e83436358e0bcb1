/**
 * The clock port. Production uses the wall clock; tests and simulation runs use a simulated
 * clock so a trading day can run in seconds and deterministically. Domain code and machines
 * never read time themselves: it reaches them as values or events.
 */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}

export const wallClock: Clock = { now: () => Date.now() };

/** A clock that only moves when told to (tests), or runs `speed` times faster than real time. */
export class SimulatedClock implements Clock {
  private current: number;
  private realAnchor: number | undefined;
  private simAnchor = 0;

  constructor(
    start: number,
    private readonly speed = 0,
  ) {
    this.current = start;
    if (speed > 0) {
      this.realAnchor = Date.now();
      this.simAnchor = start;
    }
  }

  now(): number {
    if (this.realAnchor !== undefined) {
      return this.simAnchor + (Date.now() - this.realAnchor) * this.speed;
    }
    return this.current;
  }

  /** Move a manual clock forward; for a running clock, jump ahead by `ms`. */
  advance(ms: number): void {
    if (this.realAnchor !== undefined) this.simAnchor += ms;
    else this.current += ms;
  }

  set(epochMs: number): void {
    if (this.realAnchor !== undefined) {
      this.realAnchor = Date.now();
      this.simAnchor = epochMs;
    } else this.current = epochMs;
  }
}

/**
 * Elapsed time for durations (lease ages, renewal deadlines): monotonic, so a wall clock set
 * back or forward (NTP, an operator, libfaketime) never stretches or shortens one. Only
 * differences between two readings mean anything.
 */
export interface MonotonicClock {
  /** Milliseconds from an arbitrary origin. */
  elapsed(): number;
}

export const monotonicClock: MonotonicClock = { elapsed: () => performance.now() };
