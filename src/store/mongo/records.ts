/**
 * The keyed-records port (`../records.ts`) on MongoDB: a collection named as the JetStream
 * bucket it stands in for (`mongoCollection`), one `{ _id: key, value, rev }` document per key, the
 * layout `systack migrate` copies buckets into.
 */
import type { Db } from 'mongodb';
import type { Records, Versioned } from '../records.ts';
import { JsonCollection } from './json-collection.ts';

export class MongoRecords implements Records {
  private readonly c: JsonCollection;
  constructor(db: Db, collection: string) {
    this.c = JsonCollection.of(db, collection);
  }

  get<T>(key: string): Promise<T | undefined> {
    return this.c.get<T>(key);
  }

  getVersioned<T>(key: string): Promise<Versioned<T> | undefined> {
    return this.c.getVersioned<T>(key);
  }

  update(key: string, value: unknown, revision: number): Promise<number> {
    return this.c.update(key, value, revision);
  }

  put(key: string, value: unknown): Promise<void> {
    return this.c.put(key, value);
  }

  create(key: string, value: unknown): Promise<number> {
    return this.c.create(key, value);
  }

  async delete(key: string): Promise<void> {
    await this.c.delete(key);
  }

  async list<T>(prefix = ''): Promise<Array<{ key: string; value: T }>> {
    if (prefix !== '' && !prefix.endsWith('.'))
      throw new Error(`a record prefix ends with a dot, got '${prefix}'`);
    return this.c.list<T>(prefix);
  }
}
