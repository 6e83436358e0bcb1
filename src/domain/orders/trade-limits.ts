/**
 * Trade limits (digest §1.6 and F9; the reference's `sysobjects/production/trade_limits.py`,
 * `sysdata/production/trade_limits.py` and interactive_controls "Trade limits").
 *
 * A limit is keyed by instrument, strategy (empty for the instrument-only limit) and period in
 * days. It counts the quantity traded since its last reset; the reset is lazy and rolling: when
 * the limit is read more than `periodDays` after its last reset, the count goes back to zero and
 * the reset time becomes now (not calendar aligned). Pure functions: time comes in as `now`.
 *
 * A charge may name what it charges for (`TradeLimitCharge`: a broker order, actors/stack/
 * trade-limit-charges.ts): the limit remembers the keys charged since its last reset, so the same
 * charge made again (after a crash lost whether it was stored) counts once.
 */
import { type TradeQty, totalAbsQty } from './trade-qty.ts';

const DAY_MS = 86_400_000;

export interface TradeLimit {
  instrumentCode: string;
  /** '' for the instrument-only limit (applies to every strategy). */
  strategyName: string;
  periodDays: number;
  /** Maximum Σ|qty| over the period. */
  tradeLimit: number;
  tradesSinceLastReset: number;
  /** Epoch ms. */
  lastResetTime: number;
  /**
   * The keys of the named charges counted since `chargeKeysSince` (default: the last reset).
   * Emptied by every reset, so bounded by one period's. Absent on a limit stored before charges
   * were named: which charges it counted is unknown, so the first named charge starts the list.
   */
  chargeKeys?: readonly string[];
  /** Set when the list was started later than the last reset (on a limit stored without one). */
  chargeKeysSince?: number;
}

/** What a charge is for: a key naming it (its broker order) and when it was made (epoch ms). */
export interface TradeLimitCharge {
  key: string;
  /**
   * When what it charges for happened. Made before the limit's list of keys started (its last
   * reset, or its first named charge), it is not counted: a reset period is over, and an older
   * limit's count is taken to hold it already.
   */
  at: number;
}

/** One charge of several made at once: a quantity for (strategy, instrument), named or not. */
export interface TradeLimitChargeItem {
  strategyName: string;
  instrumentCode: string;
  qty: number;
  charge?: TradeLimitCharge;
}

export class TradeLimitError extends Error {
  override readonly name = 'TradeLimitError';
}

function checkSpec(periodDays: number, tradeLimit: number): void {
  if (!Number.isSafeInteger(periodDays) || periodDays < 1)
    throw new TradeLimitError(`period_days must be a whole number of days >= 1, got ${periodDays}`);
  if (!Number.isSafeInteger(tradeLimit) || tradeLimit < 0)
    throw new TradeLimitError(`trade_limit must be a whole number >= 0, got ${tradeLimit}`);
}

/** A new limit: nothing traded, reset now. */
export function newTradeLimit(
  spec: Pick<TradeLimit, 'instrumentCode' | 'strategyName' | 'periodDays' | 'tradeLimit'>,
  now: number,
): TradeLimit {
  checkSpec(spec.periodDays, spec.tradeLimit);
  return { ...spec, tradesSinceLastReset: 0, lastResetTime: now, chargeKeys: [] };
}

/** Change the limit and keep what was traded (the reference's `update_limit`). */
export function withLimit(l: TradeLimit, tradeLimit: number): TradeLimit {
  checkSpec(l.periodDays, tradeLimit);
  return { ...l, tradeLimit };
}

/** The limit as read at `now`: the count (and the charges it remembers) reset when the period has passed. */
export function rolled(l: TradeLimit, now: number): TradeLimit {
  if (now - l.lastResetTime > l.periodDays * DAY_MS) return resetTradeLimit(l, now);
  return l;
}

/** Reset by hand ("helpful if you have reached your limit but want to keep trading"). */
export function resetTradeLimit(l: TradeLimit, now: number): TradeLimit {
  const { chargeKeysSince: _, ...rest } = l;
  return { ...rest, tradesSinceLastReset: 0, lastResetTime: now, chargeKeys: [] };
}

/** Spare capacity at `now` (never below zero). */
export function tradeCapacity(l: TradeLimit, now: number): number {
  const r = rolled(l, now);
  return Math.max(0, r.tradeLimit - r.tradesSinceLastReset);
}

