/**
 * Fills and their aggregation (digest §2 F, §1.0). A fill is a fact from the broker, identified by
 * its execution id; an order's fill state is the fold of its distinct fills.
 *
 * Explicit choices (digest §10 "explicit choices to make"), taken here and why:
 * - **Weighting**: the average filled price is **quantity-weighted** (Σ wᵢ·pᵢ / Σ wᵢ with
 *   wᵢ = Σ|legs| of fill i), not the reference's unweighted nanmean of child prices (F3, F5;
 *   listed as a pain point in §9). A weighted mean is what TCA and P&L need; the unweighted mean
 *   over-weights small fills.
 * - **Overfill**: a fill that takes any leg beyond the trade is **applied** (the broker did trade
 *   it, and positions must equal the sum of fills) and recorded per leg in `overfill`; the caller
 *   raises it (the machines emit `order.overfilled`). The reference raised and crashed (#1580) or
 *   silently ignored the fill (F2), which leaves a position break.
 * - **Duplicates**: a fill id already applied changes nothing (IB re-sends execDetails on
 *   reconnect; stack-notes §1.3). It is reported as `duplicate` so the caller can log it.
 * - **Rounding**: quantities are integers and are never rounded here (a fractional quantity is an
 *   invalid fill). Prices are kept at full float precision; rounding to tick happens only when a
 *   limit price is set (see `execution.ts`, half-even as in Python's round()).
 * - **Trade limits** are not charged here: a broker order's submitted quantity (Σ|legs|) is charged
 *   when its algo is done with it (D4a; `actors/stack/trade-limit-charges.ts`), never by the limit algo (D5).
 * - **Invalid fills** (wrong leg count, non-integer or all-zero quantity, non-finite price or
 *   time) are refused with a reason and change nothing.
 */
import { addQty, overfillQty, spreadPrice, type TradeQty, totalAbsQty, zeroQty } from './trade-qty.ts';

/** One execution reported by the broker (IB execDetails; commission joined by execId). */
export interface Fill {
  /** Broker execution id (IB execId): the idempotency key of the fill. */
  readonly fillId: string;
  /** Signed quantity per leg, same leg order as the order (sorted by contract date). */
  readonly qty: readonly number[];
  /** Price of this fill: the outright price, or the spread price for a multi-leg fill. */
  readonly price: number;
  /** Per-leg prices when the broker reports them (spreads). */
  readonly legPrices?: readonly number[];
  /** Epoch ms of the execution. */
  readonly datetime: number;
  /** Commission in base currency, if known at fill time. */
  readonly commission?: number;
}

/** The fill state of one order: everything the reference keeps as fill / filled_price / fill_datetime. */
export interface FillLedger {
  readonly trade: readonly number[];
  /** Cumulative fill per leg. */
  readonly fill: readonly number[];
  /** Quantity-weighted average price, or null before any fill. */
  readonly filledPrice: number | null;
  /** Per-leg quantity-weighted average price (null for a leg with no priced fill). */
  readonly legFilledPrices: ReadonlyArray<number | null>;
  /** Time of the latest fill (max over fills; fills may arrive out of order). */
  readonly fillDatetime: number | null;
  readonly commission: number;
  /** Per-leg quantity beyond the trade (all zeros unless overfilled). */
  readonly overfill: readonly number[];
  /** Ids of the fills applied, in application order. */
  readonly fillIds: readonly string[];
  /** Running sums for the weighted averages. */
  readonly priceWeight: number;
  readonly priceNotional: number;
  readonly legWeight: readonly number[];
  readonly legNotional: readonly number[];
}

export type FillOutcome =
  | { readonly kind: 'applied'; readonly delta: readonly number[] }
  | { readonly kind: 'overfilled'; readonly delta: readonly number[]; readonly overfill: readonly number[] }
  | { readonly kind: 'duplicate' }
  | { readonly kind: 'invalid'; readonly reason: string };

export function emptyLedger(trade: TradeQty): FillLedger {
  const n = trade.length;
  return {
    trade: [...trade],
    fill: zeroQty(n),
    filledPrice: null,
    legFilledPrices: new Array<number | null>(n).fill(null),
    fillDatetime: null,
    commission: 0,
    overfill: zeroQty(n),
    fillIds: [],
    priceWeight: 0,
    priceNotional: 0,
    legWeight: zeroQty(n),
    legNotional: zeroQty(n),
  };
}

