/**
 * Data the monitor shows but other parts of systack own (prices, orders, positions, logs).
 * The NATS implementation asks each owner with a request; an absent service (no responders or
 * timeout) gives `null`, which the page shows as "no data".
 *
 * Subjects (request body `{}`, reply JSON `{ ok: true, result: [...] }` as `src/bus/service.ts`
 * replies, or a bare JSON array):
 *   <prefix>.monitor.prices     → [{ instrument_code, last_price_time (ISO), age_minutes? }]
 *   <prefix>.monitor.orders     → [{ id, level, instrument_code, strategy_name?, quantity, filled, status }]
 *   <prefix>.monitor.positions  → [{ strategy_name?, instrument_code, contract_date?, position }]
 *   <prefix>.monitor.fills      → [{ time, strategy_name, instrument_code, contract_date, qty, price, kind, *_order_id }]
 *                                 (body { days?, q?, limit? }: newest first, every word of q matched)
 *   <prefix>.monitor.capital    → { total_capital, accumulated_pnl, pnl_today, curve: [{ time, total_capital, accumulated_pnl }] }
 *   <prefix>.monitor.locks      → [{ instrument_code, reason, note? }]
 *   <prefix>.monitor.series     → [{ instrument_code, points: [[epoch ms, price]] }]
 *   <prefix>.monitor.buffers    → [{ strategy_name, instrument_code, lower_position, upper_position,
 *                                    reference_datetime, band: [[epoch ms, lower, upper]], position: [[epoch ms, position]] }]
 *   <prefix>.monitor.trade_limits → [{ strategy_name?, instrument_code, period_days, trade_limit,
 *                                    trades_since_last_reset, trade_capacity_remaining, time_since_last_reset_ms }]
 * Critical log lines are read from the log stream (`src/log/query.ts`).
 */
import type { NatsConnection } from '@nats-io/transport-node';
import { subject } from '../../bus/subjects.ts';
import { type LogStore, openLogStore } from '../../../actors/store/log-store.ts';

export type Row = Record<string, unknown>;

export interface FillsQuery {
  days?: number;
  q?: string;
  limit?: number;
}

export interface MonitorDataSource {
  prices(): Promise<Row[] | null>;
  orders(): Promise<Row[] | null>;
  positions(): Promise<Row[] | null>;
  criticalLogs(): Promise<Row[] | null>;
  fills?(q: FillsQuery): Promise<Row[] | null>;
  capital?(): Promise<Row | null>;
  series?(): Promise<Row[] | null>;
  locks?(): Promise<Row[] | null>;
  buffers?(): Promise<Row[] | null>;
  tradeLimits?(): Promise<Row[] | null>;
}

export const MONITOR_SUBJECTS = [
  'prices',
  'orders',
  'positions',
  'fills',
  'capital',
  'series',
  'locks',
  'buffers',
  'trade_limits',
] as const;

function rowsOf(v: unknown): Row[] | null {
  if (Array.isArray(v)) return v as Row[];
  const r = resultOf(v);
  return Array.isArray(r) ? (r as Row[]) : null;
}

function resultOf(v: unknown): unknown {
  if (v && typeof v === 'object' && 'ok' in v && (v as { ok: unknown }).ok === true)
    return (v as { result?: unknown }).result;
  return undefined;
}

export function natsMonitorDataSource(
  nc: NatsConnection,
  prefix: string,
  timeoutMs = 1000,
): MonitorDataSource {
  let logs: Promise<LogStore> | undefined;
  const raw = async (what: (typeof MONITOR_SUBJECTS)[number], body: object = {}): Promise<unknown> => {
    try {
      const m = await nc.request(subject(prefix, 'monitor', what), JSON.stringify(body), {
        timeout: timeoutMs,
      });
      return m.json();
    } catch {
      return null; // no responder or no answer in time: "no data", never an empty list
    }
  };
  const ask = async (what: (typeof MONITOR_SUBJECTS)[number], body: object = {}) =>
    rowsOf(await raw(what, body));
  return {
    prices: () => ask('prices'),
    orders: () => ask('orders'),
    positions: () => ask('positions'),
    fills: (q) => ask('fills', q),
    capital: async () => {
      const r = resultOf(await raw('capital'));
      return r && typeof r === 'object' && !Array.isArray(r) ? (r as Row) : null;
    },
    series: () => ask('series'),
    locks: () => ask('locks'),
    buffers: () => ask('buffers'),
    tradeLimits: () => ask('trade_limits'),
    criticalLogs: async () => {
      try {
        logs ??= openLogStore(nc, prefix);
        const query = { level: 'critical', lookbackDays: 1, limit: 20, now: Date.now() } as const;
        const lines = await (await logs).query(query);
        return lines
          .reverse()
          .map((l) => ({ time: l.time ?? null, process: l.process ?? l.name ?? null, msg: l.msg ?? '' }));
      } catch {
        logs = undefined; // the store is opened again on the next refresh
        return null;
      }
    },
  };
}

/** A data source with nothing (tests, or a monitor without NATS). */
export const emptyDataSource: MonitorDataSource = {
  prices: async () => null,
  orders: async () => null,
  positions: async () => null,
  criticalLogs: async () => null,
};
