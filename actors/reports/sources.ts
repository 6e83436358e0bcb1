/**
 * The data the reports read, all from stores systack already keeps (read-only): positions and
 * locks from the stack's read model, fills from the fills stream, broker positions from the
 * simulated broker's KV store (or the configured broker), capital rows, process records, price
 * series and the order request queue.
 */
import type { NatsConnection } from '@nats-io/transport-node';
import { simBrokerStore } from '../../src/broker/sim/kv-store.ts';
import { simPositions } from '../../src/broker/sim/state.ts';
import type { Clock } from '../../src/clock.ts';
import type { ControlConfig } from '../../src/domain/process-control/config.ts';
import type { ResolvedSystemConfig } from '../../src/config/load.ts';
import type { CapitalRow } from '../../src/domain/capital/total-capital.ts';
import type { ContractPosition, TradeLine } from '../../src/domain/reports/reconcile.ts';
import type { BrokerFill } from '../../src/broker/port.ts';
import type { RollInput } from '../../src/domain/reports/roll.ts';
import type { ProcessLine } from '../../src/domain/reports/status.ts';
import type { ContractFill, ContractPricing } from '../../src/domain/reports/instrument-pandl.ts';
import type { HistoricFamily } from '../../src/domain/reports/slippage.ts';
import type { TradeFill } from '../../src/domain/reports/trades.ts';
import { lastAdjustedPriceTimes } from '../../src/store/price-store.ts';
import { withClientBroker } from '../broker-client.ts';
import { pendingOrderRequests } from '../stack/order-requests.ts';
import { readLocks, readPositions, type StackPositions } from '../stack/read-model.ts';
import type { FillRecord } from '../stack/types.ts';
import { openOrderJournal } from '../store/open-order-journal.ts';
import { contractVolumes, reportBrokerScope } from './market-sources.ts';
import { openStrategyRuntime } from '../strategy-runtime.ts';
import { ProcessStore } from '../supervisor/process-store.ts';
import { openPriceStore } from '../../src/store/backend.ts';
import { readRollStates } from '../rolls/roll-status-host.ts';

export interface ReportSources {
  nc: NatsConnection;
  prefix: string;
  system: ResolvedSystemConfig;
  clock: Clock;
  /** The control config, for the status report's "Config for process control" table. */
  control?: ControlConfig;
  /** Who builds the report (the holder of its broker client id); default `report`. */
  process?: string;
}

export { readPositions, type StackPositions };

export async function locks(s: ReportSources): Promise<Array<{ instrumentCode: string; reason: string }>> {
  return [...(await readLocks(s.nc, s.prefix))]
    .map(([instrumentCode, reason]) => ({ instrumentCode, reason }))
    .sort((a, b) => a.instrumentCode.localeCompare(b.instrumentCode));
}

/**
 * The broker's positions. The simulated broker is read straight from its KV store (the sum of
 * the fills of every order it keeps, as `SimBroker.positions` does) so the report never
 * connects it (connecting would start its resting-order timer); another broker is asked, over a
 * connection with its own recorded broker client id.
 */
export async function brokerPositions(s: ReportSources): Promise<ContractPosition[]> {
  if (s.system.broker === 'sim') {
    const store = await simBrokerStore(s.nc, s.prefix);
    return simPositions(await store.loadOrders());
  }
  return withClientBroker(reportBrokerScope(s, 'broker positions'), async (broker) =>
    (await broker.positions()).map((p) => ({
      instrumentCode: p.instrumentCode,
      contractDate: p.contractDate,
      position: p.position,
    })),
  );
}

/**
 * The broker's fills since `since`: the simulated broker's from its KV store, another broker's
 * over a connection with its own recorded broker client id.
 */
