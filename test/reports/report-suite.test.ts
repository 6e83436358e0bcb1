// Every report of digest §8 on seeded stores, with the values checked; each report's HTML file
// opened offline in headless Chromium with its plots drawn from data.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReport, REPORT_NAMES, type ReportName } from '../../actors/reports/build.ts';
import { publishReport } from '../../actors/reports/publish.ts';
import { renderReportHtml } from '../../actors/reports/chart-library.ts';
import { storedReportPages } from '../../actors/reports/pages.ts';
import { controlConfigOf } from '../../actors/supervisor/control-config.ts';
import { ProcessStore } from '../../actors/supervisor/process-store.ts';
import { natsMonitorDataSource } from '../../src/web/monitor/data-source.ts';
import { startMonitorServer } from '../../src/web/monitor/server.ts';
import type { ReportSources } from '../../actors/reports/sources.ts';
import { SimulatedClock } from '../../src/clock.ts';
import { loadConfig } from '../../src/config/load.ts';
import type { CostRow } from '../../src/domain/reports/costs.ts';
import type { LiquidityRow, MinimumCapitalRow } from '../../src/domain/reports/liquidity.ts';
import { dailyPriceStdev } from '../../src/domain/reports/market.ts';
import type { PandlReportData } from '../../src/domain/reports/pandl.ts';
import type { ReconcileData } from '../../src/domain/reports/reconcile.ts';
import type { RiskData } from '../../src/domain/reports/risk.ts';
import type { StatusData } from '../../src/domain/reports/status.ts';
import type { StrategyData } from '../../src/domain/reports/strategy.ts';
import type { TradeData } from '../../src/domain/reports/trades.ts';
import { launchChromium } from '../support/browser.ts';
import { startTestNats, type TestNats } from '../support/nats.ts';
import { writeStrategyPrivateConfig } from '../support/strategy-config.ts';
import { DAY, seedMarketData, seedReportData, T, zigzag } from './seed.ts';

const PREFIX = 'suite';
let nats: TestNats;
let nc: NatsConnection;
let sources: ReportSources;
const clock = new SimulatedClock(T - 2 * DAY);

const pairs = (z: { times: Float64Array; values: Float64Array }): Array<[number, number]> =>
  Array.from(z.times, (t, i) => [t, z.values[i]!]);
const goldStdev = dailyPriceStdev(pairs(zigzag(T - 5 * DAY, 1900)))!;

async function build<D>(name: ReportName): Promise<{ text: string; data: D }> {
  const r = await buildReport(name, sources);
  expect(r.name).toBe(name);
  return r as { text: string; data: D };
}

beforeAll(async () => {
  nats = await startTestNats();
  nc = await nats.connect();
  const system = {
    ...loadConfig({ privateDir: writeStrategyPrivateConfig({ GOLD: 0.5, SP500: 0.5 }) }).system,
    broker: 'sim' as const,
  };
  await seedReportData(nc, PREFIX, system, clock);
  await seedMarketData(nc, PREFIX, system, clock);
  sources = { nc, prefix: PREFIX, system, clock };
}, 60_000);
afterAll(async () => {
  await nats?.stop();
});

