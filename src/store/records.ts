/**
 * The keyed-records port: JSON values under dotted keys, with a revision per key for
 * optimistic updates (`getVersioned` + `update`), as the smaller stores need them (emails, broker
 * client ids, the stack's id counters and locks, trade limits, roll status, strategy actors).
 * Backends: a JetStream KV bucket (`JetStreamRecords`; the revision is the KV revision) and a
 * MongoDB collection of `{ _id: key, value, rev }` documents (`mongo/records.ts`; `rev` counts
 * the key's writes), chosen by `openRecords` in `backend.ts`. Both list keys in ascending order,
 * refuse a `create` of an existing key with `KeyExistsError` and an `update` at a revision the
 * key has moved on from with `RevisionConflictError`, so of two writers that read the same
 * revision only one wins and the other reads again.
 */
import { JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream';
import type { KV } from '@nats-io/kv';
import { getJson, listJson } from './kv-json.ts';

/** A `create` of a key that exists. */
export class KeyExistsError extends Error {
  override name = 'KeyExistsError';
}

/** An `update` at a revision the key has moved on from (another writer came first). */
export class RevisionConflictError extends Error {
  override name = 'RevisionConflictError';
}

/** A value with the revision it was read at. */
export interface Versioned<T> {
  value: T;
  revision: number;
}

export interface Records {
  get<T>(key: string): Promise<T | undefined>;
  /** The value and its revision (undefined: no such key). */
  getVersioned<T>(key: string): Promise<Versioned<T> | undefined>;
  /**
   * Write `value` only when the key is still at `revision` (as read by `getVersioned`); else
   * `RevisionConflictError` and nothing is written. Returns the new revision.
   */
  update(key: string, value: unknown, revision: number): Promise<number>;
  put(key: string, value: unknown): Promise<void>;
  /** Refuses a key that exists (`KeyExistsError`): two writers never both create it. Returns its revision. */
  create(key: string, value: unknown): Promise<number>;
  delete(key: string): Promise<void>;
  /** Records whose key starts with `prefix` (dotted, e.g. `stored.`), ascending by key. */
  list<T>(prefix?: string): Promise<Array<{ key: string; value: T }>>;
}

export class JetStreamRecords implements Records {
  constructor(private readonly kv: KV) {}

  get<T>(key: string): Promise<T | undefined> {
    return getJson<T>(this.kv, key);
  }

  async getVersioned<T>(key: string): Promise<Versioned<T> | undefined> {
    const e = await this.kv.get(key);
    if (e?.operation !== 'PUT' || e.length === 0) return undefined;
    return { value: e.json<T>(), revision: e.revision };
  }

  async update(key: string, value: unknown, revision: number): Promise<number> {
    try {
      return await this.kv.update(key, JSON.stringify(value), revision);
    } catch (err) {
      if (
        err instanceof JetStreamApiError &&
        (err.code === JetStreamApiCodes.StreamWrongLastSequence ||
          err.code === JetStreamApiCodes.StreamWrongLastSequenceUnknown)
      )
        throw new RevisionConflictError(`key '${key}' moved on from revision ${revision}`);
      throw err;
    }
  }

  async put(key: string, value: unknown): Promise<void> {
    await this.kv.put(key, JSON.stringify(value));
  }

  async create(key: string, value: unknown): Promise<number> {
    try {
      return await this.kv.create(key, JSON.stringify(value));
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
