/**
 * Portfolio stage (digest §7.6, `systems/portfolio.py`): instrument weights fitted to
 * position availability and smoothed, IDM, notional position N = subsystem × w × IDM.
 */
import type { EwmSpec } from '../ewm.ts';
import { smoothedFixedWeights } from './forecasts.ts';
import { ffill, type Series } from './series.ts';

/**
 * Instrument weights per instrument. The reference smooths with `ewm(instrument_weight_ewma_span)`
 * — a positional argument, so a centre of mass — then the digest's renormalisation.
 */
export function instrumentWeights(
  fixed: number[],
  subsystemPositions: Series[],
  n: number,
  smoothing: EwmSpec,
): Series[] {
  return smoothedFixedWeights(fixed, subsystemPositions, n, smoothing);
}

/** N = subsystem × ffill(w) × IDM (the risk overlay is off by default and not implemented). */
export function notionalPosition(subsystem: Series, weight: Series, idm: number): Series {
  const w = ffill(weight);
  const out = new Float64Array(subsystem.length);
  for (let i = 0; i < out.length; i++) out[i] = subsystem[i]! * w[i]! * idm;
  return out;
}
