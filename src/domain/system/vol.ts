/**
 * Daily returns volatility σ_p (digest §7.1, `sysquant/estimators/vol.py`).
 *
 * - robust_vol_calc: EW std (span `days`, min_periods) → absolute minimum → optional floor at
 *   the rolling `floor_min_quant` quantile over `floor_days` rows (min `floor_min_periods`),
 *   whose first value is set to 0 and then forward-filled.
 * - mixed_vol_calc (defaults.yaml's choice): EW std, blended with its slow EWMA
 *   (`vol.ewm(span=slow_vol_years × 256).mean()`), then the absolute minimum. No floor.
 */
import { ewmMean, ewmStd } from '../ewm.ts';
import { rollingQuantile } from './rolling-quantile.ts';
import type { Series } from './series.ts';

export const BUSINESS_DAYS_IN_YEAR = 256;
export const ROOT_BDAYS_INYEAR = 16;

export interface RobustVolOptions {
  days?: number;
  minPeriods?: number;
  volAbsMin?: number;
  volFloor?: boolean;
  floorMinQuant?: number;
  floorMinPeriods?: number;
  floorDays?: number;
  backfill?: boolean;
}

export interface MixedVolOptions {
  days?: number;
  minPeriods?: number;
  slowVolYears?: number;
  proportionOfSlowVol?: number;
  volAbsMin?: number;
  backfill?: boolean;
}

/** `apply_min_vol`: values below the minimum become the minimum; NaN stays NaN. */
export function applyMinVol(vol: Series, volAbsMin: number): Series {
  for (let i = 0; i < vol.length; i++) if (vol[i]! < volAbsMin) vol[i] = volAbsMin;
  return vol;
}

/** `apply_vol_floor`: max(vol, ffill(rolling quantile with its first value 0)). */
export function applyVolFloor(
  vol: Series,
  floorMinQuant: number,
  floorMinPeriods: number,
  floorDays: number,
) {
  const volMin = rollingQuantile(vol, floorDays, floorMinPeriods, floorMinQuant);
  if (volMin.length > 0) volMin[0] = 0;
  let last = 0;
  for (let i = 0; i < vol.length; i++) {
    const m = volMin[i]!;
    if (!Number.isNaN(m)) last = m;
    const v = vol[i]!;
    // np.maximum propagates NaN
    vol[i] = Number.isNaN(v) ? Number.NaN : Math.max(v, last);
  }
  return vol;
}

/** `backfill_vol`: forward fill, then back fill the start. */
export function backfillVol(vol: Series): Series {
  let last = Number.NaN;
  for (let i = 0; i < vol.length; i++) {
    if (!Number.isNaN(vol[i]!)) last = vol[i]!;
    else vol[i] = last;
  }
  const first = vol.findIndex((v) => !Number.isNaN(v));
  if (first > 0) vol.fill(vol[first]!, 0, first);
  return vol;
}

export function robustVolCalc(dailyReturns: Series, opts: RobustVolOptions = {}): Series {
  const vol = ewmStd(dailyReturns, { span: opts.days ?? 35 }, { minPeriods: opts.minPeriods ?? 10 });
  applyMinVol(vol, opts.volAbsMin ?? 1e-10);
  if (opts.volFloor ?? true)
    applyVolFloor(vol, opts.floorMinQuant ?? 0.05, opts.floorMinPeriods ?? 100, opts.floorDays ?? 500);
  if (opts.backfill) backfillVol(vol);
  return vol;
}

export function mixedVolCalc(dailyReturns: Series, opts: MixedVolOptions = {}): Series {
  const vol = ewmStd(dailyReturns, { span: opts.days ?? 35 }, { minPeriods: opts.minPeriods ?? 10 });
  const slowVolDays = (opts.slowVolYears ?? 20) * BUSINESS_DAYS_IN_YEAR;
  const longVol = ewmMean(vol, { span: slowVolDays });
  const p = opts.proportionOfSlowVol ?? 0.3;
  for (let i = 0; i < vol.length; i++) vol[i] = longVol[i]! * p + vol[i]! * (1 - p);
  applyMinVol(vol, opts.volAbsMin ?? 1e-10);
  if (opts.backfill) backfillVol(vol);
  return vol;
}