/** Limits that bind (strategy, instrument): the instrument-only ones and the strategy's, every period. */
export function matchingLimits<L extends TradeLimit>(
  limits: readonly L[],
  strategyName: string,
  instrumentCode: string,
): L[] {
  return limits.filter(
    (l) => l.instrumentCode === instrumentCode && (l.strategyName === '' || l.strategyName === strategyName),
  );
}

/** Maximum abs quantity allowed now: the least spare capacity of the matching limits; Infinity with none. */
export function allowedQty(
  limits: readonly TradeLimit[],
  strategyName: string,
  instrumentCode: string,
  now: number,
) {
  return Math.min(
    Infinity,
    ...matchingLimits(limits, strategyName, instrumentCode).map((l) => tradeCapacity(l, now)),
  );
}

/**
 * A limit charged with a trade: Σ|legs| added after the lazy reset (F9: a roll spread [-1, 1]
 * counts 2). A named charge counts once per period: one whose key the limit holds, or made before
 * its list of keys started (`TradeLimitCharge.at`), changes nothing but the lazy reset (the limit
 * as read at `now` is returned).
 */
export function charged(
  l: TradeLimit,
  qty: TradeQty | number,
  now: number,
  charge?: TradeLimitCharge,
): TradeLimit {
  const r = rolled(l, now);
  const add = typeof qty === 'number' ? Math.abs(qty) : totalAbsQty(qty);
  if (!charge) return { ...r, tradesSinceLastReset: r.tradesSinceLastReset + add };
  const since = r.chargeKeys ? (r.chargeKeysSince ?? r.lastResetTime) : now;
  if (charge.at < since || r.chargeKeys?.includes(charge.key)) return r;
  const next = { ...r, tradesSinceLastReset: r.tradesSinceLastReset + add };
  if (r.chargeKeys) return { ...next, chargeKeys: [...r.chargeKeys, charge.key] };
  return { ...next, chargeKeys: [charge.key], chargeKeysSince: now };
}

/**
 * Proportional resize to an abs-qty cap (digest §1.0, used by trade limits): ratio = cap / Σ|leg|;
 * at ratio ≥ 1 keep the trade; a cap of 0 gives zeros; otherwise floor(ratio·|leg|) per leg, and
 * the legs keep their ratio (any leg that would not be integral makes the whole order zero).
 */
export function resizeToAbsCap(qty: TradeQty, cap: number): number[] {
  const total = totalAbsQty(qty);
  if (total === 0 || cap >= total) return [...qty];
  if (cap <= 0) return qty.map(() => 0);
  const ratio = cap / total;
  const legCaps = qty.map((q) => Math.floor(ratio * Math.abs(q)));
  // Per-leg cap rule: scale every leg by the smallest allowed fraction, keeping the ratios.
  const scale = Math.min(
    ...qty.map((q, i) => (q === 0 ? 1 : Math.min(Math.abs(q), legCaps[i] ?? 0) / Math.abs(q))),
  );
  const smallest = Math.min(...qty.filter((q) => q !== 0).map(Math.abs));
  const newSmallest = Math.floor(smallest * scale);
  const r = newSmallest / smallest;
  const out = qty.map((q) => Math.trunc(q * r));
  if (qty.some((q) => Math.abs(q * r - Math.trunc(q * r)) > 1e-4)) return qty.map(() => 0);
  return out;
}

/** The status row of interactive_controls "View limits" (and the status report). */
export interface TradeLimitRow {
  strategy_name: string;
  instrument_code: string;
  period_days: number;
  trade_limit: number;
  trades_since_last_reset: number;
  trade_capacity_remaining: number;
  time_since_last_reset_ms: number;
}

export function tradeLimitRow(l: TradeLimit, now: number): TradeLimitRow {
  const r = rolled(l, now);
  return {
    strategy_name: r.strategyName,
    instrument_code: r.instrumentCode,
    period_days: r.periodDays,
    trade_limit: r.tradeLimit,
    trades_since_last_reset: r.tradesSinceLastReset,
    trade_capacity_remaining: tradeCapacity(r, now),
    time_since_last_reset_ms: now - r.lastResetTime,
  };
}
