/**
 * What the algo actors (algo-actors.ts) hear from their broker orders and what they ask for: their
 * commands performed (modify, cancel at the broker), their end (D4: charge trade limits, release
 * the contract order's algo lock).
 */
import type { AlgoEmitted } from '../../machines/support/algo.ts';
import { type AlgoEvent, sendAlgo } from './algo-actors.ts';
import { toBrokerPrice } from './algo-quote.ts';
import type { StackCore } from './core.ts';
import { sendBroker, sendContract } from './order-actors.ts';
import { chargeBrokerOrder, chargesTradeLimits } from './trade-limit-charges.ts';
import type { BrokerOrder } from './types.ts';

/** D4c: release the algo lock; the contract order goes back to waiting for its next broker order. */
export function releaseAlgo(core: StackCore, contractOrderId: number, brokerOrderId?: number): void {
  const co = core.contractOrder(contractOrderId);
  if (!co || co.referenceOfControllingAlgo === undefined) return;
  // A finished broker order releases the lock only if it still holds it (a later child may).
  const holder = co.referenceOfControllingAlgo.split(':')[1];
  if (brokerOrderId !== undefined && holder !== undefined && holder !== String(brokerOrderId)) return;
  // Its machine's `algoReleased` puts it back in the send queue (order-actors.ts).
  sendContract(core, co.id, { type: 'ALGO_RELEASE', algo: co.referenceOfControllingAlgo }, { defer: true });
}

/** The algo is done with a broker order (filled, cancelled): D4a charge limits (named), D4c release. */
export function algoFinished(core: StackCore, bo: BrokerOrder): void {
  // D5: a non-blocking algo (limit) or a manual order is never charged and keeps its lock.
  if (!chargesTradeLimits(bo)) return;
  chargeBrokerOrder(core, bo);
  if (bo.parent !== undefined) releaseAlgo(core, bo.parent, bo.id);
}

/** The algo's own name for its broker order (events to the algo carry it). */
export function algoRef(core: StackCore, bo: BrokerOrder): string {
  return (bo.algo && core.algos.view(bo.algo).orderRef) ?? bo.orderRef;
}

/**
 * One event to a broker order's algo, then what it asked for: broker I/O (modify, cancel) and,
 * when it finished with its order settled at the broker (filled or cancelled), D4 (algoFinished).
 */
export async function toAlgo(core: StackCore, bo: BrokerOrder, event: AlgoEvent): Promise<void> {
  await performAlgo(core, bo, sendAlgo(core, bo, event));
}

/** Perform what an algo emitted (its commands to the broker; its end). */
export async function performAlgo(core: StackCore, bo: BrokerOrder, emitted: AlgoEmitted[]): Promise<void> {
  const { broker } = core.deps;
  for (const e of emitted) {
    if (e.type === 'finished') {
      const now = core.brokerOrder(bo.id) ?? bo;
      if (e.outcome !== 'rejected' && settled(now) && holds(core, now)) algoFinished(core, now);
    } else if (e.type === 'cancelBrokerOrder') {
      sendBroker(core, bo.id, { type: 'CANCEL_REQUESTED' });
      await broker
        .cancelOrder(bo.orderRef)
        .catch((err: unknown) =>
          core.log.warn({ broker_order_id: bo.id, err: String(err) }, 'cancel failed'),
        );
    } else if (e.type === 'modifyBrokerOrder') {
      sendBroker(core, bo.id, { type: 'MODIFIED', limitPrice: e.limitPrice });
      const limitPrice = toBrokerPrice(bo, e.limitPrice);
      const answer = await broker.modifyOrder(bo.orderRef, { limitPrice }).then(
        () => ({ type: 'BROKER_MODIFIED' as const, orderRef: e.orderRef, limitPrice: e.limitPrice }),
        (err: unknown) => {
          core.log.warn({ broker_order_id: bo.id, err: String(err) }, 'modify failed');
          return { type: 'BROKER_MODIFY_REJECTED' as const, orderRef: e.orderRef, reason: String(err) };
        },
      );
      const live = core.brokerOrder(bo.id);
      if (live) await toAlgo(core, live, answer);
    }
  }
}

/** Whether the broker order's contract order is still held by this broker order's algo. */
function holds(core: StackCore, bo: BrokerOrder): boolean {
  if (bo.parent === undefined || !bo.algo) return false;
  return core.contractOrder(bo.parent)?.referenceOfControllingAlgo === `${bo.algo.name}:${bo.id}`;
}

/** Whether a broker order is done at the broker (its algo may let go of the contract order). */
function settled(bo: BrokerOrder): boolean {
  return bo.fill === bo.trade || bo.brokerStatus === 'cancelled' || bo.brokerStatus === 'filled';
}

/**
 * After fills are applied to a broker order, or it was cancelled: the algo hears of it
 * (BROKER_FILL with what its ledger lacks, BROKER_CANCELLED) and finishes when its order is done.
 * An algo already done whose contract order still names it (its release was lost in a crash) lets go.
 */
export function algoSettled(core: StackCore, bo: BrokerOrder): void {
  if (!bo.algo) {
    if (
      bo.fill === bo.trade &&
      bo.parent !== undefined &&
      core.contractOrder(bo.parent)?.referenceOfControllingAlgo
    )
      algoFinished(core, bo);
    return;
  }
  const v = core.algos.view(bo.algo);
  const emitted: AlgoEmitted[] = [];
  const ref = v.orderRef ?? bo.orderRef;
  if (v.state !== 'done' && bo.fill !== v.filled) {
    const fill = {
      fillId: `${bo.orderRef}#${bo.fill}`,
      qty: [bo.fill - v.filled],
      price: bo.filledPrice ?? 0,
      datetime: bo.fillDatetime ?? core.now(),
    };
    emitted.push(...sendAlgo(core, bo, { type: 'BROKER_FILL', orderRef: ref, fill }));
  }
  if (bo.brokerStatus === 'cancelled' && core.algos.view(bo.algo).state !== 'done')
    emitted.push(...sendAlgo(core, bo, { type: 'BROKER_CANCELLED', orderRef: ref }));
  // Finished now, or before a crash that lost its release: D4 once, while the contract order still
  // names this algo (a contract order completed by this fill was charged and let go already; the
  // charge is named by the broker order, so one made again counts once).
  const finished = emitted.some((e) => e.type === 'finished') || v.state === 'done';
  if (finished && settled(bo) && holds(core, bo)) algoFinished(core, bo);
  for (const e of emitted)
    if (e.type === 'cancelBrokerOrder' || e.type === 'modifyBrokerOrder') void performAlgo(core, bo, [e]);
}

/** Called after fills are applied: the algo takes them (a fully filled order ends it). */
export function afterBrokerFill(core: StackCore, brokerOrderId: number): void {
  const bo = core.brokerOrder(brokerOrderId);
  if (bo) algoSettled(core, bo);
}
