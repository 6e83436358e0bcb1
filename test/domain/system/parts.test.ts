import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseNaiveTimestamp } from '../../../src/domain/prices/time.ts';
import { applyBuffers, bufferSize } from '../../../src/domain/system/buffers.ts';
import {
  businessDayOf,
  civilFromEpochDay,
  epochDayFromCivil,
  epochDayOfBusinessDay,
} from '../../../src/domain/system/calendar.ts';
import { combineForecasts, scaleAndCap, smoothedFixedWeights } from '../../../src/domain/system/forecasts.ts';
import {
  dailyCashVolTarget,
  dailyPercentageVolatility,
  instrumentValueVol,
  subsystemPosition,
  volScalar,
} from '../../../src/domain/system/position-sizing.ts';
import { annualisedRoll, contractYearFraction } from '../../../src/domain/system/rules.ts';
import { asofMidnight, reindexFfill, resampleLast, resampleMean } from '../../../src/domain/system/series.ts';
import { parseAdjustedPricesCsv, parseMultiplePricesCsv } from '../../../src/store/csv/price-files.ts';

const day = (s: string) => Math.floor(parseNaiveTimestamp(s)! / 86_400_000);

describe('business-day calendar (pandas 1B bins)', () => {
  it('round-trips civil dates and epoch days', () => {
    expect(epochDayFromCivil(1970, 1, 1)).toBe(0);
    expect(civilFromEpochDay(epochDayFromCivil(2023, 8, 31))).toBe('2023-08-31');
    expect(civilFromEpochDay(epochDayFromCivil(1972, 2, 29))).toBe('1972-02-29');
  });
  it('weekends fall into the Friday bin; Monday is the next business day', () => {
    const fri = businessDayOf(day('2023-08-25'));
    expect(businessDayOf(day('2023-08-26 10:00:00'))).toBe(fri);
    expect(businessDayOf(day('2023-08-27'))).toBe(fri);
    expect(businessDayOf(day('2023-08-28'))).toBe(fri + 1);
    expect(civilFromEpochDay(epochDayOfBusinessDay(fri))).toBe('2023-08-25');
  });
  it('rejects malformed timestamps', () => {
    for (const bad of ['2023/08/25', '2023-13-01', '2023-02-30', '2023-08-25 24:00:00', '2023-08-2x'])
      expect(parseNaiveTimestamp(bad)).toBeUndefined();
    expect(parseNaiveTimestamp('2023-08-25 13:05:09')).toBe(Date.UTC(2023, 7, 25, 13, 5, 9));
  });
  it('civil dates and epoch days round-trip over 1900..2100 (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -25_567, max: 47_482 }), (z) => {
        const civil = civilFromEpochDay(z);
        expect(day(civil)).toBe(z);
        const [y, m, d] = civil.split('-').map(Number) as [number, number, number];
        expect(epochDayFromCivil(y, m, d)).toBe(z);
      }),
    );
  });
});

