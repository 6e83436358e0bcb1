/**
 * The IB adapter's BrokerEvents leave here, in the order they happened. IB sends an execution's
 * `commissionReport` just after its `execDetails`; so that a fill reaches its listeners with its
 * commission, a fill whose report has not come yet waits for it (up to `waitMs`), and the events
 * behind it wait too (an order's `filled` status never overtakes its last fill). A commission that
 * comes while its fill waits joins the fill; one that comes later (or a fill whose wait ran out)
 * leaves as a `commission` event of its own.
 */
import type { BrokerEvent } from '../port.ts';

interface Queued {
  event: BrokerEvent;
  /** When a fill stops waiting for its commission (epoch ms, real time). */
  until: number;
}

export class IbOutbox {
  private readonly queue: Queued[] = [];
  private timer: NodeJS.Timeout | undefined;
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly waitMs: number,
    private readonly deliver: (e: BrokerEvent) => void,
  ) {}

  push(events: BrokerEvent[]): void {
    const until = Date.now() + this.waitMs;
    for (const event of events) {
      if (event.type === 'commission') {
        const held = this.queue.find((q) => q.event.type === 'fill' && q.event.fill.execId === event.execId);
        if (held?.event.type === 'fill') {
          held.event.fill.commission = event.commission;
          held.event.fill.commissionCurrency = event.currency;
          continue;
        }
      }
      this.queue.push({ event, until });
    }
    this.flush();
  }

  /** Send everything now (the connection is closing). */
  flushAll(): void {
    for (const q of this.queue) q.until = 0;
    this.flush();
  }

  /** Resolves when no event is waiting (queries for fills call this first). */
  idle(): Promise<void> {
    if (this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const now = Date.now();
    for (let head = this.queue[0]; head; head = this.queue[0]) {
      const waiting = head.event.type === 'fill' && head.event.fill.commission === undefined;
      if (waiting && now < head.until) {
        this.timer = setTimeout(() => this.flush(), head.until - now);
        this.timer.unref();
        return;
      }
      this.queue.shift();
      this.deliver(head.event);
    }
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}