export async function brokerTrades(s: ReportSources, since: number): Promise<TradeLine[]> {
  const line = (f: BrokerFill): TradeLine => ({
    time: f.time,
    instrumentCode: f.instrumentCode,
    contractDate: f.contractDate,
    qty: f.qty,
    price: f.price,
  });
  if (s.system.broker === 'sim') {
    const store = await simBrokerStore(s.nc, s.prefix);
    return (await store.loadOrders()).flatMap((o) => o.fills.filter((f) => f.time >= since).map(line));
  }
  return withClientBroker(reportBrokerScope(s, 'broker trades'), async (broker) =>
    (await broker.fills(since)).map(line),
  );
}

export async function fills(s: ReportSources): Promise<TradeFill[]> {
  const store = await openOrderJournal(s.nc, s.prefix);
  return (await store.loadFills<FillRecord>()).map((e) => e.data);
}

/** Completed order families from the historic order stream (instrument level, with children). */
export async function historicFamilies(s: ReportSources): Promise<HistoricFamily[]> {
  const store = await openOrderJournal(s.nc, s.prefix);
  return (await store.loadHistory<Partial<HistoricFamily>>())
    .map((e) => e.data)
    .filter(
      (f): f is HistoricFamily =>
        f.instrument !== undefined && Array.isArray(f.brokers) && Array.isArray(f.contracts),
    );
}

export async function capitalHistory(s: ReportSources): Promise<CapitalRow[]> {
  const rt = await openStrategyRuntime(s.nc, s.prefix, s.system, s.clock);
  return rt.capital.history();
}

export async function rollInputs(s: ReportSources, positions: StackPositions): Promise<RollInput[]> {
  const store = await openPriceStore(s.nc, s.prefix);
  const states = await readRollStates(s.nc, s.prefix);
  const out: RollInput[] = [];
  for (const code of await store.listMultiplePrices()) {
    const m = await store.getMultiplePrices(code);
    const last = m ? m.times.length - 1 : -1;
    if (!m || last < 0) continue;
    const cfg = await store.getInstrumentConfig(code);
    out.push({
      instrumentCode: code,
      priceContract: m.priceContract[last]!,
      forwardContract: m.forwardContract[last]!,
      carryContract: m.carryContract[last]!,
      roll: cfg?.roll,
      rollState: states[code] ?? 'No_Roll',
      positions: positions.contract.filter((p) => p.instrumentCode === code),
      volumes: {
        priced: await contractVolumes(store, code, m.priceContract[last]!),
        forward: await contractVolumes(store, code, m.forwardContract[last]!),
      },
    });
  }
  return out;
}

/** Contract-level fills (the ones that move contract positions), for the P&L by instrument. */
export async function contractFills(s: ReportSources): Promise<ContractFill[]> {
  const store = await openOrderJournal(s.nc, s.prefix);
  return (await store.loadFills<FillRecord>())
    .map((e) => e.data)
    .filter(
      (f): f is FillRecord & { contractDate: string } =>
        f.scope !== 'strategy' && f.contractDate !== undefined,
    );
}

