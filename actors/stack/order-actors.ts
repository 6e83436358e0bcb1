/**
 * The order actors of the stack handler: every instrument, contract and broker order on the stack
 * is an xstate actor running its machine from machines/ (actors/host/machine-actors.ts). An
 * order's state is its machine's state; what the stack shows of it (state, fill, price, children,
 * algo lock, commission) is read off the machine's snapshot here, in one place, after every event.
 *
 * Fills travel up as events: the broker order's `fillApplied` becomes the contract order's
 * CHILD_FILL, the contract order's `fillApplied` the instrument order's CHILD_FILL, a contract
 * order's `completed` its parent's CHILD_COMPLETED; an instrument order's `completed` completes
 * the family (history record, members deactivated: completion.ts). Each event is journalled by the
 * receiving actor (OrderHost) and published on `<prefix>.inspect.order.<kind>.<id>`.
 */
import type { AnyStateMachine, EmittedFrom, EventFromLogic, SnapshotFrom } from 'xstate';
import type { MachineActors } from '../host/machine-actors.ts';
import type { BrokerOrderEmitted, BrokerOrderEvent } from '../../machines/broker-order.ts';
import type { ContractOrderEvent, contractOrderMachine } from '../../machines/contract-order.ts';
import type { InstrumentOrderEvent, instrumentOrderMachine } from '../../machines/instrument-order.ts';
import type { StackCore } from './core.ts';
import { childSpec, instrumentMachineInput } from './order-inputs.ts';
import { projectBroker, projectContract, projectInstrument } from './order-projections.ts';
import { logCritical } from './ports.ts';
import { chargeHeldCompletion } from './trade-limit-charges.ts';
import type { AnyOrder, BrokerOrder, ContractOrder, InstrumentOrder } from './types.ts';

export {
  BROKER_INITIAL,
  brokerMachineInput,
  childSpec,
  CONTRACT_INITIAL,
  contractMachineInput,
  INSTRUMENT_INITIAL,
  instrumentMachineInput,
  MANUAL_CHILD,
  orderLegs,
} from './order-inputs.ts';

type Opts = { defer?: boolean | 'lazy' };

/** Start the actor of a new broker order and put it on the stack (its first event). */
export function spawnBrokerOrder(core: StackCore, bo: BrokerOrder): void {
  const r = core.brokerActors.start(bo);
  projectBroker(bo, r.snapshot);
  core.host.spawn(bo, 'CREATED');
}

/**
 * After a restore: a contract order whose completion was written but whose parent's
 * CHILD_COMPLETED was not (a crash between the two writes) is reported to its parent again.
 */
export function reconcileChildren(core: StackCore): void {
  for (const io of core.activeOrders('instrument')) {
    // Only a family with a completed contract child needs its parent's actor (restores stay cheap).
    const done = (id: number) => core.contractOrder(id)?.state.startsWith('completed') === true;
    if (!io.children.some(done)) continue;
    const snap = core.instrumentActors.snapshot(io);
    for (const child of snap.context.children) {
      const co = child.completed ? undefined : core.contractOrder(Number(child.orderId));
      if (co && !co.active) sendInstrument(core, io.id, { type: 'CHILD_COMPLETED', childId: child.orderId });
    }
  }
}

/**
 * Start the actor of a new contract order and put it on the stack. With `defer`, its creation is
 * written with its next undeferred change (its first broker order's ALGO_CONTROL, made durable
 * before that broker order is sent), or after the wait.
 */
export function spawnContractOrder(core: StackCore, co: ContractOrder, opts: Opts = {}): void {
  projectContract(co, core.contractActors.start(co).snapshot);
  core.host.spawn(co, 'CREATED', opts);
}

/**
 * Start the actor of a new instrument order and put it on the stack. A roll order comes with its
 * contract orders (J4): its machine starts with them as children (no CHILDREN_SPAWNED), and their
 * actors start in the same synchronous step, so no pass sees the parent without its children.
 */
export function spawnInstrumentOrder(
  core: StackCore,
  io: InstrumentOrder,
  children: readonly ContractOrder[] = [],
): void {
  const input = instrumentMachineInput(io, children.map(childSpec));
  projectInstrument(io, core.instrumentActors.start(io, input).snapshot);
  core.host.spawn(io, 'CREATED');
  for (const co of children) spawnContractOrder(core, co);
}

/**
 * One event to one order's actor: the host journals the change, the machine takes the event and
 * the stack's view of the order is read off the new snapshot. Returns what the machine emitted.
 */
function step<L extends AnyOrder['level'], M extends AnyStateMachine>(
  core: StackCore,
  level: L,
  id: number,
  event: EventFromLogic<M>,
  actors: MachineActors<M, Extract<AnyOrder, { level: L }>>,
  project: (order: Extract<AnyOrder, { level: L }>, snapshot: SnapshotFrom<M>) => void,
  opts: Opts,
): Array<EmittedFrom<M>> {
  let emitted: Array<EmittedFrom<M>> = [];
  core.host.change(
    level,
    id,
    event.type,
    (order) => {
      const r = actors.send(order, event);
      project(order, r.snapshot);
      emitted = r.emitted;
    },
    opts,
  );
  return emitted;
}

/**
 * Send one event to a broker order's actor: the host records the event (journal, inspection) and
 * the record follows the machine. Returns what the machine emitted; its reports are logged and
 * counted here.
 */
export function sendBroker(
  core: StackCore,
  id: number,
  event: BrokerOrderEvent,
  opts: { defer?: boolean | 'lazy' } = {},
): BrokerOrderEmitted[] {
  const emitted = step(core, 'broker', id, event, core.brokerActors, projectBroker, opts);
  routeBroker(core, emitted);
  return emitted;
}

