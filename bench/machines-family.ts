/**
 * One order family's machine work as the stack handler drives it (actors/host/machine-actors.ts):
 * instrument, contract, market-algo and broker actors started, the 12 events a one-fill family
 * sends them (the bench:orders sequence), stopped. What xstate costs per family without the bus.
 * Used by bench/machines-step.ts.
 */
import { type AnyStateMachine, createActor, type InspectionEvent } from 'xstate';
import { marketAlgoMachine } from '../machines/algo-market.ts';
import { brokerOrderMachine } from '../machines/broker-order.ts';
import { contractOrderMachine } from '../machines/contract-order.ts';
import { instrumentOrderMachine } from '../machines/instrument-order.ts';

const T0 = Date.UTC(2026, 10, 20, 14);
const base = {
  strategyName: 's',
  instrumentCode: 'SOFR',
  generatedDatetime: T0,
  manualTrade: false,
  rollOrder: false,
  manualFill: false,
  calendarSpreadOrder: false,
};
const counts = { microsteps: 0, events: 0, emitted: 0 };
let counting = false;
const inspect = (e: InspectionEvent) => {
  if (!counting) return;
  if (e.type === '@xstate.microstep') counts.microsteps += 1;
  if (e.type === '@xstate.event' && e.event.type !== 'xstate.init') counts.events += 1;
};

function actor(m: AnyStateMachine, input: unknown) {
  // Inspected only while counting: the stack handler's actors have no inspector (its cost is not theirs).
  const a = createActor(m, counting ? { input, inspect } : { input });
  a.on('*', () => {
    if (counting) counts.emitted += 1;
  });
  a.start();
  return a;
}
type Ev = { type: string; [k: string]: unknown };
function send(a: ReturnType<typeof actor>, e: Ev): string {
  a.send(e as never);
  const s = a.getSnapshot() as { value: string; error?: unknown };
  if (s.error !== undefined) throw new Error(`machine error: ${String(s.error)}`);
  return s.value;
}

function family(i: number): void {
  const q = (i % 3) + 1;
  const [I, C, B, A] = [`I${i}`, `C${i}`, `B${i}`, `market:${i}`];
  const trade = [q];
  const contractDates = ['202612'];
  const io = actor(instrumentOrderMachine, {
    order: { ...base, orderId: I, parentId: null, trade, orderType: 'best', limitPrice: null },
  });
  const co = actor(contractOrderMachine, {
    order: { ...base, orderId: C, parentId: I, trade, contractDates, orderType: 'best', algoToUse: 'market' },
  });
  send(io, { type: 'CHILDREN_SPAWNED', children: [{ orderId: C, trade, contractDates }] });
  const al = actor(marketAlgoMachine, { algoId: A, contractOrderId: C, trade, now: T0, sliceSize: 100 });
  const orderRef = `${A}/1`;
  const bo = actor(brokerOrderMachine, {
    order: { ...base, orderId: B, parentId: C, trade, contractDates, orderType: 'market', orderRef },
  });
  // The algo takes the lock naming the broker order it placed (one event, as actors/stack/algos.ts).
  send(co, { type: 'ALGO_CONTROL', algo: A, child: { orderId: B, trade, contractDates } });
  // The placement's answer carries the perm id: submitted and acknowledged in one event.
  send(bo, { type: 'SUBMITTED', brokerTempId: `${i}`, submitDatetime: T0, brokerPermId: `${1000000 + i}` });
  for (let t = 0; t < 3; t++) send(al, { type: 'CLOCK_TICK', now: T0 });
  const fill = { fillId: `sim.${i}.1`, qty: trade, price: 100.01, datetime: T0, commission: 0 };
  send(bo, { type: 'FILL', fill });
  const contractState = send(co, { type: 'CHILD_FILL', childId: B, fill });
  send(al, { type: 'BROKER_FILL', orderRef, fill });
  send(io, { type: 'CHILD_FILL', childId: C, fill });
  send(bo, { type: 'DEACTIVATE' });
  const instrumentState = send(io, { type: 'CHILD_COMPLETED', childId: C });
  if (instrumentState !== 'completed' || contractState !== 'completed')
    throw new Error(`family ${i} not completed: ${instrumentState} / ${contractState}`);
  for (const a of [io, co, bo, al]) a.stop();
}

/** Run `warmup` families, then `n` measured ones; per-family time, CPU and xstate work. */
export function familyBench(n: number, warmup: number) {
  for (let i = 0; i < warmup; i++) family(i);
  counting = true;
  for (let i = 0; i < 100; i++) family(warmup + i);
  counting = false;
  const per = (v: number) => Number((v / 100).toFixed(2));
  const work = {
    microsteps: per(counts.microsteps),
    events: per(counts.events),
    emitted: per(counts.emitted),
  };
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) family(warmup + 100 + i);
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(c0);
  return {
    label: 'order family: 4 actors, 12 events (the bench:orders sequence)',
    families: n,
    usPerFamily: Number(((ms * 1000) / n).toFixed(1)),
    cpuUsPerFamily: Number(((cpu.user + cpu.system) / n).toFixed(1)),
    microstepsPerFamily: work.microsteps,
    eventsPerFamily: work.events,
    emittedPerFamily: work.emitted,
  };
}
