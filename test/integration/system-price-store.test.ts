import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runClassicSystem } from '../../src/domain/system/classic-system.ts';
import { classicSystemConfig } from '../../src/domain/system/config.ts';
import { importPrices } from '../../src/store/csv/import.ts';
import { JetStreamPriceStore } from '../../src/store/jetstream/price-store.ts';
import { PriceStoreSystemDataSource } from '../../src/store/price-store-system-data.ts';
import { CsvSystemDataSource, type SystemDataSource } from '../../src/store/system-data.ts';
import { startTestNats, type TestNats } from '../support/nats.ts';

const SAMPLE = join(import.meta.dirname, '../../sample-data/pysystemtrade');

let nats: TestNats;
let store: JetStreamPriceStore;
beforeAll(async () => {
  nats = await startTestNats();
  store = await JetStreamPriceStore.open(await nats.connect(), 'sysdata');
  await importPrices(store, SAMPLE);
});
afterAll(async () => {
  await nats?.stop();
});

describe('classic system data from the JetStream price store (bundled sample imported)', () => {
  it('loads the same series, config and FX as the CSV folder', async () => {
    const fromStore = await new PriceStoreSystemDataSource(store).load();
    const fromCsv = await new CsvSystemDataSource(SAMPLE).load();
    expect(fromStore.instruments.map((d) => d.instrument_code)).toEqual(['GOLD', 'SOFR', 'SP500', 'US10']);
    expect(fromStore).toEqual(fromCsv);
    expect(Object.keys(fromStore.fx_to_usd)).toEqual(['EUR']);
  });

  it('gives the same optimal positions as the CSV source (values, every sample instrument)', async () => {
    const config = classicSystemConfig();
    const run = async (src: SystemDataSource) =>
      runClassicSystem({ ...(await src.load()), capital: 1_000_000 }, config);
    const a = await run(new PriceStoreSystemDataSource(store));
    const b = await run(new CsvSystemDataSource(SAMPLE));
    expect(a.skipped).toEqual([]);
    expect(a.positions.map((p) => p.instrument_code)).toEqual(['GOLD', 'SOFR', 'SP500', 'US10']);
    expect(a.positions).toEqual(b.positions);
    const gold = a.positions.find((p) => p.instrument_code === 'GOLD')!;
    expect(gold.reference_contract).toMatch(/^\d{8}$/);
    expect(gold.reference_date).toBe('2023-08-31');
    expect(Number.isFinite(gold.lower_position) && gold.lower_position <= gold.upper_position).toBe(true);
  });

  it('follows what the daily price update writes: a new adjusted row moves the reference price', async () => {
    const src = new PriceStoreSystemDataSource(store);
    const adj = (await store.getAdjustedPrices('GOLD'))!;
    const t = Date.UTC(2023, 8, 1, 23);
    await store.putAdjustedPrices('GOLD', {
      times: Float64Array.from([...adj.times, t]),
      values: Float64Array.from([...adj.values, 2000.5]),
    });
    const r = runClassicSystem({ ...(await src.load(['GOLD'])), capital: 1_000_000 }, classicSystemConfig());
    expect(r.positions[0]).toMatchObject({ reference_price: 2000.5, reference_date: '2023-09-01' });
    await store.putAdjustedPrices('GOLD', adj);
  });

  it('an instrument missing from the store is a clear error', async () => {
    await expect(new PriceStoreSystemDataSource(store).load(['CORN'])).rejects.toThrow(
      /instrument CORN has no instrument config in the price store/,
    );
    const empty = await JetStreamPriceStore.open(await nats.connect(), 'empty');
    await expect(new PriceStoreSystemDataSource(empty).load()).rejects.toThrow(/import prices first/);
  });
});
