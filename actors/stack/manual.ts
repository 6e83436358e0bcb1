import { sendAlgo } from './algo-actors.ts';
import { performAlgo } from './algo-events.ts';
import { afterBrokerFill } from './algos.ts';
import type { StackCore } from './core.ts';
import {
  INSTRUMENT_INITIAL,
  sendBroker,
  sendContract,
  sendInstrument,
  spawnInstrumentOrder,
} from './order-actors.ts';
import { commitFill } from './fills.ts';
import { StackRequestError } from './spawn.ts';
import type { BrokerOrder, ContractOrder, FillRecord, InstrumentOrder, OrderLevel } from './types.ts';

/** Tools of the interactive order stack (digest H4, F8). Each refuses bad input and changes nothing. */

function need<T>(v: T | undefined, what: string): T {
  if (v === undefined) throw new StackRequestError(404, `${what} not found`);
  return v;
}

/** Manual fill of a broker order: the remainder (or `qty`) filled at `price` as if reported. */
export async function manualFillBrokerOrder(
  core: StackCore,
  id: number,
  price: number,
  qty?: number,
): Promise<FillRecord> {
  const bo = need(core.brokerOrder(id), `broker order ${id}`);
  const fill = qty ?? bo.trade - bo.fill;
  if (
    fill === 0 ||
    Math.sign(fill) !== Math.sign(bo.trade) ||
    Math.abs(bo.fill + fill) > Math.abs(bo.trade)
  ) {
    throw new StackRequestError(
      400,
      `fill ${fill} does not fit broker order ${id} (trade ${bo.trade}, filled ${bo.fill})`,
    );
  }
  const rec: FillRecord = {
    execId: `manual.b${id}.${bo.execIds.length + 1}.${core.now()}`,
    kind: 'manual-broker',
    scope: 'both',
    strategyName: bo.strategyName,
    instrumentCode: bo.instrumentCode,
    contractDate: bo.contractDate,
    qty: fill,
    price,
    time: core.now(),
    brokerOrderId: id,
    contractOrderId: bo.parent,
    instrumentOrderId: bo.parent === undefined ? undefined : core.contractOrder(bo.parent)?.parent,
  };
  await commitFill(core, rec);
  afterBrokerFill(core, id); // the algo is done with a filled order (D4c)
  return rec;
}

/** Manual fill of a contract order (no broker order): both positions move. */
export async function manualFillContractOrder(
  core: StackCore,
  id: number,
  price: number,
  qty?: number,
): Promise<FillRecord> {
  const co = need(core.contractOrder(id), `contract order ${id}`);
  const fill = qty ?? co.trade - co.fill;
  if (
    fill === 0 ||
    Math.sign(fill) !== Math.sign(co.trade) ||
    Math.abs(co.fill + fill) > Math.abs(co.trade)
  ) {
    throw new StackRequestError(
      400,
      `fill ${fill} does not fit contract order ${id} (trade ${co.trade}, filled ${co.fill})`,
    );
  }
  const rec: FillRecord = {
    execId: `manual.c${id}.${co.manualExecIds.length + 1}.${core.now()}`,
    kind: 'manual-contract',
    scope: 'both',
    strategyName: co.strategyName,
    instrumentCode: co.instrumentCode,
    contractDate: co.contractDate,
    qty: fill,
    price,
    time: core.now(),
    contractOrderId: id,
    instrumentOrderId: co.parent,
  };
  await commitFill(core, rec);
  return rec;
}

/**
 * Balance trade (F8): a filled family that never goes to the broker. Both position tables move
 * by the whole fill; `instrumentOnly` is the balance instrument trade (strategy positions only).
 */
