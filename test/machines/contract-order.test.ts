import { describe, expect, it } from 'vitest';
import { type ContractOrderEvent, contractOrderMachine as m } from '../../machines/contract-order.ts';
import { start, stepAll } from '../../machines/step.ts';
import { contractOrder, fill, T0 } from './support/fixtures.ts';
import { checkModel, stateNames } from './support/model.ts';

const ALGO = 'algoOriginalBest/C1';
const input = { order: contractOrder({ trade: [5] }) };
const run = (events: ContractOrderEvent[]) => stepAll(m, start(m, input).snapshot, events);
const control: ContractOrderEvent = { type: 'ALGO_CONTROL', algo: ALGO };
const release: ContractOrderEvent = { type: 'ALGO_RELEASE', algo: ALGO };
const created = (id: string, q: number[]): ContractOrderEvent => ({
  type: 'BROKER_ORDER_CREATED',
  child: { orderId: id, trade: q, contractDates: ['20261200'] },
});
const bf = (childId: string, id: string, q: number[], p: number, t = T0): ContractOrderEvent => ({
  type: 'CHILD_FILL',
  childId,
  fill: fill(id, q, p, t),
});

describe('contract order: algo soft lock (A3)', () => {
  it('one algo controls at a time; another is refused; only the controller releases', () => {
    const r = run([
      control,
      { type: 'ALGO_CONTROL', algo: 'other' },
      { type: 'ALGO_RELEASE', algo: 'other' },
    ]);
    expect(r.snapshot.value).toBe('algoControlled');
    expect(r.snapshot.context.algoControlledBy).toBe(ALGO);
    expect(r.emitted.map((e) => e.type)).toEqual(['controlRefused', 'releaseRefused']);
    const released = stepAll(m, r.snapshot, [release]);
    expect(released.snapshot.value).toBe('released');
    expect(released.snapshot.context.algoControlledBy).toBeNull();
    expect(released.emitted).toEqual([{ type: 'algoReleased', orderId: 'C1', algo: ALGO, remaining: [5] }]);
  });

  it('ALGO_CONTROL naming the algo broker order takes the lock and adds the child in one event', () => {
    const child = { orderId: 'B1', trade: [2], contractDates: ['20261200'] };
    const one = run([{ ...control, child }]);
    const two = run([control, created('B1', [2])]);
    expect(one.snapshot.value).toBe('algoControlled');
    expect({ ...one.snapshot.context }).toEqual({ ...two.snapshot.context });
    expect(one.snapshot.context.children.map((c) => c.orderId)).toEqual(['B1']);
    // refused control (another algo holds it): the child is still added, as a separate event was
    const refused = stepAll(m, one.snapshot, [
      { type: 'ALGO_CONTROL', algo: 'other', child: { ...child, orderId: 'B2' } },
    ]);
    expect(refused.snapshot.context.algoControlledBy).toBe(ALGO);
    expect(refused.snapshot.context.children.map((c) => c.orderId)).toEqual(['B1', 'B2']);
    expect(refused.emitted.map((e) => e.type)).toEqual(['controlRefused']);
    // a bad child spec is reported and not added; the lock is taken all the same
    const bad = run([{ ...control, child: { ...child, trade: [] } }]);
    expect(bad.snapshot.value).toBe('algoControlled');
    expect(bad.snapshot.context.children).toEqual([]);
    expect(bad.emitted.map((e) => e.type)).toEqual(['ignored']);
  });

  it('released after a partial fill → partiallyFilled; another algo may take it again', () => {
    const r = run([control, created('B1', [1]), bf('B1', 'e1', [1], 95.5), release]);
    expect(r.snapshot.value).toBe('partiallyFilled');
    expect(r.emitted.at(-1)).toMatchObject({ type: 'algoReleased', remaining: [4] });
    const again = stepAll(m, r.snapshot, [{ type: 'ALGO_CONTROL', algo: 'algoMarket/C1' }]);
    expect(again.snapshot.value).toBe('algoControlled');
  });
});

