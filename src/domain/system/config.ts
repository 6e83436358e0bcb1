/**
 * Configuration of the classic system (digest §7). Defaults are the reference's chapter-15
 * futures config on top of `defaults.yaml`:
 * - rules: EWMAC 2/8 … 64/256 and carry (smoothed with com 90), fixed forecast scalars;
 * - forecast weights ewmac16_64 0.21, ewmac32_128 0.08, ewmac64_256 0.21, carry 0.50; FDM 1.31;
 * - percentage_vol_target 20; IDM 1.89; instrument weights: none given → equal weights;
 * - volatility: mixed_vol_calc (days 35, min_periods 10, slow_vol_years 10, proportion 0.3);
 * - buffers: `position` method, size 0.10 (as issue 6 asks; the reference default is `forecast`).
 */
import type { BufferMethod } from './buffers.ts';
import type { MixedVolOptions, RobustVolOptions } from './vol.ts';

export type TradingRule =
  { type: 'ewmac'; lfast: number; lslow: number } | { type: 'carry'; smooth_days: number };

export type VolatilityCalculation =
  ({ func: 'mixed_vol_calc' } & MixedVolOptions) | ({ func: 'robust_vol_calc' } & RobustVolOptions);

export interface ClassicSystemConfig {
  trading_rules: Record<string, TradingRule>;
  forecast_scalars: Record<string, number>;
  /** Rules without a weight are computed but not combined. Absent → equal weights over all rules. */
  forecast_weights?: Record<string, number>;
  forecast_div_multiplier: number;
  forecast_cap: number;
  forecast_weight_ewma_span: number;
  /** Absent → equal weights over every instrument with data. */
  instrument_weights?: Record<string, number>;
  instrument_div_multiplier: number;
  instrument_weight_ewma_span: number;
  percentage_vol_target: number;
  average_absolute_forecast: number;
  volatility_calculation: VolatilityCalculation;
  buffer_method: BufferMethod;
  buffer_size: number;
  base_currency: string;
  long_only_instruments: string[];
}

export const CLASSIC_SYSTEM_DEFAULTS: ClassicSystemConfig = {
  trading_rules: {
    ewmac2_8: { type: 'ewmac', lfast: 2, lslow: 8 },
    ewmac4_16: { type: 'ewmac', lfast: 4, lslow: 16 },
    ewmac8_32: { type: 'ewmac', lfast: 8, lslow: 32 },
    ewmac16_64: { type: 'ewmac', lfast: 16, lslow: 64 },
    ewmac32_128: { type: 'ewmac', lfast: 32, lslow: 128 },
    ewmac64_256: { type: 'ewmac', lfast: 64, lslow: 256 },
    carry: { type: 'carry', smooth_days: 90 },
  },
  forecast_scalars: {
    ewmac2_8: 10.6,
    ewmac4_16: 7.5,
    ewmac8_32: 5.3,
    ewmac16_64: 3.75,
    ewmac32_128: 2.65,
    ewmac64_256: 1.87,
    carry: 30,
  },
  forecast_weights: { ewmac16_64: 0.21, ewmac32_128: 0.08, ewmac64_256: 0.21, carry: 0.5 },
  forecast_div_multiplier: 1.31,
  forecast_cap: 20,
  forecast_weight_ewma_span: 125,
  instrument_div_multiplier: 1.89,
  instrument_weight_ewma_span: 125,
  percentage_vol_target: 20,
  average_absolute_forecast: 10,
  volatility_calculation: {
    func: 'mixed_vol_calc',
    days: 35,
    minPeriods: 10,
    slowVolYears: 10,
    proportionOfSlowVol: 0.3,
    volAbsMin: 1e-10,
  },
  buffer_method: 'position',
  buffer_size: 0.1,
  base_currency: 'USD',
  long_only_instruments: [],
};

/** Shallow merge of a partial config over the defaults. */
export function classicSystemConfig(overrides: Partial<ClassicSystemConfig> = {}): ClassicSystemConfig {
  return { ...CLASSIC_SYSTEM_DEFAULTS, ...overrides };
}
