/**
 * Figures several reports share, gathered from the stores: the scales slippage is measured in
 * (tick size, point value, annual price stdev), the cost rows over the costs window, each
 * market's cost / liquidity / risk figures for the remove and duplicate markets reports, and
 * positions summed per instrument.
 */
import { type CostRow, costRows } from '../../src/domain/reports/costs.ts';
import { liquidityRows } from '../../src/domain/reports/liquidity.ts';
import { type InstrumentMarket, pointValueBase, riskFigures } from '../../src/domain/reports/market.ts';
import { marketsLeftOut, type MarketsLeftOut } from '../../src/domain/reports/market-exclusions.ts';
import type { MarketFigures } from '../../src/domain/reports/markets.ts';
import { DAY_MS } from '../../src/domain/reports/pandl.ts';
import { type SlippageScales, slippageRows } from '../../src/domain/reports/slippage.ts';
import * as ms from './market-sources.ts';
import * as src from './sources.ts';

/** Window of the sampled slippage the costs and slippage reports read (digest §8: 250 days). */
const COSTS_WINDOW_MS = 250 * DAY_MS;

export async function slippageScales(
  s: src.ReportSources,
  markets: InstrumentMarket[],
): Promise<SlippageScales> {
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

export async function costRowsNow(s: src.ReportSources): Promise<CostRow[]> {
  const now = s.clock.now();
  const markets = await ms.instrumentMarkets(s);
  const slips = slippageRows(await src.historicFamilies(s), now - COSTS_WINDOW_MS, now);
  const fills = (await src.fills(s)).filter((f) => f.time > now - COSTS_WINDOW_MS && f.time <= now);
  return costRows(markets, slips, fills);
}

/**
 * SR cost (configured spread and commission), liquidity and risk per instrument, for the remove
 * and duplicate markets reports, and which markets the remove markets report leaves out (the
 * ignored and the stale ones, as the reference does).
 */
export async function marketFigures(
  s: src.ReportSources,
): Promise<{ figures: MarketFigures[]; leftOut: MarketsLeftOut }> {
  const markets = await ms.instrumentMarkets(s);
  const costs = new Map(costRows(markets, [], []).map((r) => [r.instrumentCode, r]));
  const liquidity = new Map(liquidityRows(markets, new Map()).map((r) => [r.instrumentCode, r]));
  const figures = markets.map((m) => {
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
  const leftOut = marketsLeftOut(
    markets.map((m) => ({ instrumentCode: m.instrumentCode, lastPriceTime: m.prices.at(-1)?.[0] })),
    {
      ignore_instruments: s.system.exclude_instrument_lists.ignore_instruments,
      stale_instruments: s.system.stale_instruments,
    },
    s.clock.now(),
  );
  return { figures, leftOut };
}

/** Strategy positions summed per instrument. */
export function instrumentPositions(p: src.StackPositions): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of p.strategy) out.set(r.instrumentCode, (out.get(r.instrumentCode) ?? 0) + r.position);
  return out;
}
