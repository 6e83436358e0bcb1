/**
 * The roll status actors on `storage_backend: mongodb` (the wire-protocol fixture, or a real
 * mongod when MONGODB_URL is set): the state is read and written with its revision in the
 * collection `roll_status`, the events journaled in `rolls`, the priced position read from the
 * MongoDB fills; nothing of it lands in JetStream.
 */
import { jetstreamManager } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  changeRollState,
  readRollStates,
  readRollStatuses,
  RollChangeRefused,
} from '../../actors/rolls/roll-status-host.ts';
import { openOrderJournal } from '../../actors/store/open-order-journal.ts';
import { SimulatedClock } from '../../src/clock.ts';
import {
  closeStorage,
  mongoDatabase,
  openControlsStore,
  openPriceStore,
  openRecords,
  selectStorage,
} from '../../src/store/backend.ts';
import { RevisionConflictError } from '../../src/store/records.ts';
import { type FakeMongo, startFakeMongo } from '../fixtures/mongo-wire/server.ts';
import { goldOneRow } from '../support/gold.ts';
import { startTestNats, type TestNats } from '../support/nats.ts';

const T0 = Date.UTC(2026, 10, 20, 14, 0, 0);
const P = 'MROLL';
let nats: TestNats;
let fake: FakeMongo | undefined;

beforeAll(async () => {
  nats = await startTestNats();
  fake = process.env.MONGODB_URL ? undefined : await startFakeMongo();
  const url = process.env.MONGODB_URL ?? fake!.url;
  await selectStorage({ backend: 'mongodb', mongo: { url, db: `systack_rolls_${Date.now()}` } });
});
afterAll(async () => {
  await (await mongoDatabase().catch(() => undefined))?.dropDatabase();
  await closeStorage();
  await fake?.stop();
  await nats?.stop();
});

describe('roll status on storage_backend: mongodb', () => {
  it('a change is checked against the priced position from the MongoDB fills, stored with its revision and journaled', async () => {
    const nc = await nats.connect();
    await (await openPriceStore(nc, P)).putMultiplePrices('GOLD', goldOneRow(T0));
    await (
      await openOrderJournal(nc, P)
    ).appendFill('GOLD', 'e1', {
      execId: 'e1',
      kind: 'balance',
      instrumentCode: 'GOLD',
      contractDate: '20261200',
      strategyName: 'ewmac',
      qty: 3,
      price: 2000,
      time: T0,
      scope: 'both',
    });
    const ctx = { nc, prefix: P, clock: new SimulatedClock(T0) };
    expect(await readRollStates(nc, P)).toEqual({});
    await changeRollState(ctx, 'GOLD', 'Force', 'alice');
    await expect(changeRollState(ctx, 'GOLD', 'Roll_Adjusted')).rejects.toThrow(
      'GOLD: Roll_Adjusted needs a zero position in the priced contract (now 3): roll or close it first',
    );
    expect(await readRollStates(nc, P)).toEqual({ GOLD: 'Force' });
    const [stored] = await readRollStatuses(nc, P);
    // A writer holding the revision read before a later change loses.
    await changeRollState(ctx, 'GOLD', 'No_Open', 'bob');
    const records = await openRecords(nc, P, 'ROLL_STATUS', 10);
    await expect(records.update('GOLD', { roll_state: 'Close' }, stored!.revision)).rejects.toBeInstanceOf(
      RevisionConflictError,
    );
    expect(await readRollStates(nc, P)).toEqual({ GOLD: 'No_Open' });
    // No_Open's reduce-only override went to the MongoDB controls.
    expect((await (await openControlsStore(nc, P)).overrides()).instrument?.GOLD).toEqual({
      type: 'reduce_only',
    });

    const db = await mongoDatabase();
    expect(await db.collection('rolls').countDocuments({})).toBeGreaterThanOrEqual(3);
    const jsm = await jetstreamManager(nc);
    const streams: string[] = [];
    for await (const s of jsm.streams.list()) streams.push(s.config.name);
    expect(streams.filter((n) => n.startsWith(`KV_${P}_`) || n.startsWith(`${P}_`))).toEqual([]);
    await expect(changeRollState(ctx, 'GOLD', 'Roll_Adjusted')).rejects.toBeInstanceOf(RollChangeRefused);
  }, 60_000);
});
