/**
 * What both brokers (sim/ and ib/) do the same way with orders, fills and events: one place for
 * the request checks, the idempotent replay of a known orderRef, the finished statuses, the
 * listeners, the broker's day and the sums of positions.
 */
import type {
  BrokerEvent,
  BrokerFill,
  BrokerLeg,
  BrokerListener,
  BrokerOrderStatus,
  BrokerPosition,
  PlacedOrder,
  PlaceOrderRequest,
} from './port.ts';

/** A request the broker cannot take as given (nothing was sent or changed). */
export class BrokerRequestInvalid extends Error {
  override readonly name: string = 'BrokerRequestInvalid';
}

/** An orderRef the broker does not know. */
export class BrokerUnknownOrder extends Error {
  override readonly name: string = 'BrokerUnknownOrder';
}

/**
 * How a failed `placeOrder` ended: `refused` only when the broker (or the adapter, before sending
 * anything) explicitly did not take the request (`BrokerRequestInvalid` and its kinds); anything
 * else (a timeout, a lost connection, a failed save at the sim) is `unknown`: the order may be
 * working at the broker, and the caller must find out (by orderRef) before it places another.
 */
export function placementFailure(err: unknown): 'refused' | 'unknown' {
  return err instanceof BrokerRequestInvalid ? 'refused' : 'unknown';
}

const DAY = 86_400_000;

/** The start of the broker's day (UTC midnight): `fills()` without `since` starts there. */
export const startOfDay = (now: number): number => Math.floor(now / DAY) * DAY;

const FINISHED: ReadonlySet<BrokerOrderStatus> = new Set(['filled', 'cancelled', 'rejected']);
/** Filled, cancelled and rejected orders are done: nothing more is sent for them. */
export const isFinished = (s: BrokerOrderStatus): boolean => FINISHED.has(s);

/** Every leg a non-zero whole quantity (two legs at least for a spread snapshot). */
export function checkLegs(what: string, legs: BrokerLeg[], minLegs = 1): void {
  if (legs.length < minLegs)
    throw new BrokerRequestInvalid(`${what}: needs ${minLegs === 1 ? 'a leg' : `${minLegs} or more legs`}`);
  if (legs.some((l) => !Number.isInteger(l.qty) || l.qty === 0))
    throw new BrokerRequestInvalid(`${what}: every leg needs a non-zero integer quantity`);
}

/** The checks every broker makes before it sends (or simulates) an order. */
export function checkOrderRequest(req: PlaceOrderRequest): void {
  checkLegs(`order ${req.orderRef}`, req.legs);
  if (req.orderType === 'limit' && req.limitPrice === undefined)
    throw new BrokerRequestInvalid(`order ${req.orderRef}: limit order without limitPrice`);
}

/** The answer to placing an orderRef the broker already has: that order, never a second one. */
export function existingOrder(o: {
  orderRef: string;
  tempId: number;
  permId: number;
  submittedAt: number;
}): PlacedOrder {
  return {
    orderRef: o.orderRef,
    tempId: o.tempId,
    permId: o.permId,
    submittedAt: o.submittedAt,
    existing: true,
  };
}

/** Fills from a time on, in time order (execId breaks ties). */
export function fillsSince(fills: Iterable<BrokerFill>, since: number): BrokerFill[] {
  return [...fills]
    .filter((f) => f.time >= since)
    .sort((a, b) => a.time - b.time || a.execId.localeCompare(b.execId));
}

/** Signed quantities summed per contract; flat contracts left out. */
export function sumPositions(rows: Iterable<BrokerPosition>): BrokerPosition[] {
  const sums = new Map<string, BrokerPosition>();
  for (const r of rows) {
    const key = `${r.instrumentCode}/${r.contractDate}`;
    const p = sums.get(key) ?? {
      instrumentCode: r.instrumentCode,
      contractDate: r.contractDate,
      position: 0,
    };
    p.position += r.position;
    sums.set(key, p);
  }
  return [...sums.values()].filter((p) => p.position !== 0);
}

/** The broker's listeners (`onEvent`), told every event in order. */
export class BrokerListeners {
  private readonly listeners = new Set<BrokerListener>();

  add(listener: BrokerListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  tell(event: BrokerEvent): void {
    for (const l of this.listeners) l(event);
  }
}
