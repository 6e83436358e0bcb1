import type { MultiplePrices, PriceSeries } from './types.ts';

export class PanamaStitchError extends Error {}

/** Forward-fill every column of multiple prices (NaN takes the last valid value). */
export function forwardFillMultiple(m: MultiplePrices): MultiplePrices {
  const ffill = (col: Float64Array): Float64Array => {
    const out = col.slice();
    let last = Number.NaN;
    for (let i = 0; i < out.length; i++) {
      const v = out[i] as number;
      if (Number.isNaN(v)) out[i] = last;
      else last = v;
    }
    return out;
  };
  return { ...m, price: ffill(m.price), forward: ffill(m.forward), carry: ffill(m.carry) };
}

/**
 * Panama back-adjustment, full stitch (digest §6.4; data doc §5; `_panama_stitch`).
 * Walk the rows in order starting with PRICE₀. Same PRICE_CONTRACT as the row before: append PRICE
 * (NaN stays NaN). A roll at row r: D = FORWARD[r-1] − PRICE[r-1] from the row before the roll
 * (NaN D is an error), D is added to every value so far — one roll at a time, oldest first, which
 * keeps the result bit-identical to pysystemtrade's — then PRICE[r] is appended unadjusted.
 */
export function panamaStitch(input: MultiplePrices, opts: { forwardFill?: boolean } = {}): PriceSeries {
  const m = opts.forwardFill ? forwardFillMultiple(input) : input;
  const n = m.times.length;
  if (n === 0) throw new PanamaStitchError("can't stitch an empty multiple prices series");
  const values = new Float64Array(n);
  values[0] = m.price[0] as number;
  for (let r = 1; r < n; r++) {
    if (m.priceContract[r] !== m.priceContract[r - 1]) {
      const d = (m.forward[r - 1] as number) - (m.price[r - 1] as number);
      if (Number.isNaN(d)) {
        throw new PanamaStitchError(
          `roll differential is NaN at row ${r} (${m.priceContract[r - 1]} -> ${m.priceContract[r]}): ` +
            'the row before the roll needs both PRICE and FORWARD',
        );
      }
      for (let i = 0; i < r; i++) values[i] = (values[i] as number) + d;
    }
    values[r] = m.price[r] as number;
  }
  return { times: m.times.slice(), values };
}
