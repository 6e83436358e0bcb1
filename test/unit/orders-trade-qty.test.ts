import { describe, expect, it } from 'vitest';
import {
  addQty,
  assertTradeQty,
  cutToSmallestLeg,
  fillWithinTrade,
  isFullyFilled,
  overfillQty,
  remainingQty,
  spreadPrice,
  spreadRatios,
  totalAbsQty,
} from '../../src/domain/orders/index.ts';

describe('trade quantities (digest §1.0)', () => {
  it('leg arithmetic, totals, within-trade rule', () => {
    expect(addQty([1, -2], [2, -1])).toEqual([3, -3]);
    expect(() => addQty([1], [1, 2])).toThrow('leg count differs: 1 vs 2');
    expect(totalAbsQty([-1, 1])).toBe(2);
    expect(fillWithinTrade([2], [3])).toBe(true);
    expect(fillWithinTrade([-1], [3])).toBe(false);
    expect(fillWithinTrade([4], [3])).toBe(false);
    expect(() => assertTradeQty([1, 2.5])).toThrow('trade leg 1 must be an integer, got 2.5');
    expect(() => assertTradeQty([])).toThrow('trade must be a non-empty list of legs');
  });

  it('remaining never reverses; an overfilled leg counts as filled', () => {
    expect(remainingQty([5], [2])).toEqual([3]);
    expect(remainingQty([5], [7])).toEqual([0]);
    expect(remainingQty([-5], [-2])).toEqual([-3]);
    expect(isFullyFilled([5], [7])).toBe(true);
    expect(overfillQty([7, -4], [5, -5])).toEqual([2, 0]);
    expect(overfillQty([0], [1])).toEqual([0]);
    expect(overfillQty([1], [0])).toEqual([1]);
  });

  it('spread ratios and price: [-2, 2] → [1, -1], price p1 − p2', () => {
    expect(spreadRatios([-2, 2])).toEqual([1, -1]);
    expect(spreadRatios([1, -2, 1])).toEqual([1, -2, 1]);
    expect(spreadPrice([-2, 2], [100.5, 100])).toBeCloseTo(0.5, 12);
  });

  it('smallest leg cut to the size limit, unchanged when not integral ([-3,4,-3] stays)', () => {
    expect(cutToSmallestLeg([5], 1)).toEqual([1]);
    expect(cutToSmallestLeg([-5], 1)).toEqual([-1]);
    expect(cutToSmallestLeg([-2, 2], 1)).toEqual([-1, 1]);
    expect(cutToSmallestLeg([-3, 4, -3], 1)).toEqual([-3, 4, -3]);
    expect(cutToSmallestLeg([1], 1)).toEqual([1]);
    expect(cutToSmallestLeg([0], 1)).toEqual([0]);
  });
});
