import { describe, expect, it } from 'vitest';
import { RollNotRegisteredError, updateAdjustedPrices } from '../../src/domain/prices/adjusted-update.ts';
import { updateMultiplePrices } from '../../src/domain/prices/multiple-update.ts';
import { PanamaStitchError, panamaStitch } from '../../src/domain/prices/panama.ts';
import type { MultiplePrices } from '../../src/domain/prices/types.ts';

const H = 3_600_000;
const N = Number.NaN;
const f = (xs: number[]): Float64Array => Float64Array.from(xs);
const arr = (xs: Float64Array): Array<number | null> => Array.from(xs, (x) => (Number.isNaN(x) ? null : x));

/** Rows at hours 0..4: a roll at hour 2 from Jun (fwd Aug) to Aug (fwd Oct). */
function base(): MultiplePrices {
  return {
    times: f([0, H, 2 * H, 3 * H, 4 * H]),
    price: f([10, N, 20, N, 22]),
    forward: f([19, 20, 30, 31, N]),
    carry: f([19, 20, 30, 31, N]),
    priceContract: ['JUN', 'JUN', 'AUG', 'AUG', 'AUG'],
    forwardContract: ['AUG', 'AUG', 'OCT', 'OCT', 'OCT'],
    carryContract: ['AUG', 'AUG', 'OCT', 'OCT', 'OCT'],
  };
}
const series = (times: number[], finals: number[]) => ({ times: f(times), final: f(finals) });

describe('multiple prices daily update (digest §6.3)', () => {
  it('fills NaNs of the current segment only, never overwrites, inserts and appends new stamps', () => {
    const m = base();
    const price = series([H, 3 * H, 3.5 * H, 4 * H, 5 * H], [99, 21, 21.5, 999, 23]);
    const forward = series([4 * H, 5 * H], [32, 33]);
    const out = updateMultiplePrices(m, { price, forward, carry: forward });
    expect(Array.from(out.times)).toEqual([0, H, 2 * H, 3 * H, 3.5 * H, 4 * H, 5 * H]);
    // hour 1 (old segment) stays NaN; hour 3 NaN is filled; hour 4's 22 is kept (not 999)
    expect(arr(out.price)).toEqual([10, null, 20, 21, 21.5, 22, 23]);
    expect(arr(out.forward)).toEqual([19, 20, 30, 31, null, 32, 33]);
    expect(out.priceContract).toEqual(['JUN', 'JUN', 'AUG', 'AUG', 'AUG', 'AUG', 'AUG']);
    expect(out.forwardContract.at(-1)).toBe('OCT');
    // the input is untouched
    expect(arr(m.price)).toEqual([10, null, 20, null, 22]);
  });

  it('nothing new leaves the series as it was', () => {
    const m = base();
    const empty = series([], []);
    expect(updateMultiplePrices(m, { price: empty, forward: empty, carry: empty })).toEqual(m);
  });
});

describe('adjusted prices update without a roll (digest §6.3)', () => {
  it('appends raw PRICE rows strictly after the last adjusted stamp, NaN dropped', () => {
    const m = base();
    const adjusted = { times: f([0, H, 2 * H]), values: f([20, N, 20]) };
    const out = updateAdjustedPrices(adjusted, m);
    expect(Array.from(out.times)).toEqual([0, H, 2 * H, 4 * H]);
    expect(arr(out.values)).toEqual([20, null, 20, 22]);
  });

  it('a roll that is not registered raises and changes nothing', () => {
    const m = base();
    const adjusted = { times: f([0]), values: f([10]) };
    expect(() => updateAdjustedPrices(adjusted, m)).toThrow(RollNotRegisteredError);
    expect(() => updateAdjustedPrices(adjusted, m)).toThrow('roll has occurred but not registered properly');
    expect(Array.from(adjusted.times)).toEqual([0]);
  });
});

describe('Panama stitch errors and forward fill (digest §6.4)', () => {
  it('a NaN roll differential raises; forward-filling first makes it stitch', () => {
    expect(() => panamaStitch(base())).toThrow(PanamaStitchError);
    // ffill: row 1 PRICE 10, FORWARD 20 → D = 10 added to the rows before the roll
    expect(arr(panamaStitch(base(), { forwardFill: true }).values)).toEqual([20, 20, 20, 20, 22]);
  });
});
