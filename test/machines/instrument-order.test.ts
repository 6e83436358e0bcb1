import { describe, expect, it } from 'vitest';
import { type InstrumentOrderEvent, instrumentOrderMachine as m } from '../../machines/instrument-order.ts';
import { start, stepAll } from '../../machines/step.ts';
import { ROLL_PSEUDO_STRATEGY } from '../../src/domain/orders/index.ts';
import { fill, instrumentOrder, T0 } from './support/fixtures.ts';
import { checkModel, stateNames } from './support/model.ts';

const PRICED = '20261200';
const FORWARD = '20270300';
const cf = (childId: string, id: string, q: number[], p: number, t = T0): InstrumentOrderEvent => ({
  type: 'CHILD_FILL',
  childId,
  fill: fill(id, q, p, t),
});

describe('instrument order: single child (F4)', () => {
  const input = { order: instrumentOrder({ trade: [5] }) };
  const spawn: InstrumentOrderEvent = {
    type: 'CHILDREN_SPAWNED',
    children: [{ orderId: 'C1', trade: [5], contractDates: [PRICED] }],
  };
  const run = (events: InstrumentOrderEvent[]) => stepAll(m, start(m, input).snapshot, events);

  it('partial fills: cumulative quantity, weighted price, last fill time; strategy position deltas emitted', () => {
    const r = run([spawn, cf('C1', 'e1', [2], 95.5, T0 + 10), cf('C1', 'e2', [1], 95.53, T0 + 5)]);
    expect(r.snapshot.value).toBe('partiallyFilled');
    const l = r.snapshot.context.ledger;
    expect(l.fill).toEqual([3]);
    expect(l.filledPrice).toBeCloseTo((2 * 95.5 + 95.53) / 3, 12);
    expect(l.fillDatetime).toBe(T0 + 10);
    const deltas = r.emitted
      .filter((e) => e.type === 'fillApplied')
      .map((e) => e.type === 'fillApplied' && e.delta);
    expect(deltas).toEqual([[2], [1]]);
  });

  it('strict completion needs fill == trade and the child complete (G1)', () => {
    const filled = run([spawn, cf('C1', 'e1', [5], 95.5)]);
    expect(filled.snapshot.value).toBe('filled');
    expect(filled.snapshot.context.active).toBe(true);
    const done = run([spawn, cf('C1', 'e1', [5], 95.5), { type: 'CHILD_COMPLETED', childId: 'C1' }]);
    expect(done.snapshot.value).toBe('completed');
    // Not a final state (a broker's correction may still come), but inactive.
    expect(done.snapshot.context.active).toBe(false);
    expect(done.emitted.at(-1)).toMatchObject({
      type: 'completed',
      mode: 'strict',
      fill: [5],
      childIds: ['C1'],
    });
  });

  it('end of day completes a partial family (G2)', () => {
    const r = run([spawn, cf('C1', 'e1', [2], 95.5), { type: 'END_OF_DAY' }]);
    expect(r.snapshot.value).toBe('completedEndOfDay');
    expect(r.emitted.at(-1)).toMatchObject({ type: 'completed', mode: 'endOfDay', fill: [2] });
    // A fill after completion is held (positions follow the fills) and the completion amended.
    const after = stepAll(m, r.snapshot, [cf('C1', 'e2', [1], 95.5), { type: 'END_OF_DAY' }]);
    expect(after.emitted.map((e) => e.type)).toEqual(['fillApplied', 'completionAmended', 'ignored']);
    expect(after.snapshot.value).toBe('completedEndOfDay');
    expect(after.snapshot.context.ledger.fill).toEqual([3]);
  });

  it('cancel asks the children to cancel; a fill after cancel is applied', () => {
    const r = run([
      spawn,
      cf('C1', 'e1', [2], 95.5),
      { type: 'CANCEL', reason: 'manual' },
      cf('C1', 'e2', [1], 95.6),
    ]);
    expect(r.snapshot.value).toBe('cancelled');
    expect(r.snapshot.context.ledger.fill).toEqual([3]);
    expect(r.emitted.map((e) => e.type)).toEqual(['fillApplied', 'cancelChildren', 'fillApplied']);
  });

  it('duplicate fill changes nothing; overfill applied and raised; unknown child reported and parked', () => {
    const r = run([
      spawn,
      cf('C1', 'e1', [4], 95.5),
      cf('C1', 'e1', [4], 95.5),
      cf('C1', 'e2', [3], 95.6),
      cf('C9', 'e3', [1], 95.6),
    ]);
    expect(r.snapshot.context.ledger.fill).toEqual([7]);
    expect(r.snapshot.context.ledger.overfill).toEqual([2]);
    expect(r.snapshot.context.pendingFills).toEqual([{ childId: 'C9', fill: fill('e3', [1], 95.6) }]);
    expect(r.emitted.map((e) => e.type)).toEqual([
      'fillApplied',
      'duplicateFill',
      'fillApplied',
      'overfilled',
      'unknownChildFill',
    ]);
  });

  it('a fill that arrives before its child is known is applied when the child is spawned', () => {
    const r = run([cf('C1', 'e1', [2], 95.5), spawn]);
    expect(r.snapshot.value).toBe('partiallyFilled');
    expect(r.snapshot.context.ledger.fill).toEqual([2]);
    expect(r.snapshot.context.pendingFills).toEqual([]);
  });

  it('spawning twice or with bad children is refused and changes nothing (C8)', () => {
    const r = run([spawn, spawn]);
    expect(r.snapshot.context.children).toHaveLength(1);
    expect(r.emitted.at(-1)).toMatchObject({ type: 'ignored', eventType: 'CHILDREN_SPAWNED' });
    const bad = run([
      { type: 'CHILDREN_SPAWNED', children: [{ orderId: 'C1', trade: [1, 1], contractDates: [PRICED] }] },
    ]);
    expect(bad.snapshot.value).toBe('new');
    expect(bad.emitted).toEqual([
      { type: 'spawnRefused', orderId: 'I1', reason: 'child C1 needs one contract date per leg' },
    ]);
  });

  it('a childless zero order completes at once (G1); a zero roll order waits for its children', () => {
    const zero = start(m, { order: instrumentOrder({ trade: [0] }) });
    expect(zero.snapshot.value).toBe('completed');
    expect(zero.emitted).toMatchObject([{ type: 'completed', mode: 'strict' }]);
  });
});

