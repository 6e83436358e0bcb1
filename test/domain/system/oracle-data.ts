/**
 * pysystemtrade 1.80's own output for the ten shared instruments
 * (`../shared/data/oracle/pysystemtrade-1.80/`, see its README.md): one CSV per instrument, one
 * row per business day of the common grid, an empty cell = NaN.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import {
  type ClassicSystemConfig,
  classicSystemConfig,
  type TradingRule,
} from '../../../src/domain/system/config.ts';
import type { RobustVolOptions } from '../../../src/domain/system/vol.ts';

export const ORACLE_DIR = fileURLToPath(
  new URL('../../../../shared/data/oracle/pysystemtrade-1.80', import.meta.url),
);

export const ORACLE_INSTRUMENTS = [
  'AUD',
  'BUXL',
  'CORN',
  'EUROSTX',
  'GAS_US',
  'GOLD',
  'SOFR',
  'SP500',
  'US10',
  'V2X',
] as const;

export const ORACLE_COLUMNS = [
  'adjusted_price',
  'daily_returns_vol',
  'system_vol',
  'instrument_value_vol',
  'ewmac8_32',
  'ewmac16_64',
  'ewmac32_128',
  'ewmac64_256',
  'carry',
  'combined_forecast',
  'subsystem_position',
  'notional_position',
  'buffer_lower',
  'buffer_upper',
] as const;

export type OracleColumn = (typeof ORACLE_COLUMNS)[number];

export interface OracleTable {
  dates: string[];
  columns: Record<OracleColumn, Float64Array>;
}

export function loadOracle(instrument: string): OracleTable {
  const lines = readFileSync(`${ORACLE_DIR}/${instrument}.csv`, 'utf8').trimEnd().split('\n');
  const header = lines[0]!.split(',');
  const expected = ['date', ...ORACLE_COLUMNS];
  if (header.join(',') !== expected.join(','))
    throw new Error(`oracle ${instrument}: unexpected header ${lines[0]}`);
  const n = lines.length - 1;
  const columns = Object.fromEntries(ORACLE_COLUMNS.map((c) => [c, new Float64Array(n)])) as Record<
    OracleColumn,
    Float64Array
  >;
  const dates: string[] = new Array<string>(n);
  for (let r = 0; r < n; r++) {
    const cells = lines[r + 1]!.split(',');
    dates[r] = cells[0]!;
    ORACLE_COLUMNS.forEach((c, k) => {
      const cell = cells[k + 1]!;
      columns[c][r] = cell === '' ? Number.NaN : Number(cell);
    });
  }
  return { dates, columns };
}

/** The parts of the oracle's `config.yaml` the classic system reads (pysystemtrade's keys). */
interface OracleConfigYaml {
  data: { instruments: string[]; grid: { first: string; last: string; rows: number } };
  trading_rules: Record<string, { function: string; Lfast?: number; Lslow?: number; smooth_days?: number }>;
  forecast_scalars: Record<string, number>;
  forecast_cap: number;
  average_absolute_forecast: number;
  forecast_weights: Record<string, number>;
  forecast_weight_ewma_span: number;
  forecast_div_multiplier: number;
  instrument_weights: Record<string, number>;
  instrument_weight_ewma_span: number;
  instrument_div_multiplier: number;
  percentage_vol_target: number;
  notional_trading_capital: number;
  base_currency: string;
  volatility_calculation: {
    func: string;
    days: number;
    min_periods: number;
    slow_vol_years: number;
    proportion_of_slow_vol: number;
    vol_abs_min: number;
    backfill: boolean;
  };
  daily_returns_vol_column: {
    days: number;
    min_periods: number;
    vol_abs_min: number;
    vol_floor: boolean;
    floor_min_quant: number;
    floor_min_periods: number;
    floor_days: number;
    backfill: boolean;
  };
  buffer_method: 'forecast' | 'position' | 'none';
  buffer_size: number;
}

export interface OracleSetup {
  instruments: string[];
  grid: { first: string; last: string; rows: number };
  capital: number;
  config: ClassicSystemConfig;
  /** Options of the reference-only `daily_returns_vol` column (robust_vol_calc). */
  dailyReturnsVol: RobustVolOptions;
}

/** Every parameter of the oracle run, from its `config.yaml`, as systack's classic-system config. */
export function loadOracleSetup(): OracleSetup {
  const y = parse(readFileSync(`${ORACLE_DIR}/config.yaml`, 'utf8')) as OracleConfigYaml;
  const rules: Record<string, TradingRule> = {};
  for (const [name, r] of Object.entries(y.trading_rules)) {
    if (r.function.endsWith('.ewmac')) rules[name] = { type: 'ewmac', lfast: r.Lfast!, lslow: r.Lslow! };
    else if (r.function.endsWith('.carry')) rules[name] = { type: 'carry', smooth_days: r.smooth_days! };
    else throw new Error(`oracle config: unknown rule function ${r.function}`);
  }
  const v = y.volatility_calculation;
  if (v.func !== 'sysquant.estimators.vol.mixed_vol_calc')
    throw new Error(`oracle config: unexpected volatility_calculation ${v.func}`);
  const d = y.daily_returns_vol_column;
  return {
    instruments: y.data.instruments,
    grid: y.data.grid,
    capital: y.notional_trading_capital,
    config: classicSystemConfig({
      trading_rules: rules,
      forecast_scalars: y.forecast_scalars,
      forecast_cap: y.forecast_cap,
      average_absolute_forecast: y.average_absolute_forecast,
      forecast_weights: y.forecast_weights,
      forecast_weight_ewma_span: y.forecast_weight_ewma_span,
      forecast_div_multiplier: y.forecast_div_multiplier,
      instrument_weights: y.instrument_weights,
      instrument_weight_ewma_span: y.instrument_weight_ewma_span,
      instrument_div_multiplier: y.instrument_div_multiplier,
      percentage_vol_target: y.percentage_vol_target,
      base_currency: y.base_currency,
      volatility_calculation: {
        func: 'mixed_vol_calc',
        days: v.days,
        minPeriods: v.min_periods,
        slowVolYears: v.slow_vol_years,
        proportionOfSlowVol: v.proportion_of_slow_vol,
        volAbsMin: v.vol_abs_min,
        backfill: v.backfill,
      },
      buffer_method: y.buffer_method,
      buffer_size: y.buffer_size,
      long_only_instruments: [],
    }),
    dailyReturnsVol: {
      days: d.days,
      minPeriods: d.min_periods,
      volAbsMin: d.vol_abs_min,
      volFloor: d.vol_floor,
      floorMinQuant: d.floor_min_quant,
      floorMinPeriods: d.floor_min_periods,
      floorDays: d.floor_days,
      backfill: d.backfill,
    },
  };
}
