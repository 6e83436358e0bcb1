// The market reports on the real pysystemtrade data (../shared/data): market monitor, remove
// markets, duplicate markets, instrument risk, beta loadings and margin usage in the risk report;
// and the new status and roll sections. Pure functions: no store.
import { describe, expect, it } from 'vitest';
import { betaLoadings } from '../../src/domain/reports/beta.ts';
import { costRows } from '../../src/domain/reports/costs.ts';
import { instrumentRiskReport } from '../../src/domain/reports/instrument-risk.ts';
import { type InstrumentMarket, riskFigures } from '../../src/domain/reports/market.ts';
import {
  MarketMonitorDatesError,
  marketMonitorReport,
  monitorDatesFrom,
  parseMonitorDate,
  periodStart,
} from '../../src/domain/reports/market-monitor.ts';
import { STALE_PRICE_DAYS, staleInstruments } from '../../src/domain/reports/market-exclusions.ts';
import { duplicateGroups, duplicateMarketsReport } from '../../src/domain/reports/duplicate-markets.ts';
import {
  type MarketFigures,
  MIN_ANNUAL_PERC_STDEV,
  removeMarketsReport,
} from '../../src/domain/reports/markets.ts';
import { riskReport } from '../../src/domain/reports/risk.ts';
import { rollRow, smoothedVolume } from '../../src/domain/reports/roll.ts';
import { statusReport } from '../../src/domain/reports/status.ts';
import { parseAdjustedPricesCsv } from '../../src/store/csv/price-files.ts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DATA, REAL_NOW, realMarkets } from './real-data.ts';

const DAY = 86_400_000;
const markets = realMarkets(400);
const byCode = new Map(markets.map((m) => [m.instrumentCode, m]));

function figures(ms: InstrumentMarket[], volumes: Record<string, [number, number]> = {}): MarketFigures[] {
  const costs = new Map(costRows(ms, [], []).map((r) => [r.instrumentCode, r.srCostConfigured]));
  return ms.map((m) => ({
    instrumentCode: m.instrumentCode,
    srCost: costs.get(m.instrumentCode),
    volumeContracts: volumes[m.instrumentCode]?.[0],
    volumeRisk: volumes[m.instrumentCode]?.[1],
    annualPercStdev: riskFigures(m).annualPercStdev,
    annualRiskPerContract: riskFigures(m).annualRiskPerContract,
  }));
}

/** A line of a section's table, as printed. */
function rowOf(text: string, heading: string, name: string): string {
  const at = text.lastIndexOf(heading);
  expect(at).toBeGreaterThanOrEqual(0);
  const body = text.slice(at).split('\n\n')[0]!;
  return body.split('\n').find((l) => l === name || l.startsWith(`${name} `))!;
}

describe('market monitor (real adjusted prices to 2023-08-31)', () => {
  it('moves per period: % change of the daily closes in the window, vol adjusted, as printed', () => {
    const r = marketMonitorReport(markets, REAL_NOW);
    // GOLD over 1 month, straight from the CSV: the last row of each day from 2023-07-31 22:00.
    const gold = parseAdjustedPricesCsv(
      readFileSync(join(DATA, 'adjusted_prices_csv/GOLD.csv'), 'utf8'),
      'GOLD',
    );
    const start = periodStart('1M', REAL_NOW);
    expect(new Date(start).toISOString()).toBe('2023-07-31T22:00:00.000Z');
    const lastOfDay = new Map<number, number>();
    gold.times.forEach((t, i) => {
      if (t >= start && t <= REAL_NOW) lastOfDay.set(Math.floor(t / DAY), gold.values[i]!);
    });
    const closes = [...lastOfDay.values()];
    expect(closes.at(-1)).toBe(1949.1);
    const change = 100 * (1949.1 / closes[0]! - 1);
    const oneMonth = r.data.periods.find((p) => p.period === '1M')!;
    const g = oneMonth.moves.find((m) => m.instrumentCode === 'GOLD')!;
    expect(g.change).toBeCloseTo(change, 9);
    expect(Math.sign(g.volAdjusted!)).toBe(Math.sign(change));
    expect(rowOf(r.text, 'period 1M, sort by name', 'GOLD')).toMatch(
      new RegExp(`^GOLD\\s+${change.toFixed(2)}\\s+${g.volAdjusted!.toFixed(2)}$`),
    );
    // every period, both truncated sorts and the three full sorts
    expect(r.data.periods.map((p) => p.period)).toEqual(['1B', '7D', '1M', '3M', '6M', 'YTD', '12M']);
    expect(r.text.match(/^Market moves for period /gm)).toHaveLength(7 * 5);
    expect(new Date(periodStart('YTD', REAL_NOW)).toISOString()).toBe('2023-01-01T00:00:00.000Z');
    expect(new Date(periodStart('1B', REAL_NOW)).toISOString()).toBe('2023-08-30T22:00:00.000Z');
    // sorted by change: the 1M table starts with the worst move
    const worst = [...oneMonth.moves].sort((a, b) => a.change - b.change)[0]!;
    const sorted = r.text.slice(r.text.indexOf('period 1M, sort by change (1M/change)'));
    expect(sorted.split('\n')[4]).toMatch(new RegExp(`^${worst.instrumentCode}\\s`));
    expect(r.charts![0]!.series).toHaveLength(7);
    expect(r.charts![0]!.labels).toHaveLength(10);
  });
});