describe('contract order: release while a broker child may still trade (algo.unlock)', () => {
  it('ALGO_RELEASE with a working child keeps the lock in releasing until the child is cancelled', () => {
    const r = run([control, created('B1', [5]), release]);
    expect(r.snapshot.value).toBe('releasing');
    expect(r.snapshot.context.algoControlledBy).toBe(ALGO); // nothing new can be placed
    expect(r.emitted).toEqual([
      { type: 'releasePending', orderId: 'C1', algo: ALGO, workingChildIds: ['B1'] },
    ]);
    // another algo is refused, a second release changes nothing
    const held = stepAll(m, r.snapshot, [{ type: 'ALGO_CONTROL', algo: 'other' }, release]);
    expect(held.snapshot.value).toBe('releasing');
    expect(held.emitted.map((e) => e.type)).toEqual(['controlRefused', 'ignored']);
    const done = stepAll(m, held.snapshot, [{ type: 'CHILD_CANCELLED', childId: 'B1' }]);
    expect(done.snapshot.value).toBe('released');
    expect(done.snapshot.context.algoControlledBy).toBeNull();
    expect(done.emitted).toEqual([{ type: 'algoReleased', orderId: 'C1', algo: ALGO, remaining: [5] }]);
  });

  it('a fill of the child whose cancel is in flight is applied; a full fill completes, a partial one then releases', () => {
    const full = run([control, created('B1', [5]), release, bf('B1', 'e1', [5], 95.5)]);
    expect(full.snapshot.value).toBe('completed');
    const part = run([
      control,
      created('B1', [5]),
      release,
      bf('B1', 'e1', [2], 95.5),
      { type: 'CHILD_CANCELLED', childId: 'B1' },
    ]);
    expect(part.snapshot.value).toBe('partiallyFilled');
    expect(part.snapshot.context.algoControlledBy).toBeNull();
    expect(part.emitted.at(-1)).toEqual({ type: 'algoReleased', orderId: 'C1', algo: ALGO, remaining: [3] });
    const rejected = run([
      control,
      created('B1', [5]),
      release,
      { type: 'CHILD_REJECTED', childId: 'B1', reason: 'x' },
    ]);
    expect(rejected.snapshot.value).toBe('released');
  });

  it('with no working child the release is at once (the algo finished with its order settled)', () => {
    const r = run([control, created('B1', [1]), bf('B1', 'e1', [1], 95.5), release]);
    expect(r.snapshot.value).toBe('partiallyFilled');
    expect(r.snapshot.context.algoControlledBy).toBeNull();
  });
});

describe('contract order: fills from broker children (F3)', () => {
  it('quantity-weighted price over several broker children; position deltas per leg emitted', () => {
    const r = run([
      control,
      created('B1', [1]),
      bf('B1', 'e1', [1], 95.5, T0 + 1),
      created('B2', [4]),
      bf('B2', 'e2', [4], 95.6, T0 + 2),
    ]);
    expect(r.snapshot.value).toBe('completed');
    expect(r.snapshot.context.ledger.filledPrice).toBeCloseTo((95.5 + 4 * 95.6) / 5, 12);
    const applied = r.emitted.filter((e) => e.type === 'fillApplied');
    expect(applied.map((e) => e.type === 'fillApplied' && [e.delta, e.contractDates, e.parentId])).toEqual([
      [[1], ['20261200'], 'I1'],
      [[4], ['20261200'], 'I1'],
    ]);
    expect(r.emitted.at(-1)).toMatchObject({ type: 'completed', mode: 'strict', parentId: 'I1' });
  });

  it('a cancelled unfilled broker child blocks strict completion until end of day (G1, #874)', () => {
    const r = run([
      control,
      created('B1', [5]),
      { type: 'CHILD_CANCELLED', childId: 'B1' },
      created('B2', [5]),
      bf('B2', 'e1', [5], 95.5),
    ]);
    expect(r.snapshot.value).toBe('filled');
    const eod = stepAll(m, r.snapshot, [{ type: 'END_OF_DAY' }]);
    expect(eod.snapshot.value).toBe('completedEndOfDay');
    expect(eod.emitted.at(-1)).toMatchObject({ type: 'completed', mode: 'endOfDay', fill: [5] });
  });

  it('a rejected broker child never blocks completion', () => {
    const r = run([
      control,
      created('B1', [5]),
      { type: 'CHILD_REJECTED', childId: 'B1', reason: '201' },
      created('B2', [5]),
      bf('B2', 'e1', [5], 95.5),
    ]);
    expect(r.snapshot.value).toBe('completed');
  });

  it('late fill of a cancelled child that overfills: applied, recorded, raised (#1580)', () => {
    const r = run([
      control,
      created('B1', [5]),
      { type: 'CHILD_CANCELLED', childId: 'B1' },
      created('B2', [5]),
      bf('B2', 'e2', [5], 95.5),
      bf('B1', 'e1', [5], 95.4),
    ]);
    expect(r.snapshot.value).toBe('completed');
    expect(r.snapshot.context.ledger.fill).toEqual([10]);
    expect(r.snapshot.context.ledger.overfill).toEqual([5]);
    expect(r.emitted.filter((e) => e.type === 'overfilled')).toEqual([
      { type: 'overfilled', orderId: 'C1', fillId: 'e1', overfill: [5] },
    ]);
  });

  it('calendar spread: two legs filled together at a spread price; per-leg prices kept', () => {
    const spread = {
      order: contractOrder({
        trade: [-2, 2],
        contractDates: ['20261200', '20270300'],
        calendarSpreadOrder: true,
      }),
    };
    const r = stepAll(m, start(m, spread).snapshot, [
      control,
      {
        type: 'BROKER_ORDER_CREATED',
        child: { orderId: 'B1', trade: [-2, 2], contractDates: ['20261200', '20270300'] },
      },
      {
        type: 'CHILD_FILL',
        childId: 'B1',
        fill: fill('e1', [-1, 1], 0.05, T0, { legPrices: [95.5, 95.45] }),
      },
      {
        type: 'CHILD_FILL',
        childId: 'B1',
        fill: fill('e2', [-1, 1], 0.07, T0, { legPrices: [95.52, 95.45] }),
      },
    ]);
    expect(r.snapshot.value).toBe('completed');
    expect(r.snapshot.context.ledger.fill).toEqual([-2, 2]);
    expect(r.snapshot.context.ledger.filledPrice).toBeCloseTo(0.06, 12);
    expect(r.snapshot.context.ledger.legFilledPrices[0]).toBeCloseTo(95.51, 12);
  });

  it('duplicate and unknown-child fills; a parked fill is applied when its broker child is registered', () => {
    const r = run([control, bf('B1', 'e1', [2], 95.5), created('B1', [3]), bf('B1', 'e1', [2], 95.5)]);
    expect(r.snapshot.context.ledger.fill).toEqual([2]);
    expect(r.emitted.map((e) => e.type)).toEqual(['unknownChildFill', 'duplicateFill']);
  });

  it('cancel asks working broker children to cancel and drops algo control', () => {
    const r = run([
      control,
      created('B1', [2]),
      created('B2', [1]),
      bf('B2', 'e1', [1], 95.5),
      { type: 'CANCEL', reason: 'eod' },
    ]);
    expect(r.snapshot.value).toBe('cancelled');
    expect(r.snapshot.context.algoControlledBy).toBeNull();
    expect(r.emitted.at(-1)).toEqual({
      type: 'cancelChildren',
      orderId: 'C1',
      childIds: ['B1'],
      reason: 'eod',
    });
  });
});

