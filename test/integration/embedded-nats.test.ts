import { jetstreamManager } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestNats, type TestNats } from '../support/nats.ts';

describe('embedded nats-server', () => {
  let t: TestNats;
  beforeAll(async () => {
    t = await startTestNats();
  });
  afterAll(async () => {
    await t.stop();
  });

  it('listens on a random port with JetStream enabled', async () => {
    expect(t.server.port).toBeGreaterThan(0);
    const nc = await t.connect();
    const jsm = await jetstreamManager(nc);
    const info = await jsm.getAccountInfo();
    expect(info.streams).toBe(0);
  });
});
