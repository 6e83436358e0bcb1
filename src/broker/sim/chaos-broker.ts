/**
 * A broker with faults injected at its wire (docs/chaos.md): wraps any BrokerPort and, from a
 * seed, duplicates, delays and reorders its events (fills, commission reports, order statuses)
 * and drops its connection now and then, as an unreliable broker API would. While the connection
 * is down, orders are refused and events are held; on reconnect the held events arrive (late, in
 * a shuffled order) followed by a `reconciled` event with the broker's positions, as IB replays
 * the day's executions after a reconnect. Only the chaos suite turns it on
 * (`sim_broker_chaos` in the configuration); it never changes what the broker executes.
 */
import type {
  BrokerEvent,
  BrokerListener,
  BrokerPort,
  FxOrderRequest,
  PlacedOrder,
  PlaceOrderRequest,
} from '../port.ts';
import { Prng } from './prng.ts';

export interface BrokerChaosConfig {
  seed: number;
  /** Probability that an event is delivered twice. */
  duplicate: number;
  /** Probability that an event is held back, by up to `delay_ms`, so later events overtake it. */
  delay: number;
  delay_ms: number;
  /** Mean real ms between connection drops (0: never); each drop lasts up to `disconnect_ms`. */
  disconnect_every_ms: number;
  disconnect_ms: number;
}

/** An order sent while the injected connection drop lasts. */
export class BrokerDisconnectedError extends Error {
  override name = 'BrokerDisconnectedError';
}

/** How timers are set (injected so tests can drive them). */
export type Schedule = (fn: () => void, ms: number) => { cancel(): void };

const realSchedule: Schedule = (fn, ms) => {
  const t = setTimeout(fn, ms);
  t.unref();
  return { cancel: () => clearTimeout(t) };
};

/** What the fault injector did, for the chaos suite's summary. */
export interface ChaosCounts {
  duplicated: number;
  delayed: number;
  disconnects: number;
  refusedOrders: number;
}

export class ChaosBroker implements BrokerPort {
  readonly name: string;
  readonly counts: ChaosCounts = { duplicated: 0, delayed: 0, disconnects: 0, refusedOrders: 0 };
  private readonly prng: Prng;
  private readonly listeners = new Set<BrokerListener>();
  private down = false;
  private held: BrokerEvent[] = [];
  private readonly timers = new Set<{ cancel(): void }>();
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly inner: BrokerPort,
    private readonly cfg: BrokerChaosConfig,
    private readonly schedule: Schedule = realSchedule,
  ) {
    this.name = `${inner.name}+chaos`;
    this.prng = new Prng(cfg.seed);
    this.unsubscribe = inner.onEvent((e) => this.deliver(e));
  }

  private later(fn: () => void, ms: number): void {
    const t = this.schedule(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }

  private emit(e: BrokerEvent): void {
    for (const l of this.listeners) l(e);
  }

  /** An event from the broker, through the faults. */
  private deliver(e: BrokerEvent): void {
    if (e.type === 'connection' || e.type === 'reconciled') return this.emit(e);
    if (this.down) {
      this.held.push(e);
      return;
    }
    const copies = this.prng.chance(this.cfg.duplicate) ? 2 : 1;
    if (copies === 2) this.counts.duplicated++;
    for (let i = 0; i < copies; i++) {
      if (this.prng.chance(this.cfg.delay)) {
        this.counts.delayed++;
        this.later(() => this.release(e), this.prng.int(1, Math.max(1, this.cfg.delay_ms)));
      } else this.emit(e);
    }
  }

  /** A delayed event, once: held if the connection is down by then. */
  private release(e: BrokerEvent): void {
    if (this.down) this.held.push(e);
    else this.emit(e);
  }

  private scheduleDrop(): void {
    if (this.cfg.disconnect_every_ms <= 0) return;
    const wait = this.prng.int(this.cfg.disconnect_every_ms / 2, (this.cfg.disconnect_every_ms * 3) / 2);
    this.later(() => {
      this.down = true;
      this.counts.disconnects++;
      this.emit({ type: 'connection', connected: false, code: 1100, message: 'chaos: connection dropped' });
      this.later(() => void this.reconnect(), this.prng.int(1, Math.max(1, this.cfg.disconnect_ms)));
    }, wait);
  }

  private async reconnect(): Promise<void> {
    this.down = false;
    this.emit({ type: 'connection', connected: true, code: 1102, message: 'chaos: connection restored' });
    const held = this.held;
    this.held = [];
    // Replayed after the reconnect, in a shuffled order.
    for (let i = held.length - 1; i > 0; i--) {
      const j = this.prng.int(0, i);
      [held[i], held[j]] = [held[j]!, held[i]!];
    }
    for (const e of held) this.emit(e);
    const positions = await this.inner.positions().catch(() => undefined);
    if (positions) this.emit({ type: 'reconciled', positions, unknownBrokerOrders: [] });
    this.scheduleDrop();
  }

  async connect(): Promise<void> {
    await this.inner.connect();
    if (this.timers.size === 0) this.scheduleDrop();
  }

  async disconnect(): Promise<void> {
    for (const t of this.timers) t.cancel();
    this.timers.clear();
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    await this.inner.disconnect();
  }

  isConnected(): boolean {
    return !this.down && this.inner.isConnected();
  }

  onEvent(listener: BrokerListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async placeOrder(req: PlaceOrderRequest): Promise<PlacedOrder> {
    if (this.down) {
      this.counts.refusedOrders++;
      throw new BrokerDisconnectedError(`not connected to the broker: order ${req.orderRef} not sent`);
    }
    return this.inner.placeOrder(req);
  }

  modifyOrder: BrokerPort['modifyOrder'] = (ref, change) => this.inner.modifyOrder(ref, change);
  cancelOrder: BrokerPort['cancelOrder'] = (ref) => this.inner.cancelOrder(ref);
  orders: BrokerPort['orders'] = () => this.inner.orders();
  fills: BrokerPort['fills'] = (since) => this.inner.fills(since);
  positions: BrokerPort['positions'] = () => this.inner.positions();
  accountValue: BrokerPort['accountValue'] = () => this.inner.accountValue();
  contractDetails: BrokerPort['contractDetails'] = (c) => this.inner.contractDetails(c);
  historicalPrices: BrokerPort['historicalPrices'] = (c, f, s) => this.inner.historicalPrices(c, f, s);
  fxHistoricalPrices: BrokerPort['fxHistoricalPrices'] = (p, s) => this.inner.fxHistoricalPrices(p, s);
  marketSnapshot: BrokerPort['marketSnapshot'] = (c) => this.inner.marketSnapshot(c);
  spreadSnapshot: BrokerPort['spreadSnapshot'] = (legs) => this.inner.spreadSnapshot(legs);
  tradingHours: BrokerPort['tradingHours'] = (c) => this.inner.tradingHours(c);
  cashBalances: BrokerPort['cashBalances'] = () => this.inner.cashBalances();
  async placeFxOrder(req: FxOrderRequest): Promise<PlacedOrder> {
    if (this.down)
      throw new BrokerDisconnectedError(`not connected to the broker: FX order ${req.orderRef} not sent`);
    return this.inner.placeFxOrder(req);
  }
}
