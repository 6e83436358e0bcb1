/**
 * The machines composed the way the stack handler will run them: a tiny pure host routes each
 * machine's emitted events to the others (docs/machines.md, "Driving the machines from a host")
 * and a fake broker fills every order at once, re-sending each execution once (as IB does on
 * reconnect). A passive-roll family (priced +2, forward +3) must end completed with positions
 * equal to the sum of distinct fills.
 */
import { describe, expect, it } from 'vitest';
import type { AnyStateMachine } from 'xstate';
import { marketAlgoMachine } from '../../machines/algo-market.ts';
import { brokerOrderMachine } from '../../machines/broker-order.ts';
import { contractOrderMachine } from '../../machines/contract-order.ts';
import { instrumentOrderMachine } from '../../machines/instrument-order.ts';
import { start, step } from '../../machines/step.ts';
import { brokerOrder, contractOrder, fill, instrumentOrder, T0 } from './support/fixtures.ts';

type Ev = { type: string; [k: string]: unknown };
interface Actor {
  machine: AnyStateMachine;
  snapshot: ReturnType<typeof start>['snapshot'];
}

function runFamily() {
  const actors = new Map<string, Actor>();
  const queue: Array<[string, Ev]> = [];
  const positions = { strategy: 0, contract: new Map<string, number>() };
  const prices: Record<string, number> = { C1: 95.5, C2: 95.4 };
  const log: string[] = [];
  let brokerSeq = 0;

  const spawn = (id: string, machine: AnyStateMachine, input: unknown) => {
    const r = start(machine, input as never);
    actors.set(id, { machine, snapshot: r.snapshot });
    for (const e of r.emitted as Ev[]) route(id, e);
  };
  const route = (from: string, e: Ev) => {
    log.push(`${from}:${e.type}`);
    switch (e.type) {
      case 'placeBrokerOrder': {
        const ref = e.orderRef as string;
        const contractId = e.contractOrderId as string;
        const trade = e.trade as number[];
        brokerSeq += 1;
        spawn(ref, brokerOrderMachine, {
          order: brokerOrder({
            orderId: ref,
            parentId: contractId,
            trade,
            orderType: 'market',
            orderRef: ref,
          }),
        });
        queue.push([
          contractId,
          { type: 'BROKER_ORDER_CREATED', child: { orderId: ref, trade, contractDates: ['x'] } },
        ]);
        queue.push([ref, { type: 'SUBMITTED', brokerTempId: `DU1/1/${brokerSeq}`, submitDatetime: T0 }]);
        const execution = fill(`${ref}.01`, trade, prices[contractId] ?? 0, T0 + brokerSeq);
        queue.push([ref, { type: 'FILL', fill: execution }]);
        queue.push([ref, { type: 'FILL', fill: execution }]); // re-sent execution: a duplicate
        return;
      }
      case 'fillApplied': {
        const target = actors.get(from)?.machine;
        if (target === brokerOrderMachine) {
          queue.push([e.parentId as string, { type: 'CHILD_FILL', childId: e.orderId, fill: e.fill }]);
          queue.push([
            `algo-${e.parentId as string}`,
            { type: 'BROKER_FILL', orderRef: e.orderRef, fill: e.fill },
          ]);
        } else if (target === contractOrderMachine) {
          const key = from;
          positions.contract.set(key, (positions.contract.get(key) ?? 0) + ((e.delta as number[])[0] ?? 0));
          queue.push([e.parentId as string, { type: 'CHILD_FILL', childId: from, fill: e.fill }]);
        } else {
          positions.strategy += (e.delta as number[])[0] ?? 0;
        }
        return;
      }
      case 'finished':
        queue.push([e.contractOrderId as string, { type: 'ALGO_RELEASE', algo: from }]);
        return;
      case 'completed':
        if (actors.get(from)?.machine === contractOrderMachine) {
          queue.push([e.parentId as string, { type: 'CHILD_COMPLETED', childId: from }]);
        }
        return;
      default:
        return;
    }
  };
  const drain = () => {
    for (let n = 0; queue.length > 0; n++) {
      if (n > 1000) throw new Error('no quiescence');
      const [id, event] = queue.shift()!;
      const a = actors.get(id);
      if (!a) throw new Error(`no actor ${id}`);
      const r = step(a.machine, a.snapshot, event as never);
      a.snapshot = r.snapshot;
      for (const e of r.emitted as Ev[]) route(id, e);
    }
  };

  spawn('I1', instrumentOrderMachine, { order: instrumentOrder({ trade: [5] }) });
  spawn('C1', contractOrderMachine, {
    order: contractOrder({ orderId: 'C1', trade: [2], contractDates: ['20261200'] }),
  });
  spawn('C2', contractOrderMachine, {
    order: contractOrder({ orderId: 'C2', trade: [3], contractDates: ['20270300'] }),
  });
  queue.push([
    'I1',
    {
      type: 'CHILDREN_SPAWNED',
      children: [
        { orderId: 'C1', trade: [2], contractDates: ['20261200'] },
        { orderId: 'C2', trade: [3], contractDates: ['20270300'] },
      ],
    },
  ]);
  drain();
  for (const c of ['C1', 'C2']) {
    queue.push([c, { type: 'ALGO_CONTROL', algo: `algo-${c}` }]);
    drain();
    const trade = c === 'C1' ? [2] : [3];
    spawn(`algo-${c}`, marketAlgoMachine, { algoId: `algo-${c}`, contractOrderId: c, trade, now: T0 });
    drain();
  }
  return { actors, positions, log };
}

describe('a passive-roll family worked end to end by pure steps', () => {
  it('completes with positions equal to the sum of distinct fills and a weighted price', () => {
    const { actors, positions, log } = runFamily();
    const i1 = actors.get('I1')!.snapshot;
    expect(i1.value).toBe('completed');
    expect(i1.context.ledger.fill).toEqual([5]);
    expect(i1.context.ledger.filledPrice).toBeCloseTo((2 * 95.5 + 3 * 95.4) / 5, 12);
    expect(positions.strategy).toBe(5);
    expect(Object.fromEntries(positions.contract)).toEqual({ C1: 2, C2: 3 });
    expect(actors.get('C1')!.snapshot.value).toBe('completed');
    expect(actors.get('algo-C2')!.snapshot.value).toBe('done');
    // one-lot slices: 2 + 3 broker orders, every re-sent execution reported as a duplicate
    expect(log.filter((l) => l.endsWith(':placeBrokerOrder'))).toHaveLength(5);
    expect(log.filter((l) => l.endsWith(':duplicateFill'))).toHaveLength(5);
    expect(log.filter((l) => l.endsWith(':overfilled'))).toEqual([]);
  });
});
