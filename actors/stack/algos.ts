import type { BrokerOrderState } from '../../src/broker/port.ts';
import { algoQuote, toBrokerPrice } from './algo-quote.ts';
import { adverseSize, marketClosing } from './market.ts';
import type { StackCore } from './core.ts';
import { BROKER_INITIAL, childSpec, sendBroker, sendContract, spawnBrokerOrder } from './order-actors.ts';
import { logCritical } from './ports.ts';
import type { AlgoName, BrokerOrder, ContractOrder } from './types.ts';

const PASSIVE_TIME_OUT = 300_000;
const TOTAL_TIME_OUT = 600_000;

interface Plan {
  type: 'market' | 'limit';
  limitPrice?: number;
  mode: BrokerOrder['algo']['mode'];
  referenceOffside?: number;
  side?: number;
  mid?: number;
  offside?: number;
}

/** How the algo starts: E1 market, E2 original best, E3 limit. Undefined = no trade this pass. */
async function plan(
  core: StackCore,
  co: ContractOrder,
  algo: AlgoName,
  qty: number,
): Promise<Plan | undefined> {
  if (algo === 'limit') {
    if (co.limitPrice === undefined) return noTrade(core, co, 'limit order without a limit price');
    return { type: 'limit', limitPrice: co.limitPrice, mode: 'unmanaged' };
  }
  // a spread is quoted as one contract, for the legs of this broker order's size
  const q = await algoQuote(core, { ...co, ...spreadLegs(co, qty) });
  const snap = 'quote' in q ? q.quote : undefined;
  const prices = snap
    ? {
        side: qty > 0 ? snap.ask : snap.bid,
        offside: qty > 0 ? snap.bid : snap.ask,
        mid: (snap.bid + snap.ask) / 2,
      }
    : {};
  if (algo === 'market') return { type: 'market', mode: 'aggressive', ...prices };
  if (co.orderType !== 'best') {
    logCritical(core.log, 'best algo only takes best orders', {
      contract_order_id: co.id,
      order_type: co.orderType,
    });
    return undefined;
  }
  if (!snap) return noTrade(core, co, 'reason' in q ? q.reason : 'no valid quote'); // E2.3
  const viable = !adverseSize(qty, snap.bidSize, snap.askSize) && !(await marketClosing(core, co));
  if (!viable) return { type: 'market', mode: 'aggressive', ...prices };
  return {
    type: 'limit',
    limitPrice: prices.offside,
    mode: 'passive',
    referenceOffside: prices.offside,
    ...prices,
  };
}

/** Why each contract order last did not trade: logged when it changes, not on every pass (#1249). */
const lastNoTrade = new WeakMap<StackCore, Map<number, string>>();

/** The algo sends nothing this pass (the lock stays free, the order is tried again): say why. */
function noTrade(core: StackCore, co: ContractOrder, reason: string): undefined {
  let seen = lastNoTrade.get(core);
  if (!seen) lastNoTrade.set(core, (seen = new Map()));
  if (seen.get(co.id) !== reason) {
    seen.set(co.id, reason);
    core.log.warn(
      { contract_order_id: co.id, instrument_code: co.instrumentCode, algo: co.algoToUse, reason },
      'algo: no trade',
    );
  }
  return undefined;
}

/**
 * D3: set the algo lock, write the broker order (durable before it is sent: its id is the
 * broker's orderRef, so a restart re-sends it only idempotently), then place it.
 */
export async function submitWithAlgo(
  core: StackCore,
  co: ContractOrder,
  qty: number,
): Promise<number | undefined> {
  const algo = co.algoToUse;
  if (algo === '') return undefined;
  const limit = core.deps.config.algoSizeLimit ?? 1;
  const size = co.orderType === 'panic' ? qty : Math.sign(qty) * Math.min(Math.abs(qty), limit);
  const bo = await writeBrokerOrder(core, co, algo, size);
  if (!bo) return undefined;
  await placeBrokerOrder(core, bo);
  return bo.id;
}

