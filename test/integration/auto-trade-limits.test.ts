/**
 * interactive_controls "Trade limits > Autopopulate limits" as `systack control trade-limits
 * auto-populate`: the instrument trade limits shown and written are max(4, ceil(capital × risk
 * target × IDM × weight / annual risk per contract × sqrt(days) × trade multiplier)) over the
 * period; an instrument without a risk figure gets none; bad figures, unknown instruments and an
 * unconfirmed run write nothing.
 */
import { describe, expect, it } from 'vitest';
import { autoTradeLimit } from '../../src/domain/strategy-orders/auto-trade-limits.ts';
import { TradeLimitsStore } from '../../src/store/trade-limits-store.ts';
import { PREFIX, riskMarketServer, storeTotalCapital } from './auto-limits-market.ts';

let limits: TradeLimitsStore;
const market = riskMarketServer(async (nc) => {
  limits = await TradeLimitsStore.open(nc, PREFIX);
});
const systack = market.systack;

interface Proposal {
  total_capital: number;
  risk_multiplier: number;
  adj_trade_multiplier: number;
  period_days: number;
  rows: Array<{
    instrument_code: string;
    annual_risk_per_contract: number | null;
    current_limit: number | null;
    proposed_limit: number | null;
  }>;
}

const auto = (...args: string[]) => systack('control', 'trade-limits', 'auto-populate', ...args);
const P = { riskTarget: 0.25, idm: 2.5, instrumentWeight: 0.1, tradeMultiplier: 0.33, periodDays: 1 };

describe('systack control trade-limits auto-populate', () => {
  it('refuses bad figures, no capital and unknown instruments, writing nothing', async () => {
    const zero = await auto('--trade-multiplier', '0', '--yes');
    expect(zero.code).toBe(2);
    expect(zero.stderr).toContain('--trade-multiplier must be a positive number, got 0');
    const days = await auto('--days', '1.5', '--yes');
    expect(days.code).toBe(2);
    expect(days.stderr).toContain('--days must be a whole number of days from 1 to 3650, got 1.5');
    const idm = await auto('--idm', 'lots', '--yes');
    expect(idm.code).toBe(2);
    expect(idm.stderr).toContain('--idm must be a positive number');
    const noCapital = await auto('--yes');
    expect(noCapital.code).toBe(1);
    expect(noCapital.stderr).toContain('no total capital stored');
    await storeTotalCapital(market.nc(), 500_000);
    const unknown = await auto('--instrument', 'NOPE', '--yes');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('unknown instrument NOPE (instruments with prices: EUROSTX, SOFR, V2X)');
    expect(await limits.list()).toEqual([]);
  }, 120_000);

  it('shows the limits and writes nothing unless confirmed; --yes writes them over the period', async () => {
    const shown = await auto('--json');
    expect(shown.code).toBe(0);
    expect(shown.stderr).toContain('not written (confirm on a terminal, or pass --yes)');
    expect(await limits.list()).toEqual([]);
    const p = JSON.parse(shown.stdout) as Proposal;
    expect(p.total_capital).toBe(500_000);
    expect(p.risk_multiplier).toBeCloseTo(0.0625, 12);
    expect(p.adj_trade_multiplier).toBeCloseTo(0.33, 12); // sqrt(1) × 0.33
    expect(p.period_days).toBe(1);
    const by = Object.fromEntries(p.rows.map((r) => [r.instrument_code, r]));
    const sofrRisk = by.SOFR!.annual_risk_per_contract!;
    // SOFR: annual risk ≈ 1200, standard position ≈ 26, × 0.33 ≈ 8.6 → 9
    expect(sofrRisk).toBeGreaterThan(1100);
    expect(sofrRisk).toBeLessThan(1300);
    expect(by.SOFR!.proposed_limit).toBe(Math.ceil(((500_000 * 0.0625) / sofrRisk) * 0.33 - 1e-9));
    expect(by.SOFR!.proposed_limit).toBe(autoTradeLimit(500_000, sofrRisk, P));
    // EUROSTX: annual risk ≈ 5300, standard position ≈ 5.9, × 0.33 ≈ 2: the floor of 4
    expect(((500_000 * 0.0625) / by.EUROSTX!.annual_risk_per_contract!) * 0.33).toBeLessThan(4);
    expect(by.EUROSTX!.proposed_limit).toBe(4);
    expect(by.V2X).toMatchObject({ annual_risk_per_contract: null, proposed_limit: null });

    const written = await auto(
      '--days',
      '4',
      '--trade-multiplier',
      '0.5',
      '--instrument',
      'SOFR',
      'V2X',
      '--yes',
    );
    expect(written.code).toBe(0);
    expect(written.stdout).toContain('1 instrument trade limits over 4 days written');
    // × sqrt(4) × 0.5 = × 1
    const sofr = Math.ceil((500_000 * 0.0625) / sofrRisk - 1e-6);
    expect(await limits.list()).toEqual([
      expect.objectContaining({
        instrumentCode: 'SOFR',
        strategyName: '',
        periodDays: 4,
        tradeLimit: sofr,
        tradesSinceLastReset: 0,
      }),
    ]);
    // the table shows the limit now in place over the same period beside the proposed one
    const again = await auto('--days', '4', '--instrument', 'SOFR', '--json');
    const row = (JSON.parse(again.stdout) as Proposal).rows[0]!;
    expect(row).toMatchObject({
      current_limit: sofr,
      proposed_limit: Math.ceil(((500_000 * 0.0625) / sofrRisk) * 0.66 - 1e-9),
    });
    const oneDay = await auto('--instrument', 'SOFR', '--json');
    expect((JSON.parse(oneDay.stdout) as Proposal).rows[0]!.current_limit).toBeNull();
    expect(await limits.list()).toHaveLength(1);
  }, 120_000);
});
