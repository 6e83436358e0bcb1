/**
 * The backtest objects of a strategy's last run (production doc "Interactive diagnostics >
 * Backtest objects"): the reference pickles the whole system and lets the user pick a stage, a
 * method and its arguments (instrument, trading rule). systack keeps the stage outputs of the
 * last run per instrument (the diagnostics record of actors/system-runner.ts, series named as in
 * `InstrumentDiagnostics`); this table names each under its stage and method as pysystemtrade
 * does, so they can be browsed the same way. Methods that take a trading rule read the series
 * `<series>.<rule>`.
 */

export interface BacktestMethod {
  /** The stored series printed (one column each). */
  series: string[];
  /** Takes a trading rule: the stored series are `<series>.<rule>`. */
  perRule?: boolean;
}

export const BACKTEST_STAGES: Record<string, Record<string, BacktestMethod>> = {
  rawdata: {
    get_daily_prices: { series: ['daily_prices'] },
    daily_returns_volatility: { series: ['daily_returns_volatility'] },
    get_daily_percentage_volatility: { series: ['daily_percentage_volatility'] },
    daily_denominator_price: { series: ['denominator_price'] },
  },
  rules: {
    get_raw_forecast: { series: ['raw_forecasts'], perRule: true },
  },
  forecastScaleCap: {
    get_capped_forecast: { series: ['capped_forecasts'], perRule: true },
  },
  combForecast: {
    get_forecast_weights: { series: ['forecast_weights'], perRule: true },
    get_combined_forecast: { series: ['combined_forecast'] },
  },
  positionSize: {
    get_instrument_value_vol: { series: ['instrument_value_vol'] },
    get_volatility_scalar: { series: ['vol_scalar'] },
    get_subsystem_position: { series: ['subsystem_position'] },
  },
  portfolio: {
    get_instrument_weights: { series: ['instrument_weight'] },
    get_notional_position: { series: ['notional_position'] },
    get_buffers_for_position: { series: ['lower_position', 'upper_position', 'buffer'] },
  },
};

export const BACKTEST_STAGE_NAMES = Object.keys(BACKTEST_STAGES);

/** The trading rules a stored instrument has series for (from `<series>.<rule>` names). */
export function rulesIn(seriesNames: string[], method: BacktestMethod): string[] {
  const lead = `${method.series[0]!}.`;
  return seriesNames.filter((n) => n.startsWith(lead)).map((n) => n.slice(lead.length));
}

/** The stored series names a method reads (with its rule for a per-rule method). */
export function seriesFor(method: BacktestMethod, rule?: string): string[] {
  return method.perRule ? method.series.map((s) => `${s}.${rule ?? ''}`) : method.series;
}

/** Which stage and method read a stored series (undefined: none does). */
export function methodOf(seriesName: string): { stage: string; method: string } | undefined {
  for (const [stage, methods] of Object.entries(BACKTEST_STAGES))
    for (const [method, m] of Object.entries(methods))
      if (m.series.some((s) => (m.perRule ? seriesName.startsWith(`${s}.`) : seriesName === s)))
        return { stage, method };
  return undefined;
}