describe('instrument order: passive-roll distributed family (C4, F5)', () => {
  // t = 5, priced position p = -2 → priced child +2 (close it), forward child +3.
  const input = { order: instrumentOrder({ trade: [5] }) };
  const spawn: InstrumentOrderEvent = {
    type: 'CHILDREN_SPAWNED',
    children: [
      { orderId: 'C1', trade: [2], contractDates: [PRICED] },
      { orderId: 'C2', trade: [3], contractDates: [FORWARD] },
    ],
  };

  it('sums child fills, weights prices across contracts, completes when both children complete', () => {
    const r = stepAll(m, start(m, input).snapshot, [
      spawn,
      cf('C1', 'e1', [2], 95.5, T0 + 1),
      cf('C2', 'e2', [3], 95.4, T0 + 2),
      { type: 'CHILD_COMPLETED', childId: 'C2' },
    ]);
    expect(r.snapshot.context.family).toBe('distributed');
    expect(r.snapshot.value).toBe('filled');
    expect(r.snapshot.context.ledger.fill).toEqual([5]);
    expect(r.snapshot.context.ledger.filledPrice).toBeCloseTo((2 * 95.5 + 3 * 95.4) / 5, 12);
    const done = stepAll(m, r.snapshot, [{ type: 'CHILD_COMPLETED', childId: 'C1' }]);
    expect(done.snapshot.value).toBe('completed');
  });

  it('children that do not add up to the trade are an unsupported family: reported, fills not applied', () => {
    const r = stepAll(m, start(m, input).snapshot, [
      {
        type: 'CHILDREN_SPAWNED',
        children: [{ orderId: 'C1', trade: [-1, 1], contractDates: [PRICED, FORWARD] }],
      },
      cf('C1', 'e1', [-1, 1], 0.1),
    ]);
    expect(r.snapshot.context.family).toBe('unsupported');
    expect(r.snapshot.context.ledger.fill).toEqual([0]);
    expect(r.emitted.map((e) => e.type)).toEqual(['unsupportedFamily']);
  });
});

