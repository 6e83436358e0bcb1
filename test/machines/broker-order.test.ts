import { describe, expect, it } from 'vitest';
import { type BrokerOrderEvent, brokerOrderMachine as m } from '../../machines/broker-order.ts';
import { start, stepAll } from '../../machines/step.ts';
import { brokerOrder, fill, T0 } from './support/fixtures.ts';
import { checkModel, stateNames } from './support/model.ts';

const input = { order: brokerOrder({ trade: [3] }) };
const run = (events: BrokerOrderEvent[]) => stepAll(m, start(m, input).snapshot, events);
const submitted: BrokerOrderEvent = { type: 'SUBMITTED', brokerTempId: 'DU123/1/1001', submitDatetime: T0 };
const ack: BrokerOrderEvent = { type: 'ACKNOWLEDGED', brokerPermId: '987654' };
const submittedAcked: BrokerOrderEvent = { ...submitted, brokerPermId: '987654' };
const f = (id: string, q: number, p: number, t = T0): BrokerOrderEvent => ({
  type: 'FILL',
  fill: fill(id, [q], p, t),
});

describe('broker order lifecycle (digest §1.3, F2; NautilusTrader table)', () => {
  it('created → submitted → acknowledged → partiallyFilled → filled with weighted price', () => {
    const r = run([submitted, ack, f('e1', 1, 95.5, T0 + 1000), f('e2', 2, 95.52, T0 + 2000)]);
    expect(r.snapshot.value).toBe('filled');
    const c = r.snapshot.context;
    expect(c.brokerTempId).toBe('DU123/1/1001');
    expect(c.brokerPermId).toBe('987654');
    expect(c.ledger.fill).toEqual([3]);
    expect(c.ledger.filledPrice).toBeCloseTo((95.5 + 2 * 95.52) / 3, 10);
    expect(c.ledger.fillDatetime).toBe(T0 + 2000);
    expect(r.emitted.map((e) => e.type)).toEqual(['fillApplied', 'fillApplied', 'filled']);
  });

  it('a SUBMITTED that carries the perm id acknowledges the order at once (one event)', () => {
    const r = run([submittedAcked]);
    expect(r.snapshot.value).toBe('acknowledged');
    const c = r.snapshot.context;
    expect([c.brokerTempId, c.brokerPermId, c.submitDatetime, c.acknowledged]).toEqual([
      'DU123/1/1001',
      '987654',
      T0,
      true,
    ]);
    const two = run([submitted, ack]).snapshot;
    expect({ ...two.context }).toEqual({ ...c });
    // A failed cancel returns it to acknowledged, as after a separate ACKNOWLEDGED.
    const back = run([
      submittedAcked,
      { type: 'CANCEL_REQUESTED' },
      { type: 'CANCEL_REJECTED', reason: 'x' },
    ]);
    expect(back.snapshot.value).toBe('acknowledged');
  });

  it('a fill id already applied changes nothing', () => {
    const r = run([submitted, f('e1', 1, 95.5), f('e1', 1, 95.5)]);
    expect(r.snapshot.value).toBe('partiallyFilled');
    expect(r.snapshot.context.ledger.fill).toEqual([1]);
    expect(r.emitted.at(-1)).toEqual({ type: 'duplicateFill', orderId: 'B1', fillId: 'e1' });
  });

  it('a fill after cancel is applied and reported as late', () => {
    const r = run([
      submitted,
      ack,
      f('e1', 1, 95.5),
      { type: 'CANCEL_REQUESTED' },
      { type: 'CANCELLED' },
      f('e2', 1, 95.51),
    ]);
    expect(r.snapshot.value).toBe('cancelled');
    expect(r.snapshot.context.ledger.fill).toEqual([2]);
    expect(r.emitted.map((e) => e.type)).toEqual(['fillApplied', 'cancelled', 'fillApplied', 'lateFill']);
    const late = run([submitted, { type: 'CANCELLED' }, f('e1', 3, 95.5)]);
    expect(late.snapshot.value).toBe('filled');
  });

  it('a failed cancel returns the order to where it was working', () => {
    const partial = run([
      submitted,
      ack,
      f('e1', 1, 95.5),
      { type: 'CANCEL_REQUESTED' },
      { type: 'CANCEL_REJECTED', reason: '161' },
    ]);
    expect(partial.snapshot.value).toBe('partiallyFilled');
    expect(partial.emitted.at(-1)).toEqual({
      type: 'cancelFailed',
      orderId: 'B1',
      orderRef: 'C1-best/1',
      reason: '161',
    });
    expect(partial.snapshot.context.algoComment).toBe('CANCEL_REJECTED: 161');
    const acked = run([
      submitted,
      ack,
      { type: 'CANCEL_REQUESTED' },
      { type: 'CANCEL_REJECTED', reason: 'x' },
    ]);
    expect(acked.snapshot.value).toBe('acknowledged');
    const sub = run([submitted, { type: 'CANCEL_REQUESTED' }, { type: 'CANCEL_REJECTED', reason: 'x' }]);
    expect(sub.snapshot.value).toBe('submitted');
  });

  it('a fill beyond the trade is applied, recorded and raised, never crashes', () => {
    const r = run([submitted, f('e1', 3, 95.5), f('e2', 2, 95.6)]);
    expect(r.snapshot.value).toBe('filled');
    expect(r.snapshot.context.ledger.fill).toEqual([5]);
    expect(r.snapshot.context.ledger.overfill).toEqual([2]);
    expect(r.emitted.at(-1)).toEqual({ type: 'overfilled', orderId: 'B1', fillId: 'e2', overfill: [2] });
  });

  it('rejects: submit failure and broker reject; a fill after reject is still applied', () => {
    const failed = run([{ type: 'SUBMIT_FAILED', reason: 'no connection' }]);
    expect(failed.snapshot.value).toBe('rejected');
    expect(failed.snapshot.context.rejectReason).toBe('no connection');
    const r = run([submitted, { type: 'REJECTED', reason: '201 margin' }, f('e1', 1, 95.5)]);
    expect(r.snapshot.value).toBe('rejected');
    expect(r.snapshot.context.ledger.fill).toEqual([1]);
    expect(r.emitted.map((e) => e.type)).toEqual(['rejected', 'fillApplied', 'lateFill']);
  });

  it('an invalid fill is refused with a reason and changes nothing; events out of place are reported', () => {
    const r = run([
      submitted,
      { type: 'FILL', fill: fill('e1', [1, 1], 95.5) },
      { type: 'SUBMITTED', brokerTempId: 'x', submitDatetime: 0 },
    ]);
    expect(r.snapshot.value).toBe('submitted');
    expect(r.snapshot.context.ledger.fill).toEqual([0]);
    expect(r.snapshot.context.brokerTempId).toBe('DU123/1/1001');
    expect(r.emitted.map((e) => e.type)).toEqual(['invalidFill', 'ignored']);
  });

  it('commission joined by fill id, modified limit kept beside the initial one', () => {
    const r = run([
      submitted,
      f('e1', 1, 95.5),
      { type: 'COMMISSION', fillId: 'e1', commission: 2.1 },
      { type: 'MODIFIED', limitPrice: 95.505 },
      { type: 'COMMISSION', fillId: 'zz', commission: 1 },
    ]);
    expect(r.snapshot.context.ledger.commission).toBeCloseTo(2.1, 10);
    expect(r.snapshot.context.currentLimitPrice).toBe(95.505);
    expect(r.snapshot.context.order.limitPrice).toBe(95.5);
    expect(r.emitted.at(-1)?.type).toBe('ignored');
  });
  it('deactivate is one-way; the locked flag follows LOCK / UNLOCK', () => {
    const r = run([submitted, { type: 'LOCK' }, { type: 'DEACTIVATE' }]);
    expect(r.snapshot.context.locked).toBe(true);
    expect(r.snapshot.context.active).toBe(false);
    const u = stepAll(m, r.snapshot, [{ type: 'UNLOCK' }]);
    expect(u.snapshot.context.locked).toBe(false);
    expect(u.snapshot.context.active).toBe(false);
  });
});