describe('remove markets (real costs and volatilities)', () => {
  it('SOFR is too safe; an existing bad market that passes by a margin comes back', () => {
    const sofr = riskFigures(byCode.get('SOFR')!).annualPercStdev!;
    expect(MIN_ANNUAL_PERC_STDEV).toBeCloseTo(5, 12);
    expect(sofr).toBeLessThan(5 * 0.7);
    // No volumes stored: CORN, removed, cannot be shown good and stays removed.
    const unjudged = removeMarketsReport(figures(markets), ['CORN'], REAL_NOW);
    expect(unjudged.data.toAddBack).toEqual([]);
    expect(unjudged.data.notJudged).toEqual(['CORN']);
    expect(unjudged.data.recommended).toEqual(['CORN', 'SOFR']);
    expect(unjudged.data.noData.volumeContracts).toHaveLength(10);
    expect(unjudged.text).toContain('Stay removed, a figure is missing: CORN');
    // With CORN's volumes (500 contracts, 10m a day: well over the lines) it comes back.
    const r = removeMarketsReport(figures(markets, { CORN: [500, 10] }), ['CORN'], REAL_NOW);
    expect(r.data.tooSafe).toEqual(['SOFR']);
    expect(r.data.expensive).toEqual([]);
    expect(r.data.toRemove).toEqual(['SOFR']);
    expect(r.data.toAddBack).toEqual(['CORN']);
    expect(r.data.recommended).toEqual(['SOFR']);
    expect(r.text).toMatch(/Should be removed from trading[^\n]*\n=+\nSOFR\n/);
    expect(r.text).toMatch(/Should be allowed to trade[^\n]*\n=+\nCORN\n/);
    expect(r.text).toMatch(/Markets too safe \(annual % std\. dev < 5\.0\)\n=+\nSOFR\n/);
    expect(r.text).toContain('No data to judge: AUD, BUXL, EUROSTX');
    expect(r.text).toMatch(
      /minimise turnover[^\n]*\n=+\nexclude_instrument_lists:\n {2}bad_markets:\n {4}- SOFR\n/,
    );
    expect(rowOf(r.text, 'Figures per market', 'SOFR')).toMatch(
      new RegExp(`^SOFR\\s+${figures([byCode.get('SOFR')!])[0]!.srCost!.toFixed(5)}\\s+${sofr.toFixed(2)}`),
    );
  });

  it('hysteresis: a market just over a line is bad on a clean slate but not removed', () => {
    const m: MarketFigures[] = [
      { instrumentCode: 'X', srCost: 0.012, volumeContracts: 500, volumeRisk: 10, annualPercStdev: 20 },
      { instrumentCode: 'Y', srCost: 0.001, volumeContracts: 120, volumeRisk: 10, annualPercStdev: 20 },
    ];
    const r = removeMarketsReport(m, ['Y'], REAL_NOW);
    expect(r.data.cleanSlate).toEqual(['X']);
    expect(r.data.toRemove).toEqual([]); // 0.012 < 0.01 / 0.7
    expect(r.data.toAddBack).toEqual([]); // 120 < 100 × 1.3: Y stays removed
    expect(r.data.recommended).toEqual(['Y']);
  });
});

