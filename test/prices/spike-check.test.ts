import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ewmMean } from '../../src/domain/ewm.ts';
import { mergeContractPrices, mergeSeries } from '../../src/domain/prices/merge.ts';
import { changeInAverageUnits, changeInDailyUnits, findSpike } from '../../src/domain/prices/spike-check.ts';
import type { ContractPrices } from '../../src/domain/prices/types.ts';

const DAY = 86_400_000;
const f64 = (xs: number[]): Float64Array => Float64Array.from(xs);

function contract(times: number[], finals: number[]): ContractPrices {
  return {
    times: f64(times),
    open: f64(finals),
    high: f64(finals.map((x) => x + 1)),
    low: f64(finals.map((x) => x - 1)),
    final: f64(finals),
    volume: f64(finals.map(() => 10)),
  };
}

/** A daily random walk with moves of ±1 (no spikes). */
function walk(n: number, seed: number, start = 1000): number[] {
  let s = seed;
  let p = start;
  return Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    p += s % 2 === 0 ? 1 : -1;
    return p;
  });
}

describe('spike check (digest §6.2)', () => {
  it('hand-computed example: Brownian scaling by √(elapsed days) and span-500 EWMA including a_t', () => {
    const times = [0, DAY, 1.25 * DAY, 3.25 * DAY];
    const prices = [100, 101, 100.5, 102.5];
    const d = changeInDailyUnits(f64(times), f64(prices));
    expect(Number.isNaN(d[0] as number)).toBe(true);
    expect(d[1]).toBe(1); // 1 / √1
    expect(d[2]).toBe(-1); // −0.5 / √0.25
    expect(d[3]).toBeCloseTo(Math.SQRT2, 15); // 2 / √2
    const r = changeInAverageUnits(f64(times), f64(prices));
    expect(r[1]).toBe(1);
    expect(r[2]).toBe(1);
    // pandas ewm(span=500, adjust=True): weights (1−α)^k, α = 2/501, a = [NaN, 1, 1, √2]
    const q = 499 / 501;
    const avg3 = (q * q * 1 + q * 1 + Math.SQRT2) / (q * q + q + 1);
    expect(r[3]).toBeCloseTo(Math.SQRT2 / avg3, 14);
    expect(r[3]).toBeCloseTo(1.24203754841, 10); // same formula evaluated in Python
  });

  it('ewm mean matches the adjust=True weighted average definition, NaN rows decay the weights', () => {
    const x = f64([Number.NaN, 2, 4, Number.NaN, 8]);
    const out = ewmMean(x, { span: 3 }); // α = 0.5
    expect(Number.isNaN(out[0] as number)).toBe(true);
    expect(out[1]).toBe(2);
    expect(out[2]).toBeCloseTo((0.5 * 2 + 4) / 1.5, 15);
    expect(out[3]).toBe(out[2]);
    // weights at row 4: x1 → 0.5³, x2 → 0.5², x4 → 1
    expect(out[4]).toBeCloseTo((0.125 * 2 + 0.25 * 4 + 8) / 1.375, 15);
  });

  it('flags a move over max_price_spike times the average, from the first new row only', () => {
    const n = 600;
    const times = Array.from({ length: n + 1 }, (_, i) => i * DAY);
    const prices = walk(n, 7);
    const last = prices[n - 1] as number;
    const spiky = [...prices, last + 20];
    const s = findSpike(f64(times), f64(spiky), n, 8);
    expect(s?.index).toBe(n);
    expect(s?.ratio).toBeGreaterThan(8);
    // a move of 5 (≈5× the average of 1) is not a spike at 8, is at 4
    const moved = [...prices, last + 5];
    expect(findSpike(f64(times), f64(moved), n, 8)).toBeUndefined();
    expect(findSpike(f64(times), f64(moved), n, 4)?.index).toBe(n);
    // an old spike before the first new row is not reported
    const oldSpike = [...prices.slice(0, 300), (prices[299] as number) + 50, ...prices.slice(301), last];
    expect(findSpike(f64(times), f64(oldSpike), n, 8)).toBeUndefined();
    expect(findSpike(f64(times), f64(oldSpike), 0, 8)?.index).toBe(300);
  });

  it('property: a batch with no new rows never spikes and returns the old data', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 1, max: 1e6, noNaN: true }), { minLength: 2, maxLength: 80 }),
        fc.array(fc.integer({ min: 0, max: 79 }), { maxLength: 10 }),
        (finals, picks) => {
          const times = finals.map((_, i) => i * DAY);
          const old = contract(times, finals);
          const idx = [...new Set(picks.filter((p) => p < finals.length))].sort((a, b) => a - b);
          const incoming = contract(
            idx.map((i) => times[i] as number),
            idx.map(() => 1e9), // absurd values, but not newer than the stored data
          );
          const r = mergeContractPrices(old, incoming, 8);
          expect(r.status).toBe('unchanged');
          expect(r.status === 'unchanged' && r.merged).toBe(old);
          const rs = mergeSeries(
            { times: old.times, values: old.final },
            { times: incoming.times, values: incoming.final },
            8,
          );
          expect(rs.status).toBe('unchanged');
        },
      ),
      { numRuns: 200 },
    );
  });

  it('property: the check is invariant to price scale and level (ratios of moves)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.double({ min: 0.01, max: 100, noNaN: true }),
        fc.double({ min: 0, max: 50, noNaN: true }),
        (seed, scale, jump) => {
          const prices = walk(120, seed);
          prices.push((prices[119] as number) + jump);
          const times = prices.map((_, i) => i * DAY);
          const a = findSpike(f64(times), f64(prices), 120, 8);
          const b = findSpike(f64(times), f64(prices.map((p) => p * scale + 3)), 120, 8);
          // ratios agree to rounding; only a ratio within rounding of 8 could differ
          const r = changeInAverageUnits(f64(times), f64(prices))[120] as number;
          if (Math.abs(r - 8) > 1e-6) expect(b?.index).toBe(a?.index);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('a spike in a merge returns the batch and no merged data', () => {
    const times = Array.from({ length: 101 }, (_, i) => i * DAY);
    const finals = walk(100, 3);
    const old = contract(times.slice(0, 100), finals);
    const r = mergeContractPrices(old, contract([times[100] as number], [(finals[99] as number) * 3]), 8);
    expect(r.status).toBe('spike');
    expect(r).not.toHaveProperty('merged');
    if (r.status === 'spike') expect(Array.from(r.newRows.final)).toEqual([(finals[99] as number) * 3]);
  });
});
