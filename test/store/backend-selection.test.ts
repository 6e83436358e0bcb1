/**
 * Backend selection from config: bad storage keys name the file and key path; the selection
 * builds the MongoDB URL from the reference's keys; the `open*` functions and the process
 * control / report stores give the selected backend's store, on the MongoDB wire fixture.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ReportStore } from '../../actors/reports/report-store.ts';
import { ProcessStore } from '../../actors/supervisor/process-store.ts';
import { ConfigError, loadConfig } from '../../src/config/load.ts';
import {
  closeStorage,
  mongoUrl,
  openCapitalStore,
  openPriceStore,
  selectStorage,
  storageSelection,
} from '../../src/store/backend.ts';
import { openMongo } from '../../src/store/mongo/json-collection.ts';
import { MongoPriceStore } from '../../src/store/mongo/price-store.ts';
import { MongoOrderJournal } from '../../src/store/mongo/order-journal.ts';
import { TradeLimitsStore } from '../../src/store/trade-limits-store.ts';
import { openOrderJournal } from '../../actors/store/open-order-journal.ts';
import { StackKv } from '../../actors/store/stack-kv.ts';
import { openStrategyActorRecords } from '../../actors/strategy-actor-records.ts';
import { MongoCapitalStore } from '../../src/store/mongo/stores.ts';
import { MongoProcessStore } from '../../src/store/mongo/process-control.ts';
import { startFakeMongo } from '../fixtures/mongo-wire/server.ts';

function load(text: string) {
  const dir = mkdtempSync(join(tmpdir(), 'systack-storage-'));
  writeFileSync(join(dir, 'private_config.yaml'), text);
  return loadConfig({ privateDir: dir });
}

function configError(text: string): ConfigError {
  try {
    load(text);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('storage backend selection', () => {
  afterAll(async () => {
    await selectStorage({ backend: 'jetstream' });
  });

  it('bad storage keys name the file and the key path', () => {
    for (const [text, key] of [
      ['storage_backend: postgres\n', 'storage_backend'],
      ['mongo_db: my.db\n', 'mongo_db'],
      ['mongo_host: ""\n', 'mongo_host'],
      ['mongo_host: "a host"\n', 'mongo_host'],
      ['mongo_port: 70000\n', 'mongo_port'],
    ] as const) {
      const e = configError(text);
      expect(e.file, text).toMatch(/private_config\.yaml$/);
      expect(e.keyPath, text).toBe(key);
    }
  });

  it('the selection follows storage_backend and the mongo_* keys; a password in mongo_host is a secret', () => {
    expect(storageSelection(load('').system)).toEqual({ backend: 'jetstream' });
    const c = load(
      'storage_backend: mongodb\nmongo_host: db.local\nmongo_port: 27018\nmongo_db: prod\nmongo_user: u\nmongo_pass: "p@ss"\n',
    );
    expect(storageSelection(c.system)).toEqual({
      backend: 'mongodb',
      mongo: { url: 'mongodb://u:p%40ss@db.local:27018/?directConnection=true', db: 'prod' },
    });
    const url = 'mongodb://trader:s3cret@10.0.0.2:28018';
    expect(mongoUrl({ mongo_host: url, mongo_port: 1 })).toBe(url);
    expect(load(`mongo_host: "${url}"\n`).secrets).toContain('s3cret');
  });

  it('with mongodb selected, the stores a process opens are MongoDB stores', async () => {
    const fake = await startFakeMongo();
    try {
      await selectStorage({ backend: 'mongodb', mongo: { url: fake.url, db: 'selected' } });
      // no NATS connection is needed: nothing is opened on JetStream
      const nc = undefined as never;
      const capital = await openCapitalStore(nc, 'systack');
      expect(capital).toBeInstanceOf(MongoCapitalStore);
      const control = await ProcessStore.open(nc, 'systack');
      expect(control).toBeInstanceOf(MongoProcessStore);
      await control.setStatus('run_reports', 'STOP', 1);
      expect(await (await ProcessStore.open(nc, 'systack')).getStatus('run_reports')).toBe('STOP');
      const reports = await ReportStore.open(nc, 'systack');
      await reports.put({ name: 'status', title: 'Status', text: 'ok' } as never);
      expect(await reports.names()).toEqual(['status']);
      await (await openPriceStore(nc, 'systack')).putInstrumentConfig({ instrumentCode: 'GOLD' });
      // the order core: its journal, stack state, trade limits and strategy actors
      expect(await openOrderJournal(nc, 'systack')).toBeInstanceOf(MongoOrderJournal);
      expect(await (await StackKv.open(nc, 'systack')).nextId('instrument')).toBe(1);
      await (await TradeLimitsStore.open(nc, 'systack')).set({ instrument_code: 'GOLD' }, 1, 5, 0);
      expect(await (await openStrategyActorRecords(nc, 'systack')).list()).toEqual([]);
      // a second process of the same config reads it back from the database
      const m = await openMongo({ url: fake.url, db: 'selected' });
      expect(await MongoPriceStore.of(m.db).listInstrumentConfigs()).toEqual(['GOLD']);
      expect(await m.db.collection('stack_state').countDocuments({})).toBe(1);
      expect(await m.db.collection('trade_limits').countDocuments({})).toBe(1);
      await m.close();
    } finally {
      await closeStorage();
      await fake.stop();
    }
  });
});