describe('duplicate markets', () => {
  it('picks the market with the smallest risk per contract among the cheap and liquid ones', () => {
    const groups = duplicateGroups({
      include: { equity: 'SP500', gold: ['GOLD'] },
      exclude: { equity: ['EUROSTX'], gold: 'GOLD_micro' },
    });
    expect(groups).toEqual([
      { name: 'equity', included: ['SP500'], excluded: ['EUROSTX'] },
      { name: 'gold', included: ['GOLD'], excluded: ['GOLD_micro'] },
    ]);
    const volumes: Record<string, [number, number]> = {
      SP500: [1_500_000, 4e4],
      EUROSTX: [900_000, 6e3],
      GOLD: [200_000, 3e3],
    };
    const r = duplicateMarketsReport(groups, figures(markets, volumes), REAL_NOW);
    const eurostx = Math.round(riskFigures(byCode.get('EUROSTX')!).annualRiskPerContract!);
    expect(r.data.groups.map((g) => [g.name, g.best, g.change])).toEqual([
      ['equity', 'EUROSTX', '** CHANGE ** Replace SP500 with EUROSTX'],
      ['gold', 'GOLD', 'No change required'],
    ]);
    expect(r.data.suggestedChanges).toHaveLength(1);
    expect(r.text).toMatch(/Suggested changes\n=+\nequity: \*\* CHANGE \*\* Replace SP500 with EUROSTX\./);
    expect(rowOf(r.text, 'equity: **', 'EUROSTX')).toMatch(new RegExp(`\\s900000\\s+6000\\s+${eurostx}$`));
    expect(rowOf(r.text, 'gold: No change', 'GOLD_micro')).toBe('GOLD_micro');
  });
});

describe('instrument risk and the risk report on real prices', () => {
  it('every instrument with prices, sorted by annual % stdev', () => {
    const r = instrumentRiskReport(markets, REAL_NOW);
    expect(r.data[0]!.instrumentCode).toBe('SOFR');
    const stdevs = r.data.map((x) => x.annualPercStdev!);
    expect(stdevs).toEqual([...stdevs].sort((a, b) => a - b));
    const gold = r.data.find((x) => x.instrumentCode === 'GOLD')!;
    expect(gold.contractExposure).toBeCloseTo(100 * 1949.1, 6);
    expect(rowOf(r.text, 'Risk of all instruments', 'GOLD')).toContain('194910');
  });

  it('beta loadings of held equity and bond positions; margin as a share of capital', () => {
    const held = ['SP500', 'EUROSTX', 'US10', 'BUXL'];
    const capital = 2_000_000;
    const positions = { SP500: 2, EUROSTX: -3, US10: 4, BUXL: 1 } as Record<string, number>;
    const r = riskReport(
      {
        markets: markets.filter((m) => held.includes(m.instrumentCode)),
        strategyPositions: held.map((i) => ({
          strategyName: 'carry_trend',
          instrumentCode: i,
          position: positions[i]!,
        })),
        totalCapital: capital,
        strategyCapital: { carry_trend: capital },
        margin: 150_000,
        now: REAL_NOW,
      },
      REAL_NOW,
    );
    const w = (i: string) => (positions[i]! * riskFigures(byCode.get(i)!).contractExposure!) / capital;
    const beta = betaLoadings(
      held.map((i) => ({
        instrumentCode: i,
        assetClass: byCode.get(i)!.assetClass!,
        prices: byCode.get(i)!.prices,
        weight: w(i),
      })),
      REAL_NOW,
    );
    const equity = beta.instruments.filter((b) => b.assetClass === 'Equity');
    expect(equity.map((b) => b.instrumentCode)).toEqual(['SP500', 'EUROSTX']);
    for (const b of equity) expect(b.beta).toBeGreaterThan(0.3);
    const equityLoading = equity.reduce((s, b) => s + b.beta! * w(b.instrumentCode), 0);
    expect(r.data.beta.byAssetClass.find((b) => b.assetClass === 'Equity')!.loading).toBeCloseTo(
      equityLoading,
      12,
    );
    expect(r.data.beta.portfolio.map((b) => b.assetClass)).toEqual(['Bond', 'Equity']);
    expect(r.data.marginUsage).toBeCloseTo(0.075, 12);
    expect(r.text).toMatch(/percentage of capital used for margin\s+7\.50%/);
    expect(r.text).toMatch(
      new RegExp(
        `Beta loadings of asset class positions on asset class\\n=+\\n[^\\n]*\\n[- ]+\\n(?:[^\\n]*\\n)*Equity\\s+${equityLoading.toFixed(2)}\\n`,
      ),
    );
  });
});

