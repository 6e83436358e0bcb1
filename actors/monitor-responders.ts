/**
 * Answers the monitor's data requests (`<prefix>.monitor.prices|orders|positions`, see
 * `src/web/monitor/data-source.ts`) from the durable stores, so the page shows prices and
 * positions whether or not the process that owns them is running: price staleness from the price
 * store, positions rebuilt from the fills stream, live orders from the stack handler's services
 * while it runs.
 */
import type { Service } from '@nats-io/services';
import type { NatsConnection } from '@nats-io/transport-node';
import { z } from 'zod';
import { callService, endpoint, startService } from '../src/bus/service.ts';
import { subject } from '../src/bus/subjects.ts';
import type { Clock } from '../src/clock.ts';
import { lastAdjustedPriceTimes } from '../src/store/price-store.ts';
import { openOrderJournal } from './store/open-order-journal.ts';
import { readLockNotes, readLocks, readPositions } from './stack/read-model.ts';
import type { AnyOrder, FillRecord } from './stack/types.ts';
import { openCapitalStore, openPriceStore, openStrategyStore } from '../src/store/backend.ts';
import { TradeLimitsStore } from '../src/store/trade-limits-store.ts';
import { bufferRows, tradeLimitRows } from './monitor-buffers.ts';

const empty = z.object({}).passthrough();
const fillsQuery = z
  .object({
    days: z.number().positive().max(3660).optional(),
    q: z.string().max(100).optional(),
    limit: z.number().int().positive().max(5000).optional(),
  })
  .strict();
const CACHE_MS = 5_000;
const DAY_MS = 86_400_000;
/** Points of each instrument's price chart (the latest daily prices). */
const SERIES_POINTS = 120;
/** A price older than this is stale (four days: a long weekend is not stale, a missed day is). */
export const STALE_PRICE_MINUTES = 4 * 24 * 60;

/** Does a fill match a search: every word is found in its instrument, strategy, contract or ids. */
function fillMatches(f: FillRecord, q: string | undefined): boolean {
  if (!q) return true;
  const hay = [
    f.instrumentCode,
    f.strategyName,
    f.contractDate,
    f.kind,
    f.instrumentOrderId,
    f.contractOrderId,
    f.brokerOrderId,
    f.execId,
  ]
    .filter((x) => x !== undefined)
    .join(' ')
    .toLowerCase();
  return q
    .toLowerCase()
    .split(/\s+/)
    .filter(Boolean)
    .every((w) => hay.includes(w));
}

/** Memoise an async read for a few seconds (the page polls every 2 s). */
function cached<T>(read: () => Promise<T>): () => Promise<T> {
  let at = 0;
  let value: Promise<T> | undefined;
  return () => {
    if (!value || Date.now() - at > CACHE_MS) {
      at = Date.now();
      value = read().catch((err: unknown) => {
        value = undefined;
        throw err;
      });
    }
    return value;
  };
}

export interface MonitorResponderOptions {
  /** Strategies whose buffer bands are charted (config `strategy_list`). */
  strategies?: readonly string[];
}

