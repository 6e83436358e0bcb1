/**
 * systack's classic system against pysystemtrade 1.80's own output for the ten shared
 * instruments (`../shared/data/oracle/pysystemtrade-1.80/`, every parameter from its
 * `config.yaml`): every column of every row of the common grid.
 *
 * Equal means: both missing (NaN, an empty cell in the oracle), or
 * |systack − oracle| ≤ max(1e-9 × |oracle|, 1e-12) — relative 1e-9 with an absolute floor for
 * values that are zero up to rounding (combined forecasts of about 1e-15).
 */
import { describe, expect, it } from 'vitest';
import { gridDate } from '../../../src/domain/system/calendar.ts';
import { runClassicSystem } from '../../../src/domain/system/classic-system.ts';
import { diff, keepWithin, type Series } from '../../../src/domain/system/series.ts';
import { robustVolCalc } from '../../../src/domain/system/vol.ts';
import { loadPysystemtradeData } from '../../../src/store/pysystemtrade-csv.ts';
import { PYSYSTEMTRADE_DIR } from './fixtures.ts';
import { loadOracle, loadOracleSetup, ORACLE_COLUMNS, type OracleColumn } from './oracle-data.ts';

const RELATIVE = 1e-9;
const ABSOLUTE_FLOOR = 1e-12;

export function sameValue(ours: number, oracle: number): boolean {
  if (Number.isNaN(ours) || Number.isNaN(oracle)) return Number.isNaN(ours) && Number.isNaN(oracle);
  return Math.abs(ours - oracle) <= Math.max(RELATIVE * Math.abs(oracle), ABSOLUTE_FLOOR);
}

const setup = loadOracleSetup();
const data = loadPysystemtradeData(PYSYSTEMTRADE_DIR, setup.instruments);
const result = runClassicSystem({ ...data, capital: setup.capital }, setup.config);

describe('the classic system equals pysystemtrade 1.80 row for row (oracle, ten instruments)', () => {
  it('runs on the oracle grid with every instrument', () => {
    expect(result.skipped).toEqual([]);
    expect(result.grid.length).toBe(setup.grid.rows);
    expect(gridDate(result.grid, 0)).toBe(setup.grid.first);
    expect(gridDate(result.grid, result.grid.length - 1)).toBe(setup.grid.last);
  });

  it('the comparison rule: both missing, or within 1e-9 relative (1e-12 absolute floor)', () => {
    expect(sameValue(Number.NaN, Number.NaN)).toBe(true);
    expect(sameValue(0, Number.NaN)).toBe(false);
    expect(sameValue(Number.NaN, 0)).toBe(false);
    expect(sameValue(1 + 0.9e-9, 1)).toBe(true);
    expect(sameValue(1 + 1.1e-9, 1)).toBe(false);
    expect(sameValue(1e-15, -1e-15)).toBe(true);
  });

  it.each(setup.instruments)('%s: every column of every row', (code) => {
    const oracle = loadOracle(code);
    const d = result.diagnostics[code]!;
    const ours: Record<OracleColumn, Series> = {
      adjusted_price: d.daily_prices,
      daily_returns_vol: keepWithin(
        robustVolCalc(diff(d.daily_prices), setup.dailyReturnsVol),
        result.spans[code]!.price,
      ),
      system_vol: d.daily_returns_volatility,
      instrument_value_vol: d.instrument_value_vol,
      ewmac8_32: d.raw_forecasts.ewmac8_32!,
      ewmac16_64: d.raw_forecasts.ewmac16_64!,
      ewmac32_128: d.raw_forecasts.ewmac32_128!,
      ewmac64_256: d.raw_forecasts.ewmac64_256!,
      carry: d.raw_forecasts.carry!,
      combined_forecast: d.combined_forecast,
      subsystem_position: d.subsystem_position,
      notional_position: d.notional_position,
      buffer_lower: d.lower_position,
      buffer_upper: d.upper_position,
    };
    expect(oracle.dates.length).toBe(result.grid.length);
    expect(oracle.dates[0]).toBe(gridDate(result.grid, 0));
    const mismatches: string[] = [];
    let compared = 0;
    for (const column of ORACLE_COLUMNS) {
      const a = ours[column];
      const b = oracle.columns[column];
      let count = 0;
      for (let row = 0; row < b.length; row++) {
        compared++;
        if (sameValue(a[row]!, b[row]!)) continue;
        if (count++ < 3)
          mismatches.push(`${column} ${oracle.dates[row]}: systack ${a[row]} oracle ${b[row]}`);
      }
      if (count > 3) mismatches.push(`${column}: ${count} rows differ in all`);
    }
    expect(mismatches).toEqual([]);
    expect(compared).toBe(ORACLE_COLUMNS.length * setup.grid.rows);
  });
});
