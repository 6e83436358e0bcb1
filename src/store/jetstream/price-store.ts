import { type KV, Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/nats-core';
import { type ObjectStore, Objm, setSha256Backend } from '@nats-io/obj';
import { DEFAULT_PREFIX, streamName } from '../../bus/subjects.ts';
import { type BlobSpace, type JsonSpace, SeriesPriceStore } from '../series-price-store.ts';

setSha256Backend('native');

/**
 * JetStream backend of the price store (DESIGN "State": the object store for price series, KV
 * for current state). Buckets, named from the subject prefix:
 * - object store `<PREFIX>_PRICES`: `multiple/<instr>`, `adjusted/<instr>`, `fx/<code>`,
 *   `rollcal/<instr>`, `contract/<instr>/<contract>/<freq>` (columnar binary, series-codec.ts);
 * - KV `<PREFIX>_INSTRUMENT_CONFIG` (key: instrument), `<PREFIX>_SAMPLED_CONTRACTS` (key: instrument),
 *   `<PREFIX>_PRICE_QUARANTINE` (key: `futures.<instr>.<contract>.<freq>` | `fx.<code>`).
 */
export class JetStreamPriceStore extends SeriesPriceStore {
  static async open(nc: NatsConnection, prefix = DEFAULT_PREFIX): Promise<JetStreamPriceStore> {
    const objm = new Objm(nc);
    const kvm = new Kvm(nc);
    const objects = await objm.create(streamName(prefix, 'PRICES'), {
      description: 'systack price series (multiple, adjusted, per-contract, FX, roll calendars)',
    });
    const config = await kvm.create(streamName(prefix, 'INSTRUMENT_CONFIG'), { history: 5 });
    const sampled = await kvm.create(streamName(prefix, 'SAMPLED_CONTRACTS'), { history: 5 });
    const quarantine = await kvm.create(streamName(prefix, 'PRICE_QUARANTINE'), { history: 5 });
    return new JetStreamPriceStore(
      objectSpace(objects),
      kvSpace(config),
      kvSpace(sampled),
      kvSpace(quarantine),
    );
  }
}

function objectSpace(objects: ObjectStore): BlobSpace {
  return {
    async put(name, data) {
      await objects.putBlob({ name }, data);
    },
    async get(name) {
      return (await objects.getBlob(name)) ?? undefined;
    },
    async names(prefix) {
      const infos = await objects.list();
      return infos
        .filter((i) => !i.deleted && i.name.startsWith(prefix))
        .map((i) => i.name.slice(prefix.length));
    },
  };
}

function kvSpace(kv: KV): JsonSpace {
  return {
    async get<T>(key: string) {
      const e = await kv.get(key);
      if (e?.operation !== 'PUT') return undefined;
      return e.json<T>();
    },
    async put(key, value) {
      await kv.put(key, JSON.stringify(value));
    },
    async keys() {
      const out: string[] = [];
      for await (const k of await kv.keys()) out.push(k);
      return out;
    },
    async delete(key) {
      await kv.delete(key);
    },
  };
}
