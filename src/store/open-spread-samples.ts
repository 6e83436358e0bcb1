/** The spread samples store of the selected storage backend (`spread-samples.ts`). */
import type { NatsConnection } from '@nats-io/transport-node';
import { mongoDatabase, selectedStorage } from './backend.ts';
import type { SpreadSampleStore } from './spread-samples.ts';

export async function openSpreadSamples(nc: NatsConnection, prefix: string): Promise<SpreadSampleStore> {
  if (selectedStorage().backend === 'mongodb')
    return (await import('./mongo/spread-samples.ts')).MongoSpreadSamples.open(await mongoDatabase(), prefix);
  return (await import('./jetstream/spread-samples.ts')).JetStreamSpreadSamples.open(nc, prefix);
}
