import { ServiceError } from '../../src/bus/service.ts';
import type { ChildSpec } from '../../machines/instrument-order.ts';
import type { StackCore } from './core.ts';
import { allocateAlgo, childContractOrder, requiredContractTrades } from './contract-trades.ts';
import {
  INSTRUMENT_INITIAL,
  sendInstrument,
  spawnContractOrder,
  spawnInstrumentOrder,
} from './order-actors.ts';
import { logCritical } from './ports.ts';
import type { ContractOrder, InstrumentOrder, InstrumentOrderType } from './types.ts';

export { allocateAlgo, childContractOrder, requiredContractTrades };

/** A request the stack refuses (a coded error reply on the services; nothing changed). */
export class StackRequestError extends ServiceError {}

/**
 * Refused because the instrument is locked (B6): a lock passes (a position break clears on the
 * next check), so a queued request waits and is delivered again instead of being dropped.
 */
export class InstrumentLockedError extends StackRequestError {
  constructor(instrumentCode: string) {
    super(409, `instrument ${instrumentCode} is locked`);
    this.name = 'InstrumentLockedError';
  }
}

export interface NewInstrumentOrder {
  strategyName: string;
  instrumentCode: string;
  trade: number;
  orderType?: InstrumentOrderType;
  referencePrice?: number;
  referenceContract?: string;
  referenceDatetime?: number;
  limitPrice?: number;
  limitContract?: string;
  manualTrade?: boolean;
  /** Skip netting on insert (used when netting orders by hand). */
  noNetting?: boolean;
  /** The queued request's id: a request already on the stack returns its order, nothing new. */
  requestId?: string;
}

/**
 * Put an instrument order on the stack with netting on insert (digest B5): the new order is the
 * residual of the desired trade after the unfilled parts of active orders with the same key.
 * A zero residual is refused; a locked instrument gets no new order (B6).
 */
export async function createInstrumentOrder(
  core: StackCore,
  req: NewInstrumentOrder,
): Promise<InstrumentOrder> {
  const { requestId } = req;
  if (requestId === undefined) return createOrder(core, req);
  const earlier = core.orderForRequest(requestId);
  if (earlier) {
    // The caller acks the request on return: only once the order it made is in the journal. An
    // order whose creation is still unwritten (its first delivery's write failed, e.g. lost with a
    // nats-server restart, and the host stopped) must not be answered for: the request would be
    // acked with no order a restore can find, and the generator would queue the key's next
    // request on top of it (netted against it, or the request traded twice).
    await core.host.durable('instrument', earlier.id);
    return earlier;
  }
  const removed = core.consumedRequests.get(requestId);
  if (removed !== undefined)
    throw new StackRequestError(
      409,
      `request ${requestId} already made instrument order ${removed} (removed at end of day)`,
    );
  // The same request delivered again while its first delivery is being put on the stack.
  const inFlight = core.requestsInFlight.get(requestId);
  if (inFlight) return inFlight;
  const p = createOrder(core, req);
  core.requestsInFlight.set(requestId, p);
  try {
    return await p;
  } finally {
    core.requestsInFlight.delete(requestId);
  }
}

async function createOrder(core: StackCore, req: NewInstrumentOrder): Promise<InstrumentOrder> {
  if (core.isLocked(req.instrumentCode)) throw new InstrumentLockedError(req.instrumentCode);
  const outstanding = req.noNetting
    ? 0
    : core
        .activeInstrumentOrders(req.strategyName, req.instrumentCode)
        .reduce((s, o) => s + (o.trade - o.fill), 0);
  const residual = req.trade - outstanding;
  if (residual === 0) {
    throw new StackRequestError(
      409,
      'Ignoring new order as either zero size or it replicates an existing order',
    );
  }
  const id = await core.newId('instrument');
  const order: InstrumentOrder = {
    level: 'instrument',
    id,
    strategyName: req.strategyName,
    instrumentCode: req.instrumentCode,
    trade: residual,
    fill: 0,
    overfill: 0,
    locked: false,
    children: [],
    active: true,
    orderType: req.orderType ?? 'best',
    state: INSTRUMENT_INITIAL,
    version: 1,
    createdAt: core.now(),
    manualTrade: req.manualTrade ?? false,
    referencePrice: req.referencePrice,
    referenceContract: req.referenceContract,
    referenceDatetime: req.referenceDatetime,
    limitPrice: req.limitPrice,
    limitContract: req.limitContract,
    rollOrder: false,
    ...(req.requestId === undefined ? {} : { requestId: req.requestId }),
  };
  spawnInstrumentOrder(core, order);
  core.indexInstrumentOrder(order);
  core.toSpawn.add(id);
  await core.host.durable('instrument', id);
  return order;
}

