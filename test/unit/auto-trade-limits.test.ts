import { describe, expect, it } from 'vitest';
import { AutoLimitInputError } from '../../src/domain/strategy-orders/auto-position-limits.ts';
import {
  adjustedTradeMultiplier,
  autoTradeLimit,
  checkAutoTradeLimitParams,
} from '../../src/domain/strategy-orders/auto-trade-limits.ts';

const P = { riskTarget: 0.25, idm: 2.5, instrumentWeight: 0.1, tradeMultiplier: 0.33, periodDays: 1 };

describe('autopopulated trade limits', () => {
  it('standard position × sqrt(days) × trade multiplier, rounded up, at least 4', () => {
    // standard position 1_000_000 × 0.0625 / 1_250 = 50; × 0.33 = 16.5 → 17
    expect(autoTradeLimit(1_000_000, 1_250, P)).toBe(17);
    // over 4 days: × sqrt(4) = 2 → 33
    expect(adjustedTradeMultiplier({ ...P, periodDays: 4 })).toBeCloseTo(0.66, 12);
    expect(autoTradeLimit(1_000_000, 1_250, { ...P, periodDays: 4 })).toBe(33);
    // over 2 days: 50 × 0.33 × 1.41421 = 23.33 → 24
    expect(autoTradeLimit(1_000_000, 1_250, { ...P, periodDays: 2 })).toBe(24);
    // exactly 100: 1_000_000 × 0.0625 / 625 = 100, trade multiplier 1
    expect(autoTradeLimit(1_000_000, 625, { ...P, tradeMultiplier: 1 })).toBe(100);
    // 100_000 × 0.0625 / 5_000 = 1.25; × 0.33 = 0.41: the floor of 4
    expect(autoTradeLimit(100_000, 5_000, P)).toBe(4);
    // 12.5 × 0.33 = 4.125 → 5 (just over the floor)
    expect(autoTradeLimit(100_000, 500, P)).toBe(5);
  });

  it('no limit without a risk figure or capital; bad figures are refused', () => {
    expect(autoTradeLimit(100_000, undefined, P)).toBeUndefined();
    expect(autoTradeLimit(100_000, 0, P)).toBeUndefined();
    expect(autoTradeLimit(0, 5_000, P)).toBeUndefined();
    expect(() => checkAutoTradeLimitParams({ ...P, tradeMultiplier: 0 })).toThrow(
      'tradeMultiplier must be a positive number, got 0',
    );
    expect(() => checkAutoTradeLimitParams({ ...P, periodDays: 1.5 })).toThrow(AutoLimitInputError);
    expect(() => checkAutoTradeLimitParams({ ...P, periodDays: 4000 })).toThrow(
      'periodDays must be a whole number of days from 1 to 3650, got 4000',
    );
    expect(() => checkAutoTradeLimitParams({ ...P, idm: Number.NaN })).toThrow(
      'idm must be a positive number',
    );
  });
});
