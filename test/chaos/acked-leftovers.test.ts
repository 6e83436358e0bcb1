// Acknowledged requests nats-server 2.9.10 leaves in the order-request queue after restarts (below
// the consumer's ack floor, never delivered again) are removed; unacknowledged ones stay. The
// watcher also sweeps every so often, so leftovers that appear after the last reconnect go too.
import { AckPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeAckedLeftovers, watchAckedLeftovers } from '../../actors/stack/acked-leftovers.ts';
import { silentLogger } from '../../actors/stack/ports.ts';
import { startTestNats, type TestNats } from '../support/nats.ts';

let nats: TestNats;
beforeAll(async () => {
  nats = await startTestNats();
});
afterAll(async () => {
  await nats.stop();
});

describe('acked order requests left in the queue', () => {
  it('removes the messages at or below the ack floor and keeps the rest', async () => {
    const nc = await nats.connect();
    const jsm = await jetstreamManager(nc);
    const js = jetstream(nc);
    // Limits retention keeps acked messages: the state 2.9.10 leaves a work queue in.
    await jsm.streams.add({ name: 'LEFT', subjects: ['left.>'] });
    await jsm.consumers.add('LEFT', { durable_name: 'h', ack_policy: AckPolicy.Explicit });
    for (let i = 1; i <= 6; i++) await js.publish('left.req', `r${i}`);
    const c = await js.consumers.get('LEFT', 'h');
    const batch = await c.fetch({ max_messages: 4, expires: 2000 });
    for await (const m of batch) if (m.seq !== 4) await m.ackAck();
    // Acked: 1, 2, 3 (the floor is 3); 4 delivered but not acked; 5, 6 not delivered.
    expect(await removeAckedLeftovers(nc, 'LEFT', 'h')).toBe(3);
    const info = await jsm.streams.info('LEFT');
    expect(info.state.messages).toBe(3);
    expect(info.state.first_seq).toBe(4);
    expect(await removeAckedLeftovers(nc, 'LEFT', 'h')).toBe(0);
  });

  it('the watcher sweeps leftovers that appear with no reconnect', async () => {
    const nc = await nats.connect();
    const jsm = await jetstreamManager(nc);
    const js = jetstream(nc);
    await jsm.streams.add({ name: 'LATE', subjects: ['late.>'] });
    await jsm.consumers.add('LATE', { durable_name: 'h', ack_policy: AckPolicy.Explicit });
    for (let i = 1; i <= 4; i++) await js.publish('late.req', `r${i}`);
    const removed: number[] = [];
    const log = {
      ...silentLogger,
      warn: (o: object) => {
        if ('removed' in o) removed.push(Number(o.removed));
      },
    };
    const watch = watchAckedLeftovers(nc, 'LATE', 'h', log, 100);
    const messages = async () => (await jsm.streams.info('LATE')).state.messages;
    try {
      // Acked after the watcher's first sweep, on a connection that never reconnects.
      const c = await js.consumers.get('LATE', 'h');
      for await (const m of await c.fetch({ max_messages: 3, expires: 2000 })) await m.ackAck();
      // The sweep deletes, then logs: wait for both (the log line can follow the deletes).
      const swept = () => removed.reduce((a, b) => a + b, 0);
      while ((await messages()) > 1 || swept() < 3) await new Promise((r) => setTimeout(r, 50));
      expect(swept()).toBe(3);
      expect((await jsm.streams.info('LATE')).state.first_seq).toBe(4);
    } finally {
      watch.stop();
    }
  });
});
