/**
 * The visualizer's replay on `storage_backend: mongodb` (the MongoDB wire-protocol server of
 * test/fixtures, or a real mongod when MONGODB_URL is set): a family traded by the stack handler
 * is journaled in MongoDB only, and the replay route steps through it from there; once its orders
 * are removed from the stack (end of day), the replay shows its completed record from the history.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeStorage, mongoDatabase, selectStorage } from '../../src/store/backend.ts';
import { MongoOrderJournal } from '../../src/store/mongo/order-journal.ts';
import type { ActorEvent } from '../../src/web/visualizer/events.ts';
import { startVisualizer } from '../../src/web/visualizer/routes.ts';
import { type FakeMongo, startFakeMongo } from '../fixtures/mongo-wire/server.ts';
import { startTestNats, type TestNats } from '../support/nats.ts';
import { drive, makeStack } from '../stack/helpers.ts';

let nats: TestNats;
let fake: FakeMongo | undefined;
const P = 'MVIZ';

beforeAll(async () => {
  nats = await startTestNats();
  fake = process.env.MONGODB_URL ? undefined : await startFakeMongo();
  const url = process.env.MONGODB_URL ?? fake!.url;
  await selectStorage({ backend: 'mongodb', mongo: { url, db: `systack_viz_${Date.now()}` } });
}, 60_000);
afterAll(async () => {
  await (await mongoDatabase().catch(() => undefined))?.dropDatabase();
  await closeStorage();
  await fake?.stop();
  await nats?.stop();
});

describe('visualizer replay on storage_backend: mongodb', () => {
  it('replays a family from the MongoDB order journal, then from its history once purged', async () => {
    const nc = await nats.connect();
    const { handler, broker } = await makeStack(nc, P);
    const io = await handler.createInstrumentOrder({
      strategyName: 'ewmac',
      instrumentCode: 'SOFR',
      orderType: 'market',
      trade: 2,
    });
    await drive(handler, broker);
    expect(handler.core.instrumentOrder(io.id)?.state).toBe('completed');
    const members = [
      ...handler.core.orders('instrument'),
      ...handler.core.orders('contract'),
      ...handler.core.orders('broker'),
    ];
    await handler.close();

    const visualizer = await startVisualizer(nc, P);
    try {
      const replay = async (root: string) => {
        const r = await visualizer.routes.request(`/api/visualizer/replay?root=${root}`);
        expect(r.status).toBe(200);
        return ((await r.json()) as { steps: ActorEvent[] }).steps;
      };
      const root = String(io.id);
      const steps = await replay(root);
      expect(steps.length).toBeGreaterThan(members.length);
      expect(steps.every((s) => s.root === root)).toBe(true);
      // First the instrument order's creation, and every member of the family appears.
      expect([steps[0]!.kind, steps[0]!.id]).toEqual(['instrument', root]);
      expect(new Set(steps.map((s) => `${s.kind}:${s.id}`))).toEqual(
        new Set(members.map((o) => `${o.level}:${o.id}`)),
      );
      // The last step of each member is the state it ended in.
      const last = new Map(steps.map((s) => [`${s.kind}:${s.id}`, s.state]));
      expect(last.get(`instrument:${root}`)).toBe('completed');
      expect(await replay('999999')).toEqual([]);

      // End-of-day removal: the stack subjects go, the history record stays.
      const journal = await MongoOrderJournal.open(await mongoDatabase(), P);
      for (const o of members) await journal.purgeOrder(journal.orderSubject(o.level, o.id));
      expect(await journal.loadStackEvents()).toEqual([]);
      const completed = await replay(root);
      expect(completed.map((s) => `${s.kind}:${s.id}`).sort()).toEqual(
        members.map((o) => `${o.level}:${o.id}`).sort(),
      );
      expect(completed.every((s) => s.event === 'COMPLETED (history)' && s.root === root)).toBe(true);
    } finally {
      visualizer.close();
    }
  }, 120_000);
});
