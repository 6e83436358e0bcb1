/**
 * IB's historical-data pacing rules, kept by a queue (IB API docs, "Historical data limitations"):
 * - at most 60 requests in any 10 minutes;
 * - no identical request within 15 seconds;
 * - at most 6 requests for the same contract within 2 seconds.
 * Requests wait their turn instead of drawing a pacing violation (162). Time is the injected
 * `now` (the wall clock in production: pacing is IB's real time) and waits are real timers.
 */
export interface PacingRules {
  maxRequests: number;
  windowMs: number;
  identicalGapMs: number;
  sameContractMax: number;
  sameContractWindowMs: number;
  /**
   * Added to every window: @stoqey/ib's own request limiter sends in 100 ms slices, so requests
   * released apart can reach TWS closer together.
   */
  marginMs?: number;
}

export const IB_HISTORICAL_PACING: PacingRules = {
  maxRequests: 60,
  windowMs: 600_000,
  identicalGapMs: 15_000,
  sameContractMax: 6,
  sameContractWindowMs: 2_000,
};

interface Sent {
  at: number;
  key: string;
  contract: string;
}

export class HistoricalPacer {
  private readonly sent: Sent[] = [];
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly rules: PacingRules,
    private readonly now: () => number,
  ) {}

  /** Run `fn` once the rules allow a request with this key for this contract. */
  schedule<T>(key: string, contract: string, fn: () => Promise<T>): Promise<T> {
    const turn = this.chain.then(() => this.waitFor(key, contract));
    this.chain = turn.catch(() => undefined);
    return turn.then(fn);
  }

  /** How long a request would wait now (0 when it may go). */
  delayFor(key: string, contract: string): number {
    const t = this.now();
    const m = this.rules.marginMs ?? 250;
    const r = {
      ...this.rules,
      windowMs: this.rules.windowMs + m,
      identicalGapMs: this.rules.identicalGapMs + m,
      sameContractWindowMs: this.rules.sameContractWindowMs + m,
    };
    const recent = this.sent.filter((s) => t - s.at < r.windowMs);
    this.sent.splice(0, this.sent.length, ...recent);
    let wait = 0;
    if (recent.length >= r.maxRequests)
      wait = Math.max(wait, (recent[recent.length - r.maxRequests]?.at ?? t) + r.windowMs - t);
    const same = recent.filter((s) => s.key === key).at(-1);
    if (same) wait = Math.max(wait, same.at + r.identicalGapMs - t);
    const sameContract = recent.filter((s) => s.contract === contract && t - s.at < r.sameContractWindowMs);
    if (sameContract.length >= r.sameContractMax) {
      const first = sameContract[sameContract.length - r.sameContractMax];
      wait = Math.max(wait, (first?.at ?? t) + r.sameContractWindowMs - t);
    }
    return Math.max(0, wait);
  }

  private async waitFor(key: string, contract: string): Promise<void> {
    for (;;) {
      const wait = this.delayFor(key, contract);
      if (wait <= 0) break;
      await new Promise((r) => setTimeout(r, wait));
    }
    this.sent.push({ at: this.now(), key, contract });
  }
}
