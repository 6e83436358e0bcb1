/**
 * One log line per trading day for the operator (issue 14 §1): when the process's clock passes
 * into a new day, the day just ended is summarised at info — fills, instrument orders filled,
 * contract positions changed, P&L (change of the capital's accumulated P&L) and alerts (error,
 * critical and fatal log lines of every process, counted from the log subjects).
 */
import { throughElection } from '../src/bus/election.ts';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { subject } from '../src/bus/subjects.ts';
import type { Clock } from '../src/clock.ts';
import { latestTotal } from '../src/store/capital-store.ts';
import type { Logger } from '../src/log/logger.ts';
import { openOrderJournal } from './store/open-order-journal.ts';
import { applyFillToPositions } from './stack/positions.ts';
import type { FillRecord } from './stack/types.ts';
import { openCapitalStore } from '../src/store/backend.ts';

export interface DaySummary {
  trading_day: string;
  fills: number;
  orders: number;
  positions_changed: number;
  /** Change of accumulated P&L over the day; undefined when capital was never recorded. */
  pnl: number | undefined;
  alerts: number;
}

interface Snapshot {
  fills: number;
  contract: Map<string, number>;
  pnl: number | undefined;
}

const ALERT_LEVELS = ['error', 'critical', 'fatal'];
const dayOf = (t: number): string => new Date(t).toISOString().slice(0, 10);

async function snapshot(nc: NatsConnection, prefix: string): Promise<Snapshot & { records: FillRecord[] }> {
  const events = await openOrderJournal(nc, prefix);
  const records = (await events.loadFills<FillRecord>()).map((e) => e.data);
  const contract = new Map<string, number>();
  applyAll(contract, records);
  const capital = await latestTotal(await openCapitalStore(nc, prefix));
  return { fills: records.length, contract, pnl: capital?.accumulated_pnl, records };
}

function applyAll(contract: Map<string, number>, records: FillRecord[]): void {
  const strategy = new Map<string, number>();
  for (const r of records) applyFillToPositions(contract, strategy, r);
}

/** The summary of the day between two snapshots. */
export function summariseDay(
  day: string,
  before: Snapshot,
  after: Snapshot & { records: FillRecord[] },
  alerts: number,
): DaySummary {
  const dayFills = after.records.slice(before.fills);
  const keys = new Set([...before.contract.keys(), ...after.contract.keys()]);
  const changed = [...keys].filter((k) => (before.contract.get(k) ?? 0) !== (after.contract.get(k) ?? 0));
  return {
    trading_day: day,
    fills: dayFills.length,
    orders: new Set(dayFills.map((f) => f.instrumentOrderId).filter((id) => id !== undefined)).size,
    positions_changed: changed.length,
    pnl: after.pnl !== undefined && before.pnl !== undefined ? after.pnl - before.pnl : undefined,
    alerts,
  };
}

export function describeDay(s: DaySummary): string {
  const pnl =
    s.pnl === undefined
      ? 'P&L unknown'
      : `P&L ${s.pnl >= 0 ? '+' : ''}${s.pnl.toLocaleString('en-GB', { maximumFractionDigits: 2 })}`;
  return `day ${s.trading_day}: ${s.fills} fills, ${s.orders} orders filled, ${s.positions_changed} positions changed, ${pnl}, ${s.alerts} alerts`;
}

export interface DaySummaries {
  stop(): Promise<void>;
}

/** Watch `clock` and log each day's summary as the clock passes midnight (UTC). */
export async function startDaySummaries(o: {
  nc: NatsConnection;
  prefix: string;
  clock: Clock;
  log: Logger;
  pollMs?: number;
}): Promise<DaySummaries> {
  let alerts = 0;
  const subs: Subscription[] = ALERT_LEVELS.map((level) =>
    o.nc.subscribe(subject(o.prefix, 'logs', '*', level), {
      callback: (err) => {
        if (!err) alerts++;
      },
    }),
  );
  let day = dayOf(o.clock.now());
  let before: Snapshot = await throughElection(() => snapshot(o.nc, o.prefix));
  let busy = false;
  const timer = setInterval(() => {
    const now = dayOf(o.clock.now());
    if (now === day || busy) return;
    busy = true;
    const ended = day;
    snapshot(o.nc, o.prefix)
      .then((after) => {
        const summary = summariseDay(ended, before, after, alerts);
        alerts = 0;
        before = after;
        day = now;
        o.log.info({ type: 'day_summary', ...summary }, describeDay(summary));
      })
      .catch((err: unknown) => o.log.warn({ err }, 'day summary failed'))
      .finally(() => {
        busy = false;
      });
  }, o.pollMs ?? 1000);
  return {
    async stop() {
      clearInterval(timer);
      for (const s of subs) s.unsubscribe();
    },
  };
}
