/**
 * run_backups' `mongodump`-compatible output of a MongoDB backend: one `.bson` file of
 * concatenated documents and one `.metadata.json` with the indexes per collection, mode 600,
 * reading back to the same documents.
 */
import { statSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readMongoDump, writeMongoDump } from '../../src/store/mongo/dump.ts';
import { openMongo } from '../../src/store/mongo/json-collection.ts';
import { MongoOrderJournal } from '../../src/store/mongo/order-journal.ts';
import { MongoProcessStore } from '../../src/store/mongo/process-control.ts';
import {
  databaseDigest,
  dumpDatabaseFolder,
  MongoRestoreError,
  restoreMongoDump,
} from '../../src/store/mongo/restore-dump.ts';
import { MongoRecords } from '../../src/store/mongo/records.ts';
import { MongoSpreadSamples } from '../../src/store/mongo/spread-samples.ts';
import { MongoCapitalStore } from '../../src/store/mongo/stores.ts';
import { TradeLimitsStore } from '../../src/store/trade-limits-store.ts';
import { StackKv } from '../../actors/store/stack-kv.ts';
import { type FakeMongo, startFakeMongo } from '../fixtures/mongo-wire/server.ts';

let fake: FakeMongo;
beforeAll(async () => {
  fake = await startFakeMongo();
});
afterAll(async () => fake?.stop());

describe('mongodump output', () => {
  it('writes every collection as BSON with its indexes, private, and reads back the same documents', async () => {
    const m = await openMongo({ url: fake.url, db: 'production' });
    const orders = await MongoOrderJournal.open(m.db, 'systack');
    await orders.appendFill('GOLD', 'e1', { execId: 'e1', qty: 2 });
    await orders.appendFill('GOLD', 'e2', { execId: 'e2', qty: -1 });
    await new MongoCapitalStore(m.db).setPending({ reason: 'x' } as never);
    const spread = {
      instrument_code: 'GOLD',
      contract_date: '20261200',
      bid: 1,
      ask: 1.5,
      spread: 0.5,
      time: 1,
    };
    await (await MongoSpreadSamples.open(m.db, 'systack')).append(spread);
    const dir = await mkdtemp(join(tmpdir(), 'systack-dump-'));

    const dumped = await writeMongoDump(m.db, dir);
    expect(dumped).toEqual([
      { name: 'capital', documents: 1 },
      { name: 'counters', documents: 2 },
      { name: 'fills', documents: 2 },
      { name: 'history', documents: 0 },
      { name: 'spreads', documents: 1 },
      { name: 'stack', documents: 0 },
    ]);
    const back = await readMongoDump(join(dir, 'production'));
    expect(back.get('spreads')?.map((d) => d.data)).toEqual([spread]);
    expect(back.get('fills')).toEqual(await m.db.collection('fills').find({}).sort({ _id: 1 }).toArray());
    expect(back.get('capital')).toEqual([{ _id: 'pending', value: { reason: 'x' }, rev: 1 }]);
    const meta = JSON.parse(await readFile(join(dir, 'production', 'fills.metadata.json'), 'utf8')) as {
      indexes: Array<{ name: string; unique?: boolean }>;
    };
    expect(meta.indexes.filter((i) => i.unique).length).toBe(2);
    expect(statSync(join(dir, 'production', 'fills.bson')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'production')).mode & 0o777).toBe(0o700);
    await m.close();
  });

  it('restores a dump onto an empty database record for record, and the journals go on exactly once', async () => {
    const m = await openMongo({ url: fake.url, db: 'source' });
    const orders = await MongoOrderJournal.open(m.db, 'systack');
    const subj = orders.orderSubject('instrument', 1);
    const at = await orders.appendOrder(subj, { id: 1, trade: 2 }, 'o1', 0);
    await orders.appendOrder(subj, { id: 1, trade: 2, fill: 2 }, 'o2', at);
    await orders.appendFill('GOLD', 'e1', { execId: 'e1', qty: 2 });
    await orders.appendHistory('instrument', 1, { id: 1 });
    await new MongoCapitalStore(m.db).setPending({ reason: 'x' } as never);
    await new MongoProcessStore(m.db).updateRecord('run_stack_handler', { recentlyCrashed: true });
    const ids = new StackKv(new MongoRecords(m.db, 'stack_state'));
    expect(await ids.nextId('instrument', 5)).toBe(1);
    await ids.setLock('GOLD', 'manual');
    const limits = new TradeLimitsStore(new MongoRecords(m.db, 'trade_limits'));
    await limits.set({ instrument_code: 'GOLD' }, 1, 10, 0);
    await limits.charge('x', 'GOLD', 4, 1);
    const dir = await mkdtemp(join(tmpdir(), 'systack-dump-'));
    await writeMongoDump(m.db, join(dir, 'mongo_dump'));
    const before = await databaseDigest(m.db);

    const target = await openMongo({ url: fake.url, db: 'source_restored' });
    const folder = dumpDatabaseFolder(dir, 'source');
    const restored = await restoreMongoDump(target.db, folder);
    expect(restored.every((r) => r.matches)).toBe(true);
    expect(await databaseDigest(target.db)).toEqual(before);
    expect([...before.keys()]).toEqual(
      expect.arrayContaining([
        'capital',
        'counters',
        'fills',
        'history',
        'process_control',
        'stack',
        'stack_state',
        'trade_limits',
      ]),
    );
    // The unique indexes came back with the documents: a second fill with the same execution id
    // is refused by the restored index itself, before any store re-creates it.
    await expect(
      target.db
        .collection('fills')
        .insertOne({ _id: 99 as never, subject: 'x', prev: 42, msgId: 'fill:e1', data: {} }),
    ).rejects.toThrow(/E11000/);
    // Trading goes on: the restored journal continues after the source's last message.
    const again = await MongoOrderJournal.open(target.db, 'systack');
    expect((await again.appendFill('GOLD', 'e1', { execId: 'e1', qty: 2 })).duplicate).toBe(true);
    expect((await again.appendFill('GOLD', 'e2', { execId: 'e2', qty: 1 })).duplicate).toBe(false);
    const stack = await again.loadStack<{ fill?: number }>();
    await again.appendOrder(subj, { id: 1, trade: 2, fill: 2, done: true }, 'o3', stack.at(-1)!.seq);
    expect((await again.loadFills<{ qty: number }>()).map((f) => f.data.qty)).toEqual([2, 1]);
    expect((await new MongoProcessStore(target.db).getRecord('run_stack_handler')).recentlyCrashed).toBe(
      true,
    );
    // The stack state and the trade-limit counters go on from their restored revisions.
    const restoredIds = new StackKv(new MongoRecords(target.db, 'stack_state'));
    expect(await restoredIds.nextId('instrument', 5)).toBe(6);
    expect([...(await restoredIds.loadLocks())]).toEqual([['GOLD', 'manual']]);
    const restoredLimits = new TradeLimitsStore(new MongoRecords(target.db, 'trade_limits'));
    await restoredLimits.charge('x', 'GOLD', 1, 2);
    expect((await restoredLimits.list()).map((l) => l.tradesSinceLastReset)).toEqual([5]);

    // A database that holds documents is refused, nothing written; --replace restores over it.
    await expect(restoreMongoDump(target.db, folder)).rejects.toThrow(MongoRestoreError);
    expect((await again.loadFills()).length).toBe(2);
    await restoreMongoDump(target.db, folder, { replace: true });
    expect(await databaseDigest(target.db)).toEqual(before);
    await Promise.all([m.close(), target.close()]);
  });
});
