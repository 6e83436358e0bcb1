/** The monitor's JSON (`GET /api/monitor`): processes, methods, and other parts' data. */
import type { MethodState, ProcessStore } from '../../../actors/supervisor/process-store.ts';
import { processRows } from '../../../actors/supervisor/process-view.ts';
import type { ProcessRow } from '../../bus/schemas/process-control.ts';
import type { Clock } from '../../clock.ts';
import type { ControlConfig } from '../../domain/process-control/config.ts';
import type { MonitorDataSource, Row } from './data-source.ts';
import { timelineSvg } from './timeline.ts';

export interface MonitorSnapshot {
  now: string;
  time_zone: string;
  processes: Array<ProcessRow & { methods: Record<string, MethodState> }>;
  timeline_svg: string;
  prices: Row[] | null;
  orders: Row[] | null;
  positions: Row[] | null;
  critical_logs: Row[] | null;
  /** The day's fills (the last 24 hours on the system's clock), newest first. */
  fills: Row[] | null;
  capital: Row | null;
  series: Row[] | null;
  locks: Row[] | null;
  buffers: Row[] | null;
  trade_limits: Row[] | null;
}

export interface MonitorSources {
  store: ProcessStore;
  control: ControlConfig;
  clock: Clock;
  data: MonitorDataSource;
  reasons?: ReadonlyMap<string, string>;
}

export async function collectMonitorSnapshot(s: MonitorSources): Promise<MonitorSnapshot> {
  const now = s.clock.now();
  const none = async () => null;
  const [rows, prices, orders, positions, logs, fills, capital, series, locks, buffers, tradeLimits] =
    await Promise.all([
      processRows(s.store, s.control, s.reasons),
      s.data.prices(),
      s.data.orders(),
      s.data.positions(),
      s.data.criticalLogs(),
      s.data.fills ? s.data.fills({ days: 1 }) : none(),
      s.data.capital ? s.data.capital() : none(),
      s.data.series ? s.data.series() : none(),
      s.data.locks ? s.data.locks() : none(),
      s.data.buffers ? s.data.buffers() : none(),
      s.data.tradeLimits ? s.data.tradeLimits() : none(),
    ]);
  const processes = await Promise.all(
    rows.map(async (r) => ({ ...r, methods: await s.store.getMethods(r.name) })),
  );
  return {
    now: new Date(now).toISOString(),
    time_zone: s.control.timeZone,
    processes,
    timeline_svg: timelineSvg(rows, now, s.control.timeZone),
    prices,
    orders,
    positions,
    critical_logs: logs,
    fills,
    capital,
    series,
    locks,
    buffers,
    trade_limits: tradeLimits,
  };
}
