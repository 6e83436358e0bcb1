/**
 * The MongoDB side of systack's keyed JSON records: one document per key, `{ _id: key, value }`,
 * in a collection named as the JetStream bucket it stands in for. Keys are the same as the
 * JetStream backend's (`kv-json.ts`), so both backends list, sort and refuse duplicates alike:
 * `create` refuses an existing key (E11000, the server's own duplicate-key code), `list` returns
 * keys in ascending order under a dotted prefix.
 */
import { KeyExistsError, RevisionConflictError, type Versioned } from '../records.ts';
import { type Binary, type Collection, type Db, MongoClient, MongoServerError } from 'mongodb';

export interface MongoSettings {
  url: string;
  db: string;
}

/** A named binary document (price series, backtest diagnostics): the object store's counterpart. */
export interface BlobDoc {
  _id: string;
  data: Binary;
}

export interface KeyedDoc {
  _id: string;
  value: unknown;
  /**
   * How many times the key was written since it was created (1 at its creation): the revision
   * `update` checks. A document without one (copied in by `systack migrate`) is at revision 1.
   */
  rev?: number;
}

/** The server's duplicate-key error code. */
export const DUPLICATE_KEY = 11000;

export { KeyExistsError };

/**
 * A value as the JetStream backend stores it: through JSON, so both backends read back the same
 * (BSON would keep an `undefined` field as `null`, and infinities and dates as themselves).
 */
export function asJson(value: unknown): unknown {
  const text = JSON.stringify(value);
  return text === undefined ? null : (JSON.parse(text) as unknown);
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export class JsonCollection {
  constructor(private readonly c: Collection<KeyedDoc>) {}

  static of(db: Db, name: string): JsonCollection {
    return new JsonCollection(db.collection<KeyedDoc>(name));
  }

  async get<T>(key: string): Promise<T | undefined> {
    const d = await this.c.findOne({ _id: key });
    return d ? (d.value as T) : undefined;
  }

  async getVersioned<T>(key: string): Promise<Versioned<T> | undefined> {
    const d = await this.c.findOne({ _id: key });
    return d ? { value: d.value as T, revision: d.rev ?? 1 } : undefined;
  }

  async put(key: string, value: unknown): Promise<void> {
    await this.c.updateOne(
      { _id: key },
      { $set: { value: asJson(value) }, $inc: { rev: 1 } },
      { upsert: true },
    );
  }

  /** Write only when the key is still at `revision` (one filtered update: atomic on the server). */
  async update(key: string, value: unknown, revision: number): Promise<number> {
    const at = revision === 1 ? { $or: [{ rev: 1 }, { rev: { $exists: false } }] } : { rev: revision };
    const r = await this.c.updateOne(
      { _id: key, ...at },
      { $set: { value: asJson(value), rev: revision + 1 } },
    );
    if (r.matchedCount !== 1)
      throw new RevisionConflictError(`key '${key}' moved on from revision ${revision}`);
    return revision + 1;
  }

  async create(key: string, value: unknown): Promise<number> {
    try {
      await this.c.insertOne({ _id: key, value: asJson(value), rev: 1 });
      return 1;
    } catch (err) {
      if (err instanceof MongoServerError && err.code === DUPLICATE_KEY)
        throw new KeyExistsError(`key '${key}' exists`);
      throw err;
    }
  }

  async delete(key: string): Promise<boolean> {
    return (await this.c.deleteOne({ _id: key })).deletedCount === 1;
  }

  /** Records whose key starts with `prefix`, ascending by key. */
  async list<T>(prefix = ''): Promise<Array<{ key: string; value: T }>> {
    const docs = await this.c
      .find(prefix ? { _id: { $regex: `^${escape(prefix)}` } } : {})
      .sort({ _id: 1 })
      .toArray();
    return docs.map((d) => ({ key: d._id, value: d.value as T }));
  }
}

/** A connected database; close it when done. */
export async function openMongo(
  settings: MongoSettings,
  timeoutMs = 5_000,
): Promise<{ db: Db; close(): Promise<void> }> {
  const client = await MongoClient.connect(settings.url, { serverSelectionTimeoutMS: timeoutMs });
  return { db: client.db(settings.db), close: () => client.close() };
}
