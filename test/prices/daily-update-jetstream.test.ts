import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_PRICE_UPDATE_CONFIG,
  type PriceUpdateDeps,
  updateFxPrices,
  updateHistoricalPrices,
  updateMultipleAdjustedPrices,
  updateSampledContracts,
} from '../../actors/price-updates.ts';
import { SimulatedClock } from '../../src/clock.ts';
import { importPrices } from '../../src/store/csv/import.ts';
import { JetStreamPriceStore } from '../../src/store/jetstream/price-store.ts';
import { startTestNats, type TestNats } from '../support/nats.ts';
import { FakePriceBroker, memoryLog } from './fake-broker.ts';

const SAMPLE = join(import.meta.dirname, '../../sample-data/pysystemtrade');
const DAY = 86_400_000;
const SEP1 = Date.UTC(2023, 8, 1);

let nats: TestNats;
beforeAll(async () => {
  nats = await startTestNats();
});
afterAll(async () => {
  await nats?.stop();
});

describe('run_daily_prices_updates methods on JetStream with the bundled sample', () => {
  it('sampled contracts, historical prices, multiple/adjusted and FX append after the imported history', async () => {
    const store = await JetStreamPriceStore.open(await nats.connect(), 'daily');
    await importPrices(store, SAMPLE);
    const broker = new FakePriceBroker();
    // GOLD holds Oct-23 (forward and carry Dec-23) at the end of the sample; 5 new daily bars each
    const days = [0, 1, 4, 5, 6].map((k) => SEP1 + k * DAY);
    broker.setBars(
      'GOLD',
      '20231000',
      'D',
      days.map((t, i) => ({ time: t, open: 1950, high: 1955, low: 1945, close: 1950 + i, volume: 100 })),
    );
    broker.setBars(
      'GOLD',
      '20231200',
      'D',
      days.map((t, i) => ({ time: t, open: 1968, high: 1975, low: 1965, close: 1968 + i, volume: 100 })),
    );
    broker.fx.set(
      'EURUSD',
      days.map((t, i) => ({ time: t + 23 * 3_600_000, price: 1.085 + i / 1000 })),
    );
    const log = memoryLog();
    const deps: PriceUpdateDeps = {
      store,
      broker,
      clock: new SimulatedClock(SEP1 + 10 * DAY),
      log,
      config: { ...DEFAULT_PRICE_UPDATE_CONFIG, instruments: ['GOLD'] },
    };
    const before = { m: await store.getMultiplePrices('GOLD'), a: await store.getAdjustedPrices('GOLD') };

    // the sample's EURUSD already has 2023-09-01 23:00: only the 4 later points are new
    expect((await updateFxPrices(deps))[0]).toMatchObject({ status: 'merged', newRows: 4 });
    expect((await updateSampledContracts(deps))[0]?.sampling).toEqual(['20231000', '20231200']);
    const hist = await updateHistoricalPrices(deps);
    expect(
      hist.filter((r) => r.status === 'merged').map((r) => [r.contractDate, r.frequency, r.newRows]),
    ).toEqual([
      ['20231000', 'D', 5],
      ['20231200', 'D', 5],
    ]);
    expect((await updateMultipleAdjustedPrices(deps))[0]).toMatchObject({
      status: 'updated',
      multipleRows: 5,
      adjustedRows: 5,
    });

    const m = await store.getMultiplePrices('GOLD');
    const a = await store.getAdjustedPrices('GOLD');
    const n = before.m?.times.length ?? 0;
    expect(m?.times.length).toBe(n + 5);
    expect(Array.from(m?.price.subarray(n) ?? [])).toEqual([1950, 1951, 1952, 1953, 1954]);
    expect(Array.from(m?.forward.subarray(n) ?? [])).toEqual([1968, 1969, 1970, 1971, 1972]);
    expect(Array.from(m?.times.subarray(n) ?? [])).toEqual(days.map((t) => t + 23 * 3_600_000));
    // the imported history is untouched, the adjusted series gets the raw prices
    expect(Array.from(a?.values.subarray(0, before.a?.values.length) ?? [])).toEqual(
      Array.from(before.a?.values ?? []),
    );
    expect(Array.from(a?.values.subarray(before.a?.values.length) ?? [])).toEqual([
      1950, 1951, 1952, 1953, 1954,
    ]);
    expect(log.lines.filter((l) => l.level === 'critical')).toEqual([]);
    // a range read returns just the new days
    const tail = await store.getAdjustedPrices('GOLD', { start: SEP1 });
    expect(tail?.times.length).toBe(5);
  });
});
