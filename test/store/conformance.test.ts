/**
 * One storage conformance suite for every backend of the capital, controls and strategy ports:
 * JetStream (a real nats-server) and MongoDB (the wire-protocol server in test/fixtures, or a
 * real mongod when MONGODB_URL is set), both through their real clients.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CapitalRow } from '../../src/domain/capital/total-capital.ts';
import { type CapitalStore, JetStreamCapitalStore } from '../../src/store/capital-store.ts';
import { type ControlsStore, JetStreamControlsStore } from '../../src/store/controls-store.ts';
import { openMongo } from '../../src/store/mongo/json-collection.ts';
import { MongoCapitalStore, MongoControlsStore, MongoStrategyStore } from '../../src/store/mongo/stores.ts';
import { JetStreamStrategyStore, type StrategyStore } from '../../src/store/strategy-store.ts';
import { type FakeMongo, startFakeMongo } from '../fixtures/mongo-wire/server.ts';
import { startTestNats, type TestNats } from '../support/nats.ts';

interface Backend {
  name: string;
  open(space: string): Promise<{ capital: CapitalStore; controls: ControlsStore; strategy: StrategyStore }>;
  stop(): Promise<void>;
}

async function jetstreamBackend(): Promise<Backend> {
  const t: TestNats = await startTestNats();
  const nc = await t.connect();
  return {
    name: 'jetstream',
    async open(space) {
      return {
        capital: await JetStreamCapitalStore.open(nc, space),
        controls: await JetStreamControlsStore.open(nc, space),
        strategy: await JetStreamStrategyStore.open(nc, space),
      };
    },
    stop: () => t.stop(),
  };
}

async function mongoBackend(): Promise<Backend> {
  const fake: FakeMongo | undefined = process.env.MONGODB_URL ? undefined : await startFakeMongo();
  const url = process.env.MONGODB_URL ?? fake!.url;
  const opened: Array<() => Promise<void>> = [];
  return {
    name: process.env.MONGODB_URL ? 'mongodb (MONGODB_URL)' : 'mongodb (wire-protocol fixture)',
    async open(space) {
      const m = await openMongo({ url, db: `systack_conformance_${space}_${Date.now()}` });
      opened.push(async () => {
        await m.db.dropDatabase();
        await m.close();
      });
      return {
        capital: new MongoCapitalStore(m.db),
        controls: new MongoControlsStore(m.db),
        strategy: new MongoStrategyStore(m.db),
      };
    },
    async stop() {
      for (const close of opened) await close();
      await fake?.stop();
    },
  };
}

const T0 = Date.UTC(2026, 10, 20, 14, 0, 0);
const row = (timestamp: number, total: number): CapitalRow =>
  ({
    timestamp,
    kind: 'update',
    broker_account_value: total,
    total_capital: total,
    max_capital: total,
    accumulated_pnl: 0,
  }) as CapitalRow;

for (const make of [jetstreamBackend, mongoBackend]) {
  describe(`storage conformance: ${make.name.replace('Backend', '')}`, () => {
    let b: Backend;
    beforeAll(async () => {
      b = await make();
    });
    afterAll(async () => b?.stop());

    it('capital: history in time order, duplicates refused, delete since, pending, strategy values, ledgers', async () => {
      const { capital } = await b.open('cap');
      await capital.appendTotal(row(T0 + 2000, 102));
      await capital.appendTotal(row(T0, 100));
      await capital.appendTotal(row(T0 + 1000, 101));
      await expect(capital.appendTotal(row(T0, 999))).rejects.toThrow();
      expect((await capital.totalHistory()).map((r) => r.total_capital)).toEqual([100, 101, 102]);
      expect(await capital.deleteTotalSince(T0 + 1000)).toBe(2);
      expect((await capital.totalHistory()).map((r) => r.total_capital)).toEqual([100]);

      expect(await capital.getPending()).toBeUndefined();
      const pending = { proposed: row(T0 + 5, 150), reason: 'change over 10%' } as unknown as Parameters<
        CapitalStore['setPending']
      >[0];
      await capital.setPending(pending);
      expect(await capital.getPending()).toEqual(pending);
      await capital.setPending(undefined);
      expect(await capital.getPending()).toBeUndefined();

      await capital.appendStrategyCapital({ strategy_name: 'b', timestamp: T0 + 1, capital: 2 });
      await capital.appendStrategyCapital({ strategy_name: 'a', timestamp: T0 + 2, capital: 3 });
      await capital.appendStrategyCapital({ strategy_name: 'a', timestamp: T0 + 1, capital: 1 });
      expect((await capital.strategyCapitalHistory('a')).map((v) => v.capital)).toEqual([1, 3]);
      expect((await capital.strategyCapitalHistory('b')).map((v) => v.capital)).toEqual([2]);

      const entry = { timestamp: T0, amount: 5 } as unknown as Parameters<CapitalStore['appendLedger']>[1];
      await capital.appendLedger('a', entry);
      await expect(capital.appendLedger('a', entry)).rejects.toThrow();
      expect(await capital.ledger('a')).toEqual([entry]);
      expect(await capital.ledger('b')).toEqual([]);
    });

    it('controls: limits and overrides by scope, deletes say whether anything was there, bad names refused', async () => {
      const { controls } = await b.open('ctl');
      await controls.setPositionLimit('instrument', { instrument_code: 'GOLD' }, 10);
      await controls.setPositionLimit(
        'strategy_instrument',
        { strategy_name: 'ewmac', instrument_code: 'GOLD' },
        4,
      );
      await controls.setPositionLimit('instrument', { instrument_code: 'GOLD' }, 12);
      expect(await controls.positionLimits()).toEqual({
        instrument: { GOLD: 12 },
        strategy_instrument: { 'ewmac/GOLD': 4 },
      });
      expect(await controls.deletePositionLimit('instrument', { instrument_code: 'GOLD' })).toBe(true);
      expect(await controls.deletePositionLimit('instrument', { instrument_code: 'GOLD' })).toBe(false);
      await controls.setOverride('strategy', { strategy_name: 'ewmac' }, { type: 'reduce_only' });
      await controls.setOverride('instrument', { instrument_code: 'SOFR' }, { type: 'float', value: 0.5 });
      expect(await controls.overrides()).toEqual({
        strategy: { ewmac: { type: 'reduce_only' } },
        instrument: { SOFR: { type: 'float', value: 0.5 } },
      });
      for (const bad of ['__proto__', 'constructor', 'a.b', ''])
        await expect(
          controls.setOverride('instrument', { instrument_code: bad }, { type: 'no_trading' }),
        ).rejects.toThrow();
      expect(Object.keys((await controls.overrides()).instrument ?? {})).toEqual(['SOFR']);
    });

    it('strategy: optimal positions per strategy and diagnostics round-trip', async () => {
      const { strategy } = await b.open('str');
      const p = (instrument_code: string, lower: number) => ({
        strategy_name: 'ewmac',
        instrument_code,
        lower_position: lower,
        upper_position: lower + 1,
        reference_price: 100.25,
        reference_contract: '20261200',
        reference_datetime: '2026-11-20T14:00:00.000Z',
        price_date: '2026-11-20',
      });
      await strategy.putOptimalPositions('ewmac', [p('SOFR', -2), p('GOLD', 1.5)]);
      await strategy.putOptimalPositions('ewmac', [p('GOLD', 2.5)]);
      expect(
        (await strategy.getOptimalPositions('ewmac')).map((x) => [x.instrument_code, x.lower_position]),
      ).toEqual([
        ['GOLD', 2.5],
        ['SOFR', -2],
      ]);
      expect(await strategy.getOptimalPositions('other')).toEqual([]);
      expect(await strategy.getDiagnostics('ewmac')).toBeUndefined();
      const d = {
        strategy_name: 'ewmac',
        created: '2026-11-20T14:00:00.000Z',
        capital: 1e6,
        dates: ['2026-11-19', '2026-11-20'],
        instruments: { GOLD: { vol: [0.5, null] } },
        skipped: [{ instrument_code: 'V2X', reason: 'no prices' }],
      };
      await strategy.putDiagnostics('ewmac', d);
      expect(await strategy.getDiagnostics('ewmac')).toEqual(d);
    });
  });
}
