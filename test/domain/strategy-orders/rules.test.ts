import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bufferedTrade } from '../../../src/domain/strategy-orders/buffered.ts';
import {
  applyOverride,
  CLOSE_OVERRIDE,
  cumulativeOverride,
  parseOverride,
} from '../../../src/domain/strategy-orders/overrides.ts';
import {
  applyPositionLimits,
  applyPositionLimitToSingleLegTrade,
} from '../../../src/domain/strategy-orders/position-limits.ts';
import { pythonRound } from '../../../src/domain/strategy-orders/rounding.ts';

const pos = fc.integer({ min: -50, max: 50 });
const edge = fc.double({ min: -60, max: 60, noNaN: true });

describe('Python round (half to even)', () => {
  it('2.5 → 2, 3.5 → 4, −2.5 → −2, 2.4 → 2, −2.6 → −3', () => {
    expect([2.5, 3.5, -2.5, 2.4, -2.6, 0.5, -0.5].map(pythonRound)).toEqual([2, 4, -2, 2, -3, 0, 0]);
  });
});

describe('classic buffered rule (B2)', () => {
  it('trades to the rounded edge, not the mid (#460)', () => {
    expect(bufferedTrade(0, 2.6, 4.1)).toBe(3);
    expect(bufferedTrade(10, 2.6, 4.5)).toBe(-6);
    expect(bufferedTrade(3, 2.6, 4.5)).toBe(0);
    // comparison uses the unrounded edge: 2 < 2.4 so trade to round(2.4) = 2 → zero trade
    expect(bufferedTrade(2, 2.4, 3)).toBe(0);
    expect(() => bufferedTrade(0, 3, 2)).toThrow(/above upper/);
  });
  it('never trades inside the buffer; outside it lands on the rounded edge', () => {
    fc.assert(
      fc.property(pos, edge, edge, (a, x, y) => {
        const [lower, upper] = x <= y ? [x, y] : [y, x];
        const t = bufferedTrade(a, lower, upper);
        if (a >= lower && a <= upper) expect(t).toBe(0);
        else expect(a + t).toBe(pythonRound(a < lower ? lower : upper));
      }),
    );
  });
});

describe('overrides (B3)', () => {
  it('precedence: no-trading > close > reduce-only > float; floats multiply', () => {
    const half = parseOverride(0.5);
    expect(cumulativeOverride([half, parseOverride(0.5)])).toEqual({ type: 'float', value: 0.25 });
    expect(cumulativeOverride([half, parseOverride('reduce_only')])).toEqual({ type: 'reduce_only' });
    expect(cumulativeOverride([parseOverride('reduce_only'), CLOSE_OVERRIDE])).toEqual(CLOSE_OVERRIDE);
    expect(cumulativeOverride([CLOSE_OVERRIDE, parseOverride('no_trading'), undefined])).toEqual({
      type: 'no_trading',
    });
    expect(() => parseOverride(1.5)).toThrow(/\[0, 1\]/);
    expect(() => parseOverride('maybe')).toThrow(/unknown override/);
  });
  it('float: floor((P + t) f) − P, shorts more negative', () => {
    expect(applyOverride({ type: 'float', value: 0.5 }, 0, 5)).toBe(2);
    expect(applyOverride({ type: 'float', value: 0.5 }, 0, -5)).toBe(-3);
    expect(applyOverride(CLOSE_OVERRIDE, 4, 3)).toBe(-4);
  });
  it('reduce-only: flip → close; growth → 0; otherwise kept', () => {
    expect(applyOverride({ type: 'reduce_only' }, 3, -5)).toBe(-3);
    expect(applyOverride({ type: 'reduce_only' }, 3, 2)).toBe(0);
    expect(applyOverride({ type: 'reduce_only' }, 3, -2)).toBe(-2);
    expect(applyOverride({ type: 'reduce_only' }, 0, 2)).toBe(0);
    expect(applyOverride({ type: 'no_trading' }, 3, -2)).toBe(0);
  });
  it('reduce-only never increases |position| nor flips its sign', () => {
    fc.assert(
      fc.property(pos, pos, (p, t) => {
        const n = p + applyOverride({ type: 'reduce_only' }, p, t);
        expect(Math.abs(n)).toBeLessThanOrEqual(Math.abs(p));
        expect(n === 0 || Math.sign(n) === Math.sign(p)).toBe(true);
      }),
    );
  });
});