export async function balanceTrade(
  core: StackCore,
  req: {
    strategyName: string;
    instrumentCode: string;
    contractDate?: string;
    qty: number;
    price: number;
    requestId: string;
    instrumentOnly?: boolean;
  },
): Promise<FillRecord> {
  if (!req.instrumentOnly && !req.contractDate)
    throw new StackRequestError(400, 'a balance trade needs a contract date');
  const id = await core.newId('instrument');
  const now = core.now();
  const io: InstrumentOrder = {
    level: 'instrument',
    id,
    strategyName: req.strategyName,
    instrumentCode: req.instrumentCode,
    trade: req.qty,
    fill: 0,
    overfill: 0,
    locked: false,
    children: [],
    active: true,
    orderType: 'balance_trade',
    state: INSTRUMENT_INITIAL,
    version: 1,
    createdAt: now,
    manualTrade: true,
    rollOrder: false,
  };
  const rec: FillRecord = {
    execId: `balance.${req.requestId}`,
    kind: req.instrumentOnly ? 'balance-instrument' : 'balance',
    scope: req.instrumentOnly ? 'strategy' : 'both',
    strategyName: req.strategyName,
    instrumentCode: req.instrumentCode,
    contractDate: req.contractDate,
    qty: req.qty,
    price: req.price,
    time: now,
    instrumentOrderId: id,
  };
  if (core.seenExecIds.has(rec.execId))
    throw new StackRequestError(409, `balance trade ${req.requestId} already recorded`);
  await commitFill(core, rec);
  // The family is the instrument order and one filled pseudo child: its machine completes it.
  spawnInstrumentOrder(core, io);
  const childId = `balance:${rec.execId}`;
  const fill = { fillId: rec.execId, qty: [req.qty], price: req.price, datetime: now };
  const children = [{ orderId: childId, trade: [req.qty], contractDates: [req.contractDate ?? ''] }];
  sendInstrument(core, id, { type: 'CHILDREN_SPAWNED', children });
  sendInstrument(core, id, { type: 'CHILD_FILL', childId, fill });
  sendInstrument(core, id, { type: 'CHILD_COMPLETED', childId });
  await core.store.appendHistory('instrument', id, {
    completedAt: now,
    instrument: io,
    contracts: [],
    brokers: [],
    balance: rec,
  });
  await core.host.durable('instrument', id);
  return rec;
}

export async function cancelBrokerOrder(core: StackCore, id: number): Promise<BrokerOrder> {
  const bo = need(core.brokerOrder(id), `broker order ${id}`);
  if (!bo.active || bo.brokerStatus === 'cancelled' || bo.brokerStatus === 'filled') {
    throw new StackRequestError(409, `broker order ${id} is ${bo.brokerStatus}, nothing to cancel`);
  }
  sendBroker(core, id, { type: 'CANCEL_REQUESTED' });
  await core.deps.broker.cancelOrder(bo.orderRef);
  return bo;
}

export function setOrderLock(core: StackCore, level: OrderLevel, id: number, locked: boolean): void {
  need(core.host.get(level, id), `${level} order ${id}`);
  const event = { type: locked ? ('LOCK' as const) : ('UNLOCK' as const) };
  if (level === 'broker') sendBroker(core, id, event);
  else if (level === 'contract') sendContract(core, id, event);
  else sendInstrument(core, id, event);
}

/**
 * Clear a contract order's algo lock by hand (after a crash mid-trade, digest A3). The algo that
 * holds it is stopped first (STOP: an algo with an order at the broker goes to `cancelling` and
 * cancels it, one without goes to `done`), so no algo keeps working an order nobody controls; a
 * holding order still working whose algo is done already is cancelled here. The contract order's
 * machine then keeps the lock (`releasing`) until that broker order is cancelled, rejected or
 * filled, so no second broker order is placed while the first could still fill.
 */
export async function removeAlgoLock(core: StackCore, id: number): Promise<ContractOrder> {
  const co = need(core.contractOrder(id), `contract order ${id}`);
  const ref = co.referenceOfControllingAlgo;
  if (ref === undefined) throw new StackRequestError(409, `contract order ${id} has no algo lock`);
  const bo = core.brokerOrder(Number(ref.split(':')[1]));
  if (bo?.algo && core.algos.view(bo.algo).state !== 'done')
    await performAlgo(core, bo, sendAlgo(core, bo, { type: 'STOP', reason: 'algo lock removed by hand' }));
  else if (bo?.active && bo.fill !== bo.trade && bo.brokerStatus === 'submitted') {
    sendBroker(core, bo.id, { type: 'CANCEL_REQUESTED' });
    await core.deps.broker
      .cancelOrder(bo.orderRef)
      .catch((e: unknown) => core.log.warn({ broker_order_id: bo.id, err: String(e) }, 'cancel failed'));
  }
  // Its machine's `algoReleased` (now, or once that broker order settled) queues it to trade again.
  sendContract(core, id, { type: 'ALGO_RELEASE', algo: ref });
  return core.contractOrder(id) ?? co;
}

/** Delete one order from its stack (does not cancel at the broker, as the reference). */
export async function deleteOrder(core: StackCore, level: OrderLevel, id: number): Promise<void> {
  const o = need(core.host.get(level, id), `${level} order ${id}`);
  if (o.locked) throw new StackRequestError(409, `${level} order ${id} is locked`);
  if (o.level === 'broker') core.byOrderRef.delete(o.orderRef);
  await core.host.remove(level, id);
}

/** Delete the whole stack (every order of every level). */
export async function deleteStack(core: StackCore): Promise<number> {
  const all = [...core.host.all()];
  for (const o of all) {
    if (o.level === 'broker') core.byOrderRef.delete(o.orderRef);
    await core.host.remove(o.level, o.id);
  }
  return all.length;
}
