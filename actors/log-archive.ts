/**
 * The log archive (storage_backend: mongodb): every process ships its log lines on
 * `<prefix>.logs.<process>.<level>` into the JetStream stream `<PREFIX>_LOGS` as always; the
 * supervisor moves them from there into the MongoDB collection `logs` through the durable
 * consumer `log_archive`. A line is acked only once it is in MongoDB, and written with the
 * stream sequence as its unique id, so a redelivery (a crash between write and ack, or two
 * supervisors sharing the consumer) never writes it twice, and a supervisor that was down
 * archives what was shipped meanwhile.
 */
import {
  AckPolicy,
  type ConsumerMessages,
  DeliverPolicy,
  jetstream,
  jetstreamManager,
} from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from '../src/log/logger.ts';
import type { LogLine } from '../src/log/query.ts';
import { ensureLogStream } from '../src/log/ship.ts';
import { mongoDatabase, selectedStorage } from '../src/store/backend.ts';

export const LOG_ARCHIVE_CONSUMER = 'log_archive';
/** A line MongoDB refused is delivered again after this long. */
const RETRY_MS = 2000;

export interface LogArchive {
  /** Lines written to MongoDB by this archive (duplicates not counted). */
  readonly archived: () => number;
  stop(): Promise<void>;
}

/** Start the archive when MongoDB is the selected backend; undefined on JetStream (nothing to move). */
export async function startLogArchive(
  nc: NatsConnection,
  prefix: string,
  log: Logger,
): Promise<LogArchive | undefined> {
  if (selectedStorage().backend !== 'mongodb') return undefined;
  const { MongoLogStore } = await import('../src/store/mongo/log-store.ts');
  const store = await MongoLogStore.open(await mongoDatabase());
  const stream = await ensureLogStream(nc, prefix);
  const jsm = await jetstreamManager(nc);
  const exists = await jsm.consumers.info(stream, LOG_ARCHIVE_CONSUMER).catch(() => undefined);
  // Created once: from the stream's start, unless MongoDB holds lines already (copied by
  // `systack migrate` or a restore), which the stream's older lines would only duplicate.
  if (!exists)
    await jsm.consumers.add(stream, {
      durable_name: LOG_ARCHIVE_CONSUMER,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: (await store.count()) > 0 ? DeliverPolicy.New : DeliverPolicy.All,
      max_deliver: -1,
    });
  const consumer = await jetstream(nc).consumers.get(stream, LOG_ARCHIVE_CONSUMER);
  const messages: ConsumerMessages = await consumer.consume({ max_messages: 500 });
  let archived = 0;
  let failing = false;
  const loop = (async () => {
    for await (const m of messages) {
      let line: LogLine;
      try {
        line = m.json<LogLine>();
      } catch {
        m.term(); // not a JSON log line: nothing to archive, and it stays in the stream
        continue;
      }
      try {
        if (await store.append(m.subject, line, `log.${m.seq}`)) archived++;
        m.ack();
        failing = false;
      } catch (err) {
        // Logged once per outage: every log line would otherwise add one more line to archive.
        if (!failing) log.error({ err }, 'log archive: MongoDB refused a line; retrying');
        failing = true;
        m.nak(RETRY_MS);
      }
    }
  })();
  return {
    archived: () => archived,
    async stop() {
      await messages.close();
      await loop;
    },
  };
}
