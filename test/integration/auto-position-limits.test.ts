/**
 * interactive_controls "Position limits > Autopopulate limits" as `systack control limits
 * auto-populate`: the limits shown and written are max(1, ceil(capital × risk target × IDM ×
 * weight × 2 / annual risk per contract)); an instrument without a risk figure gets none; bad
 * figures, unknown instruments and an unconfirmed run write nothing.
 */
import { describe, expect, it } from 'vitest';
import { autoPositionLimit } from '../../src/domain/strategy-orders/auto-position-limits.ts';
import { JetStreamControlsStore } from '../../src/store/controls-store.ts';
import { PREFIX, riskMarketServer, storeTotalCapital } from './auto-limits-market.ts';

let controls: JetStreamControlsStore;
const market = riskMarketServer(async (nc) => {
  controls = await JetStreamControlsStore.open(nc, PREFIX);
});
const systack = market.systack;

interface Proposal {
  total_capital: number;
  risk_multiplier: number;
  rows: Array<{
    instrument_code: string;
    annual_risk_per_contract: number | null;
    proposed_limit: number | null;
  }>;
}

describe('systack control limits auto-populate', () => {
  it('refuses bad figures, no capital and unknown instruments, writing nothing', async () => {
    const zero = await systack('control', 'limits', 'auto-populate', '--risk-target', '0', '--yes');
    expect(zero.code).toBe(2);
    expect(zero.stderr).toContain('--risk-target must be a positive number, got 0');
    const text = await systack('control', 'limits', 'auto-populate', '--idm', 'lots', '--yes');
    expect(text.code).toBe(2);
    expect(text.stderr).toContain('--idm must be a positive number');
    const noCapital = await systack('control', 'limits', 'auto-populate', '--yes');
    expect(noCapital.code).toBe(1);
    expect(noCapital.stderr).toContain('no total capital stored');
    await storeTotalCapital(market.nc(), 500_000);
    const unknown = await systack('control', 'limits', 'auto-populate', '--instrument', 'NOPE', '--yes');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('unknown instrument NOPE (instruments with prices: EUROSTX, SOFR, V2X)');
    expect(await controls.positionLimits()).toEqual({});
  }, 120_000);

  it('shows the limits and writes nothing unless confirmed; --yes writes them', async () => {
    const shown = await systack('control', 'limits', 'auto-populate', '--json');
    expect(shown.code).toBe(0);
    expect(shown.stderr).toContain('not written (confirm on a terminal, or pass --yes)');
    expect(await controls.positionLimits()).toEqual({});
    const p = JSON.parse(shown.stdout) as Proposal;
    expect(p.total_capital).toBe(500_000);
    expect(p.risk_multiplier).toBeCloseTo(0.0625, 12); // 0.25 × 2.5 × 0.1
    const by = Object.fromEntries(p.rows.map((r) => [r.instrument_code, r]));
    // SOFR: daily stdev of the alternating 0.04 / −0.02 moves ≈ 0.03, × 16 × 2500 ≈ 1200 a year
    expect(by.SOFR!.annual_risk_per_contract).toBeGreaterThan(1100);
    expect(by.SOFR!.annual_risk_per_contract).toBeLessThan(1300);
    // EUROSTX: the same shape × 1000 in price, point size 10, EUR at 1.1 USD
    expect(by.EUROSTX!.annual_risk_per_contract! / by.SOFR!.annual_risk_per_contract!).toBeCloseTo(
      (1000 * 10 * 1.1) / 2500,
      2,
    );
    for (const code of ['SOFR', 'EUROSTX']) {
      const risk = by[code]!.annual_risk_per_contract!;
      // capital × 0.0625 × 2 / risk, rounded up
      expect(by[code]!.proposed_limit).toBe(Math.ceil((500_000 * 0.0625 * 2) / risk - 1e-9));
    }
    expect(by.SOFR!.proposed_limit).toBe(
      autoPositionLimit(500_000, by.SOFR!.annual_risk_per_contract!, {
        riskTarget: 0.25,
        idm: 2.5,
        instrumentWeight: 0.1,
        maxForecastRatio: 2,
      }),
    );
    expect(by.V2X).toMatchObject({ annual_risk_per_contract: null, proposed_limit: null });

    const written = await systack(
      'control',
      'limits',
      'auto-populate',
      '--risk-target',
      '0.2',
      '--instrument',
      'SOFR',
      'V2X',
      '--yes',
    );
    expect(written.code).toBe(0);
    expect(written.stdout).toContain('1 instrument position limits written');
    const sofr = Math.ceil((500_000 * 0.2 * 2.5 * 0.1 * 2) / by.SOFR!.annual_risk_per_contract! - 1e-6);
    expect(await controls.positionLimits()).toEqual({ instrument: { SOFR: sofr } });
    // the table shows the limit now in place beside the one the default figures give
    const again = await systack('control', 'limits', 'auto-populate', '--instrument', 'SOFR');
    const proposed = by.SOFR!.proposed_limit!;
    expect(again.stdout).toMatch(new RegExp(`SOFR\\s*│\\s*[0-9.]+\\s*│\\s*${sofr}\\s*│\\s*${proposed}\\s*│`));
    expect(await controls.positionLimits()).toEqual({ instrument: { SOFR: sofr } });
  }, 120_000);
});
