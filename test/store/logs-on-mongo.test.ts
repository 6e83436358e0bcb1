/**
 * Log lines on storage_backend: mongodb: processes ship them on NATS into `<PREFIX>_LOGS` as
 * always; the supervisor's log archive moves them into MongoDB's `logs` collection, which
 * `systack logs`, the cleaner and the monitor read (actors/store/log-store.ts). Exactly once: a
 * restarted archive, or the whole stream delivered again, writes no line twice.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { AckPolicy, DeliverPolicy, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOG_ARCHIVE_CONSUMER, startLogArchive } from '../../actors/log-archive.ts';
import { openLogStore } from '../../actors/store/log-store.ts';
import { childLogger, createRootLogger, logCritical } from '../../src/log/logger.ts';
import { ensureLogStream, logStreamName, natsLogDestination } from '../../src/log/ship.ts';
import { closeStorage, mongoDatabase, selectStorage } from '../../src/store/backend.ts';
import { type FakeMongo, startFakeMongo } from '../fixtures/mongo-wire/server.ts';
import { startTestNats, type TestNats } from '../support/nats.ts';

const P = 'MLOGS';
let nats: TestNats;
let nc: NatsConnection;
let fake: FakeMongo | undefined;

const quiet = new Writable({ write: (_c, _e, cb) => cb() });
const root = () =>
  createRootLogger({ processName: 'run_stack_handler', destination: quiet, onCritical: () => {} });

beforeAll(async () => {
  nats = await startTestNats();
  nc = await nats.connect();
  fake = process.env.MONGODB_URL ? undefined : await startFakeMongo();
  const url = process.env.MONGODB_URL ?? fake!.url;
  await selectStorage({ backend: 'mongodb', mongo: { url, db: `systack_logs_${Date.now()}` } });
  await ensureLogStream(nc, P);
});
afterAll(async () => {
  await (await mongoDatabase().catch(() => undefined))?.dropDatabase();
  await closeStorage();
  await fake?.stop();
  await nc?.close();
  await nats?.stop();
});

async function until(what: string, ok: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (await ok()) return;
    await sleep(50);
  }
  throw new Error(`never: ${what}`);
}

describe('log lines on MongoDB', () => {
  it('are archived from the stream once each, queried by level and attribute, and cleaned by age', async () => {
    const r = root();
    r.addDestination(natsLogDestination(nc, P, 'run_stack_handler'));
    const sofr = childLogger({ instrument_code: 'SOFR', strategy_name: 'example' }, r.log);
    sofr.info({ instrument_order_id: 7 }, 'spawned contract order');
    sofr.warn('no price for contract');
    logCritical(sofr, 'position break', { broker_position: 3, our_position: 2 });
    await nc.flush();

    const store = await openLogStore(nc, P);
    expect(store.backend).toBe('mongodb');
    const archiveLog = childLogger({ component: 'log-archive' }, root().log);
    const first = await startLogArchive(nc, P, archiveLog);
    expect(first).toBeDefined();
    const all = () => store.query({ now: Date.now(), lookbackDays: 1 });
    await until('3 lines in MongoDB', async () => (await all()).length === 3);
    expect(first!.archived()).toBe(3);
    expect((await all()).map((l) => l.msg)).toEqual([
      'spawned contract order',
      'no price for contract',
      'position break',
    ]);
    const critical = await store.query({ now: Date.now(), level: 'critical' });
    expect(critical.map((l) => [l.msg, l.broker_position, l.instrument_code])).toEqual([
      ['position break', 3, 'SOFR'],
    ]);
    expect(await store.query({ now: Date.now(), attributes: { instrument_code: 'GOLD' } })).toEqual([]);
    await first!.stop();

    // Shipped while no archive runs: the durable consumer keeps them for the next one.
    sofr.info('filled while the supervisor was down');
    await nc.flush();
    const second = await startLogArchive(nc, P, archiveLog);
    await until('4 lines in MongoDB', async () => (await all()).length === 4);
    expect(second!.archived()).toBe(1);
    await second!.stop();

    // The whole stream delivered again (the consumer lost): nothing is written twice.
    const jsm = await jetstreamManager(nc);
    expect((await jsm.streams.info(logStreamName(P))).state.messages).toBe(4);
    await jsm.consumers.delete(logStreamName(P), LOG_ARCHIVE_CONSUMER);
    await jsm.consumers.add(logStreamName(P), {
      durable_name: LOG_ARCHIVE_CONSUMER,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
    });
    const third = await startLogArchive(nc, P, archiveLog);
    await until('the stream read again', async () => {
      const info = await jsm.consumers.info(logStreamName(P), LOG_ARCHIVE_CONSUMER);
      return info.ack_floor.stream_seq >= 4;
    });
    expect(third!.archived()).toBe(0);
    expect(await all()).toHaveLength(4);
    await third!.stop();

    // Cleaning by age: two days on, a one-day retention deletes every line, in MongoDB and the stream.
    const later = Date.now() + 2 * 86_400_000;
    expect(await store.clean(1, later)).toBe(4);
    expect(await all()).toEqual([]);
    expect((await jsm.streams.info(logStreamName(P))).state.messages).toBe(0);
  });
});
