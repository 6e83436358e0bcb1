/**
 * Build one report by name from the stores, write it to `<echo_directory>/reports/
 * <report>_<YYYYMMDD-HHMM>.txt` and keep it as the latest of its name in `<PREFIX>_REPORTS`.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { accountCurveReport } from '../../src/domain/reports/account-curve.ts';
import { type CostRow, costRows, costsReport, slippageReport } from '../../src/domain/reports/costs.ts';
import { fileStamp, type Report } from '../../src/domain/reports/format.ts';
import {
  liquidityReport,
  liquidityRows,
  minimumCapitalReport,
  minimumCapitalRows,
} from '../../src/domain/reports/liquidity.ts';
import { type InstrumentMarket, pointValueBase, riskFigures } from '../../src/domain/reports/market.ts';
import { instrumentRiskReport } from '../../src/domain/reports/instrument-risk.ts';
import { marketMonitorReport } from '../../src/domain/reports/market-monitor.ts';
import {
  duplicateGroups,
  duplicateMarketsReport,
  type MarketFigures,
  removeMarketsReport,
} from '../../src/domain/reports/markets.ts';
import { DAY_MS, pandlReport } from '../../src/domain/reports/pandl.ts';
import { reconcileReport } from '../../src/domain/reports/reconcile.ts';
import { riskReport } from '../../src/domain/reports/risk.ts';
import { rollReport } from '../../src/domain/reports/roll.ts';
import { type SlippageScales, slippageRows } from '../../src/domain/reports/slippage.ts';
import { statusReport } from '../../src/domain/reports/status.ts';
import { strategyReport } from '../../src/domain/reports/strategy.ts';
import { tradeReport } from '../../src/domain/reports/trades.ts';
import { strategyConfigs } from '../strategy-runtime.ts';
import { renderReportHtml } from './chart-library.ts';
import * as ms from './market-sources.ts';
import { FileReportStore, ReportStore, type StoredReport } from './report-store.ts';
import * as src from './sources.ts';

/** run_reports' reports, in the reference's run order (digest §8). */
export const REPORT_NAMES = [
  'slippage_report',
  'costs_report',
  'roll_report',
  'daily_pandl_report',
  'reconcile_report',
  'trade_report',
  'strategy_report',
  'risk_report',
  'status_report',
  'liquidity_report',
  'instrument_risk_report',
  'minimum_capital_report',
  'duplicate_markets_report',
  'remove_markets_report',
  'market_monitor_report',
  'account_curve_report',
] as const;
export type ReportName = (typeof REPORT_NAMES)[number];

export function isReportName(name: string): name is ReportName {
  return (REPORT_NAMES as readonly string[]).includes(name);
}

export interface BuildOptions {
  /** P&L and trade window; default 1 day (digest §8). */
  windowMs?: number;
}

/** Window of the sampled slippage the costs and slippage reports read (digest §8: 250 days). */
const COSTS_WINDOW_MS = 250 * DAY_MS;

async function slippageScales(s: src.ReportSources, markets: InstrumentMarket[]): Promise<SlippageScales> {
  const byCode = new Map(markets.map((m) => [m.instrumentCode, m]));
  const priced = new Map<string, string>();
  for (const r of await src.rollInputs(s, { contract: [], strategy: [] }))
    priced.set(r.instrumentCode, r.priceContract);
  const ticks = await ms.tickSizes(s, priced);
  return {
    tickSize: (i) => ticks.get(i),
    pointValueBase: (i) => (byCode.has(i) ? pointValueBase(byCode.get(i)!) : undefined),
    annualPriceStdev: (i) => (byCode.has(i) ? riskFigures(byCode.get(i)!).annualPriceStdev : undefined),
  };
}

async function costRowsNow(s: src.ReportSources): Promise<CostRow[]> {
  const now = s.clock.now();
  const markets = await ms.instrumentMarkets(s);
  const slips = slippageRows(await src.historicFamilies(s), now - COSTS_WINDOW_MS, now);
  const fills = (await src.fills(s)).filter((f) => f.time > now - COSTS_WINDOW_MS && f.time <= now);
  return costRows(markets, slips, fills);
}

