/**
 * Placing a broker order and what its answer means. A placement the broker explicitly refused is
 * a rejection at once; one that failed otherwise (a timeout, a lost connection) has an unknown
 * outcome: the order stays `created` (pending-submit), its algo lock is kept and no other broker
 * order is made for its contract order until `confirmPlacements` has looked for it at the broker
 * by orderRef: found → submitted (its fills match by orderRef as any order's); still absent once
 * `placementConfirmMs` has passed → cancelled by orderRef at the broker (should it hold the order
 * after all) and given up: rejected, and the lock goes (docs/stack-handler.md). A given-up order
 * stays on the stack, matched by its orderRef: should it reach the broker later it is cancelled
 * at once with a critical alert, and any fill it got lands on it (never dropped).
 */
import { isFinished, placementFailure } from '../../src/broker/orders.ts';
import type { BrokerFill, BrokerOrderState, PlacedOrder } from '../../src/broker/port.ts';
import { algoRef, algoSettled, releaseAlgo, toAlgo } from './algo-events.ts';
import { toBrokerPrice } from './algo-quote.ts';
import type { StackCore } from './core.ts';
import { sendBroker } from './order-actors.ts';
import { logCritical } from './ports.ts';
import type { BrokerOrder } from './types.ts';

/** Default confirmation window of an unknown placement (injected-clock ms). */
export const PLACEMENT_CONFIRM_MS = 30_000;

/** Send (or re-send after a restart) a durable broker order; idempotent on its orderRef. */
export async function placeBrokerOrder(core: StackCore, bo: BrokerOrder): Promise<void> {
  let placed: PlacedOrder;
  try {
    placed = await core.deps.broker.placeOrder({
      orderRef: bo.orderRef,
      legs: bo.legs ?? [{ instrumentCode: bo.instrumentCode, contractDate: bo.contractDate, qty: bo.trade }],
      orderType: bo.brokerOrderType,
      limitPrice: toBrokerPrice(bo, bo.limitPrice),
    });
  } catch (err) {
    if (placementFailure(err) === 'refused') {
      core.log.warn({ broker_order_id: bo.id, err: String(err) }, 'broker order not accepted');
      await dropRejected(core, bo.id, String(err));
      return;
    }
    // Unknown is not "rejected": the broker may hold (and fill) the order. Keep it and find out.
    const now = core.brokerOrder(bo.id);
    if (now?.active && now.brokerStatus === 'pending-submit' && now.unconfirmedSince === undefined)
      core.host.change('broker', bo.id, 'PLACEMENT_UNCONFIRMED', (b) => {
        b.unconfirmedSince = core.now();
      });
    core.log.warn({ broker_order_id: bo.id, err: String(err) }, 'broker order placement outcome unknown');
    return;
  }
  if (!placed.existing) core.counters.broker_orders_sent++;
  recordPlaced(core, bo.id, placed);
}

/** The broker holds the order: its ids (data the fill matching uses, F1a) and SUBMITTED (with the perm id: acknowledged). */
function recordPlaced(
  core: StackCore,
  id: number,
  placed: Pick<PlacedOrder, 'tempId' | 'permId' | 'submittedAt'>,
): void {
  if (core.brokerOrder(id)?.state !== 'created') return;
  // Lazy: a restore re-sends a pending-submit order with the same orderRef (idempotent).
  const lazy = { defer: 'lazy' } as const;
  core.host.change(
    'broker',
    id,
    'BROKER_IDS',
    (b) => {
      b.brokerTempId = placed.tempId;
      b.brokerPermId = placed.permId;
      delete b.unconfirmedSince;
    },
    lazy,
  );
  const submitted = { brokerTempId: String(placed.tempId), submitDatetime: placed.submittedAt };
  // A perm id in the answer: the broker acknowledged the order too (one event, created → acknowledged).
  const acked = placed.permId > 0 ? { brokerPermId: String(placed.permId) } : {};
  sendBroker(core, id, { type: 'SUBMITTED', ...submitted, ...acked }, lazy);
}

/**
 * Settle the placements whose outcome is unknown: look each up at the broker by orderRef (its
 * orders, then its fills). Found → submitted. Absent, once the window has passed since the failed
 * placement → cancelled by orderRef and given up (its lock goes, the contract order can trade
 * again). Absent within the window, or the broker cannot be asked → still unknown, nothing
 * changes. Given-up orders found working at the broker are cancelled. Returns how many settled.
 */
export async function confirmPlacements(core: StackCore): Promise<number> {
  const waiting = core.activeOrders(
    'broker',
    (b) => b.unconfirmedSince !== undefined && b.brokerStatus === 'pending-submit',
  );
  const late = watched(core);
  if ((waiting.length === 0 && late.size === 0) || !core.deps.broker.isConnected()) return 0;
  let states: BrokerOrderState[];
  let filled: Map<string, BrokerFill>;
  try {
    const [o, f] = await Promise.all([core.deps.broker.orders(), core.deps.broker.fills(0)]);
    states = o;
    filled = new Map(f.map((x) => [x.orderRef, x]));
  } catch (err) {
    core.log.warn({ err: String(err), waiting: waiting.length }, 'cannot confirm unknown placements yet');
    return 0;
  }
  const byRef = new Map(states.map((s) => [s.orderRef, s]));
  for (const id of late) {
    const bo = core.brokerOrder(id);
    const s = bo && byRef.get(bo.orderRef);
    if (bo && s) await core.enqueue(bo.orderRef, () => lateArrival(core, bo, s));
    if (!bo || (s && isFinished(s.status))) late.delete(id);
  }
  const window = core.deps.config.placementConfirmMs ?? PLACEMENT_CONFIRM_MS;
  let settled = 0;
  for (const bo of waiting) {
    settled += await core.enqueue(bo.orderRef, async () => {
      const now = core.brokerOrder(bo.id);
      if (!now?.active || now.brokerStatus !== 'pending-submit' || now.unconfirmedSince === undefined)
        return 0;
      const s = byRef.get(bo.orderRef);
      const f = filled.get(bo.orderRef);
      if (s || f) {
        // It traded or works there: submitted; its fills match by orderRef (live, or F1's sweep).
        core.log.info({ broker_order_id: bo.id }, 'unknown placement found at the broker');
        const ids = s ?? f ?? { tempId: 0, permId: 0 };
        recordPlaced(core, bo.id, { ...ids, submittedAt: now.submitDatetime ?? core.now() });
        if (s) await onBrokerOrderStatus(core, s);
        return 1;
      }
      if (core.now() - now.unconfirmedSince < window) return 0;
      // Before giving up: cancel it by orderRef, should the broker hold it (or get it later).
      await core.deps.broker
        .cancelOrder(bo.orderRef)
        .catch((err: unknown) =>
          core.log.info(
            { broker_order_id: bo.id, err: String(err) },
            'given-up placement: nothing to cancel',
          ),
        );
      await giveUp(core, bo.id, `not at the broker ${window} ms after its placement failed`);
      return 1;
    });
  }
  return settled;
}

