/**
 * Forecast scaling, capping and combination (digest §7.3, §7.4;
 * `systems/forecast_scale_cap.py`, `systems/forecast_combine.py`).
 */
import { type EwmSpec, ewmMean } from '../ewm.ts';
import { ffillWithin, nanSeries, type RowSpan, type Series } from './series.ts';

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
 * `weights_sum_to_one` per row (`syscore/pandas/strategy_functions.py`): multiply by 1 / row sum,
 * a zero sum counting as 0.0001 (so a zero row stays zero). Rows outside the span stay NaN.
 */
export function normaliseRows(cols: Series[], span: RowSpan): void {
  for (let i = Math.max(0, span.first); i <= span.last; i++) {
    let sum = 0;
    for (const c of cols) if (!Number.isNaN(c[i]!)) sum += c[i]!;
    if (sum === 0) sum = 0.0001;
    const multiplier = 1 / sum;
    for (const c of cols) c[i] = multiplier * c[i]!;
  }
}

/**
 * Fixed weights fitted to the inputs and smoothed: `fix_weights_vs_position_or_forecast`, the
 * daily resample, `ewm(span=…).mean()`, then `weights_sum_to_one`.
 *
 * The inputs (forecasts or subsystem positions) are forward-filled over the span (the index of
 * the pandas frame). While every input is still missing, each weight keeps its fixed value;
 * after that a weight is 0 wherever its own input is missing. The smoothing starts at the first
 * row of the span; rows outside it are NaN.
 */
export function smoothedFixedWeights(
  fixed: number[],
  inputs: Series[],
  n: number,
  smoothing: EwmSpec,
  span: RowSpan = { first: 0, last: n - 1 },
): Series[] {
  const filled = inputs.map((x) => ffillWithin(x, span));
  const raw = fixed.map(() => nanSeries(n));
  for (let i = Math.max(0, span.first); i <= span.last; i++) {
    const allMissing = filled.every((f) => Number.isNaN(f[i]!));
    fixed.forEach((w, k) => {
      raw[k]![i] = allMissing || !Number.isNaN(filled[k]![i]!) ? w : 0;
    });
  }
  const smoothed = raw.map((s) => ewmMean(s, smoothing));
  normaliseRows(smoothed, span);
  return smoothed;
}

/**
 * combined = clip(FDM × Σ wᵢ · ffill(capped forecastᵢ), ±cap) over the span (the forecasts'
 * index); NaN outside it. A missing forecast counts as 0 (pandas `sum(axis=1)` skips NaN), so
 * the combined forecast is 0.0 from the first row until the first forecast exists.
 */
export function combineForecasts(
  forecasts: Series[],
  weights: Series[],
  fdm: number,
  n: number,
  cap = 20,
  span: RowSpan = { first: 0, last: n - 1 },
): Series {
  const out = nanSeries(n);
  const filled = forecasts.map((f) => ffillWithin(f, span));
  for (let i = Math.max(0, span.first); i <= span.last; i++) {
    let sum = 0;
    for (let k = 0; k < filled.length; k++) {
      const weighted = weights[k]![i]! * filled[k]![i]!;
      if (!Number.isNaN(weighted)) sum += weighted;
    }
    out[i] = Math.min(cap, Math.max(-cap, sum * fdm));
  }
  return out;
}