describe('status and roll sections', () => {
  it('trade limits: at the limit when no capacity is left; FX prices beside the adjusted', () => {
    const now = REAL_NOW;
    const r = statusReport(
      {
        processes: [],
        prices: [{ instrumentCode: 'GOLD', lastPrice: now - 2 * 3_600_000, held: true }],
        fxPrices: [{ code: 'EURUSD', lastPrice: now - 5 * DAY }],
        locks: [],
        pendingOrderRequests: 0,
        tradeLimits: [
          {
            strategyName: '',
            instrumentCode: 'GOLD',
            periodDays: 1,
            tradeLimit: 4,
            tradesSinceLastReset: 4,
            tradeCapacityRemaining: 0,
            lastResetTime: now - 5 * 3_600_000,
          },
          {
            strategyName: 'carry_trend',
            instrumentCode: 'SOFR',
            periodDays: 7,
            tradeLimit: 10,
            tradesSinceLastReset: 3,
            tradeCapacityRemaining: 7,
            lastResetTime: now - 50 * 3_600_000,
          },
        ],
      },
      now,
    );
    expect(r.data.atTradeLimit.map((l) => l.instrumentCode)).toEqual(['GOLD']);
    expect(r.data.delayedFxPrices.map((p) => p.code)).toEqual(['EURUSD']);
    expect(r.text).toMatch(
      /At trade limit \(capacity <= 0\)\n=+\n[^\n]*\n[- ]+\n\(all\)\s+GOLD\s+1\s+4\s+4\s+0\s+0d 5h\n/,
    );
    expect(r.text).toMatch(
      /Trade limits\n=+\n[^\n]*\n[- ]+\n\(all\)[^\n]*\ncarry_trend\s+SOFR\s+7\s+10\s+3\s+7\s+2d 2h\n/,
    );
    expect(r.text).toMatch(
      /Delayed adjusted \/ FX prices[^\n]*\n=+\n[^\n]*\n[- ]+\nEURUSD\s+2023-08-26 22:00\n/,
    );
  });

  it('roll: forward volume (EWMA span 3 of the last 14 days) and relative to the priced', () => {
    const now = REAL_NOW;
    const days = (vs: number[]) => vs.map((v, i): [number, number] => [now - (vs.length - i) * DAY, v]);
    // weights 1/4, 1/2, 1: (100/4 + 200/2 + 400) / 1.75 = 300; an old day is ignored
    expect(smoothedVolume([[now - 20 * DAY, 9999], ...days([100, 200, 400])], now)).toBeCloseTo(300, 12);
    expect(smoothedVolume([[now - 20 * DAY, 9999]], now)).toBeUndefined();
    const row = rollRow(
      {
        instrumentCode: 'GOLD',
        priceContract: '20231200',
        forwardContract: '20240200',
        carryContract: '20240200',
        positions: [],
        volumes: { priced: days([100, 200, 400]), forward: days([30, 60, 120]) },
      },
      now,
    );
    expect(row.relativeVolumeForward).toBe(0.3);
    expect(row.contractVolumeForward).toBe(90);
  });
});

