/**
 * The keyed-records port: JSON values under dotted keys, with a revision per key for
 * optimistic updates, as the smaller stores need them (emails, broker client ids). Backends:
 * a JetStream KV bucket (`JetStreamRecords`) and a MongoDB collection of `{ _id: key, value,
 * rev }` documents (`mongo/records.ts`), chosen by `openRecords` in `backend.ts`. Both list keys
 * in ascending order and refuse a `create` of an existing key with `KeyExistsError`.
 */
import type { KV } from '@nats-io/kv';
import { getJson, listJson } from './kv-json.ts';

/** A `create` of a key that exists. */
export class KeyExistsError extends Error {
  override name = 'KeyExistsError';
}

export interface Records {
  get<T>(key: string): Promise<T | undefined>;
  put(key: string, value: unknown): Promise<void>;
  /** Refuses a key that exists (`KeyExistsError`): two writers never both create it. */
  create(key: string, value: unknown): Promise<void>;
  delete(key: string): Promise<void>;
  /** Records whose key starts with `prefix` (dotted, e.g. `stored.`), ascending by key. */
  list<T>(prefix?: string): Promise<Array<{ key: string; value: T }>>;
}

export class JetStreamRecords implements Records {
  constructor(private readonly kv: KV) {}

  get<T>(key: string): Promise<T | undefined> {
    return getJson<T>(this.kv, key);
  }

  async put(key: string, value: unknown): Promise<void> {
    await this.kv.put(key, JSON.stringify(value));
  }

  async create(key: string, value: unknown): Promise<void> {
    try {
      await this.kv.create(key, JSON.stringify(value));
    } catch (err) {
      // The KV refuses a create of a live key (wrong last sequence): the same as a duplicate key.
      if ((await this.kv.get(key))?.operation === 'PUT') throw new KeyExistsError(`key '${key}' exists`);
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    await this.kv.delete(key);
  }

  async list<T>(prefix = ''): Promise<Array<{ key: string; value: T }>> {
    if (prefix !== '' && !prefix.endsWith('.'))
      throw new Error(`a record prefix ends with a dot, got '${prefix}'`);
    return listJson<T>(this.kv, prefix === '' ? '>' : `${prefix}>`);
  }
}
