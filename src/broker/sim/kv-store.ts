import { Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import type { SimBrokerStore, SimOrderRecord } from './state.ts';

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
