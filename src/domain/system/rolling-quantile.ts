/**
 * pandas `rolling(window, min_periods).quantile(q)` with linear interpolation (today's
 * pandas; pysystemtrade-data.md §6: follow the linear behaviour). NaN values do not count.
 * A sorted window is kept in a typed array, so a step costs O(window) at worst.
 */
import { nanSeries, type Series } from './series.ts';

function lowerBound(arr: Float64Array, len: number, v: number): number {
  let lo = 0;
  let hi = len;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (arr[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function rollingQuantile(x: Series, window: number, minPeriods: number, q: number): Series {
  if (!(q >= 0 && q <= 1)) throw new Error(`rollingQuantile: q must be in [0, 1], got ${q}`);
  const n = x.length;
  const out = nanSeries(n);
  const sorted = new Float64Array(window);
  let len = 0;
  const minp = Math.max(minPeriods, 1);
  for (let i = 0; i < n; i++) {
    const leaving = i - window;
    if (leaving >= 0) {
      const old = x[leaving]!;
      if (!Number.isNaN(old)) {
        const at = lowerBound(sorted, len, old);
        sorted.copyWithin(at, at + 1, len);
        len--;
      }
    }
    const v = x[i]!;
    if (!Number.isNaN(v)) {
      const at = lowerBound(sorted, len, v);
      sorted.copyWithin(at + 1, at, len);
      sorted[at] = v;
      len++;
    }
    if (len >= minp) {
      if (len === 1) out[i] = sorted[0]!;
      else {
        const idxWithFraction = q * (len - 1);
        const idx = Math.floor(idxWithFraction);
        const lowValue = sorted[idx]!;
        if (idx === idxWithFraction) out[i] = lowValue;
        else out[i] = lowValue + (sorted[idx + 1]! - lowValue) * (idxWithFraction - idx);
      }
    }
  }
  return out;
}
