import { carryContractFor, nextHeldContract } from './contract-dates.ts';
import { forwardFillMultiple, panamaStitch } from './panama.ts';
import { type MultiplePrices, type PriceSeries, type RollParameters, sliceMultiple } from './types.ts';

export class CannotRollError extends Error {}

type Column = 'price' | 'forward' | 'carry';
const LABEL: Record<Column, 'priceContract' | 'forwardContract' | 'carryContract'> = {
  price: 'priceContract',
  forward: 'forwardContract',
  carry: 'carryContract',
};

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/**
 * Infer the last value of `target` from another column (digest §6.5 step 2): over the trailing rows
 * where both contract labels equal their final labels, offset = the rolling(5) median of
 * (target − source) at its last point (the median of the last 5 pairs where both exist);
 * inferred = the last source value + offset. Undefined when it cannot be inferred.
 */
function inferFrom(m: MultiplePrices, target: Column, source: Column): number | undefined {
  const last = m.times.length - 1;
  const srcLast = m[source][last] as number;
  if (Number.isNaN(srcLast)) return undefined;
  const tLabel = m[LABEL[target]][last];
  const sLabel = m[LABEL[source]][last];
  const diffs: number[] = [];
  for (let i = last; i >= 0 && diffs.length < 5; i--) {
    if (m[LABEL[target]][i] !== tLabel || m[LABEL[source]][i] !== sLabel) break;
    const d = (m[target][i] as number) - (m[source][i] as number);
    if (!Number.isNaN(d)) diffs.push(d);
  }
  if (diffs.length < 5) return undefined;
  return srcLast + median(diffs);
}

function lastOrInferred(
  m: MultiplePrices,
  col: Column,
  sources: Column[],
): { value: number; inferred: boolean } {
  const v = m[col][m.times.length - 1] as number;
  if (!Number.isNaN(v)) return { value: v, inferred: false };
  for (const s of sources) {
    const x = inferFrom(m, col, s);
    if (x !== undefined) return { value: x, inferred: true };
  }
  throw new CannotRollError(`can't roll: last ${col.toUpperCase()} is missing and cannot be inferred`);
}

function dropTrailingAllNaN(m: MultiplePrices): MultiplePrices {
  let n = m.times.length;
  while (
    n > 0 &&
    Number.isNaN(m.price[n - 1] as number) &&
    Number.isNaN(m.forward[n - 1] as number) &&
    Number.isNaN(m.carry[n - 1] as number)
  )
    n--;
  return n === m.times.length ? m : sliceMultiple(m, 0, n);
}

function appendRow(
  m: MultiplePrices,
  row: { time: number; price: number; forward: number; carry: number; pc: string; fc: string; cc: string },
): MultiplePrices {
  const add = (a: Float64Array, v: number): Float64Array => {
    const out = new Float64Array(a.length + 1);
    out.set(a);
    out[a.length] = v;
    return out;
  };
  return {
    times: add(m.times, row.time),
    price: add(m.price, row.price),
    forward: add(m.forward, row.forward),
    carry: add(m.carry, row.carry),
    priceContract: [...m.priceContract, row.pc],
    forwardContract: [...m.forwardContract, row.fc],
    carryContract: [...m.carryContract, row.cc],
  };
}

/** Final prices of the new forward and carry contracts, from their per-contract series (may be NaN). */
export interface NewContractPrices {
  forward: number;
  carry: number;
}

export interface PriceRollResult {
  newContracts: { price: string; forward: string; carry: string };
  multiple: MultiplePrices;
  adjusted: PriceSeries;
  inferred: boolean;
}

/**
 * Roll the price series (digest §6.5, `update_multiple_prices_on_roll`). Precondition (not checked
 * here; the roll state machine guards it): the priced position is 0.
 * New price contract = the old forward; new forward = the next held contract; new carry = the
 * carry contract of the new price contract. If a last price was inferred, a row at last+1 s holds
 * the old price and forward; then a row at +1 s with PRICE = the old forward's last price and the
 * new contracts' prices. The new adjusted series is a full Panama re-stitch (digest §6.4).
 */
export function rollPriceSeries(
  input: MultiplePrices,
  roll: RollParameters,
  newPrices: NewContractPrices,
  opts: { forwardFill?: boolean } = {},
): PriceRollResult {
  let m = dropTrailingAllNaN(opts.forwardFill ? forwardFillMultiple(input) : input);
  if (m.times.length === 0) throw new CannotRollError("can't roll: multiple prices are empty");
  const last = m.times.length - 1;
  const oldPrice = lastOrInferred(m, 'price', ['forward', 'carry']);
  const oldForward = lastOrInferred(m, 'forward', ['price', 'carry']);
  const old = {
    price: m.priceContract[last] as string,
    forward: m.forwardContract[last] as string,
    carry: m.carryContract[last] as string,
  };
  const newContracts = {
    price: old.forward,
    forward: nextHeldContract(old.forward, roll),
    carry: carryContractFor(old.forward, roll),
  };
  let t = m.times[last] as number;
  const inferred = oldPrice.inferred || oldForward.inferred;
  if (inferred) {
    t += 1000;
    m = appendRow(m, {
      time: t,
      price: oldPrice.value,
      forward: oldForward.value,
      carry: m.carry[last] as number,
      pc: old.price,
      fc: old.forward,
      cc: old.carry,
    });
  }
  t += 1000;
  m = appendRow(m, {
    time: t,
    price: oldForward.value,
    forward: newPrices.forward,
    carry: newPrices.carry,
    pc: newContracts.price,
    fc: newContracts.forward,
    cc: newContracts.carry,
  });
  return { newContracts, multiple: m, adjusted: panamaStitch(m), inferred };
}