export async function startMonitorResponders(
  nc: NatsConnection,
  prefix: string,
  clock: Clock,
  opts: MonitorResponderOptions = {},
): Promise<Service> {
  const prices = await openPriceStore(nc, prefix);
  const priceRows = cached(async () =>
    (await lastAdjustedPriceTimes(prices)).map(({ instrumentCode, lastPriceTime: last }) => ({
      instrument_code: instrumentCode,
      last_price_time: last !== undefined ? new Date(last).toISOString() : null,
      age_minutes: last !== undefined ? Math.round((clock.now() - last) / 60_000) : null,
      stale: last === undefined || clock.now() - last > STALE_PRICE_MINUTES * 60_000,
    })),
  );
  const seriesRows = cached(async () => {
    const out = [];
    for (const code of await prices.listAdjustedPrices()) {
      const s = await prices.getAdjustedPrices(code);
      if (!s) continue;
      const from = Math.max(0, s.times.length - SERIES_POINTS);
      const points: Array<[number, number]> = [];
      for (let i = from; i < s.times.length; i++) points.push([s.times[i]!, s.values[i]!]);
      out.push({ instrument_code: code, points });
    }
    return out;
  });
  const events = await openOrderJournal(nc, prefix);
  const allFills = cached(async () => (await events.loadFills<FillRecord>()).map((e) => e.data));
  const fillRows = async (b: z.infer<typeof fillsQuery>) => {
    const since = clock.now() - (b.days ?? 1) * DAY_MS;
    return (await allFills())
      .filter((f) => f.time >= since && fillMatches(f, b.q))
      .sort((a, b2) => b2.time - a.time)
      .slice(0, b.limit ?? 500)
      .map((f) => ({
        time: new Date(f.time).toISOString(),
        strategy_name: f.strategyName ?? null,
        instrument_code: f.instrumentCode,
        contract_date: f.contractDate ?? null,
        qty: f.qty,
        price: f.price,
        kind: f.kind,
        instrument_order_id: f.instrumentOrderId ?? null,
        contract_order_id: f.contractOrderId ?? null,
        broker_order_id: f.brokerOrderId ?? null,
      }));
  };
  const strategyStore = await openStrategyStore(nc, prefix);
  const buffers = cached(async () =>
    bufferRows(opts.strategies ?? [], strategyStore, await allFills(), clock),
  );
  const tradeLimits = await TradeLimitsStore.open(nc, prefix);
  const capital = await openCapitalStore(nc, prefix);
  const capitalRows = cached(async () => {
    const rows = (await capital.totalHistory()).filter((r) => Number.isFinite(r.total_capital));
    const last = rows[rows.length - 1];
    // P&L today: the change of accumulated P&L since the last row before today (UTC) began.
    const dayStart = Math.floor(clock.now() / DAY_MS) * DAY_MS;
    const before = [...rows].reverse().find((r) => r.timestamp < dayStart);
    return {
      total_capital: last?.total_capital ?? null,
      accumulated_pnl: last?.accumulated_pnl ?? null,
      pnl_today: last && before ? last.accumulated_pnl - before.accumulated_pnl : null,
      curve: rows.slice(-365).map((r) => ({
        time: new Date(r.timestamp).toISOString(),
        total_capital: r.total_capital,
        accumulated_pnl: r.accumulated_pnl,
      })),
    };
  });
  const positionRows = cached(async () => {
    const p = await readPositions(nc, prefix);
    return [
      ...p.strategy.map((r) => ({
        strategy_name: r.strategyName,
        instrument_code: r.instrumentCode,
        position: r.position,
      })),
      ...p.contract.map((r) => ({
        instrument_code: r.instrumentCode,
        contract_date: r.contractDate,
        position: r.position,
      })),
    ].filter((r) => r.position !== 0);
  });
  const orderRows = async () => {
    const rows = [];
    for (const level of ['instrument', 'contract', 'broker'] as const) {
      const orders = await callService<AnyOrder[]>(
        nc,
        subject(prefix, 'orders', 'view', level),
        { active_only: true },
        1000,
      );
      for (const o of orders) {
        rows.push({
          id: o.id,
          level,
          instrument_code: o.instrumentCode,
          strategy_name: o.strategyName,
          quantity: o.trade,
          filled: o.fill,
          status: o.state,
        });
      }
    }
    return rows;
  };
  return startService(nc, {
    name: 'systack-monitor-data',
    version: '1.0.0',
    description:
      'Data for the monitor page: prices, live orders, positions, fills, capital and P&L, price series, buffer bands, trade limits',
    endpoints: [
      endpoint({
        name: 'prices',
        subject: subject(prefix, 'monitor', 'prices'),
        description: 'price staleness',
        schema: empty,
        handler: priceRows,
      }),
      endpoint({
        name: 'orders',
        subject: subject(prefix, 'monitor', 'orders'),
        description: 'live orders (while the stack handler runs)',
        schema: empty,
        handler: orderRows,
      }),
      endpoint({
        name: 'positions',
        subject: subject(prefix, 'monitor', 'positions'),
        description: 'positions from fills',
        schema: empty,
        handler: positionRows,
      }),
      endpoint({
        name: 'locks',
        subject: subject(prefix, 'monitor', 'locks'),
        description: 'locked instruments and why',
        schema: empty,
        handler: async () => {
          const [locks, notes] = await Promise.all([readLocks(nc, prefix), readLockNotes(nc, prefix)]);
          return [...locks].map(([instrument_code, reason]) => ({
            instrument_code,
            reason,
            ...(notes.has(instrument_code) ? { note: notes.get(instrument_code) } : {}),
          }));
        },
      }),
      endpoint({
        name: 'fills',
        subject: subject(prefix, 'monitor', 'fills'),
        description: 'fills of the last `days` (default 1), newest first, matching every word of `q`',
        schema: fillsQuery,
        handler: fillRows,
      }),
      endpoint({
        name: 'capital',
        subject: subject(prefix, 'monitor', 'capital'),
        description: 'total capital, accumulated P&L, P&L today and the equity curve',
        schema: empty,
        handler: capitalRows,
      }),
      endpoint({
        name: 'series',
        subject: subject(prefix, 'monitor', 'series'),
        description: `the latest ${SERIES_POINTS} adjusted prices of each instrument`,
        schema: empty,
        handler: seriesRows,
      }),
      endpoint({
        name: 'buffers',
        subject: subject(prefix, 'monitor', 'buffers'),
        description:
          'each strategy × instrument: buffer band over time, stored optimal position, actual position from fills',
        schema: empty,
        handler: buffers,
      }),
      endpoint({
        name: 'trade_limits',
        subject: subject(prefix, 'monitor', 'trade_limits'),
        description: 'every trade limit with its count and spare capacity',
        schema: empty,
        handler: () => tradeLimitRows(tradeLimits, clock),
      }),
    ],
  });
}
