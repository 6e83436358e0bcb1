/**
 * MongoDB backend of the price store: the series as binary documents in `prices` (`_id`: the
 * series name, as in the JetStream object store; `data`: the columnar bytes of series-codec.ts),
 * instrument config, sampled contracts and the spike quarantine as keyed JSON collections. The
 * logic is the one `SeriesPriceStore`, shared with the JetStream backend.
 */
import { Binary, type Db } from 'mongodb';
import { type BlobSpace, type JsonSpace, SeriesPriceStore } from '../series-price-store.ts';
import { type BlobDoc, JsonCollection } from './json-collection.ts';

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function blobSpace(db: Db): BlobSpace {
  const c = db.collection<BlobDoc>('prices');
  return {
    async put(name, data) {
      await c.replaceOne({ _id: name }, { data: new Binary(data) }, { upsert: true });
    },
    async get(name) {
      const d = await c.findOne({ _id: name });
      return d ? new Uint8Array(d.data.buffer) : undefined;
    },
    async names(prefix) {
      const docs = await c
        .find({ _id: { $regex: `^${escape(prefix)}` } }, { projection: { _id: 1 } })
        .toArray();
      return docs.map((d) => d._id.slice(prefix.length));
    },
  };
}

function jsonSpace(c: JsonCollection): JsonSpace {
  return {
    get: (key) => c.get(key),
    put: (key, value) => c.put(key, value),
    keys: async () => (await c.list()).map((e) => e.key),
    async delete(key) {
      await c.delete(key);
    },
  };
}

export class MongoPriceStore extends SeriesPriceStore {
  static of(db: Db): MongoPriceStore {
    return new MongoPriceStore(
      blobSpace(db),
      jsonSpace(JsonCollection.of(db, 'instrument_config')),
      jsonSpace(JsonCollection.of(db, 'sampled_contracts')),
      jsonSpace(JsonCollection.of(db, 'price_quarantine')),
    );
  }
}