describe('market monitor for custom dates (the reference start_date / end_date)', () => {
  it('one period from the start to the end of the end date; GOLD as computed from the CSV', () => {
    const dates = {
      start: parseMonitorDate('2023-06-01', 'start'),
      end: parseMonitorDate('2023-06-30', 'end'),
    };
    expect(new Date(dates.end).toISOString()).toBe('2023-06-30T23:59:59.999Z');
    const r = marketMonitorReport(markets, REAL_NOW, dates);
    expect(r.data.customDates).toBe(true);
    expect(r.data.end).toBe(dates.end);
    expect(r.data.periods.map((p) => p.period)).toEqual(['2023-06-01 to 2023-06-30']);
    const gold = parseAdjustedPricesCsv(
      readFileSync(join(DATA, 'adjusted_prices_csv/GOLD.csv'), 'utf8'),
      'GOLD',
    );
    const lastOfDay = new Map<number, number>();
    gold.times.forEach((t, i) => {
      if (t >= dates.start && t <= dates.end) lastOfDay.set(Math.floor(t / DAY), gold.values[i]!);
    });
    const closes = [...lastOfDay.values()];
    const change = 100 * (closes.at(-1)! / closes[0]! - 1);
    const g = r.data.periods[0]!.moves.find((m) => m.instrumentCode === 'GOLD')!;
    expect(g.change).toBeCloseTo(change, 9);
    expect(rowOf(r.text, 'Market moves from 2023-06-01 to 2023-06-30, sort by name', 'GOLD')).toMatch(
      new RegExp(`^GOLD\\s+${change.toFixed(2)}\\s+${g.volAdjusted!.toFixed(2)}$`),
    );
    // top and bottom by change and vol_adjusted, then all by name, change and vol_adjusted
    expect(r.text.match(/^Market moves from 2023-06-01 to 2023-06-30, /gm)).toHaveLength(5);
    expect(r.text).not.toContain('period 1M');
    // only a start: the end is now; only an end: the day before it
    expect(marketMonitorReport(markets, REAL_NOW, { start: dates.start }).data.end).toBe(REAL_NOW);
    expect(marketMonitorReport(markets, REAL_NOW, { end: dates.end }).data.periods[0]!.start).toBe(
      dates.end - DAY,
    );
  });

  it('the report config keys, and bad dates are clear errors', () => {
    expect(monitorDatesFrom({})).toBeUndefined();
    expect(monitorDatesFrom({ start_date: '2023-06-01', frequency: 60 })).toEqual({
      start: Date.UTC(2023, 5, 1),
    });
    expect(monitorDatesFrom({ start_date: new Date(Date.UTC(2023, 5, 1)) })).toEqual({
      start: Date.UTC(2023, 5, 1),
    });
    expect(() => parseMonitorDate('2023-02-30', 'start')).toThrow(MarketMonitorDatesError);
    expect(() => parseMonitorDate('June', 'end')).toThrow(
      /end date must be YYYY-MM-DD or an ISO time, got "June"/,
    );
    expect(() =>
      marketMonitorReport(markets, REAL_NOW, { start: Date.UTC(2023, 6, 1), end: Date.UTC(2023, 5, 1) }),
    ).toThrow(/start 2023-07-01 must be before its end 2023-06-01/);
    expect(() => marketMonitorReport(markets, REAL_NOW, { start: REAL_NOW + DAY })).toThrow(
      MarketMonitorDatesError,
    );
  });
});

describe('remove markets leaves out ignored and stale instruments (the reference exclude list)', () => {
  it('stale: in stale_instruments, or no adjusted price in the last 7 days', () => {
    const last = (instrumentCode: string, daysAgo?: number) => ({
      instrumentCode,
      lastPriceTime: daysAgo === undefined ? undefined : REAL_NOW - daysAgo * DAY,
    });
    expect(
      staleInstruments(
        [last('GOLD', 1), last('CORN', 8), last('MILK'), last('SP500', 6.9)],
        ['V2X'],
        REAL_NOW,
      ),
    ).toEqual(['CORN', 'MILK', 'V2X']);
    expect(STALE_PRICE_DAYS).toBe(7);
  });

  it('a stale market is not judged: SOFR, too safe, is not to be removed; a stale bad market stays removed', () => {
    const f = figures(markets, { CORN: [500, 10] });
    const r = removeMarketsReport(f, ['CORN'], REAL_NOW, { ignored: ['V2X'], stale: ['CORN', 'SOFR'] });
    expect(r.data.markets.map((m) => m.instrumentCode)).not.toContain('SOFR');
    expect(r.data.markets).toHaveLength(f.length - 3);
    expect(r.data.tooSafe).toEqual([]);
    expect(r.data.toRemove).toEqual([]);
    expect(r.data.toAddBack).toEqual([]); // CORN's volumes are good, but it is stale
    expect(r.data.notJudged).toEqual(['CORN']);
    expect(r.data.recommended).toEqual(['CORN']);
    expect(r.text).toMatch(/Left out \([^\n]*\)\n=+\nIgnored: V2X\nStale: CORN, SOFR\n/);
    expect(r.text.slice(r.text.indexOf('Figures per market'))).not.toMatch(/\nSOFR /);
  });
});
