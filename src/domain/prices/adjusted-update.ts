import { concatF64, lowerBound, type MultiplePrices, type PriceSeries } from './types.ts';

export class RollNotRegisteredError extends Error {}

/**
 * Adjusted prices update without a roll (digest §6.3 "Adjusted update"; data doc §5): take the
 * multiple-price rows strictly after the last adjusted stamp, drop NaN PRICE, check every
 * PRICE_CONTRACT equals the contract in force at the last adjusted stamp (else "roll has occurred
 * but not registered properly"), and append the raw PRICE (the live contract's adjustment is 0).
 */
export function updateAdjustedPrices(adjusted: PriceSeries, m: MultiplePrices): PriceSeries {
  if (adjusted.times.length === 0)
    throw new RollNotRegisteredError('no adjusted prices yet: stitch them first');
  const lastAdj = adjusted.times[adjusted.times.length - 1] as number;
  const from = lowerBound(m.times, lastAdj + 1e-3);
  if (from >= m.times.length) return adjusted;
  const inForce = from > 0 ? m.priceContract[from - 1] : undefined;
  const times: number[] = [];
  const values: number[] = [];
  for (let i = from; i < m.times.length; i++) {
    const p = m.price[i] as number;
    if (Number.isNaN(p)) continue;
    if (inForce !== undefined && m.priceContract[i] !== inForce) {
      throw new RollNotRegisteredError(
        `roll has occurred but not registered properly: PRICE_CONTRACT ${m.priceContract[i]} after ` +
          `the last adjusted price, contract in force was ${inForce}`,
      );
    }
    times.push(m.times[i] as number);
    values.push(p);
  }
  if (times.length === 0) return adjusted;
  return {
    times: concatF64(adjusted.times, Float64Array.from(times)),
    values: concatF64(adjusted.values, Float64Array.from(values)),
  };
}