/** Why a fill cannot be applied to an order with `legs` legs, or undefined if it is well formed. */
export function invalidFillReason(fill: Fill, legs: number): string | undefined {
  if (typeof fill.fillId !== 'string' || fill.fillId.length === 0) return 'fill id is empty';
  if (!Array.isArray(fill.qty) || fill.qty.length !== legs) {
    return `fill ${fill.fillId} has ${Array.isArray(fill.qty) ? fill.qty.length : 0} legs, order has ${legs}`;
  }
  if (fill.qty.some((q) => !Number.isInteger(q))) return `fill ${fill.fillId} quantity must be integers`;
  if (fill.qty.every((q) => q === 0)) return `fill ${fill.fillId} has zero quantity`;
  if (!Number.isFinite(fill.price)) return `fill ${fill.fillId} price is not a finite number`;
  if (!Number.isFinite(fill.datetime)) return `fill ${fill.fillId} datetime is not a finite number`;
  if (fill.legPrices !== undefined) {
    if (fill.legPrices.length !== legs) return `fill ${fill.fillId} leg prices do not match ${legs} legs`;
    if (fill.legPrices.some((p) => !Number.isFinite(p))) return `fill ${fill.fillId} leg price not finite`;
  }
  if (fill.commission !== undefined && !Number.isFinite(fill.commission)) {
    return `fill ${fill.fillId} commission is not a finite number`;
  }
  return undefined;
}

/**
 * Apply one fill. Returns the new ledger and what happened; a duplicate or invalid fill returns
 * the same ledger object unchanged.
 */
export function applyFill(ledger: FillLedger, fill: Fill): { ledger: FillLedger; outcome: FillOutcome } {
  const reason = invalidFillReason(fill, ledger.trade.length);
  if (reason) return { ledger, outcome: { kind: 'invalid', reason } };
  if (ledger.fillIds.includes(fill.fillId)) return { ledger, outcome: { kind: 'duplicate' } };

  const newFill = addQty(ledger.fill, fill.qty);
  const w = totalAbsQty(fill.qty);
  const priceWeight = ledger.priceWeight + w;
  const priceNotional = ledger.priceNotional + w * fill.price;
  const legWeight = [...ledger.legWeight];
  const legNotional = [...ledger.legNotional];
  if (fill.legPrices) {
    fill.qty.forEach((q, i) => {
      legWeight[i] = (legWeight[i] ?? 0) + Math.abs(q);
      legNotional[i] = (legNotional[i] ?? 0) + Math.abs(q) * (fill.legPrices?.[i] ?? 0);
    });
  } else if (fill.qty.filter((q) => q !== 0).length === 1) {
    // one leg filled (a single-leg order, or one leg of a spread reported on its own): its price
    const k = fill.qty.findIndex((q) => q !== 0);
    legWeight[k] = (legWeight[k] ?? 0) + w;
    legNotional[k] = (legNotional[k] ?? 0) + w * fill.price;
  }
  const overfill = overfillQty(newFill, ledger.trade);
  const next: FillLedger = {
    trade: ledger.trade,
    fill: newFill,
    filledPrice: priceNotional / priceWeight,
    legFilledPrices: legWeight.map((lw, i) => (lw > 0 ? (legNotional[i] ?? 0) / lw : null)),
    fillDatetime: ledger.fillDatetime === null ? fill.datetime : Math.max(ledger.fillDatetime, fill.datetime),
    commission: ledger.commission + (fill.commission ?? 0),
    overfill,
    fillIds: [...ledger.fillIds, fill.fillId],
    priceWeight,
    priceNotional,
    legWeight,
    legNotional,
  };
  const delta = [...fill.qty];
  const grew = overfill.some((o, i) => o > (ledger.overfill[i] ?? 0));
  return {
    ledger: next,
    outcome: grew ? { kind: 'overfilled', delta, overfill } : { kind: 'applied', delta },
  };
}

/**
 * A spread's filled price from its legs' average fill prices (digest §1.0: Σ ratioᵢ · priceᵢ, so a
 * roll's [priced −P, forward +P] gives priced − forward); null until every leg has a priced fill.
 */
export function spreadFilledPrice(ledger: FillLedger): number | null {
  const prices = ledger.legFilledPrices;
  if (prices.some((p) => p === null)) return null;
  return spreadPrice(ledger.trade, prices as number[]);
}

/** Add a commission reported after its fill (IB commissionReport can arrive later, keyed by execId). */
export function addCommission(ledger: FillLedger, commission: number): FillLedger {
  if (!Number.isFinite(commission)) return ledger;
  return { ...ledger, commission: ledger.commission + commission };
}

