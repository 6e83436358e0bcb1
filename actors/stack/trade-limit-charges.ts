/**
 * Trade-limit charges of broker orders (digest D4a): when its algo is done with a broker order, its
 * submitted quantity is charged to every matching limit, also when unfilled or cancelled; orders of
 * the limit algo and manual broker orders never charge (D5). Each charge names its broker order
 * (`chargeKey`: the stack's prefix, the order's id and its creation time), and a stored limit
 * counts a named charge once per period, so a charge made again changes nothing.
 *
 * A charge is written in the background after the algo's end is journalled, so a kill -9 between
 * the two loses it; a restore (`chargeDoneBrokerOrders`) therefore charges again every broker
 * order on the stack that is done at the broker: the ones already counted change nothing.
 */
import type { TradeLimitCharge } from '../../src/domain/orders/trade-limits.ts';
import type { StackCore } from './core.ts';
import type { BrokerOrder } from './types.ts';

/**
 * The key naming a broker order's charge: its orderRef (`<prefix>:<id>`; ids are reserved in
 * blocks and never reused) and its creation time, should a stack's id counter ever start again.
 */
export function chargeKey(bo: Pick<BrokerOrder, 'orderRef' | 'createdAt'>): string {
  return `${bo.orderRef}@${bo.createdAt}`;
}

/** The named charge of a broker order made at `at` (epoch ms, the injected clock). */
export function brokerOrderCharge(
  bo: Pick<BrokerOrder, 'orderRef' | 'createdAt'>,
  at: number,
): TradeLimitCharge {
  return { key: chargeKey(bo), at };
}

/**
 * Whether a broker order's algo blocks (D4): it charges trade limits at its end and releases its
 * lock. D5: the limit algo (non-blocking) and a manual order do neither.
 */
export function chargesTradeLimits(bo: BrokerOrder): boolean {
  return bo.algoUsed !== 'limit' && bo.algoUsed !== 'manual';
}

/**
 * Lots per unit of an order's `trade`: 1 for an outright; for a calendar spread (whose `trade`
 * counts spreads in its first leg's units) Σ|leg| over |first leg|, so a [−1, +1] spread is 2 (F9).
 */
export function lotsPerUnit(o: { legs?: ReadonlyArray<{ qty: number }> | undefined }): number {
  const legs = o.legs;
  const first = legs?.[0]?.qty;
  if (!legs || legs.length < 2 || !first) return 1;
  return legs.reduce((s, l) => s + Math.abs(l.qty), 0) / Math.abs(first);
}

/** D4a: a broker order's submitted quantity, Σ|legs| (a [−1, +1] roll spread counts 2). */
export function submittedLots(bo: Pick<BrokerOrder, 'trade' | 'legs'>): number {
  return Math.abs(bo.trade) * lotsPerUnit(bo);
}

/** D4a: charge the broker order's submitted quantity, named by its key, now. */
export function chargeBrokerOrder(core: StackCore, bo: BrokerOrder): void {
  if (!chargesTradeLimits(bo)) return;
  const now = core.now();
  const { strategyName, instrumentCode } = bo;
  core.deps.tradeLimits.charge(
    strategyName,
    instrumentCode,
    submittedLots(bo),
    now,
    brokerOrderCharge(bo, now),
  );
}

/**
 * A contract order completed while `heldBy` (`<algo>:<brokerOrderId>`) held it: that algo is done
 * with its broker order, charged here (D4a; `chargeBrokerOrder` skips D5's limit and manual orders).
 */
export function chargeHeldCompletion(core: StackCore, heldBy: string | null | undefined): void {
  const holder = heldBy?.split(':')[1];
  const b = holder === undefined ? undefined : core.brokerOrder(Number(holder));
  if (b) chargeBrokerOrder(core, b);
}

/** A broker order done at the broker: filled, or cancelled (a rejected one never traded). */
export function doneAtBroker(bo: BrokerOrder): boolean {
  if (bo.brokerStatus === 'rejected') return false;
  return bo.fill === bo.trade || bo.brokerStatus === 'cancelled' || bo.brokerStatus === 'filled';
}

/**
 * Restore: charge again every broker order on the stack done at the broker (its algo is done, or
 * finishes as the restore tells it what it missed), in one batch. Each is dated by the last time
 * its record knows of (creation, submission, last fill): a limit reset since then does not count
 * it in its new period. Returns how many charges were made.
 */
export function chargeDoneBrokerOrders(core: StackCore): number {
  const items = core
    .orders('broker')
    .filter((bo) => chargesTradeLimits(bo) && doneAtBroker(bo))
    .map((bo) => ({
      strategyName: bo.strategyName,
      instrumentCode: bo.instrumentCode,
      qty: submittedLots(bo),
      charge: brokerOrderCharge(bo, Math.max(bo.createdAt, bo.submitDatetime ?? 0, bo.fillDatetime ?? 0)),
    }));
  core.deps.tradeLimits.chargeMany(items, core.now());
  return items.length;
}
