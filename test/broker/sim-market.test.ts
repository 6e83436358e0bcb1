import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { SimBroker } from '../../src/broker/sim/sim-broker.ts';
import { MemorySimBrokerStore } from '../../src/broker/sim/state.ts';
import {
  anchorsFromStore,
  type SimMarketAnchors,
  StorePriceSource,
} from '../../src/broker/sim/store-price-source.ts';
import { simTermsFromStore } from '../../src/broker/sim/terms.ts';
import { SimulatedClock } from '../../src/clock.ts';
import { loadSimMarketConfig } from '../../src/config/sim-market.ts';
import { importPrices } from '../../src/store/csv/import.ts';
import { MemoryPriceStore } from '../../src/store/memory/price-store.ts';

const SAMPLE = join(import.meta.dirname, '../../sample-data/pysystemtrade');
const HOUR = 3_600_000;
const FRI = Date.UTC(2023, 8, 1); // Friday; Monday 2023-09-04 is a US holiday
const market = loadSimMarketConfig();
let store: MemoryPriceStore;
let anchors: SimMarketAnchors;

beforeAll(async () => {
  store = new MemoryPriceStore();
  await importPrices(store, SAMPLE);
  anchors = await anchorsFromStore(store);
});

async function broker(seed: number, clock: SimulatedClock): Promise<SimBroker> {
  const prices = new StorePriceSource(anchors, seed, (c) => market.terms(c).calendar, market.fxCalendar);
  const b = new SimBroker({
    clock,
    seed,
    prices,
    restingCheckMs: 0,
    store: new MemorySimBrokerStore(),
    terms: await simTermsFromStore(store, market),
    fx: prices,
    fxCalendar: market.fxCalendar,
    partialFillProbability: 0.3,
  });
  await b.connect();
  return b;
}

/** A week of orders every 5 hours, around the clock, on the four sample instruments. */
async function week(seed: number): Promise<string> {
  const clock = new SimulatedClock(FRI);
  const b = await broker(seed, clock);
  const codes = [
    ['GOLD', '20231000'],
    ['SOFR', '20261200'],
    ['SP500', '20230900'],
    ['US10', '20231200'],
  ] as const;
  for (let k = 0; k < 7 * 24; k += 5) {
    clock.set(FRI + k * HOUR);
    b.evaluateResting();
    const [instrumentCode, contractDate] = codes[k % 4]!;
    const qty = (k % 3) - 1 || 2;
    await b.placeOrder({
      orderRef: `o${k}`,
      legs: [{ instrumentCode, contractDate, qty }],
      orderType: 'market',
    });
    await b.idle();
  }
  return JSON.stringify(await b.fills(0));
}

describe('the simulated market', () => {
  it('gives byte-identical fills for the same seed, other fills for another', async () => {
    const a = await week(1);
    expect(JSON.parse(a).length).toBeGreaterThan(20);
    expect(await week(1)).toBe(a);
    expect(await week(2)).not.toBe(a);
  });

  it('holds an order while the market is closed and fills it at the next open, on the tick grid', async () => {
    const clock = new SimulatedClock(FRI + 22 * HOUR); // Friday 22:00: closed until Tuesday
    const b = await broker(1, clock);
    const c = { instrumentCode: 'US10', contractDate: '20231200' };
    expect(
      (await b.tradingHours(c)).sessions.some((s) => s.open <= clock.now() && clock.now() < s.close),
    ).toBe(false);
    await b.placeOrder({ orderRef: 'w', legs: [{ ...c, qty: 3 }], orderType: 'market' });
    await b.idle();
    for (const t of [Date.UTC(2023, 8, 2, 12), Date.UTC(2023, 8, 3, 22, 30), Date.UTC(2023, 8, 4, 12)]) {
      clock.set(t); // Saturday; Sunday evening before the holiday; Labor Day
      b.evaluateResting();
      await b.idle();
      expect(await b.fills(0)).toEqual([]);
    }
    clock.set(Date.UTC(2023, 8, 5, 0, 10));
    b.evaluateResting();
    await b.idle();
    const [fill] = await b.fills(0);
    const quote = await b.marketSnapshot(c);
    expect(fill).toMatchObject({ qty: 3, price: quote.ask, time: clock.now(), commission: 4.53 });
    expect((fill!.price * 64) % 1).toBe(0); // ZN: 1/64 ticks
    expect(Math.round((quote.ask - quote.bid) * 64)).toBe(1); // one tick wide
    // the expiry: the 1st of the contract month + the roll config's ExpiryOffset (US10: 19)
    expect(await b.contractDetails(c)).toMatchObject({
      tickSize: 0.015625,
      multiplier: 1000,
      expiryDate: '20231220',
    });
  });

  it('marks the account at the last daily close (from its 23:00 stamp): starting capital + P&L − commissions', async () => {
    const clock = new SimulatedClock(Date.UTC(2023, 8, 5, 10));
    const b = await broker(1, clock);
    const c = { instrumentCode: 'GOLD', contractDate: '20231000' };
    await b.placeOrder({ orderRef: 'g', legs: [{ ...c, qty: 2 }], orderType: 'market' });
    await b.idle();
    const [fill] = await b.fills(0);
    const daily = await b.historicalPrices(c, 'D', Date.UTC(2023, 8, 4));
    expect(daily.map((d) => new Date(d.time).toISOString().slice(0, 10))).toEqual([]); // no close yet
    const before = (await b.accountValue()).value;
    // marked at Friday's close until Tuesday's
    const friday = (await b.historicalPrices(c, 'D', FRI - 1)).at(0)!.close;
    expect(before).toBeCloseTo(1_000_000 + 2 * (friday - fill!.price) * 100 - 4.62, 6);
    clock.set(Date.UTC(2023, 8, 5, 21, 30)); // Tuesday closed at 21:00; its price is stamped 23:00
    const tuesday = (await b.historicalPrices(c, 'D', Date.UTC(2023, 8, 4, 23))).map((d) => d.close);
    expect(tuesday).toHaveLength(1);
    expect((await b.accountValue()).value).toBe(before);
    clock.set(Date.UTC(2023, 8, 5, 23));
    expect((await b.accountValue()).value).toBeCloseTo(
      1_000_000 + 2 * (tuesday[0]! - fill!.price) * 100 - 4.62,
      6,
    );
  });
});
