import { type ContractPrices, lowerBound, type MultiplePrices } from './types.ts';

export class MultiplePricesUpdateError extends Error {}

/** The FINAL prices of the current price, forward and carry contracts (merged frequencies). */
export interface CurrentContractPrices {
  price: Pick<ContractPrices, 'times' | 'final'>;
  forward: Pick<ContractPrices, 'times' | 'final'>;
  carry: Pick<ContractPrices, 'times' | 'final'>;
}

/** The current contracts: the last row's labels (digest §6.3 step 1). */
export function currentContracts(m: MultiplePrices): { price: string; forward: string; carry: string } {
  const last = m.times.length - 1;
  if (last < 0) throw new MultiplePricesUpdateError('multiple prices are empty: no current contracts');
  return {
    price: m.priceContract[last] as string,
    forward: m.forwardContract[last] as string,
    carry: m.carryContract[last] as string,
  };
}

/** First row of the trailing run where all three labels equal the last row's. */
function currentSegmentStart(m: MultiplePrices): number {
  const c = currentContracts(m);
  let k = m.times.length - 1;
  while (
    k > 0 &&
    m.priceContract[k - 1] === c.price &&
    m.forwardContract[k - 1] === c.forward &&
    m.carryContract[k - 1] === c.carry
  )
    k--;
  return k;
}

function valueAt(s: Pick<ContractPrices, 'times' | 'final'>, t: number): number {
  const i = lowerBound(s.times, t);
  return i < s.times.length && s.times[i] === t ? (s.final[i] as number) : Number.NaN;
}

/**
 * Daily update of multiple prices from per-contract prices (digest §6.3, `merge_data_series_with_label_column`
 * and `full_merge_with_replacement`). New data is the current contracts' FINAL series, so its labels match the
 * last contract of each column. Existing non-NaN values are never overwritten; existing NaNs inside the current
 * segment (rows since the last change of any label) are filled where the contract has a price at that stamp;
 * stamps after the segment start that are new are added (inserted in order), labels from the last row, NaN
 * where a contract has no price at the stamp. Rows before the current segment are never touched.
 */
export function updateMultiplePrices(m: MultiplePrices, fresh: CurrentContractPrices): MultiplePrices {
  const c = currentContracts(m);
  const seg = currentSegmentStart(m);
  const segStartTime = m.times[seg] as number;
  const stamps = new Set<number>();
  for (let i = seg; i < m.times.length; i++) stamps.add(m.times[i] as number);
  for (const s of [fresh.price, fresh.forward, fresh.carry]) {
    for (let i = lowerBound(s.times, segStartTime); i < s.times.length; i++) stamps.add(s.times[i] as number);
  }
  const tail = [...stamps].sort((a, b) => a - b);
  const n = seg + tail.length;
  const out: MultiplePrices = {
    times: new Float64Array(n),
    price: new Float64Array(n),
    forward: new Float64Array(n),
    carry: new Float64Array(n),
    priceContract: m.priceContract.slice(0, seg),
    forwardContract: m.forwardContract.slice(0, seg),
    carryContract: m.carryContract.slice(0, seg),
  };
  out.times.set(m.times.subarray(0, seg));
  out.price.set(m.price.subarray(0, seg));
  out.forward.set(m.forward.subarray(0, seg));
  out.carry.set(m.carry.subarray(0, seg));
  let old = seg;
  tail.forEach((t, k) => {
    const r = seg + k;
    const existing = old < m.times.length && m.times[old] === t ? old++ : -1;
    const pick = (col: Float64Array, s: Pick<ContractPrices, 'times' | 'final'>): number => {
      const v = existing >= 0 ? (col[existing] as number) : Number.NaN;
      return Number.isNaN(v) ? valueAt(s, t) : v;
    };
    out.times[r] = t;
    out.price[r] = pick(m.price, fresh.price);
    out.forward[r] = pick(m.forward, fresh.forward);
    out.carry[r] = pick(m.carry, fresh.carry);
    out.priceContract.push(c.price);
    out.forwardContract.push(c.forward);
    out.carryContract.push(c.carry);
  });
  return out;
}
