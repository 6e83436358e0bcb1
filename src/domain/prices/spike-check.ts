import { ewmMean } from '../ewm.ts';
import { MS_PER_DAY } from './time.ts';

/** Span of the EWMA of absolute daily-unit moves (digest §6.2 step 4). */
export const SPIKE_EWMA_SPAN = 500;
/** pysystemtrade's default `max_price_spike` (digest §6.1). */
export const DEFAULT_MAX_PRICE_SPIKE = 8;

/**
 * Moves in daily units (digest §6.2 steps 1–2, `_calculate_change_in_daily_units`):
 * d_t = (p_t − p_{t−1}) / √(elapsed days). The first value is NaN (no previous price).
 */
export function changeInDailyUnits(times: Float64Array, prices: Float64Array): Float64Array {
  const n = prices.length;
  const out = new Float64Array(n);
  if (n === 0) return out;
  out[0] = Number.NaN;
  for (let t = 1; t < n; t++) {
    const days = ((times[t] as number) - (times[t - 1] as number)) / MS_PER_DAY;
    out[t] = ((prices[t] as number) - (prices[t - 1] as number)) / days ** 0.5;
  }
  return out;
}

/**
 * ratio_t = |d_t| / EWMA_span500(|d|)_t, the EWMA including a_t itself (digest §6.2 steps 3–5,
 * `_calculate_change_in_avg_units`).
 */
export function changeInAverageUnits(times: Float64Array, prices: Float64Array): Float64Array {
  const a = changeInDailyUnits(times, prices).map(Math.abs);
  const avg = ewmMean(a, { span: SPIKE_EWMA_SPAN });
  return a.map((x, i) => x / (avg[i] as number));
}

export interface Spike {
  /** Row index in the merged series. */
  index: number;
  time: number;
  /** a_t / avg_t at the spike. */
  ratio: number;
}

/**
 * Spike check (digest §6.2 step 6): the first t ≥ firstNewIndex with ratio_t > maxSpike, over the
 * whole merged series (old plus new). `skip` lists rows a person has accepted (manual check).
 */
export function findSpike(
  times: Float64Array,
  prices: Float64Array,
  firstNewIndex: number,
  maxSpike: number,
  skip?: ReadonlySet<number>,
): Spike | undefined {
  if (firstNewIndex >= prices.length) return undefined;
  const ratio = changeInAverageUnits(times, prices);
  for (let t = Math.max(0, firstNewIndex); t < ratio.length; t++) {
    const r = ratio[t] as number;
    if (r > maxSpike && !skip?.has(t)) return { index: t, time: times[t] as number, ratio: r };
  }
  return undefined;
}
