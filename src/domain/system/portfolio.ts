/**
 * Portfolio stage (digest §7.6, `systems/portfolio.py`): instrument weights fitted to
 * position availability and smoothed, IDM, notional position N = subsystem × w × IDM.
 */
import type { EwmSpec } from '../ewm.ts';
import { smoothedFixedWeights } from './forecasts.ts';
import type { Series } from './series.ts';

/**
 * Instrument weights per instrument over the common grid (`get_instrument_weights`): fixed
 * weights fitted to the forward-filled subsystem positions, smoothed with
 * `ewm(span=instrument_weight_ewma_span)` and renormalised to sum to 1 per row.
 */
export function instrumentWeights(
  fixed: number[],
  subsystemPositions: Series[],
  n: number,
  smoothing: EwmSpec,
): Series[] {
  return smoothedFixedWeights(fixed, subsystemPositions, n, smoothing);
}

/**
 * N = subsystem × w × IDM on the subsystem position's rows (the weights cover the whole grid, so
 * their `reindex(method="ffill")` is the same row). The risk overlay is off by default and not
 * implemented.
 */
export function notionalPosition(subsystem: Series, weight: Series, idm: number): Series {
  const out = new Float64Array(subsystem.length);
  for (let i = 0; i < out.length; i++) out[i] = subsystem[i]! * weight[i]! * idm;
  return out;
}
