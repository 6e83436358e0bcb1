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
   * The keys of the named charges counted since the last reset (absent: none; limits stored
   * before charges were named have none). Cleared by every reset, so bounded by one period's.
   */
  chargeKeys?: readonly string[];
}

/** What a charge is for: a key naming it (its broker order) and when it was made (epoch ms). */
export interface TradeLimitCharge {
  key: string;
  /** A charge made before the limit's last reset belongs to a period already reset: not counted. */
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
  return { ...spec, tradesSinceLastReset: 0, lastResetTime: now };
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
  const { chargeKeys: _, ...rest } = l;
  return { ...rest, tradesSinceLastReset: 0, lastResetTime: now };
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
 * its last reset, changes nothing but the lazy reset (the limit as read at `now` is returned).
 */
export function charged(
  l: TradeLimit,
  qty: TradeQty | number,
  now: number,
  charge?: TradeLimitCharge,
): TradeLimit {
  const r = rolled(l, now);
  if (charge && (charge.at < r.lastResetTime || r.chargeKeys?.includes(charge.key))) return r;
  const add = typeof qty === 'number' ? Math.abs(qty) : totalAbsQty(qty);
  const next = { ...r, tradesSinceLastReset: r.tradesSinceLastReset + add };
  return charge ? { ...next, chargeKeys: [...(r.chargeKeys ?? []), charge.key] } : next;
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
