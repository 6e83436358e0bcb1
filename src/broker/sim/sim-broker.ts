import type {
  AccountValue,
  BarFrequency,
  BrokerEvent,
  BrokerLeg,
  BrokerFill,
  BrokerListener,
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
import { checkLegs } from '../orders.ts';
import { impliedSpreadSnapshot } from '../spread.ts';
import { ConstantPriceSource, type SimPriceSource } from './price-source.ts';
import { Prng } from './prng.ts';
import type { SimBrokerConfig } from './sim-config.ts';
import { SimMarketData } from './sim-market.ts';
import {
  type SimBrokerStore,
  type SimOrderRecord,
  simPositions,
  splitChunks,
  toOrderState,
  totalAbs,
} from './state.ts';

export type { SimBrokerConfig } from './sim-config.ts';

const DAY = 86_400_000;

/** A simulated broker: deterministic for a seed, idempotent on orderRef, time from the clock port. */
export class SimBroker implements BrokerPort {
  readonly name = 'sim';
  private readonly rng: Prng;
  private readonly prices: SimPriceSource;
  private readonly market: SimMarketData;
  private readonly book = new Map<string, SimOrderRecord>();
  private readonly listeners = new Set<BrokerListener>();
  private connected = false;
  private held: BrokerEvent[] = [];
  private nextTempId = 1;
  private nextExec = 1;
  private timer: NodeJS.Timeout | undefined;
  private readonly inflight = new Set<Promise<void>>();

  constructor(private readonly cfg: SimBrokerConfig) {
    this.rng = new Prng(cfg.seed ?? 1);
    this.prices = cfg.prices ?? new ConstantPriceSource();
    this.market = new SimMarketData(cfg, this.prices);
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
    await this.idle();
    this.connected = false;
  }

  isConnected(): boolean {
    return this.connected;
  }

  /** Drop the connection: events are held until `simulateReconnect`, requests fail meanwhile. */
  simulateDisconnect(): void {
    this.connected = false;
    for (const l of this.listeners)
      l({ type: 'connection', connected: false, code: 1100, message: 'sim disconnect' });
  }

  simulateReconnect(): void {
    this.connected = true;
    this.emit({ type: 'connection', connected: true, code: 1102 });
    const held = this.held;
    this.held = [];
    for (const e of held) this.emit(e);
  }

  onEvent(listener: BrokerListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves when every scheduled acknowledgement and fill has been reported. */
  async idle(): Promise<void> {
    while (this.inflight.size > 0) await Promise.all([...this.inflight]);
  }

  async placeOrder(req: PlaceOrderRequest): Promise<PlacedOrder> {
    this.requireConnected();
    const existing = this.book.get(req.orderRef);
    if (existing) {
      return {
        orderRef: existing.orderRef,
        tempId: existing.tempId,
        permId: existing.permId,
        submittedAt: existing.submittedAt,
        existing: true,
      };
    }
    if (req.legs.length === 0 || req.legs.some((l) => !Number.isInteger(l.qty) || l.qty === 0)) {
      throw new Error(`order ${req.orderRef}: every leg needs a non-zero integer quantity`);
    }
    if (req.orderType === 'limit' && req.limitPrice === undefined)
      throw new Error(`order ${req.orderRef}: limit order without limitPrice`);
    const tempId = this.nextTempId++;
    const legs = req.legs.map((l) => l.qty);
    const reject = this.rng.chance(this.cfg.rejectProbability ?? 0);
    const partial = totalAbs(legs) >= 2 && this.rng.chance(this.cfg.partialFillProbability ?? 0);
    const nChunks = partial
      ? this.rng.int(2, Math.min(3, Math.min(...legs.map((q) => Math.abs(q))) || 2))
      : 1;
    const order: SimOrderRecord = {
      orderRef: req.orderRef,
      tempId,
      permId: 1_000_000 + tempId,
      legs: req.legs.map((l) => ({ ...l })),
      orderType: req.orderType,
      limitPrice: req.limitPrice,
      status: reject ? 'rejected' : 'submitted',
      filled: legs.map(() => 0),
      fills: [],
      submittedAt: this.cfg.clock.now(),
      rejectReason: reject ? 'sim: order rejected' : undefined,
      pending: reject ? [] : splitChunks(legs, Math.max(1, nChunks)),
      duplicateFills: this.rng.chance(this.cfg.duplicateFillProbability ?? 0),
      lateFillAfterCancel: this.rng.chance(this.cfg.lateFillAfterCancelProbability ?? 0),
      cancelRace: this.rng.chance(this.cfg.cancelRaceProbability ?? 0),
    };
    this.book.set(order.orderRef, order);
    await this.cfg.store?.saveOrder(order);
    this.schedule(async () => {
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
      await this.work(order);
    });
    return {
      orderRef: order.orderRef,
      tempId,
      permId: order.permId,
      submittedAt: order.submittedAt,
      existing: false,
    };
  }

  async modifyOrder(
    orderRef: string,
    change: { limitPrice?: number; orderType?: BrokerOrderType },
  ): Promise<void> {
    this.requireConnected();
    const order = this.mustGet(orderRef);
    if (isFinished(order)) return;
    if (change.limitPrice !== undefined) order.limitPrice = change.limitPrice;
    if (change.orderType !== undefined) order.orderType = change.orderType;
    await this.cfg.store?.saveOrder(order);
    this.schedule(() => this.work(order));
  }

  async cancelOrder(orderRef: string): Promise<void> {
    this.requireConnected();
    const order = this.mustGet(orderRef);
    if (isFinished(order)) return;
    if (order.cancelRace && this.marketOpen(order)) {
      // The cancel arrives after the broker has filled the order: the fill wins.
      await this.fillAll(order);
      return;
    }
    order.status = 'cancelled';
    // (a closed market cannot trade, so no late fill then)
    const late = order.lateFillAfterCancel && this.marketOpen(order) ? order.pending : [];
    order.pending = [];
    await this.cfg.store?.saveOrder(order);
    this.schedule(async () => {
      this.emit({ type: 'order-status', state: toOrderState(order) });
      // A late fill after the cancel was confirmed (#1580): the broker did trade.
      for (const chunk of late) await this.fillChunk(order, chunk);
    });
  }

  async orders(): Promise<BrokerOrderState[]> {
    this.requireConnected();
    return [...this.book.values()].map(toOrderState);
  }

  async fills(since?: number): Promise<BrokerFill[]> {
    this.requireConnected();
    const from = since ?? Math.floor(this.cfg.clock.now() / DAY) * DAY;
    const out: BrokerFill[] = [];
    for (const o of this.book.values()) for (const f of o.fills) if (f.time >= from) out.push(f);
    return out.sort((a, b) => a.time - b.time || a.execId.localeCompare(b.execId));
  }

  async positions(): Promise<BrokerPosition[]> {
    return simPositions(this.book.values());
  }

  async accountValue(): Promise<AccountValue> {
    return this.market.accountValue(this.allFills());
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
      if (!isFinished(o) && o.pending.length > 0) this.schedule(() => this.work(o));
  }

  /** Every leg's market is open now: the simulated broker fills nothing outside the sessions. */
  private marketOpen(order: SimOrderRecord): boolean {
    const now = this.cfg.clock.now();
    return order.legs.every((l) => this.market.isOpen(l, now));
  }

  private quote(c: ContractId, now: number): { bid: number; ask: number } {
    return this.market.quote(c, now);
  }

  private async work(order: SimOrderRecord): Promise<void> {
    while (order.pending.length > 0 && !isFinished(order)) {
      if (!this.marketOpen(order)) return;
      if (order.orderType === 'limit' && !this.marketable(order)) return;
      const chunk = order.pending.shift();
      if (chunk) await this.fillChunk(order, chunk);
    }
  }

  private marketable(order: SimOrderRecord): boolean {
    const now = this.cfg.clock.now();
    let price = 0;
    for (const l of order.legs) {
      const q = this.quote(l, now);
      price += Math.sign(l.qty) * (Math.sign(order.legs[0]?.qty ?? 1) > 0 ? q.ask : q.bid);
    }
    const buy = (order.legs[0]?.qty ?? 0) > 0;
    const limit = order.limitPrice ?? (buy ? -Infinity : Infinity);
    return buy ? limit >= price : limit <= -price;
  }

  private async fillAll(order: SimOrderRecord): Promise<void> {
    const chunks = order.pending;
    order.pending = [];
    for (const c of chunks) await this.fillChunk(order, c);
  }

  private async fillChunk(order: SimOrderRecord, chunk: number[]): Promise<void> {
    const now = this.cfg.clock.now();
    const fills: BrokerFill[] = [];
    order.legs.forEach((leg, k) => {
      const qty = chunk[k] ?? 0;
      if (qty === 0) return;
      const { bid, ask } = this.quote(leg, now);
      const price =
        order.orderType === 'limit' && order.legs.length === 1 && order.limitPrice !== undefined
          ? qty > 0
            ? Math.min(order.limitPrice, ask)
            : Math.max(order.limitPrice, bid)
          : qty > 0
            ? ask
            : bid;
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
      order.filled[k] = (order.filled[k] ?? 0) + qty;
      order.fills.push(fill);
      fills.push(fill);
    });
    const complete = order.legs.every((l, k) => order.filled[k] === l.qty);
    if (order.status !== 'cancelled' || complete) order.status = complete ? 'filled' : 'partially-filled';
    await this.cfg.store?.saveOrder(order);
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

  private async restore(store: SimBrokerStore): Promise<void> {
    for (const o of await store.loadOrders()) {
      this.book.set(o.orderRef, o);
      this.nextTempId = Math.max(this.nextTempId, o.tempId + 1);
      for (const f of o.fills)
        this.nextExec = Math.max(this.nextExec, Number(f.execId.split('.')[2] ?? 0) + 1);
    }
    // Orders that were still working when the broker went down carry on.
    for (const o of this.book.values())
      if (!isFinished(o) && o.pending.length > 0) this.schedule(() => this.work(o));
  }

  private schedule(fn: () => Promise<void> | void): void {
    const latency = this.cfg.latencyMs ?? 0;
    const p = new Promise<void>((resolve) => {
      const run = (): void => {
        Promise.resolve()
          .then(fn)
          .catch((err: unknown) => this.emit({ type: 'error', code: 500, message: String(err) }))
          .finally(resolve);
      };
      if (latency > 0) setTimeout(run, latency);
      else setImmediate(run);
    });
    this.inflight.add(p);
    void p.then(() => this.inflight.delete(p));
  }

  private emit(event: BrokerEvent): void {
    if (!this.connected && event.type !== 'connection') {
      this.held.push(event);
      return;
    }
    for (const l of this.listeners) l(event);
  }

  private requireConnected(): void {
    if (!this.connected) throw new Error('sim broker: not connected');
  }

  private mustGet(orderRef: string): SimOrderRecord {
    const o = this.book.get(orderRef);
    if (!o) throw new Error(`sim broker: unknown orderRef '${orderRef}'`);
    return o;
  }
}

function isFinished(o: SimOrderRecord): boolean {
  return o.status === 'filled' || o.status === 'cancelled' || o.status === 'rejected';
}
