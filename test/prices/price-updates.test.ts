import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_PRICE_UPDATE_CONFIG,
  type PriceUpdateDeps,
  updateFxPrices,
  updateHistoricalPrices,
  updateMultipleAdjustedPrices,
  updateSampledContracts,
} from '../../actors/price-updates.ts';
import type { PriceBar } from '../../src/broker/port.ts';
import { SimulatedClock } from '../../src/clock.ts';
import { panamaStitch } from '../../src/domain/prices/panama.ts';
import type { ContractPrices, MultiplePrices } from '../../src/domain/prices/types.ts';
import { MemoryPriceStore } from '../../src/store/memory/price-store.ts';
import { FakePriceBroker, memoryLog } from './fake-broker.ts';
import { GOLD_ROLL } from '../support/gold.ts';

const DAY = 86_400_000;
const HOUR = 3_600_000;
/** 2023-07-03 23:00 UTC and the days after it. */
const D0 = Date.UTC(2023, 6, 3, 23);
const day = (k: number): number => D0 + k * DAY;

function bar(time: number, close: number, volume = 5): PriceBar {
  return { time, open: close - 0.5, high: close + 1, low: close - 1, close, volume };
}

function contractPrices(times: number[], finals: number[]): ContractPrices {
  const f = (xs: number[]): Float64Array => Float64Array.from(xs);
  return {
    times: f(times),
    open: f(finals.map((x) => x - 0.5)),
    high: f(finals.map((x) => x + 1)),
    low: f(finals.map((x) => x - 1)),
    final: f(finals),
    volume: f(finals.map(() => 5)),
  };
}

/** GOLD held in Aug-23, forward/carry Oct-23, 20 days of history with a roll from Jun-23 on day 5. */
async function setup(): Promise<{
  deps: PriceUpdateDeps;
  store: MemoryPriceStore;
  broker: FakePriceBroker;
  log: ReturnType<typeof memoryLog>;
  clock: SimulatedClock;
}> {
  const store = new MemoryPriceStore();
  const broker = new FakePriceBroker();
  const log = memoryLog();
  const clock = new SimulatedClock(day(25) + HOUR);
  await store.putInstrumentConfig({ instrumentCode: 'GOLD', roll: GOLD_ROLL });
  const n = 20;
  const m: MultiplePrices = {
    times: Float64Array.from({ length: n }, (_, i) => day(i)),
    price: Float64Array.from({ length: n }, (_, i) => (i < 5 ? 1900 + i : 1910 + i)),
    forward: Float64Array.from({ length: n }, (_, i) => (i < 5 ? 1908 + i : 1930 + i)),
    carry: Float64Array.from({ length: n }, (_, i) => (i < 5 ? 1908 + i : 1930 + i)),
    priceContract: Array.from({ length: n }, (_, i) => (i < 5 ? '20230600' : '20230800')),
    forwardContract: Array.from({ length: n }, (_, i) => (i < 5 ? '20230800' : '20231000')),
    carryContract: Array.from({ length: n }, (_, i) => (i < 5 ? '20230800' : '20231000')),
  };
  await store.putMultiplePrices('GOLD', m);
  await store.putAdjustedPrices('GOLD', panamaStitch(m));
  // stored daily history of the Aug and Oct contracts: days 0..19
  const days = Array.from({ length: 20 }, (_, i) => day(i));
  await store.putContractPrices(
    'GOLD',
    '20230800',
    'D',
    contractPrices(
      days,
      days.map((_, i) => 1905 + i),
    ),
  );
  await store.putContractPrices(
    'GOLD',
    '20231000',
    'D',
    contractPrices(
      days,
      days.map((_, i) => 1925 + i),
    ),
  );
  await store.putSampledContracts('GOLD', [
    { contractDate: '20230600', expiryDate: '20230627', expiryApproximate: false, sampling: true },
  ]);
  broker.expiries.set('GOLD/20230800', '20230829');
  const deps: PriceUpdateDeps = { store, broker, clock, log, config: { ...DEFAULT_PRICE_UPDATE_CONFIG } };
  return { deps, store, broker, log, clock };
}

