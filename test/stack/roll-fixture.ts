/**
 * GOLD priced in Dec 2026 and forward in Feb 2027 (with the Apr 2027 price a price roll needs),
 * in a JetStream price store: the roll tests' market, shared by the tests and their child process.
 */
import type { NatsConnection } from '@nats-io/transport-node';
import { JetStreamPriceStore } from '../../src/store/jetstream/price-store.ts';
import { GOLD_ROLL } from '../support/gold.ts';

export const T0 = Date.UTC(2026, 10, 20, 14, 0, 0);
const DAY = 86_400_000;
export const PRICED = '20261200';
export const FORWARD = '20270200';
export const NEXT = '20270400';

export async function seedGold(nc: NatsConnection, prefix: string): Promise<JetStreamPriceStore> {
  const store = await JetStreamPriceStore.open(nc, prefix);
  await store.putInstrumentConfig({ instrumentCode: 'GOLD', roll: GOLD_ROLL });
  const times = [T0 - 2 * DAY, T0 - DAY];
  await store.putMultiplePrices('GOLD', {
    times: Float64Array.from(times),
    price: Float64Array.from([2000, 2001]),
    forward: Float64Array.from([2010, 2012]),
    carry: Float64Array.from([2010, 2012]),
    priceContract: [PRICED, PRICED],
    forwardContract: [FORWARD, FORWARD],
    carryContract: [FORWARD, FORWARD],
  });
  await store.putAdjustedPrices('GOLD', {
    times: Float64Array.from(times),
    values: Float64Array.from([2000, 2001]),
  });
  const one = (x: number) => Float64Array.from([x]);
  await store.putContractPrices('GOLD', NEXT, 'D', {
    times: one(T0 - DAY),
    open: one(2020),
    high: one(2020),
    low: one(2020),
    final: one(2021),
    volume: one(10),
  });
  return store;
}
