/**
 * One instrument through raw data, rules, forecast combination and position sizing
 * (digest §7.1–§7.5). Everything sits on one business-day grid shared by the portfolio.
 */
import type { BusinessDayGrid } from './calendar.ts';
import type { ClassicSystemConfig, VolatilityCalculation } from './config.ts';
import type { MultiplePrices, PriceSeries } from '../prices/types.ts';
import { combineForecasts, scaleAndCap, smoothedFixedWeights } from './forecasts.ts';
import {
  dailyCashVolTarget,
  dailyPercentageVolatility,
  instrumentValueVol,
  subsystemPosition,
  volScalar,
} from './position-sizing.ts';
import { carry, dailyAnnualisedRoll, ewmac } from './rules.ts';
import {
  diff,
  EMPTY_SPAN,
  intersectSpan,
  keepWithin,
  reindexFfill,
  resampleLast,
  type RowSpan,
  type Series,
  spanOfTimes,
  unionSpan,
} from './series.ts';
import { mixedVolCalc, robustVolCalc } from './vol.ts';

export interface InstrumentData {
  instrument_code: string;
  adjusted: PriceSeries;
  multiple: MultiplePrices;
  pointsize: number;
  currency: string;
}

export interface SubsystemResult {
  instrument_code: string;
  daily_prices: Series;
  daily_returns_volatility: Series;
  denominator_price: Series;
  daily_percentage_volatility: Series;
  raw_forecasts: Record<string, Series>;
  capped_forecasts: Record<string, Series>;
  forecast_weights: Record<string, Series>;
  combined_forecast: Series;
  instrument_value_vol: Series;
  /** The vol scalar as the subsystem position uses it: reindexed (ffill) to the forecast rows. */
  vol_scalar: Series;
  subsystem_position: Series;
}

export function dailyReturnsVolatility(returns: Series, calc: VolatilityCalculation): Series {
  if (calc.func === 'robust_vol_calc') {
    const { func: _f, ...opts } = calc;
    return robustVolCalc(returns, opts);
  }
  const { func: _f, ...opts } = calc;
  return mixedVolCalc(returns, opts);
}

/**
 * The rows each pandas series of one instrument has (its index on the common grid):
 * - price: the adjusted prices (`daily_prices`, σ_p, EWMAC);
 * - multiple: the multiple prices (denominator price, annualised roll);
 * - icv: both (`align(join="inner")`: ICV, IVV, vol scalar);
 * - forecast: the union of the weighted rules' indexes (combined forecast, subsystem position).
 * A multiple-prices row after the last price (CORN's last row has a carry but no price) extends
 * the forecast index, not the price index: vol and EWMAC are not updated on a missing return.
 */
export interface SubsystemSpans {
  price: RowSpan;
  multiple: RowSpan;
  icv: RowSpan;
  forecast: RowSpan;
}

/** One instrument's series (every one a grid-long Float64Array) and the rows each series has. */
export interface SubsystemRun {
  result: SubsystemResult;
  spans: SubsystemSpans;
}

export function runSubsystem(
  data: InstrumentData,
  fxRate: Series,
  grid: BusinessDayGrid,
  config: ClassicSystemConfig,
  capital: number,
): SubsystemRun {
  const n = grid.length;
  const priceSpan = spanOfTimes(data.adjusted.times, grid);
  const multipleSpan = spanOfTimes(data.multiple.times, grid);
  const icvSpan = intersectSpan(priceSpan, multipleSpan);
  const dailyPrices = resampleLast(data.adjusted, grid);
  const vol = keepWithin(dailyReturnsVolatility(diff(dailyPrices), config.volatility_calculation), priceSpan);
  const denominator = resampleLast({ times: data.multiple.times, values: data.multiple.price }, grid);
  const percVol = dailyPercentageVolatility(vol, denominator, priceSpan);

  let annRoll: Series | undefined;
  const raw: Record<string, Series> = {};
  const capped: Record<string, Series> = {};
  const ruleSpans: Record<string, RowSpan> = {};
  for (const [name, rule] of Object.entries(config.trading_rules)) {
    let f: Series;
    if (rule.type === 'ewmac') {
      f = keepWithin(ewmac(dailyPrices, vol, rule.lfast, rule.lslow), priceSpan);
      ruleSpans[name] = priceSpan;
    } else {
      annRoll ??= dailyAnnualisedRoll(data.multiple, grid);
      ruleSpans[name] = unionSpan(priceSpan, multipleSpan);
      f = keepWithin(carry(annRoll, vol, rule.smooth_days), ruleSpans[name]);
    }
    raw[name] = f;
    capped[name] = scaleAndCap(f, config.forecast_scalars[name] ?? 1, config.forecast_cap);
  }

  const weighted = config.forecast_weights
    ? Object.entries(config.forecast_weights).filter(([name]) => name in capped)
    : Object.keys(capped).map((name): [string, number] => [name, 1 / Object.keys(capped).length]);
  const names = weighted.map(([name]) => name);
  const forecastSpan = names.reduce((s, name) => unionSpan(s, ruleSpans[name]!), EMPTY_SPAN);
  const forecasts = names.map((name) => capped[name]!);
  const weights = smoothedFixedWeights(
    weighted.map(([, w]) => w),
    forecasts,
    n,
    { span: config.forecast_weight_ewma_span },
    forecastSpan,
  );
  const combined = combineForecasts(
    forecasts,
    weights,
    config.forecast_div_multiplier,
    n,
    config.forecast_cap,
    forecastSpan,
  );

  const ivv = keepWithin(
    instrumentValueVol(denominator, percVol, data.pointsize, fxRate, multipleSpan, icvSpan),
    icvSpan,
  );
  const vs = reindexFfill(
    volScalar(dailyCashVolTarget(capital, config.percentage_vol_target), ivv),
    icvSpan,
    forecastSpan,
  );
  const longOnly = config.long_only_instruments.includes(data.instrument_code);
  const subsystem = subsystemPosition(vs, combined, config.average_absolute_forecast, longOnly);

  const spans = { price: priceSpan, multiple: multipleSpan, icv: icvSpan, forecast: forecastSpan };
  const result: SubsystemResult = {
    instrument_code: data.instrument_code,
    daily_prices: dailyPrices,
    daily_returns_volatility: vol,
    denominator_price: denominator,
    daily_percentage_volatility: percVol,
    raw_forecasts: raw,
    capped_forecasts: capped,
    forecast_weights: Object.fromEntries(names.map((name, k) => [name, weights[k]!])),
    combined_forecast: combined,
    instrument_value_vol: ivv,
    vol_scalar: vs,
    subsystem_position: subsystem,
  };
  return { result, spans };
}
