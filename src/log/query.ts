import { DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { subject } from '../bus/subjects.ts';
import { LEVELS, type LevelName } from './logger.ts';
import { LEVEL_NAMES, logStreamName, processToken } from './ship.ts';

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

/**
 * The log subjects (`<prefix>.logs.<process>.<level>`) that carry the lines a query asks for: the
 * process (attribute `process`) and the levels at or above the minimum are filtered by the
 * server; other attributes are not in the subject and are compared line by line.
 */
export function logFilterSubjects(prefix: string, q: Pick<LogQuery, 'level' | 'attributes'>): string[] {
  const proc = q.attributes?.process !== undefined ? processToken(q.attributes.process) : '*';
  const min = q.level ? LEVELS[q.level] : undefined;
  const levels =
    min === undefined
      ? ['*']
      : Object.entries(LEVEL_NAMES)
          .filter(([n]) => Number(n) >= min)
          .map(([, name]) => name);
  return levels.map((l) => subject(prefix, 'logs', proc, l));
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
  // One process: the server sends only its lines (nats-server 2.9 takes one filter subject).
  const proc = q.attributes?.process;
  const consumer = await jetstream(nc).consumers.get(name, {
    deliver_policy: DeliverPolicy.StartTime,
    opt_start_time: start,
    ...(proc !== undefined ? { filter_subjects: subject(prefix, 'logs', processToken(proc), '*') } : {}),
  });
  if ((await consumer.info(true)).num_pending === 0) {
    await consumer.delete().catch(() => undefined); // an ordered consumer: the server drops it anyway
    return [];
  }
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

/**
 * `systack logs --follow`: the history (as `queryLogs`), then every new matching line as it is
 * published, until `signal` aborts. New lines come from core subscriptions to the filter subjects
 * (the server filters process and level), opened before the history is read; a line that arrived
 * while the history was read and is also in it is printed once.
 */
export async function followLogs(
  nc: NatsConnection,
  prefix: string,
  q: LogQuery,
  onLine: (l: LogLine) => void,
  signal: AbortSignal,
): Promise<void> {
  const early: string[] = [];
  let live = false;
  const take = (raw: string) => {
    let line: LogLine;
    try {
      line = JSON.parse(raw) as LogLine;
    } catch {
      return; // a line that is not JSON is skipped
    }
    if (matches(line, q)) onLine(line);
  };
  const subs = logFilterSubjects(prefix, q).map((s) =>
    nc.subscribe(s, {
      callback: (err, m) => {
        if (err) return;
        if (live) take(m.string());
        else early.push(m.string());
      },
    }),
  );
  await nc.flush();
  try {
    const history = await queryLogs(nc, prefix, { ...q, limit: q.limit });
    for (const l of history) onLine(l);
    const seen = new Set(history.slice(-early.length - 1).map((l) => JSON.stringify(l)));
    for (const raw of early) {
      const parsed = (() => {
        try {
          return JSON.stringify(JSON.parse(raw));
        } catch {
          return raw;
        }
      })();
      if (!seen.has(parsed)) take(raw);
    }
    live = true;
    if (!signal.aborted)
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()));
  } finally {
    for (const s of subs) s.unsubscribe();
  }
}