/**
 * SR cost (configured spread and commission), liquidity and risk per instrument, for the remove
 * and duplicate markets reports; the remove markets report leaves out
 * `exclude_instrument_lists.ignore_instruments` (as the reference does).
 */
async function marketFigures(s: src.ReportSources, excludeIgnored: boolean): Promise<MarketFigures[]> {
  const ignored = new Set(excludeIgnored ? s.system.exclude_instrument_lists.ignore_instruments : []);
  const markets = (await ms.instrumentMarkets(s)).filter((m) => !ignored.has(m.instrumentCode));
  const costs = new Map(costRows(markets, [], []).map((r) => [r.instrumentCode, r]));
  const liquidity = new Map(liquidityRows(markets, new Map()).map((r) => [r.instrumentCode, r]));
  return markets.map((m) => {
    const f = riskFigures(m);
    const l = liquidity.get(m.instrumentCode);
    return {
      instrumentCode: m.instrumentCode,
      srCost: costs.get(m.instrumentCode)?.srCostConfigured,
      volumeContracts: l?.volumeContracts,
      volumeRisk: l?.volumeRiskMillions,
      annualPercStdev: f.annualPercStdev,
      annualRiskPerContract: f.annualRiskPerContract,
    };
  });
}

/** Days of adjusted prices the market monitor reads per instrument (12 months and the vol before). */
const MONITOR_PRICE_ROWS = 400;

const instrumentPositions = (p: src.StackPositions) => {
  const out = new Map<string, number>();
  for (const r of p.strategy) out.set(r.instrumentCode, (out.get(r.instrumentCode) ?? 0) + r.position);
  return out;
};