describe('contract order model', () => {
  it('reaches every state; live actor, pure step and model agree on every shortest path', async () => {
    const events: ContractOrderEvent[] = [
      control,
      release,
      created('B1', [2]),
      created('B2', [3]),
      bf('B1', 'e1', [2], 95.5),
      bf('B2', 'e2', [3], 95.6),
      bf('B2', 'e3', [1], 95.6),
      // B3 comes as the algo's child with its lock (ALGO_CONTROL naming it, as the stack sends it)
      { ...control, child: { orderId: 'B3', trade: [1], contractDates: ['20261200'] } },
      { type: 'CHILD_CANCELLED', childId: 'B3' },
      { type: 'CANCEL', reason: 'x' },
      { type: 'END_OF_DAY' },
      // a price correction (the quantity stays): taken in every state, completed ones too
      {
        type: 'CHILD_FILL_CORRECTED',
        childId: 'B1',
        original: fill('e1', [2], 95.5, T0),
        corrected: fill('e1', [2], 95.7, T0),
      },
    ];
    const report = await checkModel(m, {
      input,
      events,
      serialize: (s) => [
        s.value,
        s.context.childFillIds,
        s.context.children.map((c) => c.orderId),
        s.context.algoControlledBy,
        s.context.cancelledChildIds,
      ],
      invariant: (s) => {
        const filled = s.context.ledger.fill[0] ?? 0;
        expect(filled).toBe(s.context.children.reduce((a, c) => a + (c.fill[0] ?? 0), 0));
        if (s.value === 'algoControlled') expect(s.context.algoControlledBy).toBe(ALGO);
        if (s.value === 'releasing') {
          // the lock stays while a broker child may still trade
          expect(s.context.algoControlledBy).toBe(ALGO);
          expect(
            s.context.children.some((c) => !c.completed && !s.context.cancelledChildIds.includes(c.orderId)),
          ).toBe(true);
        }
        if (s.value === 'new' || s.value === 'released') {
          expect(s.context.algoControlledBy).toBeNull();
          expect(filled).toBe(0);
        }
        if (s.value === 'partiallyFilled') expect(filled > 0 && filled < 5).toBe(true);
        if (s.value === 'filled' || s.value === 'completed') expect(filled).toBeGreaterThanOrEqual(5);
        if (s.value === 'completed') expect(s.context.children.every((c) => c.completed)).toBe(true);
      },
    });
    expect(report.reached).toEqual(stateNames(m));
    expect(report.paths).toBeGreaterThan(50);
  }, 120_000); // graph traversal: slow on a loaded machine
});
