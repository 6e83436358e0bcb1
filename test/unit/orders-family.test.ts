import { describe, expect, it } from 'vitest';
import {
  addChildren,
  classifyFamily,
  emptyLedger,
  isFamilyComplete,
  type ParentFillState,
  parentFillFromChild,
  recordChildFill,
} from '../../src/domain/orders/index.ts';

const fill = (fillId: string, qty: number[], price = 100) => ({ fillId, qty, price, datetime: 0 });
const base = (trade: number[]): ParentFillState => ({
  ledger: emptyLedger(trade),
  children: [],
  childFillIds: [],
  pendingFills: [],
});

describe('family classification (digest §2 F4, F5)', () => {
  it('single, distributed, zero-trade roll, unsupported', () => {
    expect(classifyFamily([5], [])).toBe('childless');
    expect(classifyFamily([5], [{ trade: [5] }])).toBe('single');
    expect(classifyFamily([5], [{ trade: [2] }, { trade: [3] }])).toBe('distributed');
    expect(classifyFamily([-5], [{ trade: [-2] }, { trade: [-3] }])).toBe('distributed');
    expect(classifyFamily([5], [{ trade: [6] }, { trade: [-1] }])).toBe('unsupported');
    expect(classifyFamily([5], [{ trade: [2] }, { trade: [2] }])).toBe('unsupported');
    expect(classifyFamily([0], [{ trade: [-2, 2] }])).toBe('zeroTradeRoll');
    expect(classifyFamily([0], [{ trade: [-2] }, { trade: [2] }])).toBe('zeroTradeRoll');
    expect(classifyFamily([2], [{ trade: [-2, 2] }])).toBe('unsupported');
  });

  it('strict completion vs end of day (G1, G2)', () => {
    expect(isFamilyComplete('strict', [5], [5], [{ completed: true }])).toBe(true);
    expect(isFamilyComplete('strict', [5], [5], [{ completed: true }, { completed: false }])).toBe(false);
    expect(isFamilyComplete('strict', [5], [4], [{ completed: true }])).toBe(false);
    expect(isFamilyComplete('strict', [0], [0], [])).toBe(true);
    expect(isFamilyComplete('endOfDay', [5], [0], [{ completed: false }])).toBe(true);
  });
});

describe('recording child fills at the parent', () => {
  const spawned = addChildren(base([5]), [
    { orderId: 'C1', trade: [2], contractDates: ['20261200'] },
    { orderId: 'C2', trade: [3], contractDates: ['20270300'] },
  ]).state;

  it('passes distributed fills up and tracks each child', () => {
    const r1 = recordChildFill(spawned, 'C1', fill('e1', [2], 100), parentFillFromChild);
    const r2 = recordChildFill(r1.state, 'C2', fill('e2', [3], 101), parentFillFromChild);
    expect(r2.state.ledger.fill).toEqual([5]);
    expect(r2.state.ledger.filledPrice).toBeCloseTo(100.6, 12);
    expect(r2.state.children.map((c) => c.fill)).toEqual([[2], [3]]);
  });

  it('tracks without passing up when the family does not (zero-trade roll)', () => {
    const r = recordChildFill(spawned, 'C1', fill('e1', [2]), null);
    expect(r.outcome).toEqual({ kind: 'applied', parentFill: null });
    expect(r.state.ledger.fill).toEqual([0]);
    expect(r.state.children[0]?.fill).toEqual([2]);
  });

  it('parks an unknown child fill, dedupes it, and releases it when the child is added', () => {
    const r = recordChildFill(base([5]), 'C9', fill('e9', [1]), parentFillFromChild);
    expect(r.outcome).toEqual({ kind: 'unknownChild' });
    expect(recordChildFill(r.state, 'C9', fill('e9', [1]), parentFillFromChild).outcome).toEqual({
      kind: 'duplicate',
    });
    const added = addChildren(r.state, [{ orderId: 'C9', trade: [5], contractDates: ['20261200'] }]);
    expect(added.released).toEqual([{ childId: 'C9', fill: fill('e9', [1]) }]);
    expect(added.state.pendingFills).toEqual([]);
  });

  it('an invalid child fill changes nothing', () => {
    const r = recordChildFill(spawned, 'C1', fill('e1', [1, 1]), parentFillFromChild);
    expect(r.outcome).toEqual({ kind: 'invalid', reason: 'fill e1 has 2 legs, order has 1' });
    expect(r.state).toBe(spawned);
  });
});
