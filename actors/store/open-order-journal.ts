/**
 * The order journal of the selected storage backend (`storage_backend`, `src/store/backend.ts`):
 * the JetStream streams STACK, FILLS, HISTORY (`order-event-store.ts`) or the MongoDB collections
 * `stack`, `fills`, `history` (`src/store/mongo/order-journal.ts`). NATS stays the message bus
 * either way (order requests, inspection events, broker order addresses).
 */
import type { NatsConnection } from '@nats-io/transport-node';
import { mongoDatabase, selectedStorage } from '../../src/store/backend.ts';
import type { OrderJournal } from '../../src/store/order-journal.ts';
import { OrderEventStore } from './order-event-store.ts';

export async function openOrderJournal(nc: NatsConnection, prefix: string): Promise<OrderJournal> {
  if (selectedStorage().backend !== 'mongodb') return OrderEventStore.open(nc, prefix);
  const { MongoOrderJournal } = await import('../../src/store/mongo/order-journal.ts');
  return MongoOrderJournal.open(await mongoDatabase(), prefix);
}