describe('position limits (B4): the reference doctest of position_limits.py', () => {
  const cases: Array<[number, number, number, number]> = [
    [1, 1, 0, 0],
    [5, 1, 0, -4],
    [0, 3, 1, 1],
    [0, 3, 2, 2],
    [0, 3, 3, 3],
    [0, 3, 4, 3],
    [0, 3, -1, -1],
    [0, 3, -2, -2],
    [0, 3, -3, -3],
    [0, 3, -4, -3],
    [2, 3, 1, 1],
    [2, 3, 2, 1],
    [2, 3, -2, -2],
    [2, 3, -4, -4],
    [2, 3, -5, -5],
    [2, 3, -6, -5],
    [5, 3, 2, -2],
    [5, 3, -1, -2],
    [5, 3, -2, -2],
    [5, 3, -9, -8],
    [-2, 3, -1, -1],
    [-2, 3, -2, -1],
    [-5, 3, -2, 2],
    [-5, 3, 1, 2],
    [-5, 3, 2, 2],
    [-5, 3, 7, 7],
    [-5, 3, 9, 8],
    [-3, 3, 7, 6],
    [3, 3, -7, -6],
    [3, 0, -7, -3],
    [3, 0, 0, -3],
    [3, 0, 7, -3],
    [-3, 0, 2, 3],
    [-3, 0, 4, 3],
    [-3, 0, -3, 3],
    [3, 1, 2, -2],
    [3, 1, -2, -2],
    [3, 1, -4, -4],
    [3, 1, -5, -4],
  ];
  it.each(cases)('position %i, limit %i, trade %i → %i', (p, l, t, want) => {
    expect(applyPositionLimitToSingleLegTrade(p, l, t)).toBe(want);
  });
  it('the result never leaves the position beyond the limit', () => {
    fc.assert(
      fc.property(pos, fc.integer({ min: 0, max: 20 }), pos, (p, l, t) => {
        expect(Math.abs(p + applyPositionLimitToSingleLegTrade(p, l, t))).toBeLessThanOrEqual(l);
      }),
    );
  });
  it('both limits: the more conservative trade wins', () => {
    // long: instrument limit allows 2 more, strategy limit 5 more → 2
    expect(
      applyPositionLimits({
        trade: 6,
        strategy_position: 1,
        instrument_position: 4,
        instrument_limit: 6,
        strategy_instrument_limit: 6,
      }),
    ).toBe(2);
    // a strategy limit forces a reduction even with no trade
    expect(
      applyPositionLimits({
        trade: 0,
        strategy_position: 5,
        instrument_position: 5,
        strategy_instrument_limit: 1,
      }),
    ).toBe(-4);
    expect(
      applyPositionLimits({
        trade: 0,
        strategy_position: -5,
        instrument_position: -5,
        strategy_instrument_limit: 1,
      }),
    ).toBe(4);
  });
  it('the combined rule is min of the two single-leg trades when long or flat, max when short', () => {
    fc.assert(
      fc.property(
        pos,
        pos,
        pos,
        fc.integer({ min: 0, max: 20 }),
        fc.integer({ min: 0, max: 20 }),
        (p, other, t, li, ls) => {
          const instrument = p + other;
          const a = applyPositionLimitToSingleLegTrade(instrument, li, t);
          const b = applyPositionLimitToSingleLegTrade(p, ls, t);
          const trade = applyPositionLimits({
            trade: t,
            strategy_position: p,
            instrument_position: instrument,
            instrument_limit: li,
            strategy_instrument_limit: ls,
          });
          expect(trade).toBe((instrument >= 0 ? Math.min(a, b) : Math.max(a, b)) + 0); // no −0
        },
      ),
    );
  });
  it('one limit set: its single-leg rule alone (the reference would also weigh the unlimited trade)', () => {
    const one = { trade: -10, strategy_position: 0, instrument_position: 0 };
    expect(applyPositionLimits({ ...one, instrument_limit: 2 })).toBe(-2);
    expect(applyPositionLimits({ ...one, strategy_instrument_limit: 3 })).toBe(-3);
    expect(applyPositionLimits(one)).toBe(-10);
  });
  it('the reference rule can break a limit: flat, selling 5, limits 1 and 3 → −3', () => {
    expect(
      applyPositionLimits({
        trade: -5,
        strategy_position: 0,
        instrument_position: 0,
        instrument_limit: 1,
        strategy_instrument_limit: 3,
      }),
    ).toBe(-3);
  });
});

describe('the single-leg rule is a clip of the new position', () => {
  it('equals clip(p + t, −L, L) − p for every input', () => {
    fc.assert(
      fc.property(pos, fc.integer({ min: 0, max: 20 }), pos, (p, l, t) => {
        expect(applyPositionLimitToSingleLegTrade(p, l, t)).toBe(Math.min(Math.max(p + t, -l), l) - p);
      }),
    );
  });
  it('when other strategies hold too much, the instrument limit forces this strategy to sell', () => {
    // instrument 10 > 3: the single-leg rule asks for −7; the strategy limit allows 0 → min −7
    expect(
      applyPositionLimits({
        trade: 0,
        strategy_position: 0,
        instrument_position: 10,
        instrument_limit: 3,
        strategy_instrument_limit: 5,
      }),
    ).toBe(-7);
  });
});