/** Last value at or before `t` of a time-sorted series. */
function valueAt(times: Float64Array, values: Float64Array, t: number): number | undefined {
  let lo = 0;
  let hi = times.length - 1;
  let at = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (times[mid]! <= t) {
      at = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  const v = at >= 0 ? values[at] : undefined;
  return v === undefined || Number.isNaN(v) ? undefined : v;
}

/**
 * Pricing for the given fills' contracts, preloaded: daily FINAL prices per contract (matched by
 * month when the id differs), point size and currency from the instrument config, and the
 * `<CCY><BASE>` FX series.
 */
export async function contractPricing(s: ReportSources, fills: ContractFill[]): Promise<ContractPricing> {
  const store = await openPriceStore(s.nc, s.prefix);
  const base = s.system.base_currency;
  const prices = new Map<string, { times: Float64Array; values: Float64Array }>();
  const sizes = new Map<string, number>();
  const fx = new Map<string, { times: Float64Array; values: Float64Array } | 'base'>();
  for (const code of new Set(fills.map((f) => f.instrumentCode))) {
    const cfg = await store.getInstrumentConfig(code);
    if (cfg?.meta) sizes.set(code, cfg.meta.pointsize);
    const ccy = cfg?.meta?.currency;
    if (ccy === base) fx.set(code, 'base');
    else if (ccy) {
      const series = await store.getFxPrices(`${ccy}${base}`);
      if (series) fx.set(code, series);
    }
    const stored = await store.listContractsWithPrices(code);
    for (const contract of new Set(
      fills.filter((f) => f.instrumentCode === code).map((f) => f.contractDate),
    )) {
      const id = stored.includes(contract)
        ? contract
        : stored.find((c) => c.slice(0, 6) === contract.slice(0, 6));
      const p = id ? await store.getContractPrices(code, id, 'D') : undefined;
      if (p) prices.set(`${code}/${contract}`, { times: p.times, values: p.final });
    }
  }
  return {
    priceAt: (i, c, t) => {
      const p = prices.get(`${i}/${c}`);
      return p ? valueAt(p.times, p.values, t) : undefined;
    },
    pointSize: (i) => sizes.get(i),
    fxAt: (i, t) => {
      const f = fx.get(i);
      return f === 'base' ? 1 : f ? valueAt(f.times, f.values, t) : undefined;
    },
  };
}

/** Last adjusted price time per instrument; held = a non-zero contract position. */
export async function priceAges(
  s: ReportSources,
  positions: StackPositions,
): Promise<Array<{ instrumentCode: string; lastPrice?: number; held: boolean }>> {
  const store = await openPriceStore(s.nc, s.prefix);
  const held = new Set(positions.contract.filter((p) => p.position !== 0).map((p) => p.instrumentCode));
  return (await lastAdjustedPriceTimes(store)).map((p) => ({
    instrumentCode: p.instrumentCode,
    lastPrice: p.lastPriceTime,
    held: held.has(p.instrumentCode),
  }));
}

/** Last FX price time per stored `<CCY><BASE>` series. */
export async function fxPriceAges(s: ReportSources): Promise<Array<{ code: string; lastPrice?: number }>> {
  const store = await openPriceStore(s.nc, s.prefix);
  const out: Array<{ code: string; lastPrice?: number }> = [];
  for (const code of (await store.listFxPrices()).sort()) {
    const f = await store.getFxPrices(code);
    const n = f?.times.length ?? 0;
    out.push({ code, lastPrice: n > 0 ? f!.times[n - 1] : undefined });
  }
  return out;
}

/** Every process the process store knows (record, status, methods or lease), with its methods. */
export async function processLines(s: ReportSources): Promise<ProcessLine[]> {
  const store = await ProcessStore.open(s.nc, s.prefix);
  const names = new Set<string>();
  for (const k of await store.keys()) {
    const dot = k.indexOf('.');
    if (dot > 0 && ['record', 'status', 'methods', 'lease'].includes(k.slice(0, dot)))
      names.add(k.slice(dot + 1));
  }
  const out: ProcessLine[] = [];
  for (const name of [...names].sort()) {
    const record = await store.getRecord(name);
    const methods = await store.getMethods(name);
    out.push({
      name,
      status: await store.getStatus(name),
      lastStart: record.lastStart,
      lastEnd: record.lastEnd,
      lastOutcome: record.lastOutcome,
      recentlyCrashed: record.recentlyCrashed,
      ...(record.lastPid !== undefined && record.lastPid > 0 ? { pid: record.lastPid } : {}),
      running: (await store.getLease(name)) !== undefined,
      methods: Object.entries(methods)
        .map(([m, st]) => ({
          name: m,
          executions: st.executions,
          lastRun: st.lastRun,
          lastEnd: st.lastEnd,
          running: st.running,
        }))
        .sort((a, b) => a.name.localeCompare(b.name)),
    });
  }
  return out;
}

export { pendingOrderRequests };
