/**
 * Build one report by name from the stores (digest §8), in the reference's run order. Each
 * report's pure code lives in src/domain/reports; the data it reads comes from sources.ts,
 * market-sources.ts, market-figures.ts and status-input.ts. publish.ts writes and stores it.
 */
import { accountCurveReport } from '../../src/domain/reports/account-curve.ts';
import { costsReport, slippageReport } from '../../src/domain/reports/costs.ts';
import type { Report } from '../../src/domain/reports/format.ts';
import {
  liquidityReport,
  liquidityRows,
  minimumCapitalReport,
  minimumCapitalRows,
} from '../../src/domain/reports/liquidity.ts';
import { instrumentRiskReport } from '../../src/domain/reports/instrument-risk.ts';
import {
  customPeriod,
  type MarketMonitorDates,
  marketMonitorReport,
} from '../../src/domain/reports/market-monitor.ts';
import { duplicateGroups, duplicateMarketsReport } from '../../src/domain/reports/duplicate-markets.ts';
import { removeMarketsReport } from '../../src/domain/reports/markets.ts';
import { DAY_MS, pandlReport } from '../../src/domain/reports/pandl.ts';
import { reconcileReport } from '../../src/domain/reports/reconcile.ts';
import { riskReport } from '../../src/domain/reports/risk.ts';
import { rollReport } from '../../src/domain/reports/roll.ts';
import { statusReport } from '../../src/domain/reports/status.ts';
import { strategyReport } from '../../src/domain/reports/strategy.ts';
import { tradeReport } from '../../src/domain/reports/trades.ts';
import { strategyConfigs } from '../strategy-runtime.ts';
import { costRowsNow, instrumentPositions, marketFigures, slippageScales } from './market-figures.ts';
import * as ms from './market-sources.ts';
import * as src from './sources.ts';
import { statusInput } from './status-input.ts';

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
  /** The market monitor for custom dates (the reference's `start_date` / `end_date`). */
  marketMonitorDates?: MarketMonitorDates;
}

/** Days of adjusted prices the market monitor reads per instrument (12 months and the vol before). */
const MONITOR_PRICE_ROWS = 400;

/** Daily closes to read for a custom-dates market monitor: from a year before its start. */
const monitorRows = (dates: MarketMonitorDates | undefined, now: number) =>
  dates && (dates.start !== undefined || dates.end !== undefined)
    ? Math.max(MONITOR_PRICE_ROWS, Math.ceil((now - customPeriod(dates, now).start) / DAY_MS) + 366)
    : MONITOR_PRICE_ROWS;

export async function buildReport(
  name: ReportName,
  s: src.ReportSources,
  opts: BuildOptions = {},
): Promise<Report> {
  const now = s.clock.now();
  const windowMs = opts.windowMs ?? DAY_MS;
  switch (name) {
    case 'status_report':
      return statusReport(await statusInput(s), now);
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
          dbTrades: (await src.fills(s)).filter((f) => f.contractDate !== undefined),
          brokerTrades: await src.brokerTrades(s, now - DAY_MS),
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
        (await marketFigures(s)).figures,
        now,
      );
    case 'remove_markets_report': {
      const { figures, leftOut } = await marketFigures(s);
      return removeMarketsReport(figures, s.system.exclude_instrument_lists.bad_markets, now, leftOut);
    }
    case 'market_monitor_report': {
      const dates = opts.marketMonitorDates;
      return marketMonitorReport(await ms.instrumentMarkets(s, monitorRows(dates, now)), now, dates);
    }
    case 'account_curve_report':
      return accountCurveReport(await src.capitalHistory(s), now);
  }
}
