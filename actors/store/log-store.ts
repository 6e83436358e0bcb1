/**
 * Where `systack logs`, the log cleaner and the monitor read log lines, by `storage_backend`:
 * the JetStream stream `<PREFIX>_LOGS` (`src/log/query.ts`), or the MongoDB collection `logs`
 * (`src/store/mongo/log-store.ts`) that the supervisor's log archive (`actors/log-archive.ts`)
 * fills from that stream. Every process ships its lines on NATS either way; on MongoDB the stream
 * is the bus's buffer between a process and the archive.
 */
import type { NatsConnection } from '@nats-io/transport-node';
import { cleanLogs, type LogLine, type LogQuery, queryLogs } from '../../src/log/query.ts';
import { mongoDatabase, selectedStorage } from '../../src/store/backend.ts';

export interface LogStore {
  readonly backend: 'jetstream' | 'mongodb';
  /** Matching lines within the lookback (default 1 day before `now`), oldest first. */
  query(q: LogQuery & { now: number }): Promise<LogLine[]>;
  /** Delete the lines older than `days` days before `now`; returns how many were deleted. */
  clean(days: number, now: number): Promise<number>;
}

export async function openLogStore(nc: NatsConnection, prefix: string): Promise<LogStore> {
  if (selectedStorage().backend !== 'mongodb')
    return {
      backend: 'jetstream',
      query: (q) => queryLogs(nc, prefix, q),
      clean: (days, now) => cleanLogs(nc, prefix, days, now),
    };
  const { MongoLogStore } = await import('../../src/store/mongo/log-store.ts');
  const store = await MongoLogStore.open(await mongoDatabase());
  return {
    backend: 'mongodb',
    query: (q) => store.query(q),
    async clean(days, now) {
      // The stream is only the archive's buffer: it is trimmed by the same rule, the count is MongoDB's.
      await cleanLogs(nc, prefix, days, now);
      return store.clean(days, now);
    },
  };
}