describe('CSV readers (the shared strict readers of src/store/csv)', () => {
  it('reads adjusted prices with empty fields as NaN', () => {
    const p = parseAdjustedPricesCsv(
      'DATETIME,price\n2023-08-30 23:00:00,1.5\n2023-08-31 14:00:00,\n',
      'a.csv',
    );
    expect(Array.from(p.values)).toEqual([1.5, Number.NaN]);
    expect(p.times[1]).toBe(Date.UTC(2023, 7, 31, 14));
  });
  it('names the bad file and line', () => {
    expect(() => parseAdjustedPricesCsv('DATETIME,price\nyesterday,1\n', 'a.csv')).toThrow(
      /^a\.csv:2: DATETIME/,
    );
    expect(() => parseAdjustedPricesCsv('DATETIME,price\n2023-08-30,abc\n', 'a.csv')).toThrow(
      /^a\.csv:2: price is not a number/,
    );
    expect(() => parseMultiplePricesCsv('DATETIME,PRICE\n', 'm.csv')).toThrow(/^m\.csv:1: header must be/);
  });
  it('FX on the grid is the last rate stamped at or before midnight (reindex, method="ffill")', () => {
    const ms = (d: string) => parseNaiveTimestamp(d)!;
    const fx = {
      times: [ms('2023-08-24 23:00:00'), ms('2023-08-25 23:00:00'), ms('2023-08-28 00:00:00')],
      values: [1.1, 1.2, 1.3],
    };
    const grid = { start: businessDayOf(day('2023-08-24')), length: 4 }; // Thu, Fri, Mon, Tue
    // Thu: nothing yet; Fri: Thursday 23:00; Mon: 00:00 the same day; Tue: Monday's
    expect(Array.from(asofMidnight(fx, grid))).toEqual([Number.NaN, 1.1, 1.3, 1.3]);
  });
  it('reindex with ffill takes the value at the last source row, NaN or not', () => {
    const x = Float64Array.from([Number.NaN, 2, Number.NaN, 9, 9]);
    const out = reindexFfill(x, { first: 1, last: 2 }, { first: 0, last: 4 });
    expect(Array.from(out)).toEqual([Number.NaN, 2, Number.NaN, Number.NaN, Number.NaN]);
  });
  it('resamples last and mean per business day', () => {
    const ms = (d: string) => day(d) * 86_400_000;
    const obs = {
      times: [ms('2023-08-25'), ms('2023-08-25') + 3600_000, ms('2023-08-26'), ms('2023-08-29')],
      values: [1, 2, Number.NaN, 4],
    };
    const grid = { start: businessDayOf(day('2023-08-25')), length: 3 };
    expect(Array.from(resampleLast(obs, grid))).toEqual([2, Number.NaN, 4]);
    expect(Array.from(resampleMean(obs, grid))).toEqual([1.5, Number.NaN, 4]);
  });
});

describe('carry inputs (digest §7.2)', () => {
  it('yearfrac and the roll differential floor at 1/365.25', () => {
    expect(contractYearFraction(20231200)).toBe(2023 + 12 / 12);
    expect(contractYearFraction(20230900)).toBe(2023 + 9 / 12);
    const base = {
      times: new Float64Array(3),
      forward: new Float64Array(3),
      forwardContract: ['', '', ''],
    };
    const roll = annualisedRoll({
      ...base,
      price: Float64Array.from([100, 100, 100]),
      carry: Float64Array.from([99, 100, 98]),
      priceContract: ['20231200', '20231200', '20231200'],
      carryContract: ['20230900', '20240300', '20231200'],
    });
    expect(roll[0]).toBeCloseTo(1 / -0.25, 12); // carry contract 3 months earlier
    expect(Number.isNaN(roll[1]!)).toBe(true); // zero raw roll → NaN
    expect(roll[2]).toBeCloseTo(2 * 365.25, 9); // same contract: floored differential
  });
});

