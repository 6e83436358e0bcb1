/**
 * The simulated broker: deterministic for a seed, idempotent on orderRef, time from the clock
 * port. Orders are kept (and persisted through a SimBrokerStore) as SimOrderRecords; how they
 * trade is sim-fills.ts, the market (quotes, sessions, contract details) sim-market.ts, the
 * connection (held events, scheduled acknowledgements and fills) sim-connection.ts.
 */
import type {
  AccountValue,
  BarFrequency,
  CashBalance,
  FxOrderRequest,
  BrokerFill,
  BrokerLeg,
  BrokerOrderState,
  BrokerOrderType,
  BrokerPort,
  BrokerPosition,
  ContractDetails,
  ContractId,
  MarketSnapshot,
  PlacedOrder,
  PlaceOrderRequest,
  PriceBar,
  SpreadSnapshot,
  TradingHours,
} from '../port.ts';
import {
  BrokerUnknownOrder,
  checkLegs,
  checkOrderRequest,
  existingOrder,
  fillsSince,
  startOfDay,
} from '../orders.ts';
import { impliedSpreadSnapshot } from '../spread.ts';
import { ConstantPriceSource, type SimPriceSource } from './price-source.ts';
import { Prng } from './prng.ts';
import type { SimBrokerConfig } from './sim-config.ts';
import { SimConnection } from './sim-connection.ts';
import { SimFiller } from './sim-fills.ts';
import { SimFxDesk } from './sim-fx.ts';
import { SimMarketData } from './sim-market.ts';
import {
  isSimOrderFinished as isFinished,
  newSimOrder,
  type SimBrokerStore,
  type SimOrderRecord,
  simPositions,
  toOrderState,
} from './state.ts';

export type { SimBrokerConfig } from './sim-config.ts';
export { SimNotConnected } from './sim-connection.ts';

/** A new order's save failed: whether the sim kept the order is not said (an unknown outcome). */
export class SimPlacementUnconfirmed extends Error {
  override readonly name = 'SimPlacementUnconfirmed';
}

export class SimBroker extends SimConnection implements BrokerPort {
  readonly name = 'sim';
  private readonly rng: Prng;
  private readonly prices: SimPriceSource;
  private readonly market: SimMarketData;
  private readonly filler: SimFiller;
  private readonly fxDesk: SimFxDesk;
  private readonly book = new Map<string, SimOrderRecord>();
  private nextTempId = 1;
  private timer: NodeJS.Timeout | undefined;
  /** Kept orders whose save has not succeeded yet: never acknowledged or filled meanwhile. */
  private readonly unsaved = new Set<string>();
  private stopping = false;

  constructor(private readonly cfg: SimBrokerConfig) {
    super(cfg.latencyMs ?? 0);
    this.rng = new Prng(cfg.seed ?? 1);
    this.prices = cfg.prices ?? new ConstantPriceSource();
    this.market = new SimMarketData(cfg, this.prices);
    this.filler = new SimFiller(cfg, this.market, (e) => this.emit(e));
    this.fxDesk = new SimFxDesk(cfg.fx, async (t) => cfg.store?.saveFxTrade(t));
  }

  async connect(): Promise<void> {
    if (this.connected) return;
    if (this.cfg.store && this.book.size === 0) await this.restore(this.cfg.store);
    this.connected = true;
    this.emit({ type: 'connection', connected: true });
    const every = this.cfg.restingCheckMs ?? 200;
    if (every > 0 && !this.timer) {
      this.timer = setInterval(() => this.evaluateResting(), every);
      this.timer.unref();
    }
  }

  async disconnect(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.stopping = true;
    await this.idle();
    this.stopping = false;
    this.connected = false;
  }

  async placeOrder(req: PlaceOrderRequest): Promise<PlacedOrder> {
    this.requireConnected();
    const existing = this.book.get(req.orderRef);
    if (existing) return existingOrder(existing);
    checkOrderRequest(req);
    const order = newSimOrder(req, this.nextTempId++, this.rng, this.cfg);
    this.book.set(order.orderRef, order);
    try {
      await this.cfg.store?.saveOrder(order);
    } catch (err) {
      // Never fill an order the sim's own store does not hold; either way the caller learns no more
      // than a real broker's lost answer tells it (docs/stack-handler.md, unknown placements).
      if ((this.cfg.onSaveFailure ?? 'keep') === 'drop') {
        this.book.delete(order.orderRef);
      } else {
        this.unsaved.add(order.orderRef);
        this.schedule(async () => {
          if (await this.saveUntilDone(order)) await this.accept(order);
        });
      }
      throw new SimPlacementUnconfirmed(`sim broker: order ${order.orderRef}: save failed`, { cause: err });
    }
    this.schedule(() => this.accept(order));
    return { ...existingOrder(order), existing: false };
  }

  /** Retry a kept order's save until it succeeds (false: the broker was stopped first). */
  private async saveUntilDone(order: SimOrderRecord): Promise<boolean> {
    const every = this.cfg.saveRetryMs ?? 100;
    for (;;) {
      await new Promise((r) => setTimeout(r, every));
      if (this.stopping) return false;
      try {
        await this.cfg.store?.saveOrder(order);
        this.unsaved.delete(order.orderRef);
        return true;
      } catch {
        // still failing: the order stays kept, unacknowledged and unfilled; try again
      }
    }
  }

  /** The broker's answer to an order it holds: its rejection, or its acknowledgement and fills. */
  private async accept(order: SimOrderRecord): Promise<void> {
    if (order.status === 'cancelled') return; // cancelled while its save was retried
    if (order.status === 'rejected') {
      this.emit({ type: 'order-status', state: toOrderState(order) });
      this.emit({
        type: 'error',
        orderRef: order.orderRef,
        code: 201,
        message: order.rejectReason ?? 'rejected',
      });
      return;
    }
    if (order.status === 'submitted') order.status = 'acknowledged';
    this.emit({ type: 'order-status', state: toOrderState(order) });
    await this.filler.work(order);
  }

