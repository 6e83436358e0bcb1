import { jetstreamManager, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { DestinationStream } from 'pino';
import { streamName, subject } from '../bus/subjects.ts';

/**
 * Log shipping: every log line is also published on `<prefix>.logs.<process>.<level>` and kept
 * by the JetStream stream `<PREFIX>_LOGS`, so `systack logs` can query every process's lines.
 * Core publish is fire-and-forget: shipping never blocks or fails a log call.
 */
export const LEVEL_NAMES: Record<number, string> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  55: 'critical',
  60: 'fatal',
};

export function logStreamName(prefix: string): string {
  return streamName(prefix, 'logs');
}

export async function ensureLogStream(nc: NatsConnection, prefix: string): Promise<string> {
  const jsm = await jetstreamManager(nc);
  const name = logStreamName(prefix);
  const config = {
    name,
    subjects: [subject(prefix, 'logs', '>')],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    max_bytes: 2 * 1024 * 1024 * 1024,
  };
  try {
    await jsm.streams.info(name);
  } catch {
    await jsm.streams.add(config);
  }
  return name;
}

const LEVEL_RE = /"level":(\d+)/;

/** A process name as the subject token its lines are published under. */
export const processToken = (processName: string): string => processName.replace(/[^A-Za-z0-9_-]/g, '_');

export function natsLogDestination(
  nc: NatsConnection,
  prefix: string,
  processName: string,
): DestinationStream {
  const safeProcess = processToken(processName);
  return {
    write(line: string) {
      if (nc.isClosed()) return;
      const level = LEVEL_NAMES[Number(LEVEL_RE.exec(line)?.[1] ?? 30)] ?? 'info';
      try {
        nc.publish(subject(prefix, 'logs', safeProcess, level), line);
      } catch {
        // a closed or draining connection: the line is still on stdout
      }
    },
  };
}
