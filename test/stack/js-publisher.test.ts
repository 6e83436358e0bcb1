import { JetStreamApiError, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidHeaderError, JsPublisher } from '../../actors/store/js-publisher.ts';
import { startTestNats, type TestNats } from '../support/nats.ts';

describe('JsPublisher (asynchronous JetStream acks)', () => {
  let t: TestNats;
  let nc: NatsConnection;
  beforeAll(async () => {
    t = await startTestNats();
    nc = await t.connect();
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: 'PUB', subjects: ['pub.>'] });
  });
  afterAll(async () => t.stop());

  it('acks many publishes in flight with their stream sequences, in order', async () => {
    const p = new JsPublisher(nc);
    const acks = await Promise.all(Array.from({ length: 500 }, (_, i) => p.publish('pub.many', String(i))));
    expect(acks.map((a) => a.seq)).toEqual(Array.from({ length: 500 }, (_, i) => i + 1));
    expect(acks.every((a) => a.stream === 'PUB' && !a.duplicate)).toBe(true);
    expect(p.counts.get('many')).toBe(500);
    p.close();
  });

  it('dedupes by message id', async () => {
    const p = new JsPublisher(nc);
    const a = await p.publish('pub.dedupe', 'x', { msgID: 'fill:E1' });
    const b = await p.publish('pub.dedupe', 'x', { msgID: 'fill:E1' });
    expect(b).toEqual({ stream: 'PUB', seq: a.seq, duplicate: true });
    p.close();
  });

  it('rejects a stale expected last subject sequence with JetStream error 10071 (a second writer)', async () => {
    const p = new JsPublisher(nc);
    const first = await p.publish('pub.actor.1', 'v1', { lastSubjectSequence: 0 });
    await p.publish('pub.actor.1', 'v2', { lastSubjectSequence: first.seq });
    const stale = p.publish('pub.actor.1', 'v2-other-writer', { lastSubjectSequence: first.seq });
    await expect(stale).rejects.toBeInstanceOf(JetStreamApiError);
    await expect(stale).rejects.toMatchObject({ code: 10071 });
    p.close();
  });

  it('refuses a message id with a line break (it would end the header block); nothing is sent', async () => {
    const p = new JsPublisher(nc);
    await expect(p.publish('pub.bad', 'x', { msgID: 'fill:E\r\nX: 1' })).rejects.toBeInstanceOf(
      InvalidHeaderError,
    );
    expect(p.counts.get('bad')).toBeUndefined();
    const jsm = await jetstreamManager(nc);
    expect((await jsm.streams.info('PUB', { subjects_filter: 'pub.bad' })).state.subjects).toBeUndefined();
    p.close();
  });

  it('fails a publish to a subject no stream stores, and fails what is pending on close', async () => {
    const p = new JsPublisher(nc, 500);
    await expect(p.publish('nostream.x', 'y')).rejects.toThrow(/no responders|no ack/);
    const pending = p.publish('pub.closing', 'z');
    p.close();
    await expect(pending).rejects.toThrow(/closed/);
  });
});
