import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ewmMean, ewmStd, ewmVar } from '../../../src/domain/ewm.ts';
import { rollingQuantile } from '../../../src/domain/system/rolling-quantile.ts';
import { ewmac } from '../../../src/domain/system/rules.ts';
import { diff } from '../../../src/domain/system/series.ts';
import { mixedVolCalc, robustVolCalc } from '../../../src/domain/system/vol.ts';
import { loadSyscoreFixture } from './fixtures.ts';

const last = (x: Float64Array) => x[x.length - 1]!;
/** Equal within a couple of units in the last place (the oracles were checked to 1 ulp). */
const expectUlp = (got: number, want: number, ulps = 2) =>
  expect(Math.abs(got - want)).toBeLessThanOrEqual(ulps * Number.EPSILON * Math.abs(want));

describe('pandas ewm reproduction', () => {
  it('ewm mean with adjust=True, com 1, by hand', () => {
    const m = ewmMean(Float64Array.from([1, 2, 3]), { com: 1 });
    expect(Array.from(m)).toEqual([1, 2.5 / 1.5, 4.25 / 1.75]);
  });
  it('a NaN row still decays the old weights (ignore_na=False)', () => {
    const m = ewmMean(Float64Array.from([1, Number.NaN, 3]), { com: 1 });
    expect(m[1]).toBe(1);
    expect(m[2]).toBe((0.25 * 1 + 3) / 1.25);
  });
  it('min_periods hides early values; span 3 equals com 1', () => {
    const x = Float64Array.from([4, 5, 7, 1]);
    expect(Array.from(ewmMean(x, { span: 3 }, { minPeriods: 3 })).slice(0, 2)).toEqual([
      Number.NaN,
      Number.NaN,
    ]);
    expect(ewmMean(x, { span: 3 })).toEqual(ewmMean(x, { com: 1 }));
  });
  it('unbiased ewm var of two points equals the sample variance', () => {
    const v = ewmVar(Float64Array.from([1, 3]), { com: 5 });
    expect(Number.isNaN(v[0]!)).toBe(true);
    expect(v[1]).toBeCloseTo(2, 12);
    expect(ewmStd(Float64Array.from([2, 2, 2]), { span: 35 })[2]).toBe(0);
  });
});

describe('robust_vol_calc against pysystemtrade test_algos.py oracles', () => {
  it('min_periods=9 on pricetestdata_min_period.csv gives 0.45829858614978286; 10 gives NaN', () => {
    const r = diff(loadSyscoreFixture('pricetestdata_min_period.csv'));
    expect(last(robustVolCalc(r, { minPeriods: 9 }))).toBe(0.45829858614978286);
    expect(Number.isNaN(last(robustVolCalc(r, { minPeriods: 10 })))).toBe(true);
  });
  it('vol_abs_min=0.01 on pricetestdata_zero_vol.csv gives 0.01', () => {
    expect(
      last(robustVolCalc(diff(loadSyscoreFixture('pricetestdata_zero_vol.csv')), { volAbsMin: 0.01 })),
    ).toBe(0.01);
  });
  it('days=35 and days=100 on pricetestdata.csv', () => {
    const r = diff(loadSyscoreFixture('pricetestdata.csv'));
    expectUlp(last(robustVolCalc(r, { days: 35 })), 0.41905275480464305);
    expectUlp(last(robustVolCalc(r, { days: 100 })), 0.43906619578902956);
  });
  it('vol floor on pricetestdata_vol_floor.csv (linear quantile, today pandas)', () => {
    const r = diff(loadSyscoreFixture('pricetestdata_vol_floor.csv'));
    expect(last(robustVolCalc(r, { volFloor: false }))).toBeCloseTo(0.42134038479240132, 15);
    expect(last(robustVolCalc(r, { floorMinPeriods: 500 }))).toBeCloseTo(0.42134038479240132, 15);
    expect(last(robustVolCalc(r))).toBe(0.5520392213689748);
    expect(last(robustVolCalc(r, { floorMinQuant: 0.5 }))).toBe(1.6589635876672018);
    expect(last(robustVolCalc(r, { floorDays: 10, floorMinPeriods: 5 }))).toBe(0.42683730016922145);
  });
  it('mixed vol is 0.3 slow (span 10 × 256) + 0.7 fast and never below the absolute minimum', () => {
    // span, not centre of mass: sysquant/estimators/vol.py mixed_vol_calc, ewm(span=slow_vol_days)
    const r = diff(loadSyscoreFixture('pricetestdata.csv'));
    const fast = ewmStd(r, { span: 35 }, { minPeriods: 10 });
    const slow = ewmMean(fast, { span: 10 * 256 });
    const mixed = mixedVolCalc(r, { slowVolYears: 10 });
    expect(last(mixed)).toBeCloseTo(0.3 * last(slow) + 0.7 * last(fast), 14);
    expect(Array.from(mixed).every((v) => Number.isNaN(v) || v >= 1e-10)).toBe(true);
  });
});

describe('EWMAC against the commented-out test_algos.py oracle', () => {
  it('ewmac 2/8 and 100/500 on pricetestdata.csv', () => {
    const p = loadSyscoreFixture('pricetestdata.csv');
    const vol = robustVolCalc(diff(p));
    expect(p.length).toBe(528);
    expectUlp(last(ewmac(p, vol, 2, 8)), -0.58728633970596145);
    expect(last(ewmac(p, vol, 100, 500))).toBeCloseTo(20.914172249098829, 11);
  });
});

describe('rolling quantile', () => {
  const naive = (x: number[], w: number, minp: number, q: number) =>
    x.map((_, i) => {
      const win = x.slice(Math.max(0, i - w + 1), i + 1).filter((v) => !Number.isNaN(v));
      if (win.length < Math.max(minp, 1)) return Number.NaN;
      win.sort((a, b) => a - b);
      const h = q * (win.length - 1);
      const lo = Math.floor(h);
      return lo === h ? win[lo]! : win[lo]! + (win[lo + 1]! - win[lo]!) * (h - lo);
    });
  it('matches a naive sort-each-window implementation', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.integer({ min: -400, max: 400 }).map((i) => i / 4),
            fc.constant(Number.NaN),
          ),
          {
            maxLength: 60,
          },
        ),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 0, max: 6 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (x, w, minp, q) => {
          const got = Array.from(rollingQuantile(Float64Array.from(x), w, minp, q));
          expect(got).toEqual(naive(x, w, minp, q));
        },
      ),
    );
  });
});
