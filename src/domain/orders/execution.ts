/**
 * Execution-algo maths (digest §2 E1, E2): side / mid / offside prices, order-book imbalance,
 * adverse moves, tick rounding and the time rules. Pure: time arrives as numbers (epoch ms).
 */

/** A top-of-book snapshot for the traded contract (or the spread, priced by the host). */
export interface PriceSnapshot {
  readonly bid: number;
  readonly ask: number;
  readonly bidSize: number;
  readonly askSize: number;
  /** Epoch ms of the snapshot. */
  readonly at: number;
}

/** Constants of the original best-execution algo (digest §2 E2) and the market algo (E1). */
export const BEST_EXECUTION_DEFAULTS = {
  passiveTimeoutMs: 300_000,
  totalTimeoutMs: 600_000,
  /** Switch to market when less than this is left before the close. */
  closingThresholdMs: 30 * 60_000,
  imbalanceThreshold: 5,
  imbalanceAdjFactor: 3,
  sizeLimit: 1,
  /** How long to wait for a valid bid and ask before giving up (no trade). */
  priceWaitMs: 10_000,
  /** How long to wait for a cancel confirmation before giving up with a warning. */
  cancelWaitMs: 60_000,
} as const;

export const MARKET_ALGO_DEFAULTS = {
  timeoutMs: 600_000,
  cancelWaitMs: 60_000,
  sliceSize: 1,
} as const;

/** +1 buy, −1 sell, from the first leg of a trade. */
export type Side = 1 | -1;

export function sideOf(trade: readonly number[]): Side {
  return (trade[0] ?? 0) < 0 ? -1 : 1;
}

export function isValidSnapshot(s: PriceSnapshot): boolean {
  return (
    Number.isFinite(s.bid) &&
    Number.isFinite(s.ask) &&
    Number.isFinite(s.bidSize) &&
    Number.isFinite(s.askSize) &&
    s.ask >= s.bid
  );
}

/** The price we would pay: the offer when buying, the bid when selling (§1.3 side_price). */
export function sidePrice(side: Side, s: PriceSnapshot): number {
  return side === 1 ? s.ask : s.bid;
}

/** The other side: the bid when buying, the offer when selling (§1.3 offside_price). */
export function offsidePrice(side: Side, s: PriceSnapshot): number {
  return side === 1 ? s.bid : s.ask;
}

export function midPrice(s: PriceSnapshot): number {
  return (s.bid + s.ask) / 2;
}

function sideQty(side: Side, s: PriceSnapshot): number {
  return side === 1 ? s.askSize : s.bidSize;
}

function offsideQty(side: Side, s: PriceSnapshot): number {
  return side === 1 ? s.bidSize : s.askSize;
}

/** Order-book imbalance = offside qty / side qty; 9999 when the side is empty (E2.4). */
export function imbalance(side: Side, s: PriceSnapshot): number {
  const sq = sideQty(side, s);
  return sq === 0 ? 9999 : offsideQty(side, s) / sq;
}

/**
 * Adverse size issue (E2.4): imbalance > threshold **and** side qty < adjFactor·|qty|. The queue
 * on our side is thin and the other side is heavy, so the price is likely to move away.
 */
export function adverseSizeIssue(
  side: Side,
  s: PriceSnapshot,
  absQty: number,
  threshold: number = BEST_EXECUTION_DEFAULTS.imbalanceThreshold,
  adjFactor: number = BEST_EXECUTION_DEFAULTS.imbalanceAdjFactor,
): boolean {
  return imbalance(side, s) > threshold && sideQty(side, s) < adjFactor * absQty;
}

/**
 * Adverse price move (E2.6): the offside price moved against us since the reference snapshot
 * taken at submission — buying and the bid rose, or selling and the offer fell.
 */
export function adversePriceMove(side: Side, reference: PriceSnapshot, now: PriceSnapshot): boolean {
  return side === 1 ? now.bid > reference.bid : now.ask < reference.ask;
}

/**
 * Market about to close (E2.4): less than `thresholdMs` left before `closeAt` (the earlier of the
 * stack handler's stop time and the contract's trading-hours close). A closed market counts too.
 * `closeAt` null means unknown: treated as not closing.
 */
export function marketAboutToClose(
  now: number,
  closeAt: number | null,
  thresholdMs: number = BEST_EXECUTION_DEFAULTS.closingThresholdMs,
): boolean {
  return closeAt !== null && closeAt - now < thresholdMs;
}

/**
 * Round a price to the tick: tick·round(p/tick) with round-half-even as Python's round() does
 * (rounding choice: reproduce the reference). The result is cleaned of float noise.
 */
export function roundToTick(price: number, tick: number): number {
  if (!(tick > 0)) return price;
  const x = price / tick;
  const fl = Math.floor(x);
  const frac = x - fl;
  let n: number;
  if (Math.abs(frac - 0.5) < 1e-9) n = fl % 2 === 0 ? fl : fl + 1;
  else n = Math.round(x);
  const decimals = Math.max(0, Math.ceil(-Math.log10(tick)) + 2);
  return Number((n * tick).toFixed(Math.min(decimals, 12)));
}
