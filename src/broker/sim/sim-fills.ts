/**
 * How the simulated broker trades an order: chunk by chunk while every leg's market is open (a
 * limit order only while marketable), at the quote's side (a single-leg limit no worse than its
 * limit), each fill followed by its commission report and the order's status, as IB reports them.
 */
import type { BrokerEvent, BrokerFill } from '../port.ts';
import { impliedSpreadSnapshot } from '../spread.ts';
import type { SimBrokerConfig } from './sim-config.ts';
import type { SimMarketData } from './sim-market.ts';
import { isSimOrderFinished, type SimOrderRecord, toOrderState } from './state.ts';

export class SimFiller {
  /** The next execution's number (`sim.<tempId>.<n>`); a restored broker continues it. */
  nextExec = 1;
  /** Per orderRef, the chunk being traded (its save in flight): the next one waits for it. */
  private readonly trading = new Map<string, Promise<void>>();

  constructor(
    private readonly cfg: SimBrokerConfig,
    private readonly market: SimMarketData,
    private readonly emit: (event: BrokerEvent) => void,
  ) {}

  /** Every leg's market is open now: the simulated broker fills nothing outside the sessions. */
  marketOpen(order: SimOrderRecord): boolean {
    const now = this.cfg.clock.now();
    return order.legs.every((l) => this.market.isOpen(l, now));
  }

  /** Fill what is pending while it can be filled. */
  async work(order: SimOrderRecord): Promise<void> {
    while (order.pending.length > 0 && !isSimOrderFinished(order)) {
      if (!this.marketOpen(order)) return;
      if (order.orderType === 'limit' && !this.marketable(order)) return;
      const chunk = order.pending.shift();
      if (!chunk) return;
      try {
        await this.fillChunk(order, chunk);
      } catch (err) {
        order.pending.unshift(chunk); // not traded: the next look at resting orders tries again
        throw err;
      }
    }
  }

  async fillAll(order: SimOrderRecord): Promise<void> {
    const chunks = order.pending;
    order.pending = [];
    for (const [i, c] of chunks.entries()) {
      try {
        await this.fillChunk(order, c);
      } catch (err) {
        order.pending = [...chunks.slice(i), ...order.pending]; // not traded: still pending
        throw err;
      }
    }
  }

  /**
   * Trade one chunk: the fill exists only once the broker's store holds it. The order's record
   * with the fill is saved first and only then is the fill kept in memory and reported; a failed
   * save leaves the order as it was (the caller keeps the chunk pending), so the broker never
   * reports, in events, `fills()`, `orders()` or positions, a fill it would not find again after
   * a restart (a fill reported but not stored is made a second time by the restored broker: 136
   * broker orders filled twice in the 10,000-order chaos run, issue 17 §3). One order's chunks
   * trade one at a time, so each save holds every fill made before it.
   */
  async fillChunk(order: SimOrderRecord, chunk: number[]): Promise<void> {
    const before = this.trading.get(order.orderRef) ?? Promise.resolve();
    const turn = before.then(
      () => this.tradeChunk(order, chunk),
      () => this.tradeChunk(order, chunk),
    );
    this.trading.set(order.orderRef, turn);
    try {
      await turn;
    } finally {
      if (this.trading.get(order.orderRef) === turn) this.trading.delete(order.orderRef);
    }
  }

  private async tradeChunk(order: SimOrderRecord, chunk: number[]): Promise<void> {
    const now = this.cfg.clock.now();
    const fills: BrokerFill[] = [];
    const filled = [...order.filled];
    order.legs.forEach((leg, k) => {
      const qty = chunk[k] ?? 0;
      if (qty === 0) return;
      const { bid, ask } = this.market.quote(leg, now);
      const limit = order.orderType === 'limit' && order.legs.length === 1 ? order.limitPrice : undefined;
      const side = qty > 0 ? ask : bid;
      const price = limit === undefined ? side : qty > 0 ? Math.min(limit, ask) : Math.max(limit, bid);
      const fill: BrokerFill = {
        execId: `sim.${order.tempId}.${this.nextExec++}`,
        orderRef: order.orderRef,
        tempId: order.tempId,
        permId: order.permId,
        instrumentCode: leg.instrumentCode,
        contractDate: leg.contractDate,
        qty,
        price,
        time: now,
        commission: this.market.commission(leg, qty, price),
        commissionCurrency: this.market.terms(leg)?.currency ?? 'USD',
      };
      filled[k] = (filled[k] ?? 0) + qty;
      fills.push(fill);
    });
    const complete = order.legs.every((l, k) => filled[k] === l.qty);
    const status =
      order.status !== 'cancelled' || complete ? (complete ? 'filled' : 'partially-filled') : order.status;
    const traded: SimOrderRecord = { ...order, filled, fills: [...order.fills, ...fills], status };
    await this.cfg.store?.saveOrder(traded);
    order.filled = traded.filled;
    order.fills = traded.fills;
    order.status = traded.status;
    for (const fill of fills) {
      this.emit({ type: 'fill', fill });
      if (order.duplicateFills) this.emit({ type: 'fill', fill: { ...fill } });
      // IB reports the commission in its own report after the execution; so does the sim
      this.emit({
        type: 'commission',
        execId: fill.execId,
        commission: fill.commission ?? 0,
        currency: fill.commissionCurrency ?? 'USD',
      });
    }
    this.emit({ type: 'order-status', state: toOrderState(order) });
  }

  /**
   * A limit order's price reached: an outright's quote at the side it trades; a spread's combo
   * (bought, legs as given: the port's spread price) at its implied ask.
   */
  private marketable(order: SimOrderRecord): boolean {
    const now = this.cfg.clock.now();
    const first = order.legs[0];
    if (!first) return false;
    if (order.legs.length > 1) {
      const quotes = order.legs.map((l) => ({ ...this.market.quote(l, now), bidSize: 0, askSize: 0 }));
      const { ask } = impliedSpreadSnapshot(order.legs, quotes, now);
      return (order.limitPrice ?? -Infinity) >= ask;
    }
    const q = this.market.quote(first, now);
    if (first.qty > 0) return (order.limitPrice ?? -Infinity) >= q.ask;
    return (order.limitPrice ?? Infinity) <= q.bid;
  }
}
