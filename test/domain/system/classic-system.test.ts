import { describe, expect, it } from 'vitest';
import { runClassicSystem } from '../../../src/domain/system/classic-system.ts';
import { classicSystemConfig } from '../../../src/domain/system/config.ts';
import { loadPysystemtradeData } from '../../../src/store/pysystemtrade-csv.ts';
import { PYSYSTEMTRADE_DIR } from './fixtures.ts';
import { loadOracle } from './oracle-data.ts';

const data = loadPysystemtradeData(PYSYSTEMTRADE_DIR, ['CORN', 'EUROSTX', 'SOFR']);

describe('classic system on pysystemtrade data (CORN, EUROSTX in EUR, SOFR)', () => {
  const result = runClassicSystem({ ...data, capital: 500_000 }, classicSystemConfig());
  const byCode = Object.fromEntries(result.positions.map((p) => [p.instrument_code, p]));

  it('produces one optimal position per instrument with its reference price, contract and date', () => {
    expect(result.skipped).toEqual([]);
    expect(byCode.CORN).toMatchObject({
      reference_price: 509.25,
      reference_contract: '20241200',
      reference_date: '2023-08-31',
    });
    expect(byCode.EUROSTX).toMatchObject({ reference_price: 4319, reference_contract: '20230900' });
    expect(byCode.SOFR).toMatchObject({ reference_price: 96.47, reference_contract: '20261200' });
  });

  it('last-row buffers follow from pysystemtrade 1.80 subsystem positions (oracle at 1,000,000)', () => {
    // Half the capital halves the subsystem position; the three instruments have held positions
    // for years, so each smoothed instrument weight is 1/3; N = subsystem × 1/3 × IDM 1.89.
    for (const code of ['CORN', 'EUROSTX', 'SOFR']) {
      const oracle = loadOracle(code).columns.subsystem_position;
      const n = ((oracle[oracle.length - 1]! / 2) * 1.89) / 3;
      expect(byCode[code]!.notional_position).toBeCloseTo(n, 9);
      expect(byCode[code]!.lower_position).toBeCloseTo(n - 0.1 * Math.abs(n), 9);
      expect(byCode[code]!.upper_position).toBeCloseTo(n + 0.1 * Math.abs(n), 9);
    }
  });

  it('the chain holds together on the last row: N = vol scalar × F/10 × w × IDM, B = 0.1|N|', () => {
    const last = result.grid.length - 1;
    for (const code of ['CORN', 'EUROSTX', 'SOFR']) {
      const d = result.diagnostics[code]!;
      const n = (d.vol_scalar[last]! * d.combined_forecast[last]! * d.instrument_weight[last]! * 1.89) / 10;
      expect(d.notional_position[last]).toBeCloseTo(n, 9);
      expect(d.upper_position[last]! - d.lower_position[last]!).toBeCloseTo(0.2 * Math.abs(n), 9);
      expect(Math.abs(d.combined_forecast[last]!)).toBeLessThanOrEqual(20);
      const weights = Object.values(d.forecast_weights).reduce((s, w) => s + w[last]!, 0);
      expect(weights).toBeCloseTo(1, 12);
    }
    // CORN's last multiple-prices row has no price: vol stops at its last price (2023-08-30,
    // pysystemtrade 1.80: 8.949858650264854) and the forecast is carried to the last row
    const cornVol = result.diagnostics.CORN!.daily_returns_volatility;
    expect(cornVol[last]).toBeNaN();
    expect(cornVol[last - 1]).toBe(8.949858650264854);
  });

  it('positions scale linearly with capital', () => {
    const doubled = runClassicSystem({ ...data, capital: 1_000_000 }, classicSystemConfig());
    expect(doubled.positions[0]!.lower_position).toBeCloseTo(2 * byCode.CORN!.lower_position, 9);
  });

  it('only instruments with instrument weights are traded; a missing one (MXP) gets no weight', () => {
    const r = runClassicSystem(
      { ...data, capital: 500_000 },
      classicSystemConfig({ instrument_weights: { CORN: 0.233, SOFR: 0.117, MXP: 0.233 } }),
    );
    expect(r.positions.map((p) => p.instrument_code)).toEqual(['CORN', 'SOFR']);
    const last = r.grid.length - 1;
    expect(r.diagnostics.CORN!.instrument_weight[last]).toBeCloseTo(0.233 / 0.35, 9);
  });

  it('forecast buffer method and robust vol are selectable', () => {
    const r = runClassicSystem(
      { ...data, capital: 500_000 },
      classicSystemConfig({ buffer_method: 'forecast', volatility_calculation: { func: 'robust_vol_calc' } }),
    );
    const last = r.grid.length - 1;
    const d = r.diagnostics.CORN!;
    const avg = Math.abs(d.vol_scalar[last]! * d.instrument_weight[last]! * 1.89);
    expect(d.buffer[last]).toBeCloseTo(0.1 * avg, 9);
  });

  it('rejects a non-positive capital and skips an instrument without an FX rate', () => {
    expect(() => runClassicSystem({ ...data, capital: 0 }, classicSystemConfig())).toThrow(
      /capital must be > 0/,
    );
    const r = runClassicSystem({ ...data, fx_to_usd: {}, capital: 1e6 }, classicSystemConfig());
    expect(r.skipped).toEqual([{ instrument_code: 'EUROSTX', reason: 'no FX rate EUR/USD' }]);
  });
});