describe('daily price updates on a BrokerPort (run_daily_prices_updates)', () => {
  it('update_sampled_contracts samples the current chain, stops the rest, expiries from the broker or roll config', async () => {
    const { deps, store, log } = await setup();
    const [r] = await updateSampledContracts(deps);
    expect(r).toEqual({ instrumentCode: 'GOLD', sampling: ['20230800', '20231000'], stopped: ['20230600'] });
    expect(await store.getSampledContracts('GOLD')).toEqual([
      { contractDate: '20230600', expiryDate: '20230627', expiryApproximate: false, sampling: false },
      { contractDate: '20230800', expiryDate: '20230829', expiryApproximate: false, sampling: true },
      // the broker does not know Oct-23: 1 Oct + ExpiryOffset 26 days
      { contractDate: '20231000', expiryDate: '20231027', expiryApproximate: true, sampling: true },
    ]);
    expect(log.lines.some((l) => l.level === 'warn' && l.fields.contract_date === '20231000')).toBe(true);
  });

  it('update_historical_prices merges keeping past data, cleans, and spike-checks each contract/frequency', async () => {
    const { deps, store, broker, log } = await setup();
    await updateSampledContracts(deps);
    // the broker re-sends old days with different closes (must not overwrite), then days 20..22
    broker.setBars('GOLD', '20230800', 'D', [
      ...Array.from({ length: 20 }, (_, i) => bar(day(i) - 23 * HOUR, 1.0)), // midnight stamps: daily bars
      bar(day(20) - 23 * HOUR, 1925),
      bar(day(21) - 23 * HOUR, 1926),
      bar(day(22) - 23 * HOUR, 1927, 0), // zero-volume daily bar: kept (ignore_..._daily False)
      bar(day(40) - 23 * HOUR, 1928), // in the future: dropped
    ]);
    broker.setBars('GOLD', '20230800', 'H', [
      bar(day(21) - 5 * HOUR, 1925.5),
      bar(day(21) - 4 * HOUR, 1925.7, 0), // zero-volume intraday: dropped
      bar(day(21) - 3 * HOUR, 0), // zero price: dropped
    ]);
    // the Oct contract jumps from 1944 to 2500: a spike
    broker.setBars('GOLD', '20231000', 'D', [bar(day(20) - 23 * HOUR, 1945), bar(day(21) - 23 * HOUR, 2500)]);
    const before = await store.getContractPrices('GOLD', '20231000', 'D');
    const results = await updateHistoricalPrices(deps);
    const status = Object.fromEntries(
      results.map((r) => [`${r.contractDate}/${r.frequency}`, [r.status, r.newRows]]),
    );
    expect(status).toEqual({
      '20230800/D': ['merged', 3],
      '20230800/H': ['merged', 1],
      '20231000/D': ['spike', 0],
      '20231000/H': ['unchanged', 0],
    });
    const aug = await store.getContractPrices('GOLD', '20230800', 'D');
    expect(Array.from(aug?.final ?? [])).toEqual([
      ...Array.from({ length: 20 }, (_, i) => 1905 + i),
      1925,
      1926,
      1927,
    ]);
    expect(aug?.times[22]).toBe(day(22)); // restamped to the 23:00 notional close
    expect(Array.from((await store.getContractPrices('GOLD', '20230800', 'H'))?.final ?? [])).toEqual([
      1925.5,
    ]);
    // a spike writes nothing, is quarantined, and raises a critical log
    expect(await store.getContractPrices('GOLD', '20231000', 'D')).toEqual(before);
    const q = await store.getQuarantine({
      kind: 'futures',
      instrumentCode: 'GOLD',
      contractDate: '20231000',
      frequency: 'D',
    });
    expect(q?.rows.map((r) => r.final)).toEqual([1945, 2500]);
    expect(q?.spikeTime).toBe(day(21));
    const crit = log.lines.filter((l) => l.level === 'critical');
    expect(crit.map((l) => l.msg)).toEqual(['Price Spike GOLD']);
    expect(crit[0]?.fields).toMatchObject({
      instrument_code: 'GOLD',
      contract_date: '20231000',
      max_price_spike: 8,
    });
  });

  it("today's daily bar is kept (the future check uses the broker's stamp) and stamped at 23:00", async () => {
    const { deps, store, broker, clock } = await setup();
    await updateSampledContracts(deps);
    const today = Date.UTC(2023, 6, 29);
    clock.set(today + 20 * HOUR);
    broker.setBars('GOLD', '20230800', 'D', [bar(today, 1925), bar(today + 23 * HOUR + DAY, 1926)]);
    const results = await updateHistoricalPrices(deps);
    expect(results.find((r) => r.contractDate === '20230800' && r.frequency === 'D')).toMatchObject({
      status: 'merged',
      newRows: 1,
    });
    const aug = await store.getContractPrices('GOLD', '20230800', 'D');
    expect(aug?.times.at(-1)).toBe(today + 23 * HOUR);
    expect(aug?.final.at(-1)).toBe(1925);
  });

  it('update_multiple_adjusted_prices appends the new rows and the raw PRICE to adjusted prices', async () => {
    const { deps, store, broker } = await setup();
    await updateSampledContracts(deps);
    broker.setBars('GOLD', '20230800', 'D', [bar(day(20), 1925), bar(day(21), 1926)]);
    broker.setBars('GOLD', '20230800', 'H', [bar(day(21) - 5 * HOUR, 1925.5)]);
    broker.setBars('GOLD', '20231000', 'D', [bar(day(20), 1945)]);
    await updateHistoricalPrices(deps);
    const oldAdjusted = await store.getAdjustedPrices('GOLD');
    const [r] = await updateMultipleAdjustedPrices(deps);
    expect(r).toMatchObject({ status: 'updated', multipleRows: 3, adjustedRows: 3 });
    const m = await store.getMultiplePrices('GOLD');
    const tail = (xs: ArrayLike<number | string> | undefined): Array<number | string> =>
      Array.from(xs ?? []).slice(-3);
    expect(tail(m?.times)).toEqual([day(20), day(21) - 5 * HOUR, day(21)]);
    expect(tail(m?.price)).toEqual([1925, 1925.5, 1926]);
    expect(tail(m?.forward).map((x) => (Number.isNaN(x) ? 'NaN' : x))).toEqual([1945, 'NaN', 'NaN']);
    expect(tail(m?.priceContract)).toEqual(['20230800', '20230800', '20230800']);
    const adj = await store.getAdjustedPrices('GOLD');
    expect(Array.from(adj?.values ?? []).slice(0, 20)).toEqual(Array.from(oldAdjusted?.values ?? []));
    expect(tail(adj?.values)).toEqual([1925, 1925.5, 1926]);
    // a second run with nothing new changes nothing
    const [again] = await updateMultipleAdjustedPrices(deps);
    expect(again).toMatchObject({ status: 'updated', multipleRows: 0, adjustedRows: 0 });
  });

  it('update_fx_prices has a working spike check (the reference passes no max_spike)', async () => {
    const { deps, store, broker, log } = await setup();
    const times = Array.from({ length: 300 }, (_, i) => day(i - 300));
    const values = times.map((_, i) => 1.1 + (i % 2 ? 0.001 : -0.001));
    await store.putFxPrices('EURUSD', { times: Float64Array.from(times), values: Float64Array.from(values) });
    broker.fx.set('EURUSD', [
      { time: day(0), price: 1.1005 },
      { time: day(1), price: 1.1008 },
    ]);
    expect(await updateFxPrices(deps)).toEqual([{ fxCode: 'EURUSD', status: 'merged', newRows: 2 }]);
    broker.fx.set('EURUSD', [{ time: day(2), price: 1.5 }]);
    const [r] = await updateFxPrices(deps);
    expect(r?.status).toBe('spike');
    const fx = await store.getFxPrices('EURUSD');
    expect(fx?.times.length).toBe(302);
    expect(fx?.values[301]).toBe(1.1008);
    expect((await store.getQuarantine({ kind: 'fx', fxCode: 'EURUSD' }))?.rows).toEqual([
      { time: day(2), final: 1.5 },
    ]);
    expect(log.lines.filter((l) => l.level === 'critical').map((l) => l.msg)).toEqual([
      'FX Price Spike EURUSD',
    ]);
  });

  it('property: a batch with a spike writes nothing to the contract series, whatever else it holds', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: 1, maxLength: 15 }),
        fc.integer({ min: 0, max: 14 }),
        fc.double({ min: 40, max: 400, noNaN: true }),
        async (moves, at, jump) => {
          const { deps, store, broker } = await setup();
          await updateSampledContracts(deps);
          const before = await store.getContractPrices('GOLD', '20230800', 'D');
          let p = 1924;
          const k = Math.min(at, moves.length - 1);
          const bars = moves.map((m, i) => {
            p += m + (i === k ? jump : 0);
            return bar(day(20 + i) - 23 * HOUR, p);
          });
          broker.setBars('GOLD', '20230800', 'D', bars);
          deps.clock = { now: () => day(40) };
          const [r] = (await updateHistoricalPrices(deps)).filter((x) => x.contractDate === '20230800');
          expect(r?.status).toBe('spike');
          expect(await store.getContractPrices('GOLD', '20230800', 'D')).toEqual(before);
          const q = await store.getQuarantine({
            kind: 'futures',
            instrumentCode: 'GOLD',
            contractDate: '20230800',
            frequency: 'D',
          });
          expect(q?.rows.length).toBe(bars.length);
        },
      ),
      { numRuns: 40 },
    );
  });
});
