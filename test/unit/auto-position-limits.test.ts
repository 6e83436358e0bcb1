import { describe, expect, it } from 'vitest';
import {
  AutoLimitInputError,
  autoPositionLimit,
  checkAutoLimitParams,
  standardPosition,
} from '../../src/domain/strategy-orders/auto-position-limits.ts';

const P = { riskTarget: 0.25, idm: 2.5, instrumentWeight: 0.1, maxForecastRatio: 2 };

describe('autopopulated position limits', () => {
  it('capital × risk target × IDM × weight / annual risk, × 2 at the forecast cap, rounded up, at least 1', () => {
    expect(standardPosition(100_000, 5_000, P)).toBeCloseTo(1.25, 12); // 100000 × 0.0625 / 5000
    expect(autoPositionLimit(100_000, 5_000, P)).toBe(3); // ceil(2.5)
    expect(autoPositionLimit(1_000_000, 1_250, P)).toBe(100); // exactly 100
    expect(autoPositionLimit(10_000, 1_000_000, P)).toBe(1); // 0.00125: at least one contract
  });

  it('no limit without a risk figure or capital; bad figures are refused', () => {
    expect(autoPositionLimit(100_000, undefined, P)).toBeUndefined();
    expect(autoPositionLimit(100_000, 0, P)).toBeUndefined();
    expect(autoPositionLimit(0, 5_000, P)).toBeUndefined();
    expect(() => checkAutoLimitParams({ ...P, idm: 0 })).toThrow(AutoLimitInputError);
    expect(() => checkAutoLimitParams({ ...P, riskTarget: Number.NaN })).toThrow(
      'riskTarget must be a positive number, got NaN',
    );
  });
});