export async function buildReport(
  name: ReportName,
  s: src.ReportSources,
  opts: BuildOptions = {},
): Promise<Report> {
  const now = s.clock.now();
  const windowMs = opts.windowMs ?? DAY_MS;
  switch (name) {
    case 'status_report': {
      const positions = await src.readPositions(s.nc, s.prefix);
      const ctl = await ms.controls(s, positions);
      const { optimal } = await ms.strategyRecords(s);
      return statusReport(
        {
          processes: await src.processLines(s),
          prices: await src.priceAges(s, positions),
          locks: await src.locks(s),
          pendingOrderRequests: await src.pendingOrderRequests(s.nc, s.prefix),
          fxPrices: await src.fxPriceAges(s),
          controlConfig: s.control && {
            timeZone: s.control.timeZone,
            processes: Object.values(s.control.processes)
              .map((p) => ({
                process: p.name,
                startTime: p.startTime,
                stopTime: p.stopTime,
                previousProcess: p.previousProcess,
                host: p.host,
              }))
              .sort((a, b) => a.process.localeCompare(b.process)),
          },
          tradeLimits: await ms.tradeLimits(s),
          positionLimits: ctl.limits,
          overrides: ctl.overrides,
          optimalPositions: optimal.map((o) => ({
            strategyName: o.strategy_name,
            instrumentCode: o.instrument_code,
            time: Date.parse(o.reference_datetime),
          })),
        },
        now,
      );
    }
    case 'roll_report':
      return rollReport(await src.rollInputs(s, await src.readPositions(s.nc, s.prefix)), now);
    case 'daily_pandl_report': {
      const fills = await src.contractFills(s);
      const markets = await ms.instrumentMarkets(s);
      const classes = new Map(markets.map((m) => [m.instrumentCode, m.assetClass]));
      return pandlReport(
        await src.capitalHistory(s),
        now,
        windowMs,
        fills,
        await src.contractPricing(s, fills),
        {
          assetClassOf: (i) => classes.get(i),
          commissions: await src.fills(s),
        },
      );
    }
    case 'reconcile_report': {
      const positions = await src.readPositions(s.nc, s.prefix);
      return reconcileReport(
        {
          contract: positions.contract,
          strategy: positions.strategy,
          broker: await src.brokerPositions(s),
          locks: await src.locks(s),
          optimal: ms.optimalBands((await ms.strategyRecords(s)).optimal),
        },
        now,
      );
    }
    case 'trade_report': {
      const scales = await slippageScales(s, await ms.instrumentMarkets(s));
      return tradeReport(await src.fills(s), now, windowMs, await src.historicFamilies(s), scales);
    }
    case 'strategy_report': {
      const { diagnostics } = await ms.strategyRecords(s);
      const positions = await src.readPositions(s.nc, s.prefix);
      const configs = strategyConfigs(s.system);
      return strategyReport(
        {
          diagnostics,
          baseCurrency: s.system.base_currency,
          volTargets: Object.fromEntries(
            Object.entries(configs).map(([k, c]) => [k, c.percentage_vol_target]),
          ),
          positions: new Map(
            positions.strategy.map((p) => [`${p.strategyName}/${p.instrumentCode}`, p.position]),
          ),
        },
        now,
      );
    }
    case 'risk_report': {
      const positions = await src.readPositions(s.nc, s.prefix);
      const history = await src.capitalHistory(s);
      const last = [...history].sort((a, b) => a.timestamp - b.timestamp).at(-1);
      return riskReport(
        {
          markets: await ms.instrumentMarkets(s),
          strategyPositions: positions.strategy,
          totalCapital: last?.total_capital,
          margin: last?.margin,
          strategyCapital: (await ms.strategyRecords(s)).capital,
          now,
        },
        now,
      );
    }
    case 'costs_report':
      return costsReport(await costRowsNow(s), now);
    case 'slippage_report':
      return slippageReport(await costRowsNow(s), now);
    case 'liquidity_report':
      return liquidityReport(
        liquidityRows(
          await ms.instrumentMarkets(s),
          instrumentPositions(await src.readPositions(s.nc, s.prefix)),
        ),
        now,
      );
    case 'minimum_capital_report': {
      const configs = strategyConfigs(s.system);
      const markets = await ms.instrumentMarkets(s);
      const weights = Object.entries(configs).map(([strategyName, c]) => {
        const given = c.instrument_weights;
        const codes = given ? Object.keys(given) : markets.map((m) => m.instrumentCode);
        return {
          strategyName,
          percentageVolTarget: c.percentage_vol_target,
          idm: c.instrument_div_multiplier,
          weights: given ?? Object.fromEntries(codes.map((k) => [k, 1 / codes.length])),
        };
      });
      return minimumCapitalReport(minimumCapitalRows(markets, weights), now);
    }
    case 'instrument_risk_report':
      return instrumentRiskReport(await ms.instrumentMarkets(s), now);
    case 'duplicate_markets_report':
      return duplicateMarketsReport(
        duplicateGroups(s.system.duplicate_instruments),
        await marketFigures(s, false),
        now,
      );
    case 'remove_markets_report':
      return removeMarketsReport(
        await marketFigures(s, true),
        s.system.exclude_instrument_lists.bad_markets,
        now,
      );
    case 'market_monitor_report':
      return marketMonitorReport(await ms.instrumentMarkets(s, MONITOR_PRICE_ROWS), now);
    case 'account_curve_report':
      return accountCurveReport(await src.capitalHistory(s), now);
  }
}

/** The KV bucket's message limit is 1 MB: a larger report is stored without its plots. */
const MAX_STORED_BYTES = 900_000;

/**
 * Write the report's text and HTML files and store it as the latest of its name; returns the
 * stored report (with the text file's path).
 */
export async function publishReport(
  report: Report,
  s: src.ReportSources,
  opts: { write?: boolean } = {},
): Promise<StoredReport> {
  let path: string | undefined;
  let htmlPath: string | undefined;
  if (opts.write !== false) {
    const dir = resolve(s.system.echo_directory, 'reports');
    await mkdir(dir, { recursive: true });
    const stem = join(dir, `${report.name}_${fileStamp(report.generatedAt)}`);
    path = `${stem}.txt`;
    htmlPath = `${stem}.html`;
    await writeFile(path, report.text);
    await writeFile(htmlPath, renderReportHtml(report));
  }
  let stored: StoredReport = { ...report, ...(path ? { path, htmlPath } : {}) };
  if (JSON.stringify(stored).length > MAX_STORED_BYTES) {
    const { charts: _dropped, ...rest } = stored;
    stored = rest;
  }
  await (await ReportStore.open(s.nc, s.prefix)).put(stored);
  if (opts.write !== false) await new FileReportStore(s.system.echo_directory).put(stored);
  return stored;
}
