import type { SimFxTrade } from './sim-fx.ts';
import type {
  BrokerFill,
  BrokerLeg,
  BrokerOrderState,
  BrokerOrderStatus,
  BrokerOrderType,
  BrokerPosition,
  PlaceOrderRequest,
} from '../port.ts';
import { isFinished, sumPositions } from '../orders.ts';
import type { Prng } from './prng.ts';
import type { SimBrokerConfig } from './sim-config.ts';

/** One order as the simulated broker keeps it (JSON-safe, persisted by a SimBrokerStore). */
export interface SimOrderRecord {
  orderRef: string;
  tempId: number;
  permId: number;
  legs: BrokerLeg[];
  orderType: BrokerOrderType;
  limitPrice?: number;
  status: BrokerOrderStatus;
  /** Signed filled quantity per leg. */
  filled: number[];
  fills: BrokerFill[];
  submittedAt: number;
  rejectReason?: string;
  /** Chunks still to fill, as a fraction plan: each chunk is a signed qty per leg. */
  pending: number[][];
  /** Decided at placement from the seeded PRNG. */
  duplicateFills: boolean;
  lateFillAfterCancel: boolean;
  cancelRace: boolean;
}

/** Where a simulated broker persists itself, so it can outlive the process that talks to it. */
export interface SimBrokerStore {
  loadOrders(): Promise<SimOrderRecord[]>;
  saveOrder(order: SimOrderRecord): Promise<void>;
  loadFxTrades(): Promise<SimFxTrade[]>;
  saveFxTrade(trade: SimFxTrade): Promise<void>;
}

/** Filled, cancelled or rejected: nothing more happens to it. */
export const isSimOrderFinished = (o: SimOrderRecord): boolean => isFinished(o.status);

/**
 * A new order as the simulated broker keeps it, its fate drawn from the seeded PRNG: rejected,
 * filled in 2–3 chunks (partial fills), fills reported twice, a late fill after a cancel, a cancel
 * that loses the race with a fill.
 */
export function newSimOrder(
  req: PlaceOrderRequest,
  tempId: number,
  rng: Prng,
  cfg: SimBrokerConfig,
): SimOrderRecord {
  const legs = req.legs.map((l) => l.qty);
  const reject = rng.chance(cfg.rejectProbability ?? 0);
  const partial = totalAbs(legs) >= 2 && rng.chance(cfg.partialFillProbability ?? 0);
  const nChunks = partial ? rng.int(2, Math.min(3, Math.min(...legs.map((q) => Math.abs(q))) || 2)) : 1;
  return {
    orderRef: req.orderRef,
    tempId,
    permId: 1_000_000 + tempId,
    legs: req.legs.map((l) => ({ ...l })),
    orderType: req.orderType,
    limitPrice: req.limitPrice,
    status: reject ? 'rejected' : 'submitted',
    filled: legs.map(() => 0),
    fills: [],
    submittedAt: cfg.clock.now(),
    rejectReason: reject ? 'sim: order rejected' : undefined,
    pending: reject ? [] : splitChunks(legs, Math.max(1, nChunks)),
    duplicateFills: rng.chance(cfg.duplicateFillProbability ?? 0),
    lateFillAfterCancel: rng.chance(cfg.lateFillAfterCancelProbability ?? 0),
    cancelRace: rng.chance(cfg.cancelRaceProbability ?? 0),
  };
}

export const totalAbs = (qty: number[]): number => qty.reduce((s, q) => s + Math.abs(q), 0);

export function toOrderState(o: SimOrderRecord): BrokerOrderState {
  const filledAbs = totalAbs(o.filled);
  const tradeAbs = totalAbs(o.legs.map((l) => l.qty));
  let notional = 0;
  let qty = 0;
  for (const f of o.fills) {
    notional += f.price * Math.abs(f.qty);
    qty += Math.abs(f.qty);
  }
  return {
    orderRef: o.orderRef,
    tempId: o.tempId,
    permId: o.permId,
    status: o.status,
    filledQty: filledAbs,
    remainingQty: Math.max(0, tradeAbs - filledAbs),
    avgFillPrice: qty > 0 ? notional / qty : undefined,
    rejectReason: o.rejectReason,
  };
}

/** Split a signed per-leg trade into `n` chunks (every leg split the same way, whole lots). */
export function splitChunks(legs: number[], n: number): number[][] {
  const chunks: number[][] = [];
  const done = legs.map(() => 0);
  for (let i = 1; i <= n; i++) {
    const chunk = legs.map((q, k) => {
      const upto = i === n ? q : Math.trunc((q * i) / n);
      const c = upto - (done[k] ?? 0);
      done[k] = upto;
      return c;
    });
    if (chunk.some((c) => c !== 0)) chunks.push(chunk);
  }
  return chunks;
}

/** In-memory store (for tests that restart a broker within one process). */
export class MemorySimBrokerStore implements SimBrokerStore {
  private readonly orders = new Map<string, string>();

  async loadOrders(): Promise<SimOrderRecord[]> {
    return [...this.orders.values()].map((s) => JSON.parse(s) as SimOrderRecord);
  }

  async saveOrder(order: SimOrderRecord): Promise<void> {
    this.orders.set(order.orderRef, JSON.stringify(order));
  }

  private readonly fx = new Map<string, SimFxTrade>();

  async loadFxTrades(): Promise<SimFxTrade[]> {
    return [...this.fx.values()].map((t) => ({ ...t }));
  }

  async saveFxTrade(trade: SimFxTrade): Promise<void> {
    this.fx.set(trade.orderRef, { ...trade });
  }
}

/**
 * The simulated broker's positions: the sum of the fills of every order it keeps. Pure, so a
 * reader of the broker's KV store (reports, the run summary) gets the broker's own numbers
 * without opening a second broker on the same orders.
 */
export function simPositions(orders: Iterable<SimOrderRecord>): BrokerPosition[] {
  const rows: BrokerPosition[] = [];
  for (const o of orders)
    for (const f of o.fills)
      rows.push({ instrumentCode: f.instrumentCode, contractDate: f.contractDate, position: f.qty });
  return sumPositions(rows);
}
