import { describe, expect, it } from 'vitest';
import { rollInstrumentPrices } from '../../actors/price-updates.ts';
import { panamaStitch } from '../../src/domain/prices/panama.ts';
import { CannotRollError, rollPriceSeries } from '../../src/domain/prices/price-roll.ts';
import type { MultiplePrices, PriceSeries } from '../../src/domain/prices/types.ts';
import { MemoryPriceStore } from '../../src/store/memory/price-store.ts';
import { memoryLog } from './fake-broker.ts';
import { GOLD_ROLL } from '../support/gold.ts';

const DAY = 86_400_000;
const T0 = Date.UTC(2023, 6, 3, 23);
const SOFR_ROLL = {
  holdRollCycle: 'HMUZ',
  rollOffsetDays: -1000,
  carryOffset: -1,
  pricedRollCycle: 'HMUZ',
  expiryOffset: 18,
};

function goldMultiple(prices: number[], forwards: number[]): MultiplePrices {
  const n = prices.length;
  return {
    times: Float64Array.from({ length: n }, (_, i) => T0 + i * DAY),
    price: Float64Array.from(prices),
    forward: Float64Array.from(forwards),
    carry: Float64Array.from(forwards),
    priceContract: Array(n).fill('20230800'),
    forwardContract: Array(n).fill('20231000'),
    carryContract: Array(n).fill('20231000'),
  };
}

describe('price roll (digest §6.5)', () => {
  it('the old forward becomes the priced contract, with a +1 s row and a Panama re-stitch', () => {
    const m = goldMultiple([1900, 1901, 1902], [1910, 1912, 1915]);
    const r = rollPriceSeries(m, GOLD_ROLL, { forward: 1930, carry: 1930 });
    expect(r.newContracts).toEqual({ price: '20231000', forward: '20231200', carry: '20231200' });
    expect(r.inferred).toBe(false);
    expect(r.multiple.times.length).toBe(4);
    expect(r.multiple.times[3]).toBe(T0 + 2 * DAY + 1000);
    expect(r.multiple.price[3]).toBe(1915); // the old forward's last price
    expect(r.multiple.forward[3]).toBe(1930);
    expect(r.multiple.priceContract[3]).toBe('20231000');
    expect(r.multiple.forwardContract[3]).toBe('20231200');
    // history shifted by the roll differential 1915 − 1902 = 13; the last value is raw
    expect(Array.from(r.adjusted.values)).toEqual([1913, 1914, 1915, 1915]);
    expect(r.adjusted).toEqual(panamaStitch(r.multiple));
    // the input is not changed
    expect(m.times.length).toBe(3);
  });

  it('carry −1 (SOFR): the new carry is the previous priced contract', () => {
    const m: MultiplePrices = {
      times: Float64Array.from([T0]),
      price: Float64Array.from([96.4]),
      forward: Float64Array.from([96.5]),
      carry: Float64Array.from([96.3]),
      priceContract: ['20261200'],
      forwardContract: ['20270300'],
      carryContract: ['20260900'],
    };
    const r = rollPriceSeries(m, SOFR_ROLL, { forward: 96.6, carry: 96.4 });
    expect(r.newContracts).toEqual({ price: '20270300', forward: '20270600', carry: '20261200' });
  });

  it('infers a missing last FORWARD from PRICE with the rolling(5) median offset, adding a row first', () => {
    const m = goldMultiple([1900, 1901, 1902, 1903, 1904, 1905], [1910, 1912, 1912, 1913, 1915, Number.NaN]);
    const r = rollPriceSeries(m, GOLD_ROLL, { forward: Number.NaN, carry: Number.NaN });
    // offsets forward − price over the last 5 rows with both: 11, 10, 10, 11, 10 → median 10 → 1905 + 10
    expect(r.inferred).toBe(true);
    expect(r.multiple.times.length).toBe(8);
    expect(r.multiple.times[6]).toBe(T0 + 5 * DAY + 1000);
    expect(r.multiple.price[6]).toBe(1905);
    expect(r.multiple.forward[6]).toBe(1915);
    expect(r.multiple.times[7]).toBe(T0 + 5 * DAY + 2000);
    expect(r.multiple.price[7]).toBe(1915);
  });

  it("can't roll when the last price is missing and cannot be inferred", () => {
    const m = goldMultiple([1900, 1901], [1910, Number.NaN]);
    expect(() => rollPriceSeries(m, GOLD_ROLL, { forward: 1, carry: 1 })).toThrow(CannotRollError);
    // with forward-fill the last FORWARD is 1910 and the roll goes ahead
    expect(
      rollPriceSeries(m, GOLD_ROLL, { forward: 1, carry: 1 }, { forwardFill: true }).multiple.price[2],
    ).toBe(1910);
  });
});

describe('price roll on the store', () => {
  async function seeded(): Promise<MemoryPriceStore> {
    const store = new MemoryPriceStore();
    await store.putInstrumentConfig({ instrumentCode: 'GOLD', roll: GOLD_ROLL });
    const m = goldMultiple([1900, 1901, 1902], [1910, 1912, 1915]);
    await store.putMultiplePrices('GOLD', m);
    await store.putAdjustedPrices('GOLD', panamaStitch(m));
    const t = Float64Array.from([T0 + 2 * DAY]);
    const one = (x: number) => Float64Array.from([x]);
    await store.putContractPrices('GOLD', '20231200', 'D', {
      times: t,
      open: one(1),
      high: one(1),
      low: one(1),
      final: one(1931),
      volume: one(1),
    });
    return store;
  }

  it('writes the new multiple then adjusted series, with the new forward price aligned to the last stamp', async () => {
    const store = await seeded();
    const log = memoryLog();
    const r = await rollInstrumentPrices({ store, log, config: { intradayFrequency: 'H' } }, 'GOLD');
    const m = await store.getMultiplePrices('GOLD');
    expect(m?.priceContract.at(-1)).toBe('20231000');
    expect(m?.forward[3]).toBe(1931);
    expect(Array.from((await store.getAdjustedPrices('GOLD'))?.values ?? [])).toEqual(
      Array.from(r?.adjusted.values ?? []),
    );
    expect(log.lines.at(-1)?.msg).toBe('price series rolled');
  });

  it('a declined confirmation writes nothing; a failed write rolls back to the old series', async () => {
    const store = await seeded();
    const log = memoryLog();
    const deps = { store, log, config: { intradayFrequency: 'H' as const } };
    const before = await store.getMultiplePrices('GOLD');
    expect(await rollInstrumentPrices(deps, 'GOLD', { confirm: async () => false })).toBeUndefined();
    expect(await store.getMultiplePrices('GOLD')).toEqual(before);
    const beforeAdj = await store.getAdjustedPrices('GOLD');
    const failing = Object.create(store) as MemoryPriceStore;
    let calls = 0;
    failing.putAdjustedPrices = async (code: string, s: PriceSeries) => {
      if (calls++ === 0) throw new Error('disk full');
      return store.putAdjustedPrices(code, s);
    };
    await expect(rollInstrumentPrices({ ...deps, store: failing }, 'GOLD')).rejects.toThrow('disk full');
    expect(await store.getMultiplePrices('GOLD')).toEqual(before);
    expect(await store.getAdjustedPrices('GOLD')).toEqual(beforeAdj);
    expect(log.lines.some((l) => l.msg.startsWith('ROLLBACK FAILED'))).toBe(false);
  });
});
