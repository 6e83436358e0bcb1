import { Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import type { SimFxTrade } from './sim-fx.ts';
import type { SimBrokerStore, SimOrderRecord } from './state.ts';
import type { PriceStore } from '../../store/price-store.ts';
import { openRecords } from '../../store/backend.ts';
import { JetStreamRecords, KeyExistsError, type Records } from '../../store/records.ts';
import { anchorsFromStore, type SimMarketAnchors } from './store-price-source.ts';

/**
 * Persists the simulated broker's orders and fills (key `order.<ref>`) and its spot FX trades
 * (`fx.<ref>`) in keyed records (the
 * JetStream KV bucket `<PREFIX>_SIMBROKER`, or with `storage_backend: mongodb` the collection
 * `simbroker`, opened by `openRecords`), so the broker outlives the process that hosts it, as a
 * real broker does: after a kill -9 the restarted process finds every order it placed and every
 * fill the broker made.
 */
export function simBrokerStoreOn(records: Records): SimBrokerStore {
  const keyOf = (orderRef: string): string => `order.${orderRef.replace(/[^A-Za-z0-9_-]/g, '_')}`;
  return {
    async loadOrders(): Promise<SimOrderRecord[]> {
      return (await records.list<SimOrderRecord>('order.')).map((e) => e.value);
    },
    async saveOrder(order: SimOrderRecord): Promise<void> {
      await records.put(keyOf(order.orderRef), order);
    },
    async loadFxTrades(): Promise<SimFxTrade[]> {
      return (await records.list<SimFxTrade>('fx.')).map((e) => e.value);
    },
    async saveFxTrade(trade: SimFxTrade): Promise<void> {
      await records.put(`fx.${trade.orderRef.replace(/[^A-Za-z0-9_-]/g, '_')}`, trade);
    },
  };
}

/** The simulated broker's store in the JetStream KV bucket named `bucket`. */
export async function kvSimBrokerStore(nc: NatsConnection, bucket: string): Promise<SimBrokerStore> {
  return simBrokerStoreOn(new JetStreamRecords(await new Kvm(nc).create(bucket, { history: 1 })));
}

const ANCHORS_KEY = 'market.anchors';
const SIMBROKER = 'SIMBROKER';

/**
 * The simulated market's anchors (where each contract's walk starts), kept beside the sim
 * broker's orders: the first process to open the market takes them from the price store, every
 * later process and restart uses the same ones. An instrument or FX code the kept anchors do not
 * know yet (imported later) is added from the store (two processes adding at once write the same
 * anchors: both take them from the same store).
 */
export async function simMarketAnchorsOn(records: Records, store: PriceStore): Promise<SimMarketAnchors> {
  const kept = await records.get<SimMarketAnchors>(ANCHORS_KEY);
  if (!kept) {
    const made = await anchorsFromStore(store);
    try {
      await records.create(ANCHORS_KEY, made);
      return made;
    } catch (err) {
      if (!(err instanceof KeyExistsError)) throw err;
      // another process created them first: use theirs
      const theirs = await records.get<SimMarketAnchors>(ANCHORS_KEY);
      if (theirs) return theirs;
      throw new Error('sim market: cannot keep its anchors', { cause: err });
    }
  }
  const known = (await store.listMultiplePrices()).every((c) => c in kept.instruments);
  const knownFx = (await store.listFxPrices()).every((c) => c in kept.fx);
  if (known && knownFx) return kept;
  const now = await anchorsFromStore(store);
  const newCodes = Object.keys(now.instruments).filter((c) => !(c in kept.instruments));
  const newFx = Object.keys(now.fx).filter((c) => !(c in kept.fx));
  if (newCodes.length === 0 && newFx.length === 0) return kept;
  for (const code of newCodes) {
    kept.instruments[code] = now.instruments[code]!;
    for (const [k, a] of Object.entries(now.contracts)) if (k.startsWith(`${code}/`)) kept.contracts[k] = a;
  }
  for (const code of newFx) kept.fx[code] = now.fx[code]!;
  for (const code of [...newCodes, ...newFx])
    if (now.dailyVol[code] !== undefined) kept.dailyVol[code] = now.dailyVol[code];
  await records.put(ANCHORS_KEY, kept);
  return kept;
}

/** The anchors in the JetStream KV bucket named `bucket`. */
export async function kvSimMarketAnchors(
  nc: NatsConnection,
  bucket: string,
  store: PriceStore,
): Promise<SimMarketAnchors> {
  return simMarketAnchorsOn(new JetStreamRecords(await new Kvm(nc).create(bucket, { history: 1 })), store);
}

/** The simulated broker's store of a system on the selected storage backend (`openRecords`). */
export async function simBrokerStore(nc: NatsConnection, prefix: string): Promise<SimBrokerStore> {
  return simBrokerStoreOn(await openRecords(nc, prefix, SIMBROKER));
}

/** The simulated market's anchors of a system on the selected storage backend. */
export async function simMarketAnchors(
  nc: NatsConnection,
  prefix: string,
  store: PriceStore,
): Promise<SimMarketAnchors> {
  return simMarketAnchorsOn(await openRecords(nc, prefix, SIMBROKER), store);
}
