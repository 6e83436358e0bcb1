/**
 * Market, strategy and control data for the risk, costs, liquidity, minimum capital, strategy,
 * status and reconcile reports, read from the stores (read-only): instrument config, adjusted
 * and FX prices and the priced contract's volumes from the price store; optimal positions and
 * diagnostics from the strategy store; limits and overrides from the controls store; strategy
 * capital; tick sizes from the broker's contract details.
 */
import { brokerFromConfig } from '../../src/broker/factory.ts';
import type { BrokerPort } from '../../src/broker/port.ts';
import { dailyCloses, type InstrumentMarket } from '../../src/domain/reports/market.ts';
import type { TradeLimitLine } from '../../src/domain/reports/status.ts';
import { rolled, tradeCapacity } from '../../src/domain/orders/trade-limits.ts';
import { TradeLimitsStore } from '../../src/store/trade-limits-store.ts';
import type { OptimalPosition } from '../../src/domain/reports/reconcile.ts';
import type { PositionLimitLine } from '../../src/domain/reports/status.ts';
import { overrideLabel } from '../../src/domain/strategy-orders/overrides.ts';
import { latestStrategyCapital } from '../../src/store/capital-store.ts';
import { JetStreamPriceStore } from '../../src/store/jetstream/price-store.ts';
import type { DiagnosticsRecord, OptimalPositionRecord } from '../../src/store/strategy-store.ts';
import { type BrokerClientScope, withClientBroker } from '../broker-client.ts';
import { openStrategyRuntime } from '../strategy-runtime.ts';
import type { ReportSources, StackPositions } from './sources.ts';
import { openPriceStore } from '../../src/store/backend.ts';

/** Days of adjusted prices read per instrument (enough for 250 days of correlation). */
const PRICE_ROWS = 300;

/** `rows`: days of adjusted prices (daily closes) kept per instrument (300; the market monitor reads more). */
export async function instrumentMarkets(s: ReportSources, rows = PRICE_ROWS): Promise<InstrumentMarket[]> {
  const store = await openPriceStore(s.nc, s.prefix);
  const base = s.system.base_currency;
  const out: InstrumentMarket[] = [];
  for (const code of (await store.listAdjustedPrices()).sort()) {
    const cfg = await store.getInstrumentConfig(code);
    const adj = await store.getAdjustedPrices(code);
    const prices = adj ? dailyCloses(adj.times, adj.values, rows) : [];
    const ccy = cfg?.meta?.currency;
    let fx: number | undefined;
    if (ccy === base) fx = 1;
    else if (ccy) {
      const series = await store.getFxPrices(`${ccy}${base}`);
      const n = series?.values.length ?? 0;
      fx = n > 0 && !Number.isNaN(series!.values[n - 1]!) ? series!.values[n - 1] : undefined;
    }
    out.push({
      instrumentCode: code,
      assetClass: cfg?.meta?.assetClass || cfg?.moreInfo?.assetClass || undefined,
      currency: ccy,
      pointSize: cfg?.meta?.pointsize,
      fx,
      price: prices.at(-1)?.[1],
      prices,
      volumes: await pricedVolumes(store, code),
      spreadCost: cfg?.spreadCost,
      perBlock: cfg?.meta?.perBlock,
      percentage: cfg?.meta?.percentage,
      perTrade: cfg?.meta?.perTrade,
    });
  }
  return out;
}

/** Daily volumes of the contract the last multiple-prices row prices (matched by month). */
async function pricedVolumes(store: JetStreamPriceStore, code: string): Promise<Array<[number, number]>> {
  const m = await store.getMultiplePrices(code);
  const priced = m?.priceContract.at(-1);
  return priced ? contractVolumes(store, code, priced) : [];
}

/** Daily volumes (time, contracts) of one contract (its stored id matched by month); [] when none. */
export async function contractVolumes(
  store: JetStreamPriceStore,
  code: string,
  contract: string,
): Promise<Array<[number, number]>> {
  const stored = await store.listContractsWithPrices(code);
  const id = stored.includes(contract)
    ? contract
    : stored.find((c) => c.slice(0, 6) === contract.slice(0, 6));
  const p = id ? await store.getContractPrices(code, id, 'D') : undefined;
  if (!p) return [];
  return Array.from(p.times, (t, i): [number, number] => [t, p.volume[i]!]).filter(
    ([, v]) => !Number.isNaN(v),
  );
}