describe('the report suite (digest §8)', () => {
  it('P&L: the residual is the capital change minus the futures P&L, to the cent; per strategy and asset class', async () => {
    const { data, text } = await build<PandlReportData>('daily_pandl_report');
    expect(data.totalCapitalChange).toBe(10_000);
    expect(data.instruments.futuresTotal).toBeCloseTo(4840, 6);
    // no commissions on these fills: residual = capital change − futures P&L, to the cent
    expect(data.instruments.commissions).toBe(0);
    expect(Math.round(data.residual! * 100)).toBe(
      Math.round((data.totalCapitalChange! - data.instruments.futuresTotal) * 100),
    );
    expect(Math.round(data.residual! * 100)).toBe(516_000);
    // A: 1 GOLD held 1945→1960, 2@1950 and 1@1954 to 1960: 41 points × 100; B: 240.
    expect(data.strategies.map((s) => [s.strategyName, Math.round(s.pandl * 100) / 100])).toEqual([
      ['A', 4100],
      ['B', 240],
      ['(residual)', 5660],
    ]);
    expect(data.assetClasses).toEqual([
      { assetClass: 'Metals', pandl: 4840, pandlPercent: (4840 / 1_020_000) * 100 },
    ]);
    expect(text).toMatch(/P&L by strategy[^\n]*\n=+\n[^\n]*\n[- ]+\nA\s+4100\s+0\.402\n/);
  });

  it('trade: slippage of a known fill in price, ticks, cash and basis points of vol', async () => {
    const { data, text } = await build<TradeData>('trade_report');
    const row = data.slippage.find((r) => r.brokerOrderId === 7)!;
    expect(row.totalTrading).toBeCloseTo(-0.75, 9);
    // Simulated broker tick 0.01; GOLD point 100 USD (base USD); 2 contracts.
    expect(row.ticks!.totalTrading).toBeCloseTo(-75, 6);
    expect(row.ticks!.delay).toBeCloseTo(-125, 6);
    expect(row.cash!.totalTrading).toBeCloseTo(-150, 6);
    expect(row.cash!.delay).toBeCloseTo(-250, 6);
    expect(row.volNormalised!.totalTrading).toBeCloseTo((10_000 * -0.75) / (goldStdev * 16), 6);
    expect(text).toMatch(
      /Slippage in ticks[^\n]*\n=+\n[^\n]*\n[- ]+\nA\s+GOLD\s+7\s+2\s+-125\s+-25\s+-50\s+-75\s+200\n/,
    );
  });

  it('reconcile: optimal vs actual breaks beside the position breaks', async () => {
    const { data, text } = await build<ReconcileData>('reconcile_report');
    expect(data.optimalVsActual.map((r) => [r.instrumentCode, r.current, r.isBreak])).toEqual([
      ['GOLD', 0, false],
      ['SP500', 0, true],
    ]);
    expect(text).toContain('1 optimal vs actual break(s)');
    expect(text).toMatch(/carry_trend\s+SP500\s+0\s+1\.6\/2\.4\s+BREAK/);
    // the trades of the last 24 hours, ours and the broker's (e1, 30 hours old, left out)
    expect(data.dbTrades!.map((t) => [t.kind, t.strategyName ?? '', t.instrumentCode, t.qty])).toEqual([
      ['broker', 'B', 'SP500', -2],
      ['broker', 'A', 'GOLD', 2],
      ['broker', 'A', 'GOLD', 1],
      ['manual-contract', '', 'GOLD', 1],
    ]);
    expect(data.brokerTrades!.map((t) => [t.instrumentCode, t.contractDate, t.qty])).toEqual([
      ['GOLD', '20231227', 4],
      ['SP500', '20231215', -2],
    ]);
    expect(text).toMatch(
      /DB trades \(last 24 hours\)\n=+\n[^\n]*\n[- ]+\n2023-09-11 17:25\s+broker\s+B\s+SP500\s+20231200\s+-2\s+4500\n/,
    );
    expect(text).toMatch(
      /Broker trades \(last 24 hours\)\n=+\n[^\n]*\n[- ]+\n2023-09-11 19:25\s+GOLD\s+20231227\s+4\s+1\n/,
    );
  });

  it('status: position limits, overrides and optimal position ages', async () => {
    const { data, text } = await build<StatusData>('status_report');
    expect(data.atPositionLimit).toEqual([{ key: 'GOLD', position: 4, limit: 4, spare: 0 }]);
    expect(data.positionLimits).toContainEqual({ key: 'SP500', position: -2, limit: 10, spare: 8 });
    expect(data.overrides).toEqual([
      { key: 'instrument SP500', override: expect.stringContaining('reduce') },
    ]);
    expect(data.delayedOptimalPositions.map((o) => o.instrumentCode)).toEqual(['GOLD']);
    expect(text).toMatch(
      /Delayed optimal positions[^\n]*\n=+\n[^\n]*\n[- ]+\ncarry_trend\s+GOLD\s+2023-09-06 20:25\n/,
    );
  });

  it('strategy: the latest diagnostics per instrument and the vol target', async () => {
    const { data, text } = await build<StrategyData>('strategy_report');
    expect(text).toMatch(/\ncarry_trend\s+SP500\s+ewmac16_64\s+1\s+9\s+9\n/);
    expect(data.strategies).toEqual([
      expect.objectContaining({
        strategyName: 'carry_trend',
        capital: 500_000,
        percentageVolTarget: 20,
        annualCashVolTarget: 100_000,
        dailyCashVolTarget: 6250,
      }),
    ]);
    expect(data.instruments[0]).toMatchObject({
      instrumentCode: 'SP500',
      price: 4480,
      volScalar: 2.7,
      notionalPosition: 2,
      lowerPosition: 1.6,
      upperPosition: 2.4,
      currentPosition: 0,
      forecasts: [{ rule: 'ewmac16_64', weight: 1, capped: 9 }],
    });
    expect(data.instruments[0]!.annualPercVol).toBeCloseTo(15.04, 9);
  });

  it('risk: instrument risk, portfolio risk and the correlation matrix', async () => {
    const { data } = await build<RiskData>('risk_report');
    const gold = data.instruments.find((r) => r.instrumentCode === 'GOLD')!;
    expect(gold.price).toBe(1921);
    expect(gold.pointSizeBase).toBe(100);
    expect(gold.contractExposure).toBe(192_100);
    expect(gold.annualPriceStdev).toBeCloseTo(goldStdev * 16, 9);
    expect(gold.exposureHeldPercCapital).toBeCloseTo((100 * 4 * 192_100) / 1_020_000, 9);
    expect(gold.annualRiskPercCapital).toBeCloseTo((100 * 4 * goldStdev * 16 * 100) / 1_020_000, 9);
    const sp = data.instruments.find((r) => r.instrumentCode === 'SP500')!;
    expect(sp.pointSizeBase).toBeCloseTo(6, 9); // 5 × EURUSD 1.2
    expect(data.correlation.labels).toEqual(['GOLD', 'SP500']);
    expect(data.correlation.matrix[0]![0]).toBe(1);
    expect(data.correlation.matrix[0]![1]).toBe(data.correlation.matrix[1]![0]);
    expect(data.correlation.matrix[0]![1]!).toBeGreaterThan(0.9);
    expect(data.portfolioRisk).toBeGreaterThan(0);
    expect(data.sumAbsRisk).toBeCloseTo(
      Math.abs(gold.annualRiskPercCapital!) + Math.abs(sp.annualRiskPercCapital!),
      9,
    );
    expect(data.marginUsage).toBeUndefined();
  });

  it('costs and slippage: SR cost from the configured spread and from the filled orders', async () => {
    const { data } = await build<CostRow[]>('costs_report');
    const gold = data.find((r) => r.instrumentCode === 'GOLD')!;
    expect(gold).toMatchObject({
      configuredSlippage: 0.1,
      actualSlippage: 0.75,
      slippageOrders: 1,
      configuredCommission: 2.5,
    });
    expect(gold.srCostConfigured).toBeCloseTo((0.1 * 100 + 2.5) / (goldStdev * 16 * 100), 12);
    expect(gold.srCostActual).toBeCloseTo((0.75 * 100 + 2.5) / (goldStdev * 16 * 100), 12);
    const slip = await build<CostRow[]>('slippage_report');
    expect(slip.text).toMatch(/GOLD\s+0\.10\s+0\.75\s+1\s+0\.65/);
  });

  it('liquidity and minimum capital', async () => {
    const liq = await build<LiquidityRow[]>('liquidity_report');
    expect(liq.data.find((r) => r.instrumentCode === 'GOLD')).toMatchObject({
      volumeContracts: 1,
      position: 4,
      positionPercVolume: 400,
      enough: false,
    });
    const min = await build<MinimumCapitalRow[]>('minimum_capital_report');
    const gold = min.data.find((r) => r.instrumentCode === 'GOLD')!;
    const one = (goldStdev * 16 * 100) / 0.2;
    expect(gold.minimumCapitalOneContract).toBeCloseTo(one, 6);
    expect(gold).toMatchObject({
      strategyName: 'carry_trend',
      instrumentWeight: 0.5,
      minimumPositionContracts: 4,
    });
    expect(gold.minimumCapital).toBeCloseTo((4 * one) / (0.5 * gold.idm!), 6);
  });

  it('account curve: equity and drawdown of the capital history', async () => {
    const { data, text } = await build<{ totalPandl: number; maxDrawdown: number; currentDrawdown: number }>(
      'account_curve_report',
    );
    // accumulated P&L 0, +10k, +30k, +20k
    expect(data).toMatchObject({ totalPandl: 20_000, maxDrawdown: -10_000, currentDrawdown: -10_000 });
    expect(text).toContain('Equity curve');
  });

  it('builds every report of run_reports', async () => {
    for (const name of REPORT_NAMES)
      expect((await buildReport(name, sources)).text.length).toBeGreaterThan(0);
  });

  it('HTML: every report opens offline in Chromium and its plots are drawn from data', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'systack-report-html-'));
    const browser = await launchChromium({ width: 1280, height: 900 });
    const { context } = browser;
    const fetched: string[] = [];
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith('file:')) return route.continue();
      fetched.push(url);
      return route.abort();
    });
    const drawn: Record<string, Record<string, number[]>> = {};
    try {
      const page = await context.newPage();
      for (const name of REPORT_NAMES) {
        const report = await buildReport(name, sources);
        const file = join(dir, `${name}.html`);
        writeFileSync(file, renderReportHtml(report));
        await page.goto(pathToFileURL(file).href);
        await page.waitForFunction('document.body.dataset.chartsDrawn !== undefined', undefined, {
          timeout: 20_000,
        });
        expect(await page.locator('pre').innerText()).toContain(report.text.split('\n')[0]!.slice(0, 20));
        // points with a value, per dataset, of every chart drawn
        drawn[name] = (await page.evaluate(`(() => {
          const out = {};
          for (const c of document.querySelectorAll('canvas')) {
            const chart = window.Chart.getChart(c);
            out[c.id] = chart.data.datasets.map((d) => d.data.filter((v) => v !== null && v !== undefined).length);
          }
          for (const t of document.querySelectorAll('table.heatmap'))
            out[t.dataset.chart] = [t.querySelectorAll('td[data-value]:not([data-value=""])').length];
          return out;
        })()`)) as Record<string, number[]>;
        await page.screenshot({ path: `test-results/report-${name}.png`, fullPage: true });
      }
    } finally {
      await browser.close();
      rmSync(dir, { recursive: true, force: true });
    }
    expect(fetched).toEqual([]);
    // capital rows: 4; instruments GOLD and SP500; strategies A, B and the residual; one asset class
    expect(drawn.daily_pandl_report).toEqual({
      'chart-equity': [4],
      'chart-drawdown': [4],
      'chart-pandl-instrument': [2],
      'chart-pandl-strategy': [3],
      'chart-pandl-asset-class': [1],
    });
    expect(drawn.account_curve_report).toEqual({ 'chart-equity': [4], 'chart-drawdown': [4] });
    expect(drawn.trade_report).toEqual({ 'chart-slippage-distribution': [1] });
    // notional, lower and upper over 3 dates, the current position at the last
    expect(drawn.strategy_report).toEqual({ 'chart-buffers-carry_trend-SP500': [3, 3, 3, 1] });
    expect(drawn.risk_report).toEqual({ correlation: [4], 'chart-instrument-risk': [2] });
    expect(drawn.costs_report).toEqual({ 'chart-sr-costs': [2, 1] });
    // GOLD and SP500: their annual % stdevs; vol adjusted moves over the 7 periods: GOLD's last
    // price is 5 days old (no 1B move), and 40 days of prices give no stdev at a start 3 months
    // or more back
    expect(drawn.instrument_risk_report).toEqual({ 'chart-annual-perc-stdev': [2] });
    expect(drawn.market_monitor_report).toEqual({ 'chart-vol-adjusted-moves': [1, 2, 2, 0, 0, 0, 0] });
  }, 180_000);

  it('the monitor links the stored reports and serves each as its HTML file', async () => {
    await publishReport(await buildReport('risk_report', sources), sources, { write: false });
    const monitor = await startMonitorServer(
      {
        store: await ProcessStore.open(nc, PREFIX),
        control: controlConfigOf(loadConfig()),
        clock,
        data: natsMonitorDataSource(nc, PREFIX),
      },
      { reports: storedReportPages(nc, PREFIX) },
    );
    try {
      expect(await (await fetch(monitor.url)).text()).toContain('<a href="/reports/">Latest reports</a>');
      expect(await (await fetch(`${monitor.url}reports/`)).text()).toContain(
        '<a href="/reports/risk_report.html">risk_report</a>',
      );
      const page = await (await fetch(`${monitor.url}reports/risk_report.html`)).text();
      expect(page.includes('table class="heatmap" data-chart="correlation"')).toBe(true);
      expect((await fetch(`${monitor.url}reports/roll_report.html`)).status).toBe(404);
    } finally {
      await monitor.close();
    }
  });
});