describe('broker order model', () => {
  it('every state is reached and live actor, pure step and model agree on every shortest path', async () => {
    const events: BrokerOrderEvent[] = [
      submitted,
      submittedAcked,
      ack,
      f('e1', 1, 95.5),
      f('e2', 2, 95.52),
      f('e3', 1, 95.6),
      { type: 'CANCEL_REQUESTED' },
      { type: 'CANCEL_REJECTED', reason: '161' },
      { type: 'CANCELLED' },
      { type: 'REJECTED', reason: '201' },
      { type: 'SUBMIT_FAILED', reason: 'down' },
    ];
    const report = await checkModel(m, {
      input,
      events,
      serialize: (s) => [s.value, s.context.ledger.fillIds, s.context.acknowledged],
      invariant: (s) => {
        const { fill: q, overfill } = s.context.ledger;
        const filled = q[0] ?? 0;
        if (s.value === 'filled') expect(filled).toBeGreaterThanOrEqual(3);
        if (s.value === 'partiallyFilled') expect(filled > 0 && filled < 3).toBe(true);
        if (s.value === 'created') expect(filled).toBe(0);
        expect(overfill[0]).toBe(Math.max(0, filled - 3));
      },
    });
    expect(report.reached).toEqual(stateNames(m));
    expect(report.paths).toBeGreaterThan(20);
  });
});
