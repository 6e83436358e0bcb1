import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  spreadFilledPrice,
  addCommission,
  applyFill,
  emptyLedger,
  type Fill,
  type FillLedger,
} from '../../src/domain/orders/index.ts';

const f = (fillId: string, qty: number[], price: number, datetime = 0, extra: Partial<Fill> = {}): Fill => ({
  fillId,
  qty,
  price,
  datetime,
  ...extra,
});
const fold = (trade: number[], fills: Fill[]) =>
  fills.reduce((l, x) => applyFill(l, x).ledger, emptyLedger(trade));

describe('fill ledger (digest §2 F, explicit choices §10)', () => {
  it('partial fills accumulate; price is quantity-weighted; fill time is the latest', () => {
    const l = fold([10], [f('a', [2], 100, 30), f('b', [3], 101, 10), f('c', [5], 102, 20)]);
    expect(l.fill).toEqual([10]);
    expect(l.filledPrice).toBeCloseTo((2 * 100 + 3 * 101 + 5 * 102) / 10, 12);
    expect(l.filledPrice).toBeCloseTo(101.3, 12);
    expect(l.fillDatetime).toBe(30);
    expect(l.overfill).toEqual([0]);
  });

  it('the reference unweighted mean would differ: (100 + 102) / 2 = 101 vs weighted 101.6', () => {
    const l = fold([5], [f('a', [1], 100), f('b', [4], 102)]);
    expect(l.filledPrice).toBeCloseTo(101.6, 12);
  });

  it('sells: negative quantities, weights by absolute size', () => {
    const l = fold([-4], [f('a', [-1], 50), f('b', [-3], 54)]);
    expect(l.fill).toEqual([-4]);
    expect(l.filledPrice).toBeCloseTo(53, 12);
  });

  it('overfill: applied, recorded per leg, reported only when it grows', () => {
    const l0 = fold([3], [f('a', [2], 10)]);
    const r1 = applyFill(l0, f('b', [2], 11));
    expect(r1.outcome).toEqual({ kind: 'overfilled', delta: [2], overfill: [1] });
    expect(r1.ledger.fill).toEqual([4]);
    const wrongSide = applyFill(emptyLedger([3]), f('x', [-1], 10));
    expect(wrongSide.outcome).toEqual({ kind: 'overfilled', delta: [-1], overfill: [1] });
  });

  it('duplicate fill ids change nothing (same ledger object)', () => {
    const l0 = fold([3], [f('a', [2], 10)]);
    const r = applyFill(l0, f('a', [2], 10));
    expect(r.outcome).toEqual({ kind: 'duplicate' });
    expect(r.ledger).toBe(l0);
  });

  it('invalid fills are refused with a reason naming what is wrong, ledger unchanged', () => {
    const l0 = emptyLedger([1, -1]);
    const cases: Array<[Fill, string]> = [
      [f('a', [1], 1), 'fill a has 1 legs, order has 2'],
      [f('b', [1.5, -1], 1), 'fill b quantity must be integers'],
      [f('c', [0, 0], 1), 'fill c has zero quantity'],
      [f('d', [1, -1], Number.NaN), 'fill d price is not a finite number'],
      [f('', [1, -1], 1), 'fill id is empty'],
      [f('e', [1, -1], 1, 0, { legPrices: [1] }), 'fill e leg prices do not match 2 legs'],
    ];
    for (const [fill, reason] of cases) {
      const r = applyFill(l0, fill);
      expect(r.outcome).toEqual({ kind: 'invalid', reason });
      expect(r.ledger).toBe(l0);
    }
  });

  it('spread fills: spread price weighted, per-leg prices weighted by leg size', () => {
    const l = fold(
      [-2, 2],
      [
        f('a', [-1, 1], 0.5, 0, { legPrices: [100.5, 100] }),
        f('b', [-1, 1], 0.7, 0, { legPrices: [100.9, 100.2] }),
      ],
    );
    expect(l.fill).toEqual([-2, 2]);
    expect(l.filledPrice).toBeCloseTo(0.6, 12);
    expect(l.legFilledPrices[0]).toBeCloseTo(100.7, 12);
    expect(l.legFilledPrices[1]).toBeCloseTo(100.1, 12);
  });

  it('spread fills reported per leg: each leg at its own price; the spread price is priced − forward', () => {
    const l = fold(
      [-2, 2],
      [
        f('a', [-1, 0], 2000.5, 0),
        f('b', [0, 1], 2010, 0),
        f('c', [-1, 1], 0, 0, { legPrices: [2000.7, 2010.2] }),
      ],
    );
    expect(l.legFilledPrices[0]).toBeCloseTo(2000.6, 12);
    expect(l.legFilledPrices[1]).toBeCloseTo(2010.1, 12);
    expect(spreadFilledPrice(l)).toBeCloseTo(2000.6 - 2010.1, 12);
    expect(spreadFilledPrice(fold([-2, 2], [f('a', [-1, 0], 2000.5, 0)]))).toBeNull();
  });

  it('commission adds up at fill time and later', () => {
    const l = addCommission(fold([2], [f('a', [1], 1, 0, { commission: 1.5 })]), 0.25);
    expect(l.commission).toBeCloseTo(1.75, 12);
    expect(addCommission(l, Number.NaN)).toBe(l);
  });
});

describe('property: any permutation of fills with duplicates', () => {
  const fillArb = fc.record({
    qty: fc.integer({ min: 1, max: 20 }),
    price: fc.double({ min: 1, max: 1000, noNaN: true }),
    datetime: fc.integer({ min: 0, max: 1_000_000 }),
  });
  it('cumulative quantity = sum of distinct fills; average price = quantity-weighted mean', () => {
    fc.assert(
      fc.property(
        fc.array(fillArb, { minLength: 1, maxLength: 12 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        fc.constantFrom(1, -1),
        (distinct, dupPicks, seed, sign) => {
          const fills = distinct.map((d, i) => f(`x${i}`, [sign * d.qty], d.price, d.datetime));
          const withDups = [...fills, ...dupPicks.map((p) => fills[p % fills.length] as Fill)];
          // deterministic shuffle from the seed
          let s = seed;
          const shuffled = [...withDups];
          for (let i = shuffled.length - 1; i > 0; i--) {
            s = (s * 1103515245 + 12345) % 2 ** 31;
            const j = s % (i + 1);
            [shuffled[i], shuffled[j]] = [shuffled[j] as Fill, shuffled[i] as Fill];
          }
          const total = distinct.reduce((a, d) => a + d.qty, 0);
          const l: FillLedger = fold([sign * total], shuffled);
          expect(l.fill).toEqual([sign * total]);
          expect(l.fillIds.length).toBe(distinct.length);
          const weighted = distinct.reduce((a, d) => a + d.qty * d.price, 0) / total;
          expect(l.filledPrice).toBeCloseTo(weighted, 6);
          expect(l.fillDatetime).toBe(Math.max(...distinct.map((d) => d.datetime)));
          expect(l.overfill).toEqual([0]);
        },
      ),
      { numRuns: 300 },
    );
  });
});
