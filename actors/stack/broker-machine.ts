import { createActor, type EmittedFrom, type InputFrom, type SnapshotFrom } from 'xstate';
import { type BrokerOrderEvent, brokerOrderMachine } from '../../machines/broker-order.ts';
import { restore } from '../../machines/step.ts';
import type { StackLogger } from './ports.ts';
import { logCritical } from './ports.ts';
import type { BrokerOrder } from './types.ts';

type Snap = SnapshotFrom<typeof brokerOrderMachine>;
type Emitted = EmittedFrom<typeof brokerOrderMachine>;
type BrokerOrderInput = InputFrom<typeof brokerOrderMachine>;

/**
 * `step` of machines/step.ts, with one inert actor scope reused for every step. xstate's pure
 * `transition()` builds a new actor (running the machine's initial state and context) for every
 * call to get a scope: ~12% of the stack handler's CPU in the orders benchmark. The broker order
 * machine invokes and spawns nothing, so a shared scope whose action executor only collects the
 * actions (nothing is executed, as in `transition()`) gives the same snapshot and emitted events.
 */
let collected: Array<{ type: string; params?: unknown }> = [];
type Scope = Parameters<typeof brokerOrderMachine.transition>[2];
let scope: Scope | undefined;
function inertScope(input: BrokerOrderInput): Scope {
  if (scope) return scope;
  const self = createActor(brokerOrderMachine, { input });
  scope = {
    self,
    defer: () => {},
    id: '',
    logger: () => {},
    sessionId: '',
    stopChild: () => {},
    system: self.system,
    emit: () => {},
    actionExecutor: (a) => {
      collected.push(a);
    },
  };
  return scope;
}

function step(bo: BrokerOrder, snap: Snap, event: BrokerOrderEvent): { snapshot: Snap; emitted: Emitted[] } {
  if (snap.status !== 'active') return { snapshot: snap, emitted: [] };
  collected = [];
  const next = brokerOrderMachine.transition(snap, event, inertScope(machineInput(bo, '')));
  const emitted: Emitted[] = [];
  for (const a of collected) {
    const ev = (a.params as { event?: Emitted } | undefined)?.event;
    if (a.type === 'xstate.emit' && ev) emitted.push(ev);
  }
  collected = [];
  return { snapshot: next, emitted };
}

/**
 * The broker order machine (machines/broker-order.ts, issue 3) inside each broker order actor:
 * every broker-side event of the order is stepped through it (pure `step`), its persisted snapshot
 * travels in the actor's record (so it is restored with it) and its state is the record's
 * `machineState`. Its fill ledger is kept independently of the stack's fill path (fills.ts), and
 * the tests check that the two agree. What the machine reports (late, duplicate, invalid fills,
 * overfills, ignored events) is logged.
 */
const live = new WeakMap<BrokerOrder, Snap>();

function stateName(s: Snap): string {
  return typeof s.value === 'string' ? s.value : JSON.stringify(s.value);
}

/** Start the machine for a new broker order record (before its first write). */
export function startBrokerMachine(bo: BrokerOrder, brokerName: string): void {
  const input = machineInput(bo, brokerName);
  collected = [];
  const snap = brokerOrderMachine.getInitialSnapshot(inertScope(input), input);
  collected = [];
  keep(bo, snap);
}

function machineInput(bo: BrokerOrder, brokerName: string): BrokerOrderInput {
  return {
    order: {
      orderId: String(bo.id),
      parentId: bo.parent === undefined ? null : String(bo.parent),
      strategyName: bo.strategyName,
      instrumentCode: bo.instrumentCode,
      trade: bo.legs ? bo.legs.map((l) => l.qty) : [bo.trade],
      generatedDatetime: bo.createdAt,
      manualTrade: bo.manualTrade,
      rollOrder: bo.rollOrder,
      contractDates: bo.legs ? bo.legs.map((l) => l.contractDate) : [bo.contractDate],
      orderType: bo.brokerOrderType,
      algoUsed: bo.algoUsed,
      limitPrice: bo.limitPrice ?? null,
      sidePrice: bo.sidePrice ?? null,
      midPrice: bo.midPrice ?? null,
      offsidePrice: bo.offsidePrice ?? null,
      manualFill: bo.manualFill,
      calendarSpreadOrder: (bo.legs?.length ?? 1) > 1,
      broker: brokerName,
      brokerAccount: '',
      brokerClientId: 0,
      orderRef: bo.orderRef,
    },
  };
}

/**
 * Keep the live snapshot; the persisted form is computed only when the record is written
 * (JSON.stringify calls `toJSON`), so several steps between two writes cost one persist.
 */
function keep(bo: BrokerOrder, snap: Snap): void {
  live.set(bo, snap);
  // Snapshots are immutable: persist each at most once (an append and the history record share it).
  let persisted: unknown;
  bo.machine = { toJSON: () => (persisted ??= brokerOrderMachine.getPersistedSnapshot(snap)) };
  bo.machineState = stateName(snap);
}

/** Step a broker order's machine; call inside the host change that records the same event. */
export function stepBrokerMachine(bo: BrokerOrder, event: BrokerOrderEvent, log: StackLogger): void {
  if (bo.machine === undefined) return; // an order written before the machine was wired in
  const snap = live.get(bo) ?? restore(brokerOrderMachine, bo.machine);
  const r = step(bo, snap, event);
  keep(bo, r.snapshot);
  for (const e of r.emitted) {
    if (e.type === 'overfilled' || e.type === 'invalidFill')
      logCritical(log, `broker order machine: ${e.type}`, { ...e });
    else if (e.type === 'lateFill' || e.type === 'duplicateFill' || e.type === 'ignored') {
      log.warn({ ...e }, `broker order machine: ${e.type}`);
    }
  }
}

/** The machine's cumulative fill (its own ledger), for cross-checks. */
export function machineFill(bo: BrokerOrder): number | undefined {
  if (bo.machine === undefined) return undefined;
  const snap = live.get(bo) ?? restore(brokerOrderMachine, bo.machine);
  return snap.context.ledger.fill[0];
}
