/**
 * `systack migrate`'s core both ways: a JetStream system (capital, controls, strategy
 * diagnostics, prices, process control, order journal with fills and history, reports, the stack
 * state's id counters and locks, trade limits, roll status, strategy actors) copied
 * to MongoDB (the wire fixture) and read back through the MongoDB stores; copied again (nothing
 * written); copied back onto a second, empty nats-server and read back through the JetStream
 * stores; a dry run writes nothing; a target that differs stops the copy before any write.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JetStreamReportStore } from '../../actors/reports/report-store.ts';
import { OrderEventStore } from '../../actors/store/order-event-store.ts';
import { StackKv } from '../../actors/store/stack-kv.ts';
import { openStrategyActorRecords, readStrategyActor } from '../../actors/strategy-actor-records.ts';
import { openRecords } from '../../src/store/backend.ts';
import { MongoRecords } from '../../src/store/mongo/records.ts';
import { TradeLimitsStore } from '../../src/store/trade-limits-store.ts';
import { JetStreamProcessStore } from '../../actors/supervisor/process-store.ts';
import { JetStreamCapitalStore } from '../../src/store/capital-store.ts';
import { JetStreamControlsStore } from '../../src/store/controls-store.ts';
import { JetStreamPriceStore } from '../../src/store/jetstream/price-store.ts';
import { migrate } from '../../src/store/migrate/migrate.ts';
import { jetstreamSide, mongoSide } from '../../src/store/migrate/sides.ts';
import { openMongo } from '../../src/store/mongo/json-collection.ts';
import { MongoOrderJournal } from '../../src/store/mongo/order-journal.ts';
import { MongoPriceStore } from '../../src/store/mongo/price-store.ts';
import { MongoProcessStore } from '../../src/store/mongo/process-control.ts';
import { MongoReportStore } from '../../src/store/mongo/report-store.ts';
import { MongoCapitalStore, MongoControlsStore, MongoStrategyStore } from '../../src/store/mongo/stores.ts';
import { JetStreamStrategyStore } from '../../src/store/strategy-store.ts';
import { JetStreamSpreadSamples } from '../../src/store/jetstream/spread-samples.ts';
import { MongoSpreadSamples } from '../../src/store/mongo/spread-samples.ts';
import { type FakeMongo, startFakeMongo } from '../fixtures/mongo-wire/server.ts';
import { startTestNats, type TestNats } from '../support/nats.ts';
import { capitalRow } from './backends.ts';

const P = 'mig';
const T0 = Date.UTC(2026, 10, 20, 14);
const row = capitalRow;
const diagnostics = {
  strategy_name: 'ewmac',
  created: '2026-11-20',
  capital: 1e6,
  dates: [],
  instruments: {},
  skipped: [],
};

const spread = {
  instrument_code: 'GOLD',
  contract_date: '20261200',
  bid: 2000,
  ask: 2000.5,
  spread: 0.5,
  time: T0,
};

let a: TestNats;
let b: TestNats;
let fake: FakeMongo;

async function seed(nc: Awaited<ReturnType<TestNats['connect']>>) {
  const capital = await JetStreamCapitalStore.open(nc, P);
  await capital.appendTotal(row(T0, 100));
  await capital.appendTotal(row(T0 + 1000, 101.5));
  await (
    await JetStreamControlsStore.open(nc, P)
  ).setPositionLimit('instrument', { instrument_code: 'GOLD' }, 7);
  await (await JetStreamStrategyStore.open(nc, P)).putDiagnostics('ewmac', diagnostics);
  const prices = await JetStreamPriceStore.open(nc, P);
  await prices.putInstrumentConfig({ instrumentCode: 'GOLD' });
  await prices.putFxPrices('GBPUSD', {
    times: new Float64Array([T0, T0 + 86_400_000]),
    values: new Float64Array([1.25, 1.26]),
  });
  const control = await JetStreamProcessStore.open(nc, P);
  await control.setStatus('run_reports', 'STOP', T0);
  await control.acquireLease('run_stack_handler', {
    owner: 'x',
    pid: 1,
    host: 'h',
    acquiredAt: T0,
    heartbeatAt: T0,
  });
  const orders = await OrderEventStore.open(nc, P);
  const s1 = orders.orderSubject('instrument', 1);
  const p1 = await orders.appendOrder(s1, { state: 'submitted' }, 'i1-1', 0);
  await orders.appendOrder(s1, { state: 'filled' }, 'i1-2', p1);
  await orders.appendFill('GOLD', 'e1', { execId: 'e1', qty: 2, price: 2000.5 });
  await orders.appendHistory('instrument', 1, { id: 1, fill: 2 });
  orders.close();
  await (await JetStreamSpreadSamples.open(nc, P)).append(spread);
  const stack = await StackKv.open(nc, P);
  expect(await stack.nextId('instrument', 10)).toBe(1);
  await stack.setLock('GOLD', 'break');
  const limits = await TradeLimitsStore.open(nc, P);
  await limits.set({ instrument_code: 'GOLD' }, 1, 10, T0);
  await limits.charge('ewmac', 'GOLD', 3, T0);
  await (await openRecords(nc, P, 'ROLL_STATUS', 10)).create('GOLD', { roll_state: 'Passive' });
  await (await openStrategyActorRecords(nc, P)).create('ewmac', { strategy_name: 'ewmac', state: 'idle' });
  await (
    await JetStreamReportStore.open(nc, P)
  ).put({ name: 'status', title: 'Status', text: 'all well' } as never);
}

describe('systack migrate (JetStream <-> MongoDB)', () => {
  beforeAll(async () => {
    [a, b, fake] = await Promise.all([startTestNats(), startTestNats(), startFakeMongo()]);
    await seed(await a.connect());
  }, 120_000);
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop(), fake?.stop()]);
  });

  it('copies JetStream to MongoDB, idempotently, and back onto an empty server, counts and checksums equal', async () => {
    const m = await openMongo({ url: fake.url, db: 'migrated' });
    const js = jetstreamSide(await a.connect(), P);
    const dry = await migrate(js, mongoSide(m.db), { dryRun: true });
    expect(dry.written).toBeGreaterThan(10);
    expect(await m.db.listCollections().toArray()).toEqual([]);

    const there = await migrate(js, mongoSide(m.db));
    expect(there.written).toBe(dry.written);
    expect(there.spaces.every((s) => s.matches)).toBe(true);
    const count = (space: string) => there.spaces.find((s) => s.space === space)?.target;
    expect([count('STACK'), count('FILLS'), count('HISTORY'), count('capital'), count('PRICES')]).toEqual([
      2, 1, 1, 2, 1,
    ]);

    // the MongoDB stores read what the JetStream stores wrote
    expect((await new MongoCapitalStore(m.db).totalHistory()).map((r) => r.total_capital)).toEqual([
      100, 101.5,
    ]);
    expect(await new MongoControlsStore(m.db).positionLimits()).toEqual({ instrument: { GOLD: 7 } });
    expect(await new MongoStrategyStore(m.db).getDiagnostics('ewmac')).toEqual(diagnostics);
    const prices = MongoPriceStore.of(m.db);
    expect(await prices.listInstrumentConfigs()).toEqual(['GOLD']);
    expect([...((await prices.getFxPrices('GBPUSD'))?.values ?? [])]).toEqual([1.25, 1.26]);
    const control = new MongoProcessStore(m.db);
    expect(await control.getStatus('run_reports')).toBe('STOP');
    expect((await control.getLease('run_stack_handler'))?.owner).toBe('x');
    const orders = await MongoOrderJournal.open(m.db, P);
    expect((await orders.loadStack<{ state: string }>()).map((e) => e.data.state)).toEqual(['filled']);
    expect((await orders.loadFills()).map((e) => e.data)).toEqual([{ execId: 'e1', qty: 2, price: 2000.5 }]);
    expect((await orders.appendFill('GOLD', 'e1', { execId: 'e1', qty: 2 })).duplicate).toBe(true);
    expect(await new MongoReportStore(m.db).names()).toEqual(['status']);
    expect(count('SPREADS')).toBe(1);
    expect(await (await MongoSpreadSamples.open(m.db, P)).read('GOLD')).toEqual([spread]);
    expect([...(await new StackKv(new MongoRecords(m.db, 'stack_state')).loadLocks())]).toEqual([
      ['GOLD', 'break'],
    ]);
    const mongoLimits = new TradeLimitsStore(new MongoRecords(m.db, 'trade_limits'));
    expect((await mongoLimits.list()).map((l) => l.tradesSinceLastReset)).toEqual([3]);
    expect(await new MongoRecords(m.db, 'roll_status').get('GOLD')).toEqual({ roll_state: 'Passive' });
    expect((await readStrategyActor(new MongoRecords(m.db, 'strategy_actors'), 'ewmac'))?.record.state).toBe(
      'idle',
    );

    expect((await migrate(js, mongoSide(m.db))).written).toBe(0);

    const ncB = await b.connect();
    const back = await migrate(mongoSide(m.db), jetstreamSide(ncB, P));
    expect(back.written).toBe(there.written);
    expect(back.spaces.map((s) => s.target_checksum)).toEqual(there.spaces.map((s) => s.source_checksum));
    expect(
      (await (await JetStreamCapitalStore.open(ncB, P)).totalHistory()).map((r) => r.total_capital),
    ).toEqual([100, 101.5]);
    const ordersB = await OrderEventStore.open(ncB, P);
    expect((await ordersB.loadHistory()).map((e) => e.data)).toEqual([{ id: 1, fill: 2 }]);
    ordersB.close();
    const spreadsB = await JetStreamSpreadSamples.open(ncB, P);
    expect(await spreadsB.read()).toEqual([spread]);
    expect(await (await JetStreamProcessStore.open(ncB, P)).getStatus('run_reports')).toBe('STOP');
    expect((await migrate(mongoSide(m.db), jetstreamSide(ncB, P))).written).toBe(0);
    expect([...(await (await StackKv.open(ncB, P)).loadLocks())]).toEqual([['GOLD', 'break']]);

    // Copied records carry no revision of their own: revision-checked writes go on from them.
    await mongoLimits.charge('ewmac', 'GOLD', 2, T0 + 1);
    expect((await mongoLimits.list()).map((l) => l.tradesSinceLastReset)).toEqual([5]);
    expect(await new StackKv(new MongoRecords(m.db, 'stack_state')).nextId('instrument', 10)).toBe(11);
    await m.close();
  }, 120_000);

  it('a target holding different data stops the copy before anything is written', async () => {
    const m = await openMongo({ url: fake.url, db: 'conflict' });
    await new MongoControlsStore(m.db).setPositionLimit('instrument', { instrument_code: 'GOLD' }, 99);
    await expect(migrate(jetstreamSide(await a.connect(), P), mongoSide(m.db))).rejects.toThrow(
      /mongodb controls: key 'limit\.instrument\.GOLD' holds a different value/,
    );
    expect((await m.db.listCollections().toArray()).map((c) => c.name)).toEqual(['controls']);
    await m.close();
  }, 60_000);
});