/**
 * Plan the broker order, then in one step (no await between): the contract order's machine takes
 * the algo lock (ALGO_CONTROL, naming the broker order that holds it), the broker order's actor
 * starts, and the contract order learns its child (BROKER_ORDER_CREATED). Resolves once both are
 * durable. Undefined when there is nothing to send, or the order was taken meanwhile.
 */
async function writeBrokerOrder(
  core: StackCore,
  co: ContractOrder,
  algo: AlgoName,
  size: number,
): Promise<BrokerOrder | undefined> {
  const p = await plan(core, co, algo, size);
  if (!p) return undefined;
  lastNoTrade.get(core)?.delete(co.id);
  const id = await core.newId('broker');
  const now0 = core.contractOrder(co.id);
  if (!now0?.active || now0.referenceOfControllingAlgo !== undefined || now0.fill === now0.trade)
    return undefined;
  sendContract(core, co.id, { type: 'ALGO_CONTROL', algo: `${algo}:${id}` });
  const now = core.now();
  const total = core.deps.config.totalTimeoutMs ?? TOTAL_TIME_OUT;
  const bo: BrokerOrder = {
    level: 'broker',
    id,
    strategyName: co.strategyName,
    instrumentCode: co.instrumentCode,
    contractDate: co.contractDate,
    trade: size,
    fill: 0,
    overfill: 0,
    locked: false,
    parent: co.id,
    children: [],
    active: true,
    orderType: p.type,
    state: BROKER_INITIAL,
    version: 1,
    createdAt: now,
    manualTrade: co.manualTrade,
    brokerStatus: 'pending-submit',
    orderRef: core.orderRefFor(id),
    algoUsed: algo,
    brokerOrderType: p.type,
    limitPrice: p.limitPrice,
    submitDatetime: now,
    sidePrice: p.side,
    midPrice: p.mid,
    offsidePrice: p.offside,
    execIds: [],
    algo: {
      mode: p.mode,
      passiveUntil:
        p.mode === 'passive' ? now + (core.deps.config.passiveTimeoutMs ?? PASSIVE_TIME_OUT) : undefined,
      totalUntil: p.mode === 'unmanaged' ? undefined : now + total,
      referenceOffside: p.referenceOffside,
    },
    manualFill: false,
    rollOrder: co.rollOrder,
    ...spreadLegs(co, size),
  };
  spawnBrokerOrder(core, bo);
  core.byOrderRef.set(bo.orderRef, id);
  sendContract(core, co.id, { type: 'BROKER_ORDER_CREATED', child: childSpec(bo) });
  await Promise.all([core.host.durable('broker', id), core.host.durable('contract', co.id)]);
  return bo;
}

/** A calendar spread's broker legs for `size` spreads (first-leg units), in the contract order's ratio. */
function spreadLegs(co: ContractOrder, size: number): Pick<BrokerOrder, 'legs' | 'legFills'> {
  const first = co.legs?.[0]?.qty;
  if (!co.legs || !first) return {};
  return {
    legs: co.legs.map((l) => ({ ...l, qty: (l.qty / first) * size })),
    legFills: co.legs.map(() => 0),
  };
}

/** Send (or re-send after a restart) a durable broker order; idempotent on its orderRef. */
export async function placeBrokerOrder(core: StackCore, bo: BrokerOrder): Promise<void> {
  try {
    const placed = await core.deps.broker.placeOrder({
      orderRef: bo.orderRef,
      legs: bo.legs ?? [{ instrumentCode: bo.instrumentCode, contractDate: bo.contractDate, qty: bo.trade }],
      orderType: bo.brokerOrderType,
      limitPrice: toBrokerPrice(bo, bo.limitPrice),
    });
    if (!placed.existing) core.counters.broker_orders_sent++;
    if (core.brokerOrder(bo.id)?.state === 'created') {
      // Lazy: a restore re-sends a pending-submit order with the same orderRef (idempotent).
      const lazy = { defer: 'lazy' } as const;
      // The broker's ids are data the fill matching uses (F1a), not state.
      core.host.change(
        'broker',
        bo.id,
        'BROKER_IDS',
        (b) => {
          b.brokerTempId = placed.tempId;
          b.brokerPermId = placed.permId;
        },
        lazy,
      );
      const submitted = { brokerTempId: String(placed.tempId), submitDatetime: placed.submittedAt };
      sendBroker(core, bo.id, { type: 'SUBMITTED', ...submitted }, lazy);
      if (placed.permId > 0)
        sendBroker(core, bo.id, { type: 'ACKNOWLEDGED', brokerPermId: String(placed.permId) }, lazy);
    }
  } catch (err) {
    core.log.warn({ broker_order_id: bo.id, err: String(err) }, 'broker order not accepted');
    await dropRejected(core, bo.id, String(err));
  }
}

