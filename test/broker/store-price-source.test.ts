import { describe, expect, it } from 'vitest';
import { StorePriceSource } from '../../src/broker/sim/store-price-source.ts';
import { MemoryPriceStore } from '../../src/store/memory/price-store.ts';

const DAY = 86_400_000;
const T = Date.parse('2023-08-31T23:00:00Z');

async function source(seed: number): Promise<StorePriceSource> {
  const store = new MemoryPriceStore();
  const n = 30;
  const times = Float64Array.from({ length: n }, (_, i) => T - (n - 1 - i) * DAY);
  const price = Float64Array.from({ length: n }, (_, i) => 1900 + (i % 2 === 0 ? 10 : -10));
  const forward = Float64Array.from({ length: n }, () => 1950);
  await store.putMultiplePrices('GOLD', {
    times,
    price,
    forward,
    carry: Float64Array.from({ length: n }, () => Number.NaN),
    priceContract: Array(n).fill('20231200'),
    forwardContract: Array(n).fill('20240200'),
    carryContract: Array(n).fill('20240200'),
  });
  return StorePriceSource.load(store, seed);
}

describe('StorePriceSource', () => {
  it('starts each contract at its last stored price', async () => {
    const s = await source(1);
    expect(s.lastPrice({ instrumentCode: 'GOLD', contractDate: '202312' }, T)).toBe(1890);
    expect(s.lastPrice({ instrumentCode: 'GOLD', contractDate: '20240200' }, T)).toBe(1950);
    // an unknown contract of a known instrument starts at the priced contract
    expect(s.lastPrice({ instrumentCode: 'GOLD', contractDate: '202406' }, T)).toBe(1890);
  });

  it('gives the same path whatever order the questions come in, and another path for another seed', async () => {
    const c = { instrumentCode: 'GOLD', contractDate: '202312' };
    const a = await source(7);
    const b = await source(7);
    const late = a.lastPrice(c, T + 50 * 3_600_000);
    for (let h = 0; h <= 50; h += 5) b.lastPrice(c, T + h * 3_600_000);
    expect(b.lastPrice(c, T + 50 * 3_600_000)).toBe(late);
    expect(late).not.toBe(1890);
    expect((await source(8)).lastPrice(c, T + 50 * 3_600_000)).not.toBe(late);
  });

  it('moves by about the instrument daily volatility (never a spike-sized jump)', async () => {
    const s = await source(3);
    const c = { instrumentCode: 'GOLD', contractDate: '202312' };
    let worst = 0;
    for (let d = 1; d <= 200; d++) {
      const p0 = s.lastPrice(c, T + (d - 1) * DAY);
      const p1 = s.lastPrice(c, T + d * DAY);
      worst = Math.max(worst, Math.abs(Math.log(p1 / p0)));
    }
    // stored daily moves are ±1%: a 200-day path stays within ~5 standard deviations a day
    expect(worst).toBeLessThan(0.06);
    expect(worst).toBeGreaterThan(0.001);
  });
});
