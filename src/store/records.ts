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
 *
 * A write may carry a `writeId` (`WriteOptions`): on JetStream it is the write's message id, so
 * the same write sent again (its first attempt's answer lost at a nats-server restart) is a
 * duplicate JetStream answers with the first one's revision instead of a second write or a
 * conflict (`riding-records.ts` retries writes so).
 */
import { JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream';
import { Bucket, type KV } from '@nats-io/kv';
import { headers } from '@nats-io/transport-node';
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

/** A write's id: the same id sent twice writes once (JetStream: within its duplicate window, 2 min). */
export interface WriteOptions {
  writeId?: string;
}

export interface Records {
  get<T>(key: string): Promise<T | undefined>;
  /** The value and its revision (undefined: no such key). */
  getVersioned<T>(key: string): Promise<Versioned<T> | undefined>;
  /**
   * Write `value` only when the key is still at `revision` (as read by `getVersioned`); else
   * `RevisionConflictError` and nothing is written. Returns the new revision.
   */
  update(key: string, value: unknown, revision: number, opts?: WriteOptions): Promise<number>;
  put(key: string, value: unknown, opts?: WriteOptions): Promise<void>;
  /** Refuses a key that exists (`KeyExistsError`): two writers never both create it. Returns its revision. */
  create(key: string, value: unknown, opts?: WriteOptions): Promise<number>;
  delete(key: string, opts?: WriteOptions): Promise<void>;
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

  /**
   * A write with a message id (`writeId`) straight to the key's subject, as the KV client writes
   * it (the KV client takes no message id); `expect` is the key's expected last revision (0: none).
   */
  private async write(
    key: string,
    data: string,
    writeId: string,
    expect?: number,
    op?: 'DEL',
  ): Promise<number> {
    const kv = this.kv;
    if (!(kv instanceof Bucket)) throw new Error(`key '${key}': not a JetStream KV bucket`);
    const h = headers();
    if (op) h.set('KV-Operation', op); // the KV client's delete marker
    const ack = await kv.js.publish(kv.subjectForKey(key, true), data, {
      msgID: writeId,
      headers: h,
      ...(expect === undefined ? {} : { expect: { lastSubjectSequence: expect } }),
    });
    return ack.seq;
  }

  async update(key: string, value: unknown, revision: number, opts?: WriteOptions): Promise<number> {
    try {
      return opts?.writeId === undefined
        ? await this.kv.update(key, JSON.stringify(value), revision)
        : await this.write(key, JSON.stringify(value), opts.writeId, revision);
    } catch (err) {
      if (isWrongLastSequence(err))
        throw new RevisionConflictError(`key '${key}' moved on from revision ${revision}`);
      throw err;
    }
  }

  async put(key: string, value: unknown, opts?: WriteOptions): Promise<void> {
    if (opts?.writeId === undefined) await this.kv.put(key, JSON.stringify(value));
    else await this.write(key, JSON.stringify(value), opts.writeId);
  }

  async create(key: string, value: unknown, opts?: WriteOptions): Promise<number> {
    const data = JSON.stringify(value);
    if (opts?.writeId !== undefined) {
      try {
        return await this.write(key, data, opts.writeId, 0);
      } catch (err) {
        if (!isWrongLastSequence(err)) throw err; // no answer: the same write may be sent again
        // As the KV client's create: a deleted key is created again over its delete marker.
        const e = await this.kv.get(key);
        if (e?.operation === 'PUT') throw new KeyExistsError(`key '${key}' exists`);
        if (!e) throw err;
        return await this.write(key, data, opts.writeId, e.revision).catch((again: unknown) => {
          if (isWrongLastSequence(again)) throw new KeyExistsError(`key '${key}' exists`);
          throw again;
        });
      }
    }
    try {
      return await this.kv.create(key, data);
    } catch (err) {
      // The KV refuses a create of a live key (wrong last sequence): the same as a duplicate key.
      if ((await this.kv.get(key))?.operation === 'PUT') throw new KeyExistsError(`key '${key}' exists`);
      throw err;
    }
  }

  async delete(key: string, opts?: WriteOptions): Promise<void> {
    if (opts?.writeId === undefined) await this.kv.delete(key);
    else await this.write(key, '', opts.writeId, undefined, 'DEL');
  }

  async list<T>(prefix = ''): Promise<Array<{ key: string; value: T }>> {
    if (prefix !== '' && !prefix.endsWith('.'))
      throw new Error(`a record prefix ends with a dot, got '${prefix}'`);
    return listJson<T>(this.kv, prefix === '' ? '>' : `${prefix}>`);
  }
}

function isWrongLastSequence(err: unknown): boolean {
  return (
    err instanceof JetStreamApiError &&
    (err.code === JetStreamApiCodes.StreamWrongLastSequence ||
      err.code === JetStreamApiCodes.StreamWrongLastSequenceUnknown)
  );
}