/**
 * spawn_children_from_new_instrument_orders (digest C): for every NEW, unlocked instrument order
 * with a non-zero trade, create its contract orders and attach them (C8) in one step of this host.
 */
export async function spawnChildrenFromNewInstrumentOrders(core: StackCore): Promise<number[]> {
  // Run every loop pass: nothing is allocated when there is nothing to spawn.
  if (core.toSpawn.size === 0) return NOTHING;
  const spawned: number[] = [];
  const waits: Array<Promise<void>> = [];
  for (const id of [...core.toSpawn]) {
    const io = core.instrumentOrder(id);
    if (!io || !io.active || io.state !== 'new' || io.children.length > 0 || io.trade === 0) {
      core.toSpawn.delete(id);
      continue;
    }
    if (core.isLocked(io.instrumentCode)) continue;
    // Strategy orders never collide with a roll order: they wait (NEW) until the roll is done.
    if (!io.rollOrder && rollOrderActive(core, io.instrumentCode)) continue;
    const ids = await spawnChildren(core, io);
    if (ids.length === 0) continue;
    core.toSpawn.delete(io.id);
    spawned.push(io.id);
    // The contract orders trade only once their instrument order lists them durably
    // (restore-links.ts); a contract order's own creation is written with its first broker
    // order's step, durable before that order is sent (algos.ts), or after the lazy wait.
    waits.push(
      core.host.durable('instrument', io.id).then(() => {
        for (const c of ids) core.toSend.add(c);
      }),
    );
  }
  await Promise.all(waits);
  return spawned;
}

const NOTHING: number[] = [];

/** A roll order (Force, Force_Outright or Close) is on the instrument stack for this instrument. */
function rollOrderActive(core: StackCore, instrumentCode: string): boolean {
  return core.hasActiveRollOrder(instrumentCode);
}

/**
 * A spawned contract order's creation is held until the broker order pass has looked at it: its
 * first broker order's step (ALGO_CONTROL naming that child, durable before the order is sent)
 * then writes it in the same append; if it does not trade, the release writes it on its own.
 */
const creationHolds = new WeakMap<StackCore, Map<number, () => void>>();

function holdCreation(core: StackCore, co: ContractOrder): void {
  let holds = creationHolds.get(core);
  if (!holds) creationHolds.set(core, (holds = new Map()));
  holds.set(co.id, core.host.hold([co]));
}

/** Let a held contract order creation be written (see `holdCreation`). */
export function releaseCreation(core: StackCore, contractOrderId: number): void {
  const holds = creationHolds.get(core);
  const release = holds?.get(contractOrderId);
  if (!release) return;
  holds?.delete(contractOrderId);
  release();
}

/** Release the held creations of every contract order the broker order pass may look at. */
export function releaseCreations(core: StackCore): void {
  for (const id of creationHolds.get(core)?.keys() ?? []) if (core.toSend.has(id)) releaseCreation(core, id);
}

async function spawnChildren(core: StackCore, io: InstrumentOrder): Promise<number[]> {
  const trades = requiredContractTrades(core, io).filter((t) => t.trade !== 0);
  if (trades.length === 0) return [];
  // C7: a limit quoted in another contract that cannot be translated drops all children.
  if (
    io.limitPrice !== undefined &&
    io.limitContract &&
    trades.some((t) => t.contractDate !== io.limitContract)
  ) {
    logCritical(core.log, 'cannot translate limit price to child contract: no children', {
      instrument_order_id: io.id,
    });
    return [];
  }
  const ids: number[] = [];
  const children: ChildSpec[] = [];
  for (const t of trades) {
    const id = await core.newId('contract');
    const co = childContractOrder(core, io, id, t);
    spawnContractOrder(core, co, { defer: true });
    holdCreation(core, co);
    ids.push(id);
    children.push({ orderId: String(id), trade: [t.trade], contractDates: [t.contractDate] });
  }
  sendInstrument(core, io.id, { type: 'CHILDREN_SPAWNED', children });
  return ids;
}