/** The strategies of the config, each with its optimal positions and latest diagnostics. */
export async function strategyRecords(s: ReportSources): Promise<{
  optimal: OptimalPositionRecord[];
  diagnostics: DiagnosticsRecord[];
  capital: Record<string, number>;
}> {
  const rt = await openStrategyRuntime(s.nc, s.prefix, s.system, s.clock);
  const optimal: OptimalPositionRecord[] = [];
  const diagnostics: DiagnosticsRecord[] = [];
  const capital: Record<string, number> = {};
  for (const name of Object.keys(s.system.strategy_list).sort()) {
    optimal.push(...(await rt.strategies.getOptimalPositions(name)));
    const d = await rt.strategies.getDiagnostics(name);
    if (d) diagnostics.push(d);
    const c = await latestStrategyCapital(rt.capitalStore, name);
    if (c) capital[name] = c.capital;
  }
  return { optimal, diagnostics, capital };
}

export const optimalBands = (rows: OptimalPositionRecord[]): OptimalPosition[] =>
  rows.map((o) => ({
    strategyName: o.strategy_name,
    instrumentCode: o.instrument_code,
    lower: o.lower_position,
    upper: o.upper_position,
  }));

/** Position limits with the position each applies to, and the overrides, labelled. */
export async function controls(
  s: ReportSources,
  positions: StackPositions,
): Promise<{ limits: PositionLimitLine[]; overrides: Array<{ key: string; override: string }> }> {
  const rt = await openStrategyRuntime(s.nc, s.prefix, s.system, s.clock);
  const table = await rt.controls.positionLimits();
  const instrumentPos = (i: string) =>
    positions.strategy.filter((p) => p.instrumentCode === i).reduce((t, p) => t + p.position, 0);
  const strategyPos = (k: string) =>
    positions.strategy.find((p) => `${p.strategyName}/${p.instrumentCode}` === k)?.position ?? 0;
  const line = (key: string, limit: number, position: number) => ({
    key,
    position,
    limit,
    spare: limit - Math.abs(position),
  });
  const limits = [
    ...Object.entries(table.instrument ?? {}).map(([k, l]) => line(k, l, instrumentPos(k))),
    ...Object.entries(table.strategy_instrument ?? {}).map(([k, l]) => line(k, l, strategyPos(k))),
  ].sort((a, b) => a.key.localeCompare(b.key));
  const o = await rt.controls.overrides();
  const overrides = (['strategy', 'instrument', 'strategy_instrument'] as const)
    .flatMap((scope) =>
      Object.entries(o[scope] ?? {}).map(([k, v]) => ({ key: `${scope} ${k}`, override: overrideLabel(v) })),
    )
    .sort((a, b) => a.key.localeCompare(b.key));
  return { limits, overrides };
}

/** The broker client id holder for a report's connection to the broker (actors/broker-client.ts). */
export const reportBrokerScope = (s: ReportSources, what: string): BrokerClientScope => ({
  ...s,
  process: `${s.process ?? 'report'} (${what})`,
});

/**
 * Tick size per instrument from the broker's contract details of its priced contract. The
 * simulated broker answers without connecting; another broker is connected for the question.
 * A broker that cannot answer leaves the tick size unknown (slippage in ticks not given).
 */
export async function tickSizes(
  s: ReportSources,
  contracts: Map<string, string>,
): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const ask = async (broker: BrokerPort): Promise<void> => {
    for (const [instrumentCode, contractDate] of contracts) {
      const d = await broker.contractDetails({ instrumentCode, contractDate }).catch(() => undefined);
      if (d && d.tickSize > 0) out.set(instrumentCode, d.tickSize);
    }
  };
  try {
    if (s.system.broker === 'sim') await ask(brokerFromConfig(s.system, s.clock));
    else await withClientBroker(reportBrokerScope(s, 'tick sizes'), ask);
  } catch {
    // no broker in this build, or it is unreachable: tick sizes stay unknown, the report still runs
  }
  return out;
}

/** Every trade limit as read now (a count past its period reads as reset), sorted. */
export async function tradeLimits(s: ReportSources): Promise<TradeLimitLine[]> {
  const now = s.clock.now();
  return (await (await TradeLimitsStore.open(s.nc, s.prefix)).list())
    .map((l) => {
      const r = rolled(l, now);
      return {
        strategyName: r.strategyName,
        instrumentCode: r.instrumentCode,
        periodDays: r.periodDays,
        tradeLimit: r.tradeLimit,
        tradesSinceLastReset: r.tradesSinceLastReset,
        tradeCapacityRemaining: tradeCapacity(r, now),
        lastResetTime: r.lastResetTime,
      };
    })
    .sort(
      (a, b) =>
        a.instrumentCode.localeCompare(b.instrumentCode) ||
        a.strategyName.localeCompare(b.strategyName) ||
        a.periodDays - b.periodDays,
    );
}