  async modifyOrder(
    orderRef: string,
    change: { limitPrice?: number; orderType?: BrokerOrderType },
  ): Promise<void> {
    this.requireConnected();
    const order = this.mustGet(orderRef);
    if (isFinished(order)) return;
    const modified: SimOrderRecord = { ...order };
    if (change.limitPrice !== undefined) modified.limitPrice = change.limitPrice;
    if (change.orderType !== undefined) modified.orderType = change.orderType;
    // Saved first, then held: a save that fails leaves the order as the store has it.
    await this.cfg.store?.saveOrder(modified);
    Object.assign(order, modified);
    if (!this.unsaved.has(orderRef)) this.schedule(() => this.filler.work(order));
  }

  async cancelOrder(orderRef: string): Promise<void> {
    this.requireConnected();
    const order = this.mustGet(orderRef);
    if (isFinished(order)) return;
    if (order.cancelRace && !this.unsaved.has(orderRef) && this.filler.marketOpen(order)) {
      // The cancel arrives after the broker has filled the order: the fill wins.
      await this.filler.fillAll(order);
      return;
    }
    // (a closed market cannot trade, so no late fill then)
    const late =
      order.lateFillAfterCancel && !this.unsaved.has(orderRef) && this.filler.marketOpen(order)
        ? order.pending
        : [];
    // Saved first, then held (as a fill is, sim-fills.ts): a cancel whose save fails changes
    // nothing here, so the order cannot be cancelled in memory and still open in the store.
    await this.cfg.store?.saveOrder({ ...order, status: 'cancelled', pending: [] });
    order.status = 'cancelled';
    order.pending = [];
    this.schedule(async () => {
      this.emit({ type: 'order-status', state: toOrderState(order) });
      // A late fill after the cancel was confirmed (#1580): the broker did trade.
      for (const chunk of late) await this.filler.fillChunk(order, chunk);
    });
  }

  async orders(): Promise<BrokerOrderState[]> {
    this.requireConnected();
    return [...this.book.values()].map(toOrderState);
  }

  async fills(since?: number): Promise<BrokerFill[]> {
    this.requireConnected();
    return fillsSince(this.allFills(), since ?? startOfDay(this.cfg.clock.now()));
  }

  async positions(): Promise<BrokerPosition[]> {
    return simPositions(this.book.values());
  }

  async accountValue(): Promise<AccountValue> {
    return this.market.accountValue(this.allFills());
  }

  async cashBalances(): Promise<CashBalance[]> {
    return this.fxDesk.balances((await this.accountValue()).value);
  }

  /** Fills at once at the market's rate (sim-fx.ts); a pair with no rate is refused. */
  async placeFxOrder(req: FxOrderRequest): Promise<PlacedOrder> {
    this.requireConnected();
    return this.fxDesk.place(req, () => this.nextTempId++, this.cfg.clock.now());
  }

  private *allFills(): Iterable<BrokerFill> {
    for (const o of this.book.values()) yield* o.fills;
  }

  contractDetails(c: ContractId): Promise<ContractDetails> {
    return this.market.contractDetails(c);
  }

  historicalPrices(c: ContractId, frequency: BarFrequency, since?: number): Promise<PriceBar[]> {
    return this.market.historicalPrices(c, frequency, since);
  }

  fxHistoricalPrices(code: string, since?: number): Promise<Array<{ time: number; price: number }>> {
    return this.market.fxHistoricalPrices(code, since);
  }

  marketSnapshot(c: ContractId): Promise<MarketSnapshot> {
    return this.market.marketSnapshot(c);
  }

  /** The simulated market has no spread book: a spread's quote is the one its legs imply. */
  async spreadSnapshot(legs: BrokerLeg[]): Promise<SpreadSnapshot> {
    checkLegs('spread snapshot', legs, 2);
    const quotes = await Promise.all(legs.map((l) => this.market.marketSnapshot(l)));
    return impliedSpreadSnapshot(legs, quotes, this.cfg.clock.now());
  }

  tradingHours(c: ContractId): Promise<TradingHours> {
    return this.market.tradingHours(c);
  }

  /** Fill resting orders: limit orders that have become marketable, any order once its market opens. */
  evaluateResting(): void {
    for (const o of this.book.values())
      if (!isFinished(o) && o.pending.length > 0 && !this.unsaved.has(o.orderRef))
        this.schedule(() => this.filler.work(o));
  }

  private async restore(store: SimBrokerStore): Promise<void> {
    this.fxDesk.restore(await store.loadFxTrades());
    this.nextTempId = Math.max(this.nextTempId, this.fxDesk.maxTempId() + 1);
    for (const o of await store.loadOrders()) {
      this.book.set(o.orderRef, o);
      this.nextTempId = Math.max(this.nextTempId, o.tempId + 1);
      for (const f of o.fills)
        this.filler.nextExec = Math.max(this.filler.nextExec, Number(f.execId.split('.')[2] ?? 0) + 1);
    }
    // Orders that were still working when the broker went down carry on.
    for (const o of this.book.values())
      if (!isFinished(o) && o.pending.length > 0) this.schedule(() => this.filler.work(o));
  }

  private mustGet(orderRef: string): SimOrderRecord {
    const o = this.book.get(orderRef);
    if (!o) throw new BrokerUnknownOrder(`sim broker: unknown orderRef '${orderRef}'`);
    return o;
  }
}
