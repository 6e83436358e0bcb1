// Acknowledged requests nats-server 2.9.10 leaves in the order-request queue after restarts (below
// the consumer's ack floor, never delivered again) are removed; unacknowledged ones stay.
import { AckPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeAckedLeftovers } from '../../actors/stack/acked-leftovers.ts';
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
});
