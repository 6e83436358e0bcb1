import type { BrokerOrderState } from '../../src/broker/port.ts';
import { okayToTradeNow } from './market.ts';
import type { StackCore } from './core.ts';
import { startBrokerMachine, stepBrokerMachine } from './broker-machine.ts';
import { logCritical } from './ports.ts';
import type { AlgoName, BrokerOrder, ContractOrder } from './types.ts';

const PASSIVE_TIME_OUT = 300_000;
const TOTAL_TIME_OUT = 600_000;
const IMBALANCE_THRESHOLD = 5;
const IMBALANCE_ADJ_FACTOR = 3;

interface Plan {
  type: 'market' | 'limit';
  limitPrice?: number;
  mode: BrokerOrder['algo']['mode'];
  referenceOffside?: number;
  side?: number;
  mid?: number;
  offside?: number;
}

/** E2.4: an adverse size issue: offside/side size > 5 and side size < 3·|qty|. */
function adverseSize(qty: number, bidSize: number, askSize: number): boolean {
  const side = qty > 0 ? askSize : bidSize;
  const offside = qty > 0 ? bidSize : askSize;
  const imbalance = side === 0 ? 9999 : offside / side;
  return imbalance > IMBALANCE_THRESHOLD && side < IMBALANCE_ADJ_FACTOR * Math.abs(qty);
}

async function marketClosing(core: StackCore, co: ContractOrder): Promise<boolean> {
  const buffer = core.deps.config.closingBufferMs ?? 1_800_000;
  try {
    const hours = await core.deps.broker.tradingHours(co);
    const now = core.now();
    const s = hours.sessions.find((x) => x.open <= now && now < x.close);
    return !s || s.close - now < buffer;
  } catch {
    return true;
  }
}

/** How the algo starts: E1 market, E2 original best, E3 limit. Undefined = no trade this pass. */
async function plan(
  core: StackCore,
  co: ContractOrder,
  algo: AlgoName,
  qty: number,
): Promise<Plan | undefined> {
  if (algo === 'limit') {
    if (co.limitPrice === undefined) return undefined;
    return { type: 'limit', limitPrice: co.limitPrice, mode: 'unmanaged' };
  }
  let snap: Awaited<ReturnType<typeof core.deps.broker.marketSnapshot>> | undefined;
  try {
    snap = await core.deps.broker.marketSnapshot(co);
  } catch {
    snap = undefined;
  }
  const valid =
    snap !== undefined &&
    Number.isFinite(snap.bid) &&
    Number.isFinite(snap.ask) &&
    snap.bid > 0 &&
    snap.ask > 0;
  const prices = valid
    ? {
        side: qty > 0 ? snap!.ask : snap!.bid,
        offside: qty > 0 ? snap!.bid : snap!.ask,
        mid: (snap!.bid + snap!.ask) / 2,
      }
    : {};
  if (algo === 'market') return { type: 'market', mode: 'aggressive', ...prices };
  if (co.orderType !== 'best' && co.orderType !== 'Zero-roll-order') {
    logCritical(core.log, 'best algo only takes best orders', {
      contract_order_id: co.id,
      order_type: co.orderType,
    });
    return undefined;
  }
  if (!valid || !snap) return undefined; // E2.3: no valid quote, no trade
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
  core.host.change(
    'contract',
    co.id,
    'ALGO_LOCKED',
    (r) => {
      const c = r as ContractOrder;
      c.referenceOfControllingAlgo = algo;
      c.state = 'algo-controlled';
    },
    { defer: true },
  );
  const p = await plan(core, co, algo, size);
  if (!p) {
    releaseAlgo(core, co.id);
    return undefined;
  }
  const id = await core.newId('broker');
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
    state: 'submitted',
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
  };
  startBrokerMachine(bo, core.deps.broker.name);
  core.host.spawn(bo, 'CREATED');
  core.byOrderRef.set(bo.orderRef, id);
  core.host.change('contract', co.id, 'BROKER_CHILD_ADDED', (r) => {
    r.children.push(id);
    // The lock names the broker order that holds it, so only that order's end releases it.
    (r as ContractOrder).referenceOfControllingAlgo = `${algo}:${id}`;
    r.state = 'working';
  });
  await Promise.all([core.host.durable('broker', id), core.host.durable('contract', co.id)]);
  await placeBrokerOrder(core, bo);
  return id;
}

