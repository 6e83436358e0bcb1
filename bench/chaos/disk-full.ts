/**
 * The `disk_full` fault: the order journal's JetStream store fills up. Each journal stream (the
 * order stacks, fills and history) is made to hold no more than it holds now (`discard: new`,
 * `max_bytes` = its size), so JetStream refuses every write with its own storage error (10077
 * "maximum bytes exceeded") as it would a full store; after the fault, each stream's own
 * configuration is put back and space has returned. Through JetStream's API only (the suite's
 * admin connection), loopback, bounded: no file system is filled.
 *
 * Why not a real full disk: a size-limited file system (tmpfs or loop mount) needs root and mount
 * rights, which a test run should not need; nats-server 2.9.10 does not reload `max_file_store` (`config reload not supported
 * for jetstream max memory and store`); and a store that hits the end of its disk makes 2.9.10
 * disable JetStream altogether until restarted (a nats-server restart: the `nats_server` fault).
 */
import { DiscardPolicy, jetstreamManager, type StreamConfig } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { streamName } from '../../src/bus/subjects.ts';
import { PREFIX } from './system.ts';

/** The order journal's streams (actors/store/order-event-store.ts). */
export const JOURNAL_STREAMS = ['STACK', 'FILLS', 'HISTORY'] as const;

/** Fill the journal's streams; resolves with what frees them again (it retries until done). */
export async function fillJournalStore(nc: NatsConnection): Promise<() => Promise<void>> {
  const jsm = await jetstreamManager(nc);
  const saved: StreamConfig[] = [];
  for (const part of JOURNAL_STREAMS) {
    const info = await jsm.streams.info(streamName(PREFIX, part)).catch(() => undefined);
    if (!info) continue; // not made yet: nothing to fill
    saved.push(info.config);
    const full = {
      ...info.config,
      discard: DiscardPolicy.New,
      // 0 would mean "no limit": at least one byte.
      max_bytes: Math.max(1, info.state.bytes),
    };
    const ok = await jsm.streams.update(info.config.name, full).then(
      () => true,
      () => false, // the bus went away meanwhile: the fault is shorter (what was filled is freed)
    );
    if (!ok) break;
  }
  return async () => {
    for (const cfg of saved) {
      for (;;) {
        try {
          await jsm.streams.update(cfg.name, cfg);
          break;
        } catch {
          await new Promise((r) => setTimeout(r, 200)); // the bus is away: again
        }
      }
    }
  };
}
