/**
 * Small numeric helpers on Float64Array series aligned to one business-day grid.
 * NaN means "no value", as in pandas.
 */
import { MS_PER_DAY } from '../prices/time.ts';
import type { BusinessDayGrid } from './calendar.ts';
import { businessDayOf } from './calendar.ts';

export type Series = Float64Array;

export function nanSeries(n: number): Series {
  return new Float64Array(n).fill(Number.NaN);
}

/**
 * Raw irregular observations: times in epoch ms of pysystemtrade's naive stamps read as UTC
 * (ascending, as `src/domain/prices/types.ts` keeps them) and values (NaN allowed).
 */
export interface Observations {
  readonly times: Float64Array | number[];
  readonly values: Float64Array | number[];
}

/** Business-day number of an epoch-ms time (the calendar date of the naive stamp). */
export const businessDayOfTime = (t: number): number => businessDayOf(Math.floor(t / MS_PER_DAY));

/** pandas `resample("1B").last()`: the last non-NaN value in each business-day bin. */
export function resampleLast(obs: Observations, grid: BusinessDayGrid): Series {
  const out = nanSeries(grid.length);
  const n = obs.times.length;
  for (let i = 0; i < n; i++) {
    const v = obs.values[i]!;
    if (Number.isNaN(v)) continue;
    const row = businessDayOfTime(obs.times[i]!) - grid.start;
    if (row >= 0 && row < grid.length) out[row] = v;
  }
  return out;
}

/** pandas `resample("1B").mean()`: the mean of the non-NaN values in each bin. */
export function resampleMean(obs: Observations, grid: BusinessDayGrid): Series {
  const sum = new Float64Array(grid.length);
  const count = new Int32Array(grid.length);
  const n = obs.times.length;
  for (let i = 0; i < n; i++) {
    const v = obs.values[i]!;
    if (Number.isNaN(v)) continue;
    const row = businessDayOfTime(obs.times[i]!) - grid.start;
    if (row >= 0 && row < grid.length) {
      sum[row]! += v;
      count[row]! += 1;
    }
  }
  const out = nanSeries(grid.length);
  for (let r = 0; r < grid.length; r++) if (count[r]! > 0) out[r] = sum[r]! / count[r]!;
  return out;
}

/** pandas `ffill()`. */
export function ffill(x: Series): Series {
  const out = new Float64Array(x.length);
  let last = Number.NaN;
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    if (!Number.isNaN(v)) last = v;
    out[i] = last;
  }
  return out;
}

/** pandas `diff()`. */
export function diff(x: Series): Series {
  const out = nanSeries(x.length);
  for (let i = 1; i < x.length; i++) out[i] = x[i]! - x[i - 1]!;
  return out;
}

/** The last non-NaN value and its row, or undefined when there is none. */
export function lastValid(x: Series): { row: number; value: number } | undefined {
  for (let i = x.length - 1; i >= 0; i--) if (!Number.isNaN(x[i]!)) return { row: i, value: x[i]! };
  return undefined;
}

/** Elementwise map of one or more aligned series. NaN propagates as in numpy arithmetic. */
export function map2(a: Series, b: Series, f: (x: number, y: number) => number): Series {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = f(a[i]!, b[i]!);
  return out;
}

export function mapSeries(a: Series, f: (x: number) => number): Series {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = f(a[i]!);
  return out;
}