/** A rejected order never existed at the broker (digest §1.3): detach it and release the algo. */
async function dropRejected(core: StackCore, id: number, reason: string): Promise<void> {
  const bo = core.brokerOrder(id);
  if (!bo || bo.fill !== 0) return;
  const parent = bo.parent;
  core.byOrderRef.delete(bo.orderRef);
  core.log.warn({ broker_order_id: id, reason }, 'broker order rejected');
  // The machine tells the contract order (CHILD_REJECTED settles the child).
  sendBroker(
    core,
    id,
    bo.state === 'created' ? { type: 'SUBMIT_FAILED', reason } : { type: 'REJECTED', reason },
  );
  if (parent !== undefined) releaseAlgo(core, parent, id);
  core.brokerActors.stop(bo);
  await core.host.remove('broker', id);
}

/** D4c: release the algo lock; the contract order goes back to waiting for its next broker order. */
export function releaseAlgo(core: StackCore, contractOrderId: number, brokerOrderId?: number): void {
  const co = core.contractOrder(contractOrderId);
  if (!co || co.referenceOfControllingAlgo === undefined) return;
  // A finished broker order releases the lock only if it still holds it (a later child may).
  const holder = co.referenceOfControllingAlgo.split(':')[1];
  if (brokerOrderId !== undefined && holder !== undefined && holder !== String(brokerOrderId)) return;
  sendContract(core, co.id, { type: 'ALGO_RELEASE', algo: co.referenceOfControllingAlgo }, { defer: true });
  core.toSend.add(co.id);
}

/** The algo is done with a broker order (filled, cancelled): D4a charge limits, D4c release. */
export function algoFinished(core: StackCore, bo: BrokerOrder): void {
  if (bo.algoUsed === 'limit' || bo.algoUsed === 'manual') return; // D5: non-blocking algo keeps its lock
  core.deps.tradeLimits.charge(bo.strategyName, bo.instrumentCode, bo.trade, core.now());
  if (bo.parent !== undefined) releaseAlgo(core, bo.parent, bo.id);
}

/** Order status from the broker. */
export async function onBrokerOrderStatus(core: StackCore, s: BrokerOrderState): Promise<void> {
  const id = core.byOrderRef.get(s.orderRef);
  const bo = id === undefined ? undefined : core.brokerOrder(id);
  if (!bo || !bo.active) return;
  if (s.status === 'rejected' && bo.fill === 0)
    return dropRejected(core, bo.id, s.rejectReason ?? 'rejected');
  if (s.status === 'cancelled' && bo.brokerStatus !== 'cancelled' && bo.brokerStatus !== 'filled') {
    sendBroker(core, bo.id, { type: 'CANCELLED' });
    algoFinished(core, bo);
  }
}

/** Called after fills are applied: a fully filled broker order ends its algo. */
export function afterBrokerFill(core: StackCore, brokerOrderId: number): void {
  const bo = core.brokerOrder(brokerOrderId);
  if (
    bo &&
    bo.fill === bo.trade &&
    bo.parent !== undefined &&
    core.contractOrder(bo.parent)?.referenceOfControllingAlgo
  ) {
    algoFinished(core, bo);
  }
}