/** Send (or re-send after a restart) a durable broker order; idempotent on its orderRef. */
export async function placeBrokerOrder(core: StackCore, bo: BrokerOrder): Promise<void> {
  try {
    const placed = await core.deps.broker.placeOrder({
      orderRef: bo.orderRef,
      legs: [{ instrumentCode: bo.instrumentCode, contractDate: bo.contractDate, qty: bo.trade }],
      orderType: bo.brokerOrderType,
      limitPrice: bo.limitPrice,
    });
    if (!placed.existing) core.counters.broker_orders_sent++;
    if (core.brokerOrder(bo.id)?.brokerStatus === 'pending-submit') {
      core.host.change(
        'broker',
        bo.id,
        'SUBMITTED',
        (r) => {
          const b = r as BrokerOrder;
          b.brokerStatus = 'submitted';
          b.brokerTempId = placed.tempId;
          b.brokerPermId = placed.permId;
          const at = placed.submittedAt;
          stepBrokerMachine(
            b,
            { type: 'SUBMITTED', brokerTempId: String(placed.tempId), submitDatetime: at },
            core.log,
          );
          if (placed.permId > 0)
            stepBrokerMachine(b, { type: 'ACKNOWLEDGED', brokerPermId: String(placed.permId) }, core.log);
        },
        { defer: true },
      );
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
  if (parent !== undefined) {
    core.host.change('contract', parent, 'BROKER_CHILD_REJECTED', (r) => {
      r.children = r.children.filter((c) => c !== id);
    });
    releaseAlgo(core, parent, id);
  }
  core.log.warn({ broker_order_id: id, reason }, 'broker order rejected');
  await core.host.remove('broker', id);
}

/** D4c: release the algo lock; the contract order goes back to waiting for its next broker order. */
export function releaseAlgo(core: StackCore, contractOrderId: number, brokerOrderId?: number): void {
  const co = core.contractOrder(contractOrderId);
  if (!co || co.referenceOfControllingAlgo === undefined) return;
  // A finished broker order releases the lock only if it still holds it (a later child may).
  const holder = co.referenceOfControllingAlgo.split(':')[1];
  if (brokerOrderId !== undefined && holder !== undefined && holder !== String(brokerOrderId)) return;
  core.host.change(
    'contract',
    co.id,
    'ALGO_RELEASED',
    (r) => {
      const c = r as ContractOrder;
      c.referenceOfControllingAlgo = undefined;
      c.state = c.fill === c.trade ? 'filled' : c.fill !== 0 ? 'partially-filled' : 'new';
    },
    { defer: true },
  );
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
    core.host.change('broker', bo.id, 'CANCELLED', (r) => {
      (r as BrokerOrder).brokerStatus = 'cancelled';
      r.state = 'cancelled';
      stepBrokerMachine(r as BrokerOrder, { type: 'CANCELLED' }, core.log);
    });
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

/**
 * CLOCK_TICK for the algos (E1/E2 manage loops as deadlines kept in the broker order, so a
 * restored host re-arms them): time out and cancel; passive → aggressive on timeout, adverse price
 * move, or market closing; aggressive keeps the limit at the side price (one modify per tick, not
 * a 1 ms spin: #949).
 */
export async function algoTick(core: StackCore): Promise<void> {
  const now = core.now();
  const work = core
    .orders('broker')
    .filter(
      (b) => b.active && b.brokerStatus === 'submitted' && b.fill !== b.trade && b.algo.mode !== 'unmanaged',
    );
  await Promise.all(
    work.map(async (bo) => {
      const { broker } = core.deps;
      if (bo.algo.totalUntil !== undefined && now >= bo.algo.totalUntil) {
        core.host.change('broker', bo.id, 'ALGO_TIMEOUT_CANCEL', (r) => {
          (r as BrokerOrder).brokerStatus = 'cancel-requested';
          (r as BrokerOrder).algo.cancelSentAt = now;
          stepBrokerMachine(r as BrokerOrder, { type: 'CANCEL_REQUESTED' }, core.log);
        });
        await broker
          .cancelOrder(bo.orderRef)
          .catch((e: unknown) => core.log.warn({ err: String(e) }, 'cancel failed'));
        return;
      }
      if (bo.brokerOrderType !== 'limit') return;
      const snap = await broker.marketSnapshot(bo).catch(() => undefined);
      const sidePrice = snap ? (bo.trade > 0 ? snap.ask : snap.bid) : undefined;
      const offside = snap ? (bo.trade > 0 ? snap.bid : snap.ask) : undefined;
      if (bo.algo.mode === 'passive') {
        const ref = bo.algo.referenceOffside;
        const adverse =
          ref !== undefined && offside !== undefined && (bo.trade > 0 ? offside > ref : offside < ref);
        const timeUp = bo.algo.passiveUntil !== undefined && now >= bo.algo.passiveUntil;
        const parent = bo.parent === undefined ? undefined : core.contractOrder(bo.parent);
        const closing = parent
          ? !(await okayToTradeNow(core, parent)) || (await marketClosing(core, parent))
          : false;
        if (!(timeUp || adverse || closing || snap === undefined)) return;
        core.host.change('broker', bo.id, 'ALGO_AGGRESSIVE', (r) => {
          (r as BrokerOrder).algo.mode = 'aggressive';
        });
      }
      if (sidePrice !== undefined && sidePrice !== core.brokerOrder(bo.id)?.limitPrice) {
        core.host.change('broker', bo.id, 'LIMIT_MODIFIED', (r) => {
          (r as BrokerOrder).limitPrice = sidePrice;
        });
        await broker.modifyOrder(bo.orderRef, { limitPrice: sidePrice }).catch((e: unknown) => {
          core.log.warn({ broker_order_id: bo.id, err: String(e) }, 'modify failed');
        });
      }
    }),
  );
}