function routeBroker(core: StackCore, emitted: BrokerOrderEmitted[]): void {
  for (const e of emitted) {
    const parent =
      e.type === 'fillApplied' || e.type === 'rejected' || e.type === 'cancelled' ? e.parentId : null;
    if (parent !== null) {
      const id = Number(parent);
      const childId = e.orderId;
      if (e.type === 'fillApplied')
        sendContract(core, id, { type: 'CHILD_FILL', childId, fill: e.fill }, FILL);
      else if (e.type === 'rejected')
        sendContract(core, id, { type: 'CHILD_REJECTED', childId, reason: e.reason });
      else if (e.type === 'cancelled') sendContract(core, id, { type: 'CHILD_CANCELLED', childId });
    }
    if (e.type === 'fillCorrected' && e.parentId !== null) {
      const { original, corrected } = e;
      const event = { type: 'CHILD_FILL_CORRECTED' as const, childId: e.orderId, original, corrected };
      sendContract(core, Number(e.parentId), event);
    }
    if (e.type === 'lateFill') core.counters.late_fills++;
    if (e.type === 'overfilled') {
      core.counters.overfills++;
      logCritical(
        core.log,
        'broker order overfilled: positions follow the broker, order capped at its trade',
        {
          ...e,
        },
      );
    } else if (e.type === 'invalidFill') logCritical(core.log, 'broker order: invalid fill', { ...e });
    else if (e.type === 'lateFill' || e.type === 'ignored')
      core.log.warn({ ...e }, `broker order: ${e.type}`);
  }
}

/** Fill changes are deferred: a restore re-derives them from the fills stream. */
const FILL: Opts = { defer: true };

/** Whether a parent order already holds a child's fill (a replay after restore sends nothing). */
function hasChildFill(ids: readonly string[], e: { type: string; fill?: { fillId: string } }): boolean {
  return e.type === 'CHILD_FILL' && e.fill !== undefined && ids.includes(e.fill.fillId);
}

/** Send one event to a contract order's actor; its fills and completion go on to its parent. */
export function sendContract(
  core: StackCore,
  id: number,
  event: ContractOrderEvent,
  opts: Opts = {},
): Array<EmittedFrom<typeof contractOrderMachine>> {
  const co = core.contractOrder(id);
  // Inactive = completed: its machine is in a final state and takes no event (no actor needed).
  if (!co?.active) return [];
  const before = core.contractActors.snapshot(co);
  if (before.status !== 'active' || hasChildFill(before.context.childFillIds, event)) return [];
  const emitted = step(core, 'contract', id, event, core.contractActors, projectContract, opts);
  // A contract order that completes while an algo holds it ends that algo (D4a: charge limits).
  if (emitted.some((e) => e.type === 'completed'))
    chargeHeldCompletion(core, before.context.algoControlledBy);
  for (const e of emitted) {
    const parent = e.type === 'fillApplied' || e.type === 'completed' ? e.parentId : null;
    if (parent !== null) {
      const pid = Number(parent);
      const childId = e.orderId;
      if (e.type === 'fillApplied')
        sendInstrument(core, pid, { type: 'CHILD_FILL', childId, fill: e.fill }, FILL);
      // Deferred: the family's completion holds it until the history record is written; a restore
      // finds a completed child its parent missed (reconcileChildren).
      else sendInstrument(core, pid, { type: 'CHILD_COMPLETED', childId }, FILL);
    }
    // Its algo lock went (at once, or once a `releasing` order's old broker order settled): it
    // may trade again, back in create_broker_orders_from_contract_orders' queue.
    if (e.type === 'algoReleased') core.toSend.add(id);
    if (e.type === 'fillCorrected' && e.parentId !== null) {
      const { original, corrected, orderId: childId } = e;
      sendInstrument(core, Number(e.parentId), {
        type: 'CHILD_FILL_CORRECTED',
        childId,
        original,
        corrected,
      });
    }
    if (e.type === 'overfilled' || e.type === 'invalidFill')
      logCritical(core.log, `contract order: ${e.type}`, { ...e });
    else if (e.type === 'ignored' || e.type === 'controlRefused' || e.type === 'releaseRefused')
      core.log.warn({ ...e }, `contract order: ${e.type}`);
  }
  // A completed order's actor is done: its record keeps the final state (memory of live actors).
  if (!co.active) core.contractActors.stop(co);
  return emitted;
}

/** Send one event to an instrument order's actor; its completion completes the family. */
export function sendInstrument(
  core: StackCore,
  id: number,
  event: InstrumentOrderEvent,
  opts: Opts = {},
): Array<EmittedFrom<typeof instrumentOrderMachine>> {
  const io = core.instrumentOrder(id);
  if (!io?.active) return [];
  const before = core.instrumentActors.snapshot(io);
  if (before.status !== 'active' || hasChildFill(before.context.childFillIds, event)) return [];
  const emitted = step(core, 'instrument', id, event, core.instrumentActors, projectInstrument, opts);
  for (const e of emitted) {
    if (e.type === 'completed') core.familyCompleted(io);
    else if (e.type === 'unsupportedFamily')
      logCritical(core.log, 'inter-market spread not supported', { ...e });
    else if (e.type === 'overfilled' || e.type === 'invalidFill')
      logCritical(core.log, `instrument order: ${e.type}`, { ...e });
    else if (e.type === 'ignored' || e.type === 'spawnRefused')
      core.log.warn({ ...e }, `instrument order: ${e.type}`);
  }
  if (!io.active) core.instrumentActors.stop(io);
  return emitted;
}