/** The given-up placements still watched for a late arrival at the broker, per stack. */
const lateWatch = new WeakMap<StackCore, Set<number>>();
function watched(core: StackCore): Set<number> {
  let w = lateWatch.get(core);
  if (!w) {
    // After a restart: the given-up orders on the stack (state rejected, `givenUpAt` set).
    w = new Set(core.orders('broker', (b) => b.givenUpAt !== undefined && b.fill === 0).map((b) => b.id));
    lateWatch.set(core, w);
  }
  return w;
}

/**
 * An unknown placement given up: rejected at its machine (the contract order's CHILD_REJECTED
 * settles the child), its algo finished and its lock released, so the contract order trades
 * again. Unlike a refused order it stays on the stack with its orderRef: a late arrival at the
 * broker is cancelled (`lateArrival`) and its fills land on it.
 */
async function giveUp(core: StackCore, id: number, reason: string): Promise<void> {
  const bo = core.brokerOrder(id);
  if (!bo || bo.fill !== 0) return;
  core.log.warn({ broker_order_id: id, reason }, 'broker order placement given up');
  sendBroker(core, id, { type: 'SUBMIT_FAILED', reason });
  core.host.change('broker', id, 'PLACEMENT_GIVEN_UP', (b) => {
    b.givenUpAt = core.now();
    delete b.unconfirmedSince;
  });
  await toAlgo(core, bo, { type: 'BROKER_REJECTED', orderRef: algoRef(core, bo), reason });
  if (bo.parent !== undefined) releaseAlgo(core, bo.parent, id);
  core.brokerActors.stop(bo);
  if (bo.algo) core.algos.stop(bo.algo);
  watched(core).add(id);
}

/**
 * A given-up placement seen at the broker after all: working → cancelled at once; filled (or
 * filling) → its fills land on it by orderRef like any order's. Either way a critical alert: the
 * contract order may have traded again meanwhile (its overfill shows on the stack).
 */
async function lateArrival(core: StackCore, bo: BrokerOrder, s: BrokerOrderState): Promise<void> {
  const fields = { broker_order_id: bo.id, order_ref: bo.orderRef, broker_status: s.status };
  if (isFinished(s.status)) {
    if (s.status === 'filled')
      logCritical(core.log, 'a broker order given up as never placed was filled at the broker', fields);
    return;
  }
  logCritical(core.log, 'a broker order given up as never placed reached the broker: cancelled', fields);
  await core.deps.broker
    .cancelOrder(bo.orderRef)
    .catch((err: unknown) => core.log.warn({ ...fields, err: String(err) }, 'cancel failed'));
}

/** A rejected order never existed at the broker (digest §1.3): detach it; its algo finishes. */
async function dropRejected(core: StackCore, id: number, reason: string): Promise<void> {
  const bo = core.brokerOrder(id);
  if (!bo || bo.fill !== 0) return;
  core.byOrderRef.delete(bo.orderRef);
  core.log.warn({ broker_order_id: id, reason }, 'broker order rejected');
  // The machine tells the contract order (CHILD_REJECTED settles the child).
  sendBroker(
    core,
    id,
    bo.state === 'created' ? { type: 'SUBMIT_FAILED', reason } : { type: 'REJECTED', reason },
  );
  await toAlgo(core, bo, { type: 'BROKER_REJECTED', orderRef: algoRef(core, bo), reason });
  // A rejected order never traded: its algo lock goes, whatever the algo (also limit, D5).
  if (bo.parent !== undefined) releaseAlgo(core, bo.parent, id);
  core.brokerActors.stop(bo);
  if (bo.algo) core.algos.stop(bo.algo);
  await core.host.remove('broker', id);
}

/** Order status from the broker. */
export async function onBrokerOrderStatus(core: StackCore, s: BrokerOrderState): Promise<void> {
  const id = core.byOrderRef.get(s.orderRef);
  const bo = id === undefined ? undefined : core.brokerOrder(id);
  if (bo?.givenUpAt !== undefined) return lateArrival(core, bo, s);
  if (!bo || !bo.active) return;
  if (s.status === 'rejected' && bo.fill === 0)
    return dropRejected(core, bo.id, s.rejectReason ?? 'rejected');
  if (s.status === 'cancelled' && bo.brokerStatus !== 'cancelled' && bo.brokerStatus !== 'filled') {
    sendBroker(core, bo.id, { type: 'CANCELLED' });
    algoSettled(core, bo);
  }
}
