import { describe, expect, it } from 'vitest';
import {
  adversePriceMove,
  adverseSizeIssue,
  contractPositionBreaks,
  imbalance,
  isValidSnapshot,
  marketAboutToClose,
  midPrice,
  offsidePrice,
  type PriceSnapshot,
  roundToTick,
  sidePrice,
} from '../../src/domain/orders/index.ts';

const s = (bid: number, ask: number, bidSize: number, askSize: number): PriceSnapshot => ({
  bid,
  ask,
  bidSize,
  askSize,
  at: 0,
});

describe('execution maths (digest §2 E2)', () => {
  it('side, offside and mid prices', () => {
    const q = s(99, 101, 10, 20);
    expect([sidePrice(1, q), offsidePrice(1, q), sidePrice(-1, q), offsidePrice(-1, q), midPrice(q)]).toEqual(
      [101, 99, 99, 101, 100],
    );
  });

  it('imbalance and the adverse size issue (threshold 5, adj factor 3)', () => {
    expect(imbalance(1, s(99, 101, 60, 10))).toBe(6);
    expect(imbalance(1, s(99, 101, 60, 0))).toBe(9999);
    expect(adverseSizeIssue(1, s(99, 101, 60, 10), 4)).toBe(true); // 6 > 5 and 10 < 12
    expect(adverseSizeIssue(1, s(99, 101, 60, 10), 3)).toBe(false); // 10 < 9 fails
    expect(adverseSizeIssue(1, s(99, 101, 50, 10), 4)).toBe(false); // 5 is not > 5
    expect(adverseSizeIssue(-1, s(99, 101, 10, 60), 4)).toBe(true);
  });

  it('adverse price moves: buying and the bid rose; selling and the offer fell', () => {
    const ref = s(99, 101, 1, 1);
    expect(adversePriceMove(1, ref, s(99.5, 101, 1, 1))).toBe(true);
    expect(adversePriceMove(1, ref, s(98.5, 101, 1, 1))).toBe(false);
    expect(adversePriceMove(-1, ref, s(99, 100.5, 1, 1))).toBe(true);
    expect(adversePriceMove(-1, ref, s(99, 101.5, 1, 1))).toBe(false);
  });

  it('market about to close: under 30 minutes left; unknown close never closes', () => {
    expect(marketAboutToClose(0, 29 * 60_000)).toBe(true);
    expect(marketAboutToClose(0, 30 * 60_000)).toBe(false);
    expect(marketAboutToClose(10, 0)).toBe(true);
    expect(marketAboutToClose(0, null)).toBe(false);
  });

  it('tick rounding is half-even like Python round()', () => {
    expect(roundToTick(95.5025, 0.005)).toBe(95.5);
    expect(roundToTick(95.5075, 0.005)).toBe(95.51);
    expect(roundToTick(2.5, 1)).toBe(2);
    expect(roundToTick(3.5, 1)).toBe(4);
    expect(roundToTick(95.5031, 0.005)).toBe(95.505);
    expect(roundToTick(1234.3, 0.25)).toBe(1234.25);
  });

  it('valid snapshots need finite prices and sizes and a non-crossed book', () => {
    expect(isValidSnapshot(s(99, 101, 1, 1))).toBe(true);
    expect(isValidSnapshot(s(Number.NaN, 101, 1, 1))).toBe(false);
    expect(isValidSnapshot(s(102, 101, 1, 1))).toBe(false);
  });
});

describe('external position breaks (digest §2 H1)', () => {
  it('compares per contract, a missing contract counting as 0', () => {
    expect(contractPositionBreaks({ a: 1, b: 2 }, { a: 1, b: 2 })).toEqual([]);
    expect(contractPositionBreaks({ a: 1 }, { a: 1, b: 0 })).toEqual([]);
    expect(contractPositionBreaks({ a: 1 }, { b: 1 })).toEqual([
      { contractDate: 'a', ours: 1, broker: 0 },
      { contractDate: 'b', ours: 0, broker: 1 },
    ]);
  });
});
