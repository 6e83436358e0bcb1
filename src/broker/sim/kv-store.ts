import { Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import type { SimBrokerStore, SimOrderRecord } from './state.ts';
import type { PriceStore } from '../../store/price-store.ts';
import { anchorsFromStore, type SimMarketAnchors } from './store-price-source.ts';

/**
 * Persists the simulated broker's orders and fills in a JetStream KV bucket (one key per order),
 * so the broker outlives the process that hosts it, as a real broker does: after a kill -9 the
 * restarted process finds every order it placed and every fill the broker made.
 */
export async function kvSimBrokerStore(nc: NatsConnection, bucket: string): Promise<SimBrokerStore> {
  const kv = await new Kvm(nc).create(bucket, { history: 1 });
  const keyOf = (orderRef: string): string => `order.${orderRef.replace(/[^A-Za-z0-9_-]/g, '_')}`;
  return {
    async loadOrders(): Promise<SimOrderRecord[]> {
      const out: SimOrderRecord[] = [];
      const keys = await kv.keys('order.>');
      for await (const k of keys) {
        const e = await kv.get(k);
        if (e && e.operation === 'PUT') out.push(e.json<SimOrderRecord>());
      }
      return out;
    },
    async saveOrder(order: SimOrderRecord): Promise<void> {
      await kv.put(keyOf(order.orderRef), JSON.stringify(order));
    },
  };
}

const ANCHORS_KEY = 'market.anchors';

/**
 * The simulated market's anchors (where each contract's walk starts), kept in the sim broker's
 * bucket: the first process to open the market takes them from the price store, every later
 * process and restart uses the same ones. An instrument or FX code the kept anchors do not know
 * yet (imported later) is added from the store.
 */
export async function kvSimMarketAnchors(
  nc: NatsConnection,
  bucket: string,
  store: PriceStore,
): Promise<SimMarketAnchors> {
  const kv = await new Kvm(nc).create(bucket, { history: 1 });
  const entry = await kv.get(ANCHORS_KEY);
  if (!entry || entry.operation !== 'PUT') {
    const made = await anchorsFromStore(store);
    try {
      await kv.create(ANCHORS_KEY, JSON.stringify(made));
      return made;
    } catch {
      // another process created them first: use theirs
      const theirs = await kv.get(ANCHORS_KEY);
      if (theirs?.operation === 'PUT') return theirs.json<SimMarketAnchors>();
      throw new Error(`sim market: cannot keep anchors in ${bucket}`);
    }
  }
  const kept = entry.json<SimMarketAnchors>();
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
  await kv.update(ANCHORS_KEY, JSON.stringify(kept), entry.revision);
  return kept;
}
