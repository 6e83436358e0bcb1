import type { MultiplePrices, RollParameters } from '../../src/domain/prices/types.ts';

const DAY = 86_400_000;

/** GOLD's roll parameters as the bundled sample has them (pysystemtrade's rollconfig.csv). */
export const GOLD_ROLL: RollParameters = {
  holdRollCycle: 'GJMQVZ',
  rollOffsetDays: -30,
  carryOffset: 1,
  pricedRollCycle: 'GJMQVZ',
  expiryOffset: 26,
};

/** One row of GOLD multiple prices, the day before `t0`: priced in Dec 2026 (2000), forward and carry Feb 2027 (2010). */
export function goldOneRow(t0: number): MultiplePrices {
  return {
    times: Float64Array.from([t0 - DAY]),
    price: Float64Array.from([2000]),
    forward: Float64Array.from([2010]),
    carry: Float64Array.from([2010]),
    priceContract: ['20261200'],
    forwardContract: ['20270200'],
    carryContract: ['20270200'],
  };
}
