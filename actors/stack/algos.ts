import { type AlgoQuote, algoQuote } from './algo-quote.ts';
import type { StackCore } from './core.ts';
import type { AlgoEmitted } from '../../machines/support/algo.ts';
import { publishAlgo } from './algo-actors.ts';
import { BROKER_INITIAL, childSpec, sendContract, spawnBrokerOrder } from './order-actors.ts';
import { placeBrokerOrder } from './placement.ts';
import { logCritical } from './ports.ts';
import type {
  AlgoName,
  AlgoRecord,
  BestAlgoRecord,
  BrokerOrder,
  ContractOrder,
  MarketAlgoRecord,
} from './types.ts';

const PASSIVE_TIME_OUT = 300_000;
const TOTAL_TIME_OUT = 600_000;

type PlaceCommand = Extract<AlgoEmitted, { type: 'placeBrokerOrder' }>;

/** Prices at creation (digest §1.3) and what the algo starts from. */
interface Plan {
  algo: AlgoRecord;
  /** The best algo's first event: the quote it decides passive or aggressive on. */
  quote?: AlgoQuote;
  side?: number;
  mid?: number;
  offside?: number;
}

/** Session close of the contract now (the best algo's closeAt); now when closed or unknown. */
async function closeAt(core: StackCore, co: ContractOrder): Promise<number> {
  const now = core.now();
  try {
    const hours = await core.deps.broker.tradingHours(co);
    return hours.sessions.find((x) => x.open <= now && now < x.close)?.close ?? now;
  } catch {
    return now; // no trading hours: treated as closing (a market order, not a resting limit)
  }
}

/**
 * The algo to start: E1 market (the market machine, the whole size in one market order, cancelled
 * at the total time-out), E3 limit (the market machine sending one limit order, no time-out), E2
 * best (the best-execution machine, which decides passive or aggressive on the quote). Undefined =
 * no trade this pass.
 */
async function plan(
  core: StackCore,
  co: ContractOrder,
  algo: AlgoName,
  qty: number,
): Promise<Plan | undefined> {
  const algoId = ''; // named once the broker order's id is taken (withId)
  const now = core.now();
  const cfg = core.deps.config;
  const market = (name: 'market' | 'limit', timeoutMs: number | null): MarketAlgoRecord => ({
    name,
    input: {
      algoId,
      contractOrderId: String(co.id),
      trade: [qty],
      now,
      brokerOrderType: name === 'limit' ? 'limit' : 'market',
      panic: true,
      timeoutMs,
    },
  });
  if (algo === 'limit') {
    if (co.limitPrice === undefined) return noTrade(core, co, 'limit order without a limit price');
    return { algo: market('limit', null) };
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
  if (algo === 'market') return { algo: market('market', cfg.totalTimeoutMs ?? TOTAL_TIME_OUT), ...prices };
  if (!snap) return noTrade(core, co, 'reason' in q ? q.reason : 'no valid quote'); // E2.3
  const best: BestAlgoRecord = {
    name: 'best',
    input: {
      algoId,
      contractOrderId: String(co.id),
      orderType: co.orderType,
      trade: [qty],
      tickSize: 0,
      closeAt: await closeAt(core, co),
      now,
      config: {
        passiveTimeoutMs: cfg.passiveTimeoutMs ?? PASSIVE_TIME_OUT,
        totalTimeoutMs: cfg.totalTimeoutMs ?? TOTAL_TIME_OUT,
        closingThresholdMs: cfg.closingBufferMs ?? 1_800_000,
        sizeLimit: Math.abs(qty),
      },
    },
  };
  return { algo: best, quote: snap, ...prices };
}

/** The algo named as the contract order's algo lock names it (`<algo>:<broker order id>`). */
function withId(r: AlgoRecord, algoId: string): AlgoRecord {
  return r.name === 'best'
    ? { ...r, input: { ...r.input, algoId } }
    : { ...r, input: { ...r.input, algoId } };
}

/** Start the algo's actor; its `placeBrokerOrder`, or undefined when it finished without one. */
function startAlgo(core: StackCore, co: ContractOrder, p: Plan): PlaceCommand | undefined {
  const emitted = [...core.algos.start(p.algo)];
  if (p.quote) {
    const snapshot = { ...p.quote, at: core.now() };
    emitted.push(...core.algos.send(p.algo, { type: 'PRICE_SNAPSHOT', snapshot }));
  }
  const place = emitted.find((e): e is PlaceCommand => e.type === 'placeBrokerOrder');
  if (place) return place;
  const done = emitted.find((e) => e.type === 'finished');
  core.algos.stop(p.algo);
  if (done?.type === 'finished' && done.outcome === 'rejectedOrderType') {
    logCritical(core.log, 'best algo only takes best orders', {
      contract_order_id: co.id,
      order_type: co.orderType,
    });
    return undefined;
  }
  return noTrade(core, co, `algo placed nothing (${done?.type === 'finished' ? done.outcome : 'no quote'})`);
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
 * Plan the broker order, then in one step (no await between): the broker order's actor starts,
 * and the contract order's machine takes the algo lock and learns its child in one event
 * (ALGO_CONTROL naming the broker order that holds it, with its child spec). Resolves once both
 * are durable. Undefined when there is nothing to send, or the order was taken meanwhile.
 */
async function writeBrokerOrder(
  core: StackCore,
  co: ContractOrder,
  algo: AlgoName,
  size: number,
): Promise<BrokerOrder | undefined> {
  const planned = await plan(core, co, algo, size);
  if (!planned) return undefined;
  const id = await core.newId('broker');
  const p = { ...planned, algo: withId(planned.algo, `${algo}:${id}`) };
  const now0 = core.contractOrder(co.id);
  if (!now0?.active || now0.referenceOfControllingAlgo !== undefined || now0.fill === now0.trade)
    return undefined;
  // The algo's first decision: what to send (E1 market, E2 passive limit or market, E3 limit).
  const place = startAlgo(core, co, p);
  if (!place) return undefined;
  lastNoTrade.get(core)?.delete(co.id);
  const now = core.now();
  // The algos here send market or limit orders (their inputs ask for nothing else).
  const type = place.orderType === 'limit' ? 'limit' : 'market';
  const limitPrice = type === 'limit' ? (place.limitPrice ?? co.limitPrice) : undefined;
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
    orderType: type,
    state: BROKER_INITIAL,
    version: 1,
    createdAt: now,
    manualTrade: co.manualTrade,
    brokerStatus: 'pending-submit',
    orderRef: core.orderRefFor(id),
    algoUsed: algo,
    brokerOrderType: type,
    limitPrice,
    submitDatetime: now,
    sidePrice: p.side,
    midPrice: p.mid,
    offsidePrice: p.offside,
    execIds: [],
    algo: p.algo,
    manualFill: false,
    rollOrder: co.rollOrder,
    ...spreadLegs(co, size),
  };
  spawnBrokerOrder(core, bo);
  publishAlgo(core, bo, 'START');
  core.byOrderRef.set(bo.orderRef, id);
  // One event: the algo takes the lock naming the broker order it placed, its child (D3).
  sendContract(core, co.id, { type: 'ALGO_CONTROL', algo: `${algo}:${id}`, child: childSpec(bo) });
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

export { afterBrokerFill, algoFinished, performAlgo, releaseAlgo } from './algo-events.ts';
export { confirmPlacements, onBrokerOrderStatus, placeBrokerOrder } from './placement.ts';
