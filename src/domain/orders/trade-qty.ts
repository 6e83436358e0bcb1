/**
 * Trade quantities: one signed integer per leg (digest §1.0 `tradeQuantity`).
 * A single-leg order is `[n]`; a calendar spread is e.g. `[-2, 2]` with legs sorted by contract date.
 */
export type TradeQty = readonly number[];

export class TradeQtyError extends Error {}

/** Check a trade quantity is a non-empty list of integers; throws naming what is wrong. */
export function assertTradeQty(q: unknown, what = 'trade'): asserts q is TradeQty {
  if (!Array.isArray(q) || q.length === 0)
    throw new TradeQtyError(`${what} must be a non-empty list of legs`);
  for (const [i, v] of q.entries()) {
    if (typeof v !== 'number' || !Number.isInteger(v)) {
      throw new TradeQtyError(`${what} leg ${i} must be an integer, got ${String(v)}`);
    }
  }
}

/** True when every leg is 0 (`equals_zero`). */
export function isZeroQty(q: TradeQty): boolean {
  return q.every((v) => v === 0);
}

/** Σ|leg| (`total_abs_qty`). */
export function totalAbsQty(q: TradeQty): number {
  return q.reduce((s, v) => s + Math.abs(v), 0);
}

function sameLength(a: TradeQty, b: TradeQty): void {
  if (a.length !== b.length) throw new TradeQtyError(`leg count differs: ${a.length} vs ${b.length}`);
}

export function addQty(a: TradeQty, b: TradeQty): number[] {
  sameLength(a, b);
  return a.map((v, i) => v + (b[i] ?? 0));
}

export function subQty(a: TradeQty, b: TradeQty): number[] {
  sameLength(a, b);
  return a.map((v, i) => v - (b[i] ?? 0));
}

export function zeroQty(legs: number): number[] {
  // Not Array.from({ length }): V8's generic path for it is ~10× slower, and every order's ledger
  // starts from these.
  return new Array<number>(legs).fill(0);
}

export function qtyEquals(a: TradeQty, b: TradeQty): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/**
 * `fill_less_than_or_equal_to_desired_trade` (digest §1.0): for every leg |f| ≤ |t| and f·t ≥ 0.
 */
export function fillWithinTrade(fill: TradeQty, trade: TradeQty): boolean {
  sameLength(fill, trade);
  return fill.every((f, i) => {
    const t = trade[i] ?? 0;
    return Math.abs(f) <= Math.abs(t) && f * t >= 0;
  });
}

/**
 * Per-leg excess of a cumulative fill over the trade: how far each leg went beyond the trade in
 * absolute terms, counting any quantity on the wrong side of zero as excess. All zeros ⇔ fill
 * within trade.
 */
export function overfillQty(fill: TradeQty, trade: TradeQty): number[] {
  sameLength(fill, trade);
  return fill.map((f, i) => {
    const t = trade[i] ?? 0;
    if (f * t < 0 || (t === 0 && f !== 0)) return Math.abs(f);
    return Math.max(0, Math.abs(f) - Math.abs(t));
  });
}

/** Remaining = trade − fill, floored at zero per leg for an overfilled leg (never reverses). */
export function remainingQty(trade: TradeQty, fill: TradeQty): number[] {
  sameLength(trade, fill);
  return trade.map((t, i) => {
    const r = t - (fill[i] ?? 0);
    return r * t > 0 ? r : 0;
  });
}

/** The whole trade is filled (every leg fill == trade, or beyond it: an overfill also counts). */
export function isFullyFilled(trade: TradeQty, fill: TradeQty): boolean {
  // isZeroQty(remainingQty(trade, fill)) without the array: it runs in every fill guard.
  sameLength(trade, fill);
  for (let i = 0; i < trade.length; i++) {
    const t = trade[i] ?? 0;
    if ((t - (fill[i] ?? 0)) * t > 0) return false;
  }
  return true;
}

function gcd(a: number, b: number): number {
  let x = Math.abs(a);
  let y = Math.abs(b);
  while (y) [x, y] = [y, x % y];
  return x;
}

/**
 * Leg ratios of a spread: divide by the highest common factor and make the first ratio positive
 * (digest §1.0, spread price). `[-2, 2]` → `[1, -1]`.
 */
export function spreadRatios(q: TradeQty): number[] {
  const hcf = q.reduce((g, v) => gcd(g, v), 0) || 1;
  const sign = (q[0] ?? 0) < 0 ? -1 : 1;
  return q.map((v) => (sign * v) / hcf);
}

/** Spread price from leg prices: Σ ratioᵢ · priceᵢ (digest §1.0). `[1,-1]` gives p₁ − p₂. */
export function spreadPrice(trade: TradeQty, legPrices: readonly number[]): number {
  sameLength(trade, legPrices);
  const r = spreadRatios(trade);
  return r.reduce((s, ri, i) => s + ri * (legPrices[i] ?? 0), 0);
}

/**
 * Cut an order so that its smallest non-zero leg is at most `maxSize` (digest §1.0 "smallest
 * leg ≤ max_size", used by the algos' SIZE_LIMIT = 1). If scaling does not give integral legs
 * the order is left unchanged (so `[-3,4,-3]` stays).
 */
export function cutToSmallestLeg(q: TradeQty, maxSize: number): number[] {
  const nonZero = q.filter((v) => v !== 0).map(Math.abs);
  if (nonZero.length === 0) return [...q];
  const smallest = Math.min(...nonZero);
  if (smallest <= maxSize) return [...q];
  const ratio = maxSize / smallest;
  const scaled = q.map((v) => v * ratio);
  if (scaled.some((v) => Math.abs(v - Math.round(v)) > 1e-4)) return [...q];
  return scaled.map((v) => Math.round(v));
}

/** Sign of a single-leg quantity, or of the first leg. */
export function qtySign(q: TradeQty): -1 | 0 | 1 {
  const v = q[0] ?? 0;
  return v > 0 ? 1 : v < 0 ? -1 : 0;
}
