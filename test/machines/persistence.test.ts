/**
 * Each machine's persisted snapshot round-trips through JSON and resumes where it was: this is how
 * the stack handler restores actors after a crash (stack-notes §3.2). Deadlines are timestamps in
 * context, so a restored algo still times out on the next CLOCK_TICK.
 */
import { describe, expect, it } from 'vitest';
import { type AnyStateMachine, createActor } from 'xstate';
import { bestExecutionAlgoMachine } from '../../machines/algo-best-execution.ts';
import { marketAlgoMachine } from '../../machines/algo-market.ts';
import { brokerOrderMachine } from '../../machines/broker-order.ts';
import { contractOrderMachine } from '../../machines/contract-order.ts';
import { instrumentLockMachine } from '../../machines/instrument-lock.ts';
import { instrumentOrderMachine } from '../../machines/instrument-order.ts';
import { persist, restore, start, stepAll } from '../../machines/step.ts';
import { brokerOrder, contractOrder, fill, instrumentOrder, T0 } from './support/fixtures.ts';

type AnyEvent = { type: string; [key: string]: unknown };

interface Case {
  name: string;
  machine: AnyStateMachine;
  input: unknown;
  before: AnyEvent[];
  after: AnyEvent[];
  expectBefore: string;
  expectAfter: string;
}

const cases: Case[] = [
  {
    name: 'instrument-order',
    machine: instrumentOrderMachine,
    input: { order: instrumentOrder({ trade: [5] }) },
    before: [
      { type: 'CHILDREN_SPAWNED', children: [{ orderId: 'C1', trade: [5], contractDates: ['20261200'] }] },
      { type: 'CHILD_FILL', childId: 'C1', fill: fill('e1', [2], 95.5) },
    ],
    after: [
      { type: 'CHILD_FILL', childId: 'C1', fill: fill('e1', [2], 95.5) },
      { type: 'CHILD_FILL', childId: 'C1', fill: fill('e2', [3], 95.6) },
      { type: 'CHILD_COMPLETED', childId: 'C1' },
    ],
    expectBefore: 'partiallyFilled',
    expectAfter: 'completed',
  },
  {
    name: 'contract-order',
    machine: contractOrderMachine,
    input: { order: contractOrder({ trade: [2] }) },
    before: [
      { type: 'ALGO_CONTROL', algo: 'a' },
      { type: 'BROKER_ORDER_CREATED', child: { orderId: 'B1', trade: [2], contractDates: ['20261200'] } },
    ],
    after: [{ type: 'CHILD_FILL', childId: 'B1', fill: fill('e1', [2], 95.5) }],
    expectBefore: 'algoControlled',
    expectAfter: 'completed',
  },
  {
    name: 'broker-order',
    machine: brokerOrderMachine,
    input: { order: brokerOrder({ trade: [3] }) },
    before: [
      { type: 'SUBMITTED', brokerTempId: 't', submitDatetime: T0 },
      { type: 'FILL', fill: fill('e1', [1], 95.5) },
      { type: 'CANCEL_REQUESTED' },
    ],
    after: [
      { type: 'CANCEL_REJECTED', reason: '161' },
      { type: 'FILL', fill: fill('e2', [2], 95.5) },
    ],
    expectBefore: 'cancelPending',
    expectAfter: 'filled',
  },
  {
    name: 'algo-market',
    machine: marketAlgoMachine,
    input: { algoId: 'A', contractOrderId: 'C1', trade: [2], now: T0 },
    before: [{ type: 'CLOCK_TICK', now: T0 + 1000 }],
    after: [{ type: 'CLOCK_TICK', now: T0 + 600_000 }],
    expectBefore: 'working',
    expectAfter: 'cancelling',
  },
  {
    name: 'algo-best-execution',
    machine: bestExecutionAlgoMachine,
    input: {
      algoId: 'B',
      contractOrderId: 'C1',
      orderType: 'best',
      trade: [1],
      tickSize: 0.005,
      closeAt: null,
      now: T0,
    },
    before: [
      { type: 'PRICE_SNAPSHOT', snapshot: { bid: 95.5, ask: 95.505, bidSize: 10, askSize: 10, at: T0 } },
    ],
    after: [{ type: 'CLOCK_TICK', now: T0 + 300_000 }],
    expectBefore: 'passive',
    expectAfter: 'aggressive',
  },
  {
    name: 'instrument-lock',
    machine: instrumentLockMachine,
    input: { instrumentCode: 'SOFR' },
    before: [{ type: 'POSITIONS_COMPARED', ours: { a: 1 }, broker: {}, at: T0 }],
    after: [{ type: 'POSITIONS_COMPARED', ours: { a: 1 }, broker: { a: 1 }, at: T0 + 1 }],
    expectBefore: 'lockedByBreak',
    expectAfter: 'unlocked',
  },
];

describe.each(cases)('persisted snapshot of $name', (c) => {
  const m = c.machine;
  it('round-trips through JSON and resumes with pure steps exactly as if never stopped', () => {
    const s0 = stepAll(m, start(m, c.input as never).snapshot, c.before as never);
    expect(s0.snapshot.value).toBe(c.expectBefore);
    const json = JSON.stringify(persist(m, s0.snapshot));
    const restored = restore(m, JSON.parse(json));
    expect(restored.value).toEqual(s0.snapshot.value);
    expect(restored.context).toEqual(s0.snapshot.context);
    const resumed = stepAll(m, restored, c.after as never);
    const straight = stepAll(m, s0.snapshot, c.after as never);
    expect(resumed.snapshot.value).toBe(c.expectAfter);
    expect(resumed.snapshot.context).toEqual(straight.snapshot.context);
    expect(resumed.emitted).toEqual(straight.emitted);
  });

  it('resumes as a live actor from getPersistedSnapshot without re-running entry actions', () => {
    const actor = createActor(m, { input: c.input as never });
    actor.start();
    for (const e of c.before) actor.send(e as never);
    const json = JSON.stringify(actor.getPersistedSnapshot());
    actor.stop();
    const emitted: string[] = [];
    const back = createActor(m, { snapshot: JSON.parse(json) });
    back.on('*', (e) => emitted.push(e.type));
    back.start();
    expect(emitted).toEqual([]);
    expect(back.getSnapshot().value).toBe(c.expectBefore);
    for (const e of c.after) back.send(e as never);
    expect(back.getSnapshot().value).toBe(c.expectAfter);
    back.stop();
  });
});
