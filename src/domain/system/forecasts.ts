/**
 * Forecast scaling, capping and combination (digest §7.3, §7.4;
 * `systems/forecast_scale_cap.py`, `systems/forecast_combine.py`).
 */
import { type EwmSpec, ewmMean } from '../ewm.ts';
import type { Series } from './series.ts';

/** capped = clip(raw × scalar, floor, cap); NaN stays NaN. */
export function scaleAndCap(raw: Series, scalar: number, cap = 20, floor = -cap): Series {
  const out = new Float64Array(raw.length);
  for (let i = 0; i < raw.length; i++) {
    const v = raw[i]! * scalar;
    out[i] = Number.isNaN(v) ? v : Math.min(cap, Math.max(floor, v));
  }
  return out;
}

/**
 * `weights_sum_to_one` per row: divide by the row sum; a zero row stays zero
 * (the reference replaces a zero sum by 0.0001).
 */
export function normaliseRows(cols: Series[], n: number): void {
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (const c of cols) sum += c[i]!;
    if (sum === 0) sum = 0.0001;
    for (const c of cols) c[i] = c[i]! / sum;
  }
}

/**
 * Fixed weights fitted to availability and smoothed (`fix_weights_vs_position_or_forecast`,
 * then EWMA, then renormalised): a weight is 0 until its (forward-filled) input first has a
 * value. Returns one weight series per input, aligned to the grid.
 */
export function smoothedFixedWeights(
  fixed: number[],
  inputs: Series[],
  n: number,
  smoothing: EwmSpec,
): Series[] {
  const raw = fixed.map((w, k) => {
    const s = new Float64Array(n);
    const input = inputs[k]!;
    let seen = false;
    for (let i = 0; i < n; i++) {
      if (!seen && !Number.isNaN(input[i]!)) seen = true;
      s[i] = seen ? w : 0;
    }
    return s;
  });
  const smoothed = raw.map((s) => ewmMean(s, smoothing));
  normaliseRows(smoothed, n);
  return smoothed;
}

/**
 * combined = clip(FDM × Σ wᵢ · ffill(capped forecastᵢ), ±cap). A missing forecast counts as
 * 0 (pandas `sum(axis=1)` skips NaN); its weight is 0 there anyway.
 */
export function combineForecasts(
  forecasts: Series[],
  weights: Series[],
  fdm: number,
  n: number,
  cap = 20,
): Series {
  const out = new Float64Array(n);
  const last = new Float64Array(forecasts.length).fill(Number.NaN);
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let k = 0; k < forecasts.length; k++) {
      const f = forecasts[k]![i]!;
      if (!Number.isNaN(f)) last[k] = f;
      const lf = last[k]!;
      if (!Number.isNaN(lf)) sum += weights[k]![i]! * lf;
    }
    out[i] = Math.min(cap, Math.max(-cap, sum * fdm));
  }
  return out;
}