/**
 * A single-leg order's fill as the stacks show it: the cumulative fill capped at the trade, and the
 * signed rest beyond it (`overfill`; a fill against the trade's sign is all overfill). Positions
 * always take the whole fill; the order shows at most its trade.
 */
export function cappedFill(trade: number, total: number): { fill: number; overfill: number } {
  const fill =
    Math.sign(total) === Math.sign(trade) ? Math.sign(total) * Math.min(Math.abs(total), Math.abs(trade)) : 0;
  return { fill, overfill: total - fill };
}

/**
 * Fills of a calendar spread counted in whole spreads (its first leg's units): the smallest filled
 * fraction over the legs, times the first leg's trade. [−3, +3] with fills [−2, +1] is −1.
 */
export function spreadFill(legTrades: readonly number[], legFills: readonly number[]): number {
  const first = legTrades[0] ?? 0;
  if (first === 0) return 0;
  let fraction = Infinity;
  legTrades.forEach((t, k) => {
    const f = legFills[k] ?? 0;
    fraction = Math.min(fraction, t === 0 || Math.sign(f) !== Math.sign(t) ? 0 : Math.abs(f) / Math.abs(t));
  });
  const whole = Math.floor(Math.min(1, fraction) * Math.abs(first) + 1e-9);
  return whole === 0 ? 0 : Math.sign(first) * whole;
}

/**
 * An order's fill as the stacks show it, from its ledger's per-leg trade and cumulative fill: a
 * single leg as `cappedFill`; a calendar spread in whole spreads (`spreadFill`, first leg's units),
 * its overfill the first leg's quantity beyond its trade.
 */
export function stackFill(
  trade: readonly number[],
  total: readonly number[],
): { fill: number; overfill: number } {
  if (trade.length <= 1) return cappedFill(trade[0] ?? 0, total[0] ?? 0);
  const first = cappedFill(trade[0] ?? 0, total[0] ?? 0);
  return { fill: spreadFill(trade, total), overfill: first.overfill };
}

/**
 * A broker's correction of a fill already applied (IB execDetails with a revised execution id, the
 * same order and fill): the ledger as if `corrected` had come instead of `original`. Quantities,
 * overfill and the weighted prices follow; the fill keeps its id (the correction is joined by it).
 * A fill id the ledger does not hold, or a malformed correction, changes nothing (`applied` false).
 */
export function correctFill(
  ledger: FillLedger,
  original: Fill,
  corrected: Fill,
): { ledger: FillLedger; applied: boolean } {
  const legs = ledger.trade.length;
  const bad =
    !ledger.fillIds.includes(original.fillId) ||
    original.qty.length !== legs ||
    corrected.qty.length !== legs ||
    corrected.qty.some((q) => !Number.isInteger(q)) ||
    !Number.isFinite(corrected.price) ||
    !Number.isFinite(corrected.datetime);
  if (bad) return { ledger, applied: false };
  const fill = ledger.fill.map((f, i) => f - (original.qty[i] ?? 0) + (corrected.qty[i] ?? 0));
  const w0 = totalAbsQty(original.qty);
  const w1 = totalAbsQty(corrected.qty);
  const priceWeight = ledger.priceWeight - w0 + w1;
  const priceNotional = ledger.priceNotional - w0 * original.price + w1 * corrected.price;
  const legWeight = [...ledger.legWeight];
  const legNotional = [...ledger.legNotional];
  const legMove = (f: Fill, sign: number) => {
    const single = f.qty.filter((q) => q !== 0).length === 1;
    f.qty.forEach((q, i) => {
      const price = f.legPrices?.[i] ?? (single && q !== 0 ? f.price : undefined);
      if (price === undefined) return;
      legWeight[i] = (legWeight[i] ?? 0) + sign * Math.abs(q);
      legNotional[i] = (legNotional[i] ?? 0) + sign * Math.abs(q) * price;
    });
  };
  legMove(original, -1);
  legMove(corrected, 1);
  return {
    applied: true,
    ledger: {
      ...ledger,
      fill,
      filledPrice: priceWeight > 0 ? priceNotional / priceWeight : null,
      legFilledPrices: legWeight.map((lw, i) => (lw > 0 ? (legNotional[i] ?? 0) / lw : null)),
      fillDatetime:
        ledger.fillDatetime === null ? corrected.datetime : Math.max(ledger.fillDatetime, corrected.datetime),
      overfill: overfillQty(fill, ledger.trade),
      priceWeight,
      priceNotional,
      legWeight,
      legNotional,
    },
  };
}
