// The order host rides through a short outage of its journal (issue 17 §3): a nats-server restart
// and a full store. Its unacknowledged write is retried with the same message id and expected
// sequence until it lands; each version is in the journal once, the host never stops, and an alert
// is raised while writes fail and cleared when they land again.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DiscardPolicy, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OrderHost, type ActorEventBody } from '../../actors/host/order-host.ts';
import {
  appendOrderRiding,
  JournalUnavailableError,
  RidingJournal,
} from '../../actors/store/riding-journal.ts';
import { OrderEventStore } from '../../actors/store/order-event-store.ts';
import { connectNats } from '../../src/bus/connection.ts';
import { type EmbeddedNats, startEmbeddedNats } from '../../src/bus/embedded.ts';
import { streamName } from '../../src/bus/subjects.ts';
import type { OrderJournal } from '../../src/store/order-journal.ts';

interface Rec {
  level: 'instrument';
  id: number;
  version: number;
  qty: number;
}

let dir: string;
let server: EmbeddedNats;
let nc: NatsConnection;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'systack-ride-'));
  server = await startEmbeddedNats({ storeDir: join(dir, 'js'), portsDir: dir });
  nc = await connectNats({ url: server.url, name: 'journal-ride-test' });
});

afterAll(async () => {
  await nc.close();
  await server.stop();
  await rm(dir, { recursive: true, force: true });
});

/** The order host on the journal as the stack handler writes it (StackHandler.open). */
function hostOn(store: OrderJournal, alerts: string[]): { host: OrderHost<Rec>; journal: RidingJournal } {
  const journal = new RidingJournal(store, {
    retryMs: 60_000,
    onTrouble: () => alerts.push('trouble'),
    onBack: () => alerts.push('back'),
  });
  const host = new OrderHost<Rec>(journal, {
    prefix: store.prefix,
    inspect: false,
    onFatal: (err) => alerts.push(`fatal ${String(err)}`),
  });
  return { host, journal };
}

async function versions(store: OrderJournal, subj: string): Promise<number[]> {
  const events = await store.loadOrderEvents<ActorEventBody<Rec>>(subj);
  return events.map((e) => e.data.record.version);
}

async function until(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((r) => setTimeout(r, 50));
}

describe('the order host rides through an outage of its journal', () => {
  it('a nats-server restart: the unacked write lands once, the host carries on', async () => {
    const store = await OrderEventStore.open(nc, 'rideA');
    const alerts: string[] = [];
    const { host, journal } = hostOn(store, alerts);
    host.spawn({ level: 'instrument', id: 1, version: 0, qty: 1 }, 'CREATED');
    await host.durable('instrument', 1);
    // The server goes away: the change is published into the client's reconnect buffer and its
    // ack does not come (the publisher gives up after 5 s); the host retries.
    await server.stop();
    host.change('instrument', 1, 'FILL', (r) => (r.qty = 2));
    const durable = host.durable('instrument', 1);
    const fill = journal.appendFill('GOLD', 'exec-1', { execId: 'exec-1', qty: 1 });
    await until(() => alerts.includes('trouble'));
    server = await startEmbeddedNats({ storeDir: join(dir, 'js'), portsDir: dir, port: server.port });
    await durable;
    await fill;
    expect((await store.loadFills()).length).toBe(1);
    host.change('instrument', 1, 'FILL', (r) => (r.qty = 3));
    await host.flush();
    expect(await versions(store, store.orderSubject('instrument', 1))).toEqual([1, 2, 3]);
    expect(alerts).toEqual(['trouble', 'back']);
    store.close();
  }, 90_000);

  it('a full store: writes refused for storage are held and retried until space returns', async () => {
    const store = await OrderEventStore.open(nc, 'rideB');
    const alerts: string[] = [];
    const { host, journal } = hostOn(store, alerts);
    host.spawn({ level: 'instrument', id: 7, version: 0, qty: 1 }, 'CREATED');
    await host.durable('instrument', 7);
    const jsm = await jetstreamManager(nc);
    const name = streamName('rideB', 'STACK');
    const before = await jsm.streams.info(name);
    // The stream may hold no more: JetStream refuses each write (10077 maximum bytes exceeded).
    await jsm.streams.update(name, {
      ...before.config,
      discard: DiscardPolicy.New,
      max_bytes: before.state.bytes,
    });
    host.change('instrument', 7, 'FILL', (r) => (r.qty = 2));
    const durable = host.durable('instrument', 7);
    await until(() => journal.failing);
    expect(await versions(store, store.orderSubject('instrument', 7))).toEqual([1]);
    await jsm.streams.update(name, before.config);
    await durable;
    expect(journal.failing).toBe(false);
    expect(await versions(store, store.orderSubject('instrument', 7))).toEqual([1, 2]);
    expect(alerts).toEqual(['trouble', 'back']);
    store.close();
  }, 60_000);

  it('a write that landed but whose ack was lost is recognised past the dedupe window (the stream read)', async () => {
    // A duplicate window of 200 ms: the retry meets the expected-sequence check, not the dedupe.
    const jsm = await jetstreamManager(nc);
    for (const part of ['STACK', 'FILLS', 'HISTORY'])
      await jsm.streams.add({
        name: streamName('rideC', part),
        subjects: [`rideC.${part.toLowerCase()}.>`],
        duplicate_window: 200_000_000,
      });
    const store = await OrderEventStore.open(nc, 'rideC');
    const subj = store.orderSubject('instrument', 3);
    // The wire loses the first attempt's ack after the server stored it.
    let lose = 1;
    const lossy: OrderJournal = Object.assign(Object.create(store) as OrderJournal, {
      appendOrder: async (s: string, body: unknown, id: string, seq: number) => {
        const at = await store.appendOrder(s, body, id, seq);
        if (lose-- > 0) throw new Error('JetStream publish: no ack within 5000 ms');
        return at;
      },
    });
    const body = (version: number) => ({ events: ['E'], record: { level: 'instrument', id: 3, version } });
    const quick = { retryMs: 10_000, backoffMs: 500 };
    const s1 = await appendOrderRiding(lossy, subj, body(1), 'instrument.3.v1', 0, 1, quick);
    lose = 1;
    const s2 = await appendOrderRiding(lossy, subj, body(2), 'instrument.3.v2', s1, 2, quick);
    expect(await versions(store, subj)).toEqual([1, 2]);
    expect(s2).toBeGreaterThan(s1);
    // Another writer's message is not taken for ours: the ownership error stands.
    await expect(appendOrderRiding(store, subj, body(3), 'instrument.3.v3', s1, 3, quick)).rejects.toThrow(
      /another writer/,
    );
    store.close();
  }, 60_000);

  it('past the deadline the write fails for good and names the last error', async () => {
    const store = await OrderEventStore.open(nc, 'rideD');
    const down: OrderJournal = Object.assign(Object.create(store) as OrderJournal, {
      appendOrder: () => Promise.reject(new Error('JetStream publish: no ack within 5000 ms')),
    });
    const subj = store.orderSubject('instrument', 9);
    const err = await appendOrderRiding(down, subj, {}, 'x', 0, 1, { retryMs: 300, backoffMs: 50 }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(JournalUnavailableError);
    expect(String(err)).toMatch(/no ack/);
    store.close();
  });
});
