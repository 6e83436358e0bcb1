/**
 * What `systack start` adds to the supervisor for a run on embedded defaults: the bundled sample
 * data imported on first start, and the end-of-run summary (positions from fills against the
 * broker's — the simulated broker's KV bucket, or IB asked —, orders left on the stack, requests
 * still queued).
 */
import { resolve } from 'node:path';
import type { NatsConnection } from '@nats-io/transport-node';
import { simBrokerStore } from '../src/broker/sim/kv-store.ts';
import type { TradingCalendar } from '../src/broker/sim/sessions.ts';
import { simPositions } from '../src/broker/sim/state.ts';
import { loadSimMarketConfig } from '../src/config/sim-market.ts';
import { type ImportProgress, importPrices } from '../src/store/csv/import.ts';
import { lastAdjustedPriceTimes } from '../src/store/price-store.ts';
import type { BrokerPosition } from '../src/broker/port.ts';
import { withBroker } from './process-methods/broker-session.ts';
import { capitalMethods } from './process-methods/capital.ts';
import type { MethodContext } from './process-methods/types.ts';
import { openOrderJournal } from './store/open-order-journal.ts';
import { openStrategyRuntime } from './strategy-runtime.ts';
import { pendingOrderRequests } from './stack/order-requests.ts';
import { readPositions } from './stack/read-model.ts';
import type { AnyOrder, FillRecord } from './stack/types.ts';
import { openPriceStore } from '../src/store/backend.ts';
import type { RollState } from '../src/domain/rolls/roll-state.ts';
import { rollStatusInputs } from './rolls/roll-report.ts';

/**
 * Import the sample data unless the price store already holds instruments. Returns the time of
 * the latest stored price, so a restarted simulation continues from the day after it.
 */
export async function bootstrapSampleData(
  nc: NatsConnection,
  prefix: string,
  sampleDir: string,
  progress?: ImportProgress,
): Promise<{ imported: boolean; instruments: number; lastPriceTime: number | undefined }> {
  const store = await openPriceStore(nc, prefix);
  let instruments = (await store.listAdjustedPrices()).length;
  const imported = instruments === 0;
  if (imported) instruments = (await importPrices(store, resolve(sampleDir), progress)).adjustedPrices.length;
  let lastPriceTime: number | undefined;
  for (const { lastPriceTime: last } of await lastAdjustedPriceTimes(store)) {
    if (last !== undefined && (lastPriceTime === undefined || last > lastPriceTime)) lastPriceTime = last;
  }
  return { imported, instruments, lastPriceTime };
}

/**
 * 12:28 local time on the first day after `time` whose next morning the simulated market trades
 * (config/sim_market.yaml, the default instrument calendar): just before the compressed day's
 * evening processes, so the orders they generate trade the next morning (00:01–12:00) rather
 * than wait over a weekend or holiday.
 */
export function nextSimulatedDay(
  time: number,
  calendar: TradingCalendar = loadSimMarketConfig().terms('').calendar,
): number {
  const d = new Date(time);
  for (let k = 1; k <= 10; k++) {
    const evening = new Date(d.getFullYear(), d.getMonth(), d.getDate() + k, 12, 28).getTime();
    const morning = new Date(d.getFullYear(), d.getMonth(), d.getDate() + k + 1, 6, 0).getTime();
    if (calendar.isOpen(morning)) return evening;
  }
  return new Date(d.getFullYear(), d.getMonth(), d.getDate() + 1, 12, 28).getTime();
}

/**
 * Capital before the first evening: the reference populates capital from the broker's account value
 * the first time it runs (production doc "Capital"); systems need a strategy allocation to size
 * positions, so the first start runs the capital update and allocation once if there is none.
 */
export async function bootstrapCapital(ctx: MethodContext): Promise<boolean> {
  const methods = capitalMethods();
  const rt = await openStrategyRuntime(ctx.nc, ctx.prefix, ctx.system, ctx.clock, { log: ctx.log });
  if ((await rt.capital.history()).length > 0) return false;
  await methods.update_total_capital!({ ...ctx, method: 'update_total_capital' });
  await methods.strategy_allocation!({ ...ctx, method: 'strategy_allocation' });
  return true;
}

