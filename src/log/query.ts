import { DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { LEVELS, type LevelName } from './logger.ts';
import { logStreamName } from './ship.ts';

const DAY_MS = 86_400_000;

export interface LogQuery {
  /** Only lines at least this recent (JetStream arrival time), in days. Default 1. */
  lookbackDays?: number;
  /** Minimum level. */
  level?: LevelName;
  /** Attribute filters, e.g. { instrument_code: 'SOFR' }; values compared as strings. */
  attributes?: Record<string, string>;
  /** Stop after this many matching lines (the newest are kept). */
  limit?: number;
  now?: number;
}

export type LogLine = Record<string, unknown> & { level: number; msg?: string; time?: string };

/** Whether a line passes a query's level and attribute filters (the time window aside). */
export function matches(line: LogLine, q: LogQuery): boolean {
  if (q.level && line.level < LEVELS[q.level]) return false;
  for (const [k, v] of Object.entries(q.attributes ?? {})) {
    const actual = line[k];
    if (actual === undefined || String(actual) !== v) return false;
  }
  return true;
}

/** Read the log stream from the lookback start and return the matching lines, oldest first. */
export async function queryLogs(nc: NatsConnection, prefix: string, q: LogQuery = {}): Promise<LogLine[]> {
  const now = q.now ?? Date.now();
  const name = logStreamName(prefix);
  const jsm = await jetstreamManager(nc);
  const info = await jsm.streams.info(name).catch(() => undefined);
  if (!info || info.state.messages === 0) return [];
  const startMs = now - (q.lookbackDays ?? 1) * DAY_MS;
  if (startMs > Date.parse(info.state.last_ts)) return [];
  const start = new Date(startMs).toISOString();
  const consumer = await jetstream(nc).consumers.get(name, {
    deliver_policy: DeliverPolicy.StartTime,
    opt_start_time: start,
  });
  const out: LogLine[] = [];
  const last = info.state.last_seq;
  let done = false;
  while (!done) {
    const batch = await consumer.fetch({ max_messages: 500, expires: 2000 });
    let got = 0;
    for await (const m of batch) {
      got++;
      try {
        const line = m.json<LogLine>();
        if (matches(line, q)) out.push(line);
      } catch {
        // a line that is not JSON is skipped
      }
      if (m.seq >= last || m.info.pending === 0) {
        done = true;
        break; // a fetch otherwise waits for its expiry
      }
    }
    if (got === 0) done = true;
  }
  await consumer.delete().catch(() => undefined);
  return q.limit !== undefined ? out.slice(-q.limit) : out;
}

/** Delete log entries older than `days` days. Returns how many were deleted. */
export async function cleanLogs(
  nc: NatsConnection,
  prefix: string,
  days: number,
  now = Date.now(),
): Promise<number> {
  const name = logStreamName(prefix);
  const jsm = await jetstreamManager(nc);
  const info = await jsm.streams.info(name).catch(() => undefined);
  if (!info || info.state.messages === 0) return 0;
  const cutoffMs = now - days * DAY_MS;
  if (cutoffMs > Date.parse(info.state.last_ts)) {
    return (await jsm.streams.purge(name, { seq: info.state.last_seq + 1 })).purged;
  }
  const cutoff = new Date(cutoffMs).toISOString();
  const consumer = await jetstream(nc).consumers.get(name, {
    deliver_policy: DeliverPolicy.StartTime,
    opt_start_time: cutoff,
  });
  const first = await consumer.next({ expires: 1000 });
  await consumer.delete().catch(() => undefined);
  // Everything before the first kept message goes; with none kept, everything up to now goes.
  const keepFrom = first ? first.seq : info.state.last_seq + 1;
  if (keepFrom <= info.state.first_seq) return 0;
  const r = await jsm.streams.purge(name, { seq: keepFrom });
  return r.purged;
}
