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
import { MongoCapitalStore } from '../../src/store/mongo/stores.ts';
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
    const dir = await mkdtemp(join(tmpdir(), 'systack-dump-'));

    const dumped = await writeMongoDump(m.db, dir);
    expect(dumped).toEqual([
      { name: 'capital', documents: 1 },
      { name: 'counters', documents: 1 },
      { name: 'fills', documents: 2 },
      { name: 'history', documents: 0 },
      { name: 'stack', documents: 0 },
    ]);
    const back = await readMongoDump(join(dir, 'production'));
    expect(back.get('fills')).toEqual(await m.db.collection('fills').find({}).sort({ _id: 1 }).toArray());
    expect(back.get('capital')).toEqual([{ _id: 'pending', value: { reason: 'x' } }]);
    const meta = JSON.parse(await readFile(join(dir, 'production', 'fills.metadata.json'), 'utf8')) as {
      indexes: Array<{ name: string; unique?: boolean }>;
    };
    expect(meta.indexes.filter((i) => i.unique).length).toBe(2);
    expect(statSync(join(dir, 'production', 'fills.bson')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'production')).mode & 0o777).toBe(0o700);
    await m.close();
  });
});
