import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContractPrices, MultiplePrices } from '../../src/domain/prices/types.ts';
import { JetStreamPriceStore } from '../../src/store/jetstream/price-store.ts';
import { MemoryPriceStore } from '../../src/store/memory/price-store.ts';
import { openMongo } from '../../src/store/mongo/json-collection.ts';
import { MongoPriceStore } from '../../src/store/mongo/price-store.ts';
import type { PriceStore, QuarantineRecord } from '../../src/store/price-store.ts';
import { type FakeMongo, startFakeMongo } from '../fixtures/mongo-wire/server.ts';
import { startTestNats, type TestNats } from '../support/nats.ts';

const DAY = 86_400_000;
const T0 = Date.UTC(2023, 0, 2, 23);

function multiple(n: number): MultiplePrices {
  const times = Float64Array.from({ length: n }, (_, i) => T0 + i * DAY);
  return {
    times,
    price: Float64Array.from({ length: n }, (_, i) => (i % 7 === 3 ? Number.NaN : 100 + i * 0.25)),
    forward: Float64Array.from({ length: n }, (_, i) => 101 + i * 0.1),
    carry: Float64Array.from({ length: n }, () => Number.NaN),
    priceContract: Array.from({ length: n }, (_, i) => (i < n / 2 ? '20230300' : '20230600')),
    forwardContract: Array.from({ length: n }, (_, i) => (i < n / 2 ? '20230600' : '20230900')),
    carryContract: Array.from({ length: n }, (_, i) => (i < n / 2 ? '20230600' : '20230900')),
  };
}

function conformance(name: string, open: () => Promise<PriceStore>): void {
  describe(`price store conformance: ${name}`, () => {
    let store: PriceStore;
    beforeAll(async () => {
      store = await open();
    });

    it('round-trips multiple prices exactly (NaN kept) and reads a date range', async () => {
      const m = multiple(50_000);
      await store.putMultiplePrices('GOLD', m);
      const back = await store.getMultiplePrices('GOLD');
      expect(back).toEqual(m);
      const part = await store.getMultiplePrices('GOLD', { start: T0 + 10 * DAY, end: T0 + 12 * DAY });
      expect(Array.from(part?.times ?? [])).toEqual([T0 + 10 * DAY, T0 + 11 * DAY, T0 + 12 * DAY]);
      expect(part?.priceContract).toEqual(['20230300', '20230300', '20230300']);
      expect(Number.isNaN(part?.price[0] as number)).toBe(true); // row 10: 10 % 7 === 3
      expect(await store.listMultiplePrices()).toEqual(['GOLD']);
      expect(await store.getMultiplePrices('NOPE')).toBeUndefined();
    });

    it('round-trips adjusted, FX, roll calendar and per-contract prices', async () => {
      const s = { times: Float64Array.from([T0, T0 + DAY]), values: Float64Array.from([1.5, Number.NaN]) };
      await store.putAdjustedPrices('GOLD', s);
      await store.putFxPrices('EURUSD', s);
      expect(await store.getAdjustedPrices('GOLD')).toEqual(s);
      expect(await store.getFxPrices('EURUSD', { start: T0 + DAY })).toEqual({
        times: Float64Array.from([T0 + DAY]),
        values: Float64Array.from([Number.NaN]),
      });
      expect(await store.listFxPrices()).toEqual(['EURUSD']);
      const cal = [
        { time: T0, currentContract: '20230300', nextContract: '20230600', carryContract: '20230600' },
      ];
      await store.putRollCalendar('GOLD', cal);
      expect(await store.getRollCalendar('GOLD')).toEqual(cal);
      const p: ContractPrices = {
        times: Float64Array.from([T0]),
        open: Float64Array.from([1]),
        high: Float64Array.from([2]),
        low: Float64Array.from([0.5]),
        final: Float64Array.from([1.5]),
        volume: Float64Array.from([10]),
      };
      await store.putContractPrices('GOLD', '20230600', 'D', p);
      await store.putContractPrices('GOLD', '20230600', 'H', p);
      await store.putContractPrices('GOLD', '20230800', 'D', p);
      expect(await store.getContractPrices('GOLD', '20230600', 'H')).toEqual(p);
      expect(await store.listContractsWithPrices('GOLD')).toEqual(['20230600', '20230800']);
    });

    it('keeps instrument config, sampled contracts and the quarantine in KV', async () => {
      const cfg = { instrumentCode: 'GOLD', spreadCost: 0.068 };
      await store.putInstrumentConfig(cfg);
      expect(await store.getInstrumentConfig('GOLD')).toEqual(cfg);
      expect(await store.listInstrumentConfigs()).toEqual(['GOLD']);
      const sampled = [
        { contractDate: '20230800', expiryDate: '20230829', expiryApproximate: false, sampling: true },
      ];
      await store.putSampledContracts('GOLD', sampled);
      expect(await store.getSampledContracts('GOLD')).toEqual(sampled);
      expect(await store.getSampledContracts('CORN')).toEqual([]);
      const rec: QuarantineRecord = {
        target: { kind: 'futures', instrumentCode: 'GOLD', contractDate: '20230800', frequency: 'D' },
        rows: [{ time: T0, final: 1, open: 1, high: 1, low: 1, volume: 3 }],
        spikeTime: T0,
        spikeRatio: 12,
        maxSpike: 8,
        detectedAt: T0,
      };
      const fx: QuarantineRecord = { ...rec, target: { kind: 'fx', fxCode: 'EURUSD' } };
      await store.putQuarantine(rec);
      await store.putQuarantine(fx);
      expect(await store.getQuarantine(rec.target)).toEqual(rec);
      expect(await store.listQuarantine('GOLD')).toEqual([rec]);
      expect((await store.listQuarantine()).length).toBe(2);
      await store.deleteQuarantine(rec.target);
      expect(await store.getQuarantine(rec.target)).toBeUndefined();
      expect(await store.listQuarantine()).toEqual([fx]);
    });
  });
}

let nats: TestNats;
let mongo: FakeMongo | undefined;
const mongoClosers: Array<() => Promise<void>> = [];
beforeAll(async () => {
  nats = await startTestNats();
  if (!process.env.MONGODB_URL) mongo = await startFakeMongo();
});
afterAll(async () => {
  await nats?.stop();
  for (const close of mongoClosers) await close();
  await mongo?.stop();
});

conformance('memory', async () => new MemoryPriceStore());
conformance('jetstream (real nats-server)', async () => JetStreamPriceStore.open(await nats.connect('test')));
conformance('mongodb (wire-protocol fixture, or MONGODB_URL)', async () => {
  const m = await openMongo({
    url: process.env.MONGODB_URL ?? mongo!.url,
    db: `systack_prices_${Date.now()}`,
  });
  mongoClosers.push(async () => {
    await m.db.dropDatabase();
    await m.close();
  });
  return MongoPriceStore.of(m.db);
});
