/**
 * Small numeric helpers on Float64Array series aligned to one business-day grid.
 * NaN means "no value", as in pandas.
 */
import { MS_PER_DAY } from '../prices/time.ts';
import type { BusinessDayGrid } from './calendar.ts';
import { businessDayOf, epochDayOfBusinessDay } from './calendar.ts';

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

/** Carries the value at row `from` (NaN or not) to the end of the series, in place. */
export function ffillFrom(x: Series, from: number): Series {
  if (from >= 0 && from < x.length) x.fill(x[from]!, from + 1);
  return x;
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

/**
 * The rows [first, last] (inclusive) of one pandas index on the grid: a series resampled to
 * `1B` covers the business days from its first to its last timestamp, whatever the values.
 * Empty when first > last.
 */
export interface RowSpan {
  readonly first: number;
  readonly last: number;
}

export const EMPTY_SPAN: RowSpan = { first: 0, last: -1 };

/** The grid rows covered by `resample("1B")` of observations at these times. */
export function spanOfTimes(times: Float64Array | number[], grid: BusinessDayGrid): RowSpan {
  if (times.length === 0) return EMPTY_SPAN;
  const first = Math.max(0, businessDayOfTime(times[0]!) - grid.start);
  const last = Math.min(grid.length - 1, businessDayOfTime(times[times.length - 1]!) - grid.start);
  return { first, last };
}

const isEmpty = (s: RowSpan): boolean => s.first > s.last;

/** Index union of two aligned series (pandas arithmetic); contiguous on a business-day grid. */
export function unionSpan(a: RowSpan, b: RowSpan): RowSpan {
  if (isEmpty(a)) return b;
  if (isEmpty(b)) return a;
  return { first: Math.min(a.first, b.first), last: Math.max(a.last, b.last) };
}

/** Index intersection (`align(join="inner")`). */
export function intersectSpan(a: RowSpan, b: RowSpan): RowSpan {
  return { first: Math.max(a.first, b.first), last: Math.min(a.last, b.last) };
}

/** NaN outside the span, in place: the rows the pandas series does not have. */
export function keepWithin(x: Series, span: RowSpan): Series {
  const first = Math.max(0, Math.min(span.first, x.length));
  x.fill(Number.NaN, 0, first);
  if (span.last + 1 < x.length) x.fill(Number.NaN, Math.max(first, span.last + 1));
  return x;
}

/** `x.ffill()` of the series whose index is the span; NaN outside it. */
export function ffillWithin(x: Series, span: RowSpan): Series {
  const out = nanSeries(x.length);
  let last = Number.NaN;
  for (let i = Math.max(0, span.first); i <= span.last; i++) {
    const v = x[i]!;
    if (!Number.isNaN(v)) last = v;
    out[i] = last;
  }
  return out;
}

/**
 * `x.reindex(to, method="ffill")` for a series whose index is `from`: each row of `to` takes the
 * value at the last row of `from` at or before it, NaN or not; rows before `from` are NaN.
 */
export function reindexFfill(x: Series, from: RowSpan, to: RowSpan): Series {
  const out = nanSeries(x.length);
  if (isEmpty(from)) return out;
  for (let i = Math.max(to.first, from.first); i <= to.last; i++) out[i] = x[Math.min(i, from.last)]!;
  return out;
}

/**
 * `fx.reindex(daily_index, method="ffill")` of raw (not resampled) observations: each grid day
 * takes the last observation stamped at or before its midnight. An FX close stamped 23:00 is
 * therefore the next business day's rate (`systems/positionsizing.py`).
 */
export function asofMidnight(obs: Observations, grid: BusinessDayGrid): Series {
  const out = nanSeries(grid.length);
  const n = obs.times.length;
  let j = -1;
  for (let r = 0; r < grid.length; r++) {
    const midnight = epochDayOfBusinessDay(grid.start + r) * MS_PER_DAY;
    while (j + 1 < n && obs.times[j + 1]! <= midnight) j++;
    if (j >= 0) out[r] = obs.values[j]!;
  }
  return out;
}