describe('instrument order: zero-trade roll family (FORCE, FORCELEG; F7)', () => {
  const order = instrumentOrder({
    strategyName: ROLL_PSEUDO_STRATEGY,
    trade: [0],
    orderType: 'Zero-roll-order',
    rollOrder: true,
  });

  it('FORCE spread child: filled from the start, completes with the child, never moves the strategy position', () => {
    const s0 = start(m, {
      order,
      children: [{ orderId: 'C1', trade: [-2, 2], contractDates: [PRICED, FORWARD] }],
    });
    expect(s0.snapshot.value).toBe('filled');
    expect(s0.snapshot.context.family).toBe('zeroTradeRoll');
    const r = stepAll(m, s0.snapshot, [
      cf('C1', 'e1', [-2, 2], -0.05),
      { type: 'CHILD_COMPLETED', childId: 'C1' },
    ]);
    expect(r.snapshot.value).toBe('completed');
    expect(r.snapshot.context.ledger.fill).toEqual([0]);
    expect(r.snapshot.context.children[0]?.fill).toEqual([-2, 2]);
    expect(r.emitted.filter((e) => e.type === 'fillApplied')).toEqual([]);
  });

  it('FORCELEG outright children: completes only when both legs complete', () => {
    const s0 = start(m, {
      order,
      children: [
        { orderId: 'C1', trade: [-2], contractDates: [PRICED] },
        { orderId: 'C2', trade: [2], contractDates: [FORWARD] },
      ],
    });
    const one = stepAll(m, s0.snapshot, [{ type: 'CHILD_COMPLETED', childId: 'C1' }]);
    expect(one.snapshot.value).toBe('filled');
    const both = stepAll(m, one.snapshot, [{ type: 'CHILD_COMPLETED', childId: 'C2' }]);
    expect(both.snapshot.value).toBe('completed');
  });

  it('a zero roll order created without children waits in new', () => {
    expect(start(m, { order }).snapshot.value).toBe('new');
  });
});

describe('instrument order model', () => {
  it('reaches every state; live actor, pure step and model agree on every shortest path', async () => {
    const events: InstrumentOrderEvent[] = [
      {
        type: 'CHILDREN_SPAWNED',
        children: [
          { orderId: 'C1', trade: [2], contractDates: [PRICED] },
          { orderId: 'C2', trade: [3], contractDates: [FORWARD] },
        ],
      },
      cf('C1', 'e1', [2], 95.5),
      cf('C2', 'e2', [1], 95.4),
      cf('C2', 'e3', [2], 95.45),
      cf('C2', 'e4', [1], 95.45),
      cf('C7', 'e5', [1], 95.45),
      { type: 'CHILD_COMPLETED', childId: 'C1' },
      { type: 'CHILD_COMPLETED', childId: 'C2' },
      { type: 'CANCEL', reason: 'manual' },
      { type: 'END_OF_DAY' },
    ];
    const report = await checkModel(m, {
      input: { order: instrumentOrder({ trade: [5] }) },
      events,
      serialize: (s) => [s.value, s.context.childFillIds, s.context.children.map((c) => c.completed)],
      invariant: (s) => {
        const filled = s.context.ledger.fill[0] ?? 0;
        const childSum = s.context.children.reduce((a, c) => a + (c.fill[0] ?? 0), 0);
        expect(filled).toBe(childSum);
        expect(s.context.ledger.overfill[0]).toBe(Math.max(0, filled - 5));
        if (s.value === 'new' || s.value === 'childrenWorking') expect(filled).toBe(0);
        if (s.value === 'partiallyFilled') expect(filled > 0 && filled < 5).toBe(true);
        if (s.value === 'filled') expect(filled).toBeGreaterThanOrEqual(5);
        if (s.value === 'completed') {
          expect(filled).toBeGreaterThanOrEqual(5);
          expect(s.context.children.every((c) => c.completed)).toBe(true);
        }
        expect(s.context.active).toBe(!String(s.value).startsWith('completed'));
      },
    });
    expect(report.reached).toEqual(stateNames(m));
    expect(report.paths).toBeGreaterThan(50);
  });
});
