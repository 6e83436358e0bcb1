/**
 * Position sizing (digest §7.5, `systems/positionsizing.py`).
 *
 * daily cash vol target = capital × τ / 100 / 16; block value = ffill(price) × pointsize × 0.01;
 * σ% = 100 × (σ_p / |ffill(price)|); ICV = ffill(block) × σ%; IVV = ffill(ICV) × fx (FX at
 * midnight of each business day); vol scalar = target / IVV; subsystem = vol scalar × forecast / 10.
 */
import { ffillWithin, nanSeries, type RowSpan, type Series } from './series.ts';
import { ROOT_BDAYS_INYEAR } from './vol.ts';

export function dailyCashVolTarget(capital: number, percentageVolTarget: number): number {
  return (capital * percentageVolTarget) / 100 / ROOT_BDAYS_INYEAR;
}

/**
 * `get_daily_percentage_volatility`: 100 × (σ_p / |denominator price|), the denominator aligned
 * to σ_p's index (the price span) and forward-filled there.
 */
export function dailyPercentageVolatility(
  vol: Series,
  denominatorPrice: Series,
  priceSpan: RowSpan = { first: 0, last: vol.length - 1 },
): Series {
  const p = ffillWithin(denominatorPrice, priceSpan);
  const out = nanSeries(vol.length);
  for (let i = 0; i < vol.length; i++) out[i] = 100 * (vol[i]! / Math.abs(p[i]!));
  return out;
}

/**
 * Instrument value volatility (`get_instrument_value_vol`): block value = ffill(denominator) ×
 * pointsize × 0.01 over the multiple-prices span; ICV = ffill(block value) × σ% over the rows
 * both have (`align(join="inner")`); IVV = ffill(ICV) × FX, the FX already aligned to the grid
 * (`asofMidnight`). NaN outside the ICV span.
 */
export function instrumentValueVol(
  denominatorPrice: Series,
  percVol: Series,
  pointsize: number,
  fxRate: Series,
  multipleSpan: RowSpan = { first: 0, last: percVol.length - 1 },
  icvSpan: RowSpan = multipleSpan,
): Series {
  const p = ffillWithin(denominatorPrice, multipleSpan);
  const block = new Float64Array(p.length);
  for (let i = 0; i < p.length; i++) block[i] = p[i]! * pointsize * 0.01;
  const blockF = ffillWithin(block, icvSpan);
  const icv = new Float64Array(p.length);
  for (let i = 0; i < p.length; i++) icv[i] = blockF[i]! * percVol[i]!;
  const icvF = ffillWithin(icv, icvSpan);
  const out = new Float64Array(p.length);
  for (let i = 0; i < p.length; i++) out[i] = icvF[i]! * fxRate[i]!;
  return out;
}

export function volScalar(target: number, ivv: Series): Series {
  const out = new Float64Array(ivv.length);
  for (let i = 0; i < ivv.length; i++) out[i] = target / ivv[i]!;
  return out;
}

/**
 * subsystem = vol scalar × forecast / average_absolute_forecast on the forecast's index, the vol
 * scalar reindexed to it with `method="ffill"` by the caller; long-only clips at 0.
 */
export function subsystemPosition(
  volScalarSeries: Series,
  combinedForecast: Series,
  averageAbsoluteForecast = 10,
  longOnly = false,
): Series {
  const out = new Float64Array(volScalarSeries.length);
  for (let i = 0; i < out.length; i++) {
    const v = (volScalarSeries[i]! * combinedForecast[i]!) / averageAbsoluteForecast;
    out[i] = longOnly && v < 0 ? 0 : v;
  }
  return out;
}
