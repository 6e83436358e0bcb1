/**
 * Position sizing (digest §7.5, `systems/positionsizing.py`).
 *
 * daily cash vol target = capital × τ / 100 / 16; block value = ffill(price) × pointsize × 0.01;
 * σ% = 100 × σ_p / |ffill(price)|; ICV = block × σ%; IVV = ffill(ICV) × ffill(fx);
 * vol scalar = target / IVV; subsystem = ffill(vol scalar) × forecast / 10.
 */
import { ffill, type Series } from './series.ts';
import { ROOT_BDAYS_INYEAR } from './vol.ts';

export function dailyCashVolTarget(capital: number, percentageVolTarget: number): number {
  return (capital * percentageVolTarget) / 100 / ROOT_BDAYS_INYEAR;
}

/** `get_daily_percentage_volatility`: 100 × σ_p / |ffill(denominator price)|. */
export function dailyPercentageVolatility(vol: Series, denominatorPrice: Series): Series {
  const p = ffill(denominatorPrice);
  const out = new Float64Array(vol.length);
  for (let i = 0; i < vol.length; i++) out[i] = (100 * vol[i]!) / Math.abs(p[i]!);
  return out;
}

/** Instrument value volatility: ffill(block value × σ%) × ffill(fx rate). */
export function instrumentValueVol(
  denominatorPrice: Series,
  percVol: Series,
  pointsize: number,
  fxRate: Series,
): Series {
  const p = ffill(denominatorPrice);
  const icv = new Float64Array(p.length);
  for (let i = 0; i < p.length; i++) icv[i] = p[i]! * pointsize * 0.01 * percVol[i]!;
  const icvF = ffill(icv);
  const fx = ffill(fxRate);
  const out = new Float64Array(p.length);
  for (let i = 0; i < p.length; i++) out[i] = icvF[i]! * fx[i]!;
  return out;
}

export function volScalar(target: number, ivv: Series): Series {
  const out = new Float64Array(ivv.length);
  for (let i = 0; i < ivv.length; i++) out[i] = target / ivv[i]!;
  return out;
}

/** subsystem = ffill(vol scalar) × forecast / average_absolute_forecast; long-only clips at 0. */
export function subsystemPosition(
  volScalarSeries: Series,
  combinedForecast: Series,
  averageAbsoluteForecast = 10,
  longOnly = false,
): Series {
  const vs = ffill(volScalarSeries);
  const out = new Float64Array(vs.length);
  for (let i = 0; i < vs.length; i++) {
    const v = (vs[i]! * combinedForecast[i]!) / averageAbsoluteForecast;
    out[i] = longOnly && v < 0 ? 0 : v;
  }
  return out;
}