describe('forecasts (digest §7.3, §7.4)', () => {
  it('scales and caps at ±20, keeping NaN', () => {
    expect(Array.from(scaleAndCap(Float64Array.from([1, -3, 0.5, Number.NaN]), 10))).toEqual([
      10,
      -20,
      5,
      Number.NaN,
    ]);
  });
  it('weights that sum to 0.9 behave as if they summed to 1', () => {
    const f = [Float64Array.from([10, 10]), Float64Array.from([-5, -5])];
    const w = smoothedFixedWeights([0.6, 0.3], f, 2, { span: 125 });
    expect(w[0]![1]).toBeCloseTo(2 / 3, 12);
    const combined = combineForecasts(f, w, 1, 2);
    expect(combined[1]).toBeCloseTo((2 / 3) * 10 + (1 / 3) * -5, 12);
  });
  it('fixed weights are kept while every forecast is missing (fix_weights_vs_position_or_forecast)', () => {
    const nan = Number.NaN;
    const f = [Float64Array.from([nan, nan, 8, 8]), Float64Array.from([nan, nan, nan, 4])];
    const w = smoothedFixedWeights([0.25, 0.75], f, 4, { span: 3 });
    expect(w[0]![0]).toBe(0.25);
    expect(w[1]![1]).toBe(0.75);
    // row 2: only the first forecast exists, the second weight decays towards 0
    expect(w[1]![2]).toBeGreaterThan(0);
    expect(w[1]![2]).toBeLessThan(0.75);
  });
  it('no combined forecast before its rows; 0.0 from their first row until a forecast exists', () => {
    const nan = Number.NaN;
    const f = [Float64Array.from([nan, nan, nan, 5])];
    const span = { first: 1, last: 3 };
    const w = smoothedFixedWeights([1], f, 4, { span: 125 }, span);
    expect(Array.from(combineForecasts(f, w, 1, 4, 20, span))).toEqual([nan, 0, 0, 5]);
  });
  it('a rule gets weight only once its forecast exists, and the FDM is applied before the cap', () => {
    const f = [Float64Array.from([8, 8, 8]), Float64Array.from([Number.NaN, 20, 20])];
    const w = smoothedFixedWeights([0.5, 0.5], f, 3, { span: 125 });
    expect(w[0]![0]).toBe(1);
    expect(w[1]![0]).toBe(0);
    expect(w[1]![2]).toBeGreaterThan(0);
    expect(w[1]![2]).toBeLessThan(0.5);
    expect(combineForecasts(f, w, 3, 3)[2]).toBe(20);
  });
});

describe('position sizing (digest §7.5) matches the closed form', () => {
  it('subsystem = (F/10)(C·τ/100/16) / (price · pointsize · fx · σ%/100)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1, max: 5000, noNaN: true }),
        fc.double({ min: 0.01, max: 100, noNaN: true }),
        fc.double({ min: 1, max: 1000, noNaN: true }),
        fc.double({ min: 0.2, max: 3, noNaN: true }),
        fc.double({ min: -20, max: 20, noNaN: true }),
        (price, volPoints, pointsize, fx, forecast) => {
          const capital = 1e6;
          const tau = 20;
          const priceS = Float64Array.from([price]);
          const perc = dailyPercentageVolatility(Float64Array.from([volPoints]), priceS);
          const ivv = instrumentValueVol(priceS, perc, pointsize, Float64Array.from([fx]));
          const vs = volScalar(dailyCashVolTarget(capital, tau), ivv);
          const pos = subsystemPosition(vs, Float64Array.from([forecast]))[0]!;
          const closed =
            ((forecast / 10) * ((capital * tau) / 100 / 16)) / (price * pointsize * fx * (perc[0]! / 100));
          expect(pos).toBeCloseTo(closed, 6);
        },
      ),
    );
  });
  it('long-only instruments never go short', () => {
    expect(subsystemPosition(Float64Array.from([2]), Float64Array.from([-10]), 10, true)[0]).toBe(0);
  });
});

describe('buffers (digest §7.7)', () => {
  it('position method: 10% of |N|, upper ≥ lower also for shorts (#217)', () => {
    const notional = Float64Array.from([10, -10]);
    const b = bufferSize('position', 0.1, { notional, volScalar: notional, weight: notional, idm: 1 });
    const { top, bottom } = applyBuffers(notional, b);
    expect(Array.from(top)).toEqual([11, -9]);
    expect(Array.from(bottom)).toEqual([9, -11]);
  });
  it('forecast method: 10% of the average position |vol scalar × w × IDM|', () => {
    const notional = Float64Array.from([3]);
    const b = bufferSize('forecast', 0.1, {
      notional,
      volScalar: Float64Array.from([-20]),
      weight: Float64Array.from([0.5]),
      idm: 1.5,
    });
    expect(b[0]).toBeCloseTo(1.5, 12);
    expect(bufferSize('none', 0.1, { notional, volScalar: notional, weight: notional, idm: 1 })[0]).toBe(
      0.001,
    );
  });
});
