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
import { diff, resampleLast, type Series } from './series.ts';
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

export function runSubsystem(
  data: InstrumentData,
  fxRate: Series,
  grid: BusinessDayGrid,
  config: ClassicSystemConfig,
  capital: number,
): SubsystemResult {
  const n = grid.length;
  const dailyPrices = resampleLast(data.adjusted, grid);
  const vol = dailyReturnsVolatility(diff(dailyPrices), config.volatility_calculation);
  const denominator = resampleLast({ times: data.multiple.times, values: data.multiple.price }, grid);
  const percVol = dailyPercentageVolatility(vol, denominator);

  let annRoll: Series | undefined;
  const raw: Record<string, Series> = {};
  const capped: Record<string, Series> = {};
  for (const [name, rule] of Object.entries(config.trading_rules)) {
    let f: Series;
    if (rule.type === 'ewmac') f = ewmac(dailyPrices, vol, rule.lfast, rule.lslow);
    else {
      annRoll ??= dailyAnnualisedRoll(data.multiple, grid);
      f = carry(annRoll, vol, rule.smooth_days);
    }
    raw[name] = f;
    capped[name] = scaleAndCap(f, config.forecast_scalars[name] ?? 1, config.forecast_cap);
  }

  const weighted = config.forecast_weights
    ? Object.entries(config.forecast_weights).filter(([name]) => name in capped)
    : Object.keys(capped).map((name): [string, number] => [name, 1 / Object.keys(capped).length]);
  const names = weighted.map(([name]) => name);
  const forecasts = names.map((name) => capped[name]!);
  const weights = smoothedFixedWeights(
    weighted.map(([, w]) => w),
    forecasts,
    n,
    { span: config.forecast_weight_ewma_span },
  );
  const combined = combineForecasts(
    forecasts,
    weights,
    config.forecast_div_multiplier,
    n,
    config.forecast_cap,
  );

  const ivv = instrumentValueVol(denominator, percVol, data.pointsize, fxRate);
  const vs = volScalar(dailyCashVolTarget(capital, config.percentage_vol_target), ivv);
  const longOnly = config.long_only_instruments.includes(data.instrument_code);
  const subsystem = subsystemPosition(vs, combined, config.average_absolute_forecast, longOnly);

  return {
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
}
