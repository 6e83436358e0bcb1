/**
 * The stack handler on `storage_backend: mongodb` (the MongoDB wire-protocol server of
 * test/fixtures, or a real mongod when MONGODB_URL is set): its order journal, fills, history and
 * stack state go to MongoDB, NATS stays the bus. It trades a family, is restarted, restores its
 * open orders from MongoDB (snapshot + fill replay) and trades them on, positions = Σ fills; a
 * second writer of an order's journal makes the host stop with OwnershipLostError.
 */
import { jetstreamManager } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StackHandler } from '../../actors/stack/stack-handler.ts';
import type { FillRecord } from '../../actors/stack/types.ts';
import { closeStorage, mongoDatabase, selectStorage } from '../../src/store/backend.ts';
import { MongoOrderJournal } from '../../src/store/mongo/order-journal.ts';
import { OwnershipLostError } from '../../src/store/order-journal.ts';
import { type FakeMongo, startFakeMongo } from '../fixtures/mongo-wire/server.ts';
import { startTestNats, type TestNats } from '../support/nats.ts';
import { drive, makeStack } from '../stack/helpers.ts';

let nats: TestNats;
let fake: FakeMongo | undefined;
const P = 'MSTACK';

beforeAll(async () => {
  nats = await startTestNats();
  fake = process.env.MONGODB_URL ? undefined : await startFakeMongo();
  const url = process.env.MONGODB_URL ?? fake!.url;
  await selectStorage({ backend: 'mongodb', mongo: { url, db: `systack_stack_${Date.now()}` } });
});
afterAll(async () => {
  await (await mongoDatabase().catch(() => undefined))?.dropDatabase();
  await closeStorage();
  await fake?.stop();
  await nats?.stop();
});

const sumOf = (fills: FillRecord[]) => fills.reduce((s, f) => s + f.qty, 0);

describe('stack handler on storage_backend: mongodb', () => {
  it('trades a family, restarts, restores its open orders from MongoDB and trades on; positions = Σ fills', async () => {
    const nc = await nats.connect();
    const order = { strategyName: 'ewmac', instrumentCode: 'SOFR', orderType: 'market' as const };
    const first = await makeStack(nc, P, {
      broker: { partialFillProbability: 1, seed: 3 },
      config: { algoSizeLimit: 10 },
    });
    const a = await first.handler.createInstrumentOrder({ ...order, trade: 7 });
    await drive(first.handler, first.broker);
    expect(first.handler.core.instrumentOrder(a.id)?.state).toBe('completed');
    // A second family is left open: its contract order spawned, nothing sent to the broker yet.
    const b = await first.handler.createInstrumentOrder({ ...order, trade: -3 });
    await first.handler.spawnChildrenFromNewInstrumentOrders();
    const openContract = first.handler.core.orders('contract').find((c) => c.parent === b.id);
    expect(openContract?.active).toBe(true);
    const before = first.handler.positions();
    await first.handler.close();

    // Everything the stack keeps is in MongoDB; JetStream holds no order stream of this system.
    const db = await mongoDatabase();
    const journal = await MongoOrderJournal.open(db, P);
    const fills = (await journal.loadFills<FillRecord>()).map((e) => e.data);
    expect(fills.length).toBeGreaterThan(1);
    expect(sumOf(fills)).toBe(7);
    expect(before.strategy).toEqual([{ strategyName: 'ewmac', instrumentCode: 'SOFR', position: 7 }]);
    expect((await journal.loadHistory()).length).toBe(1);
    expect(await db.collection('stack_state').countDocuments({ _id: 'ids.instrument' as never })).toBe(1);
    const jsm = await jetstreamManager(nc);
    const streams: string[] = [];
    for await (const s of jsm.streams.list()) streams.push(s.config.name);
    expect(streams.filter((n) => /_(STACK|FILLS|HISTORY)$/.test(n))).toEqual([]);

    // Restart (the same broker, which kept the positions): the open family comes back from the
    // journal and trades on.
    const second = {
      broker: first.broker,
      handler: await StackHandler.open({
        nc: await nats.connect(),
        broker: first.broker,
        clock: first.clock,
        prefix: P,
        config: { eodCancelWaitMs: 500 },
      }),
    };
    expect(second.handler.restoreReport.fills).toBe(fills.length);
    expect(second.handler.restoreReport.open_orders).toBeGreaterThanOrEqual(2);
    expect(second.handler.core.instrumentOrder(b.id)).toMatchObject({ trade: -3, fill: 0, active: true });
    expect(second.handler.core.contractOrder(openContract!.id)?.active).toBe(true);
    expect(second.handler.positions()).toEqual(before);
    await drive(second.handler, second.broker);
    expect(second.handler.core.instrumentOrder(b.id)?.state).toBe('completed');
    const c = await second.handler.createInstrumentOrder({ ...order, trade: 1 });
    expect(c.id).toBeGreaterThan(b.id);
    await drive(second.handler, second.broker);
    const after = (await journal.loadFills<FillRecord>()).map((e) => e.data);
    expect(sumOf(after)).toBe(7 - 3 + 1);
    expect(second.handler.positions().strategy).toEqual([
      { strategyName: 'ewmac', instrumentCode: 'SOFR', position: sumOf(after) },
    ]);

    // A second writer of one order's journal (another host that took the order): this host's next
    // write of that order is refused with OwnershipLostError and it stops writing.
    const d = await second.handler.createInstrumentOrder({ ...order, trade: 2 });
    await second.handler.core.host.flush();
    const subj = journal.orderSubject('instrument', d.id);
    const last = (await journal.loadOrderEvents(subj)).at(-1)!;
    await journal.appendOrder(subj, last.data, 'another-host', last.seq);
    second.handler.core.host.change('instrument', d.id, 'TEST', () => undefined);
    await expect(second.handler.core.host.durable('instrument', d.id)).rejects.toBeInstanceOf(
      OwnershipLostError,
    );
    await expect(second.handler.close()).rejects.toBeInstanceOf(OwnershipLostError);
  }, 120_000);
});