export interface RunSummary {
  strategy_positions: Array<{ strategy_name: string; instrument_code: string; position: number }>;
  contract_positions: Array<{ instrument_code: string; contract_date: string; position: number }>;
  broker_positions: Array<{ instrument_code: string; contract_date: string; position: number }>;
  /** Our contract positions (sum of fills) equal the broker's, contract by contract. */
  positions_equal_fills: boolean;
  fills: number;
  /** The fill records (the stack's fills stream), with the broker's commission where it came. */
  fill_records: Array<{
    instrument_code: string;
    contract_date: string;
    qty: number;
    price: number;
    commission: number | null;
  }>;
  active_orders_on_stack: number;
  queued_order_requests: number;
  /** Per instrument: the priced and forward contracts of the last multiple-prices row, the roll state. */
  rolls: Array<{
    instrument_code: string;
    priced_contract: string;
    forward_contract: string;
    roll_state: RollState;
  }>;
}

const month = (c: string) => c.slice(0, 6);

/**
 * The broker's positions: the simulated broker's from its KV bucket; any other broker is asked
 * (connected for the question with a broker client id of its own).
 */
async function brokerPositions(ctx: MethodContext): Promise<BrokerPosition[]> {
  if (ctx.system.broker !== 'sim') return withBroker(ctx, {}, (broker) => broker.positions());
  return simPositions(await (await simBrokerStore(ctx.nc, ctx.prefix)).loadOrders());
}

/** The end-of-run summary; `ctx` names the process asking (its broker client id, for IB). */
export async function runSummary(ctx: MethodContext): Promise<RunSummary> {
  const { nc, prefix } = ctx;
  const ours = await readPositions(nc, prefix);
  const events = await openOrderJournal(nc, prefix);
  const stack = await events.loadStack<{ record?: AnyOrder }>();
  const active = stack.filter((e) => e.data.record?.active).length;
  const theirs = await brokerPositions(ctx);
  const fillRecords = await events.loadFills<FillRecord>();
  const key = (i: string, c: string) => `${i}/${month(c)}`;
  const ourMap = new Map(
    ours.contract
      .filter((p) => p.position !== 0)
      .map((p) => [key(p.instrumentCode, p.contractDate), p.position]),
  );
  const theirMap = new Map(theirs.map((p) => [key(p.instrumentCode, p.contractDate), p.position]));
  const equal = ourMap.size === theirMap.size && [...ourMap].every(([k, v]) => theirMap.get(k) === v);
  return {
    strategy_positions: ours.strategy
      .filter((p) => p.position !== 0)
      .map((p) => ({
        strategy_name: p.strategyName,
        instrument_code: p.instrumentCode,
        position: p.position,
      })),
    // Both lists in one order (instrument, then contract), whatever order each side keeps.
    contract_positions: ours.contract
      .filter((p) => p.position !== 0)
      .map((p) => ({
        instrument_code: p.instrumentCode,
        contract_date: p.contractDate,
        position: p.position,
      }))
      .sort(byContract),
    broker_positions: theirs
      .map((p) => ({
        instrument_code: p.instrumentCode,
        contract_date: p.contractDate,
        position: p.position,
      }))
      .sort(byContract),
    positions_equal_fills: equal,
    fills: ours.fills,
    fill_records: fillRecords.map(({ data: f }) => ({
      instrument_code: f.instrumentCode,
      contract_date: f.contractDate ?? '',
      qty: f.qty,
      price: f.price,
      commission: f.commission ?? null,
    })),
    active_orders_on_stack: active,
    queued_order_requests: await pendingOrderRequests(nc, prefix),
    rolls: (await rollStatusInputs(nc, prefix)).map((r) => ({
      instrument_code: r.instrumentCode,
      priced_contract: r.priceContract,
      forward_contract: r.forwardContract,
      roll_state: r.rollState,
    })),
  };
}

function byContract(
  a: { instrument_code: string; contract_date: string },
  b: { instrument_code: string; contract_date: string },
): number {
  return a.instrument_code.localeCompare(b.instrument_code) || a.contract_date.localeCompare(b.contract_date);
}
