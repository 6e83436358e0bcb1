/**
 * MongoDB backend of the process control port (`../process-control-store.ts`), collection
 * `process_control`, one document per key of the JetStream bucket: `{ _id: key, value, rev }`.
 * `rev` stands in for the KV revision: a lease is taken by inserting its document (the unique
 * `_id` refuses a second holder, E11000), heartbeated by an update that matches the expected
 * `rev` and increments it, and released by a delete that matches it — so, as on JetStream, two
 * copies of a process can never both hold its lease.
 *
 * `watchStatus` polls (once a second): change streams need a replica set.
 */
import { type Collection, type Db, MongoServerError } from 'mongodb';
import type { ProcessStatus } from '../../domain/process-control/config.ts';
import {
  type ClockAnchor,
  EMPTY_RECORD,
  type HeldLease,
  type Lease,
  type LeaseResult,
  type MethodState,
  type ProcessControlStore,
  type ProcessRecord,
} from '../process-control-store.ts';
import { DUPLICATE_KEY } from './json-collection.ts';

interface RevDoc {
  _id: string;
  value: unknown;
  /** Missing on a document copied in by `systack migrate`: read as revision 1. */
  rev?: number;
}

const isDuplicate = (err: unknown) => err instanceof MongoServerError && err.code === DUPLICATE_KEY;
const STATUS_POLL_MS = 1_000;

export class MongoProcessStore implements ProcessControlStore {
  private readonly c: Collection<RevDoc>;
  constructor(db: Db) {
    this.c = db.collection<RevDoc>('process_control');
  }

  private async doc(key: string): Promise<{ value: unknown; rev: number } | undefined> {
    const d = await this.c.findOne({ _id: key });
    return d ? { value: d.value, rev: d.rev ?? 1 } : undefined;
  }

  private async put(key: string, value: unknown): Promise<void> {
    await this.c.updateOne({ _id: key }, { $set: { value }, $inc: { rev: 1 } }, { upsert: true });
  }

  /** Update only if the document is still at `rev` (a missing `rev` counts as 1). */
  private async updateAt(key: string, value: unknown, rev: number): Promise<boolean> {
    const filter =
      rev === 1 ? { _id: key, $or: [{ rev: 1 }, { rev: { $exists: false } }] } : { _id: key, rev };
    const r = await this.c.updateOne(filter, { $set: { value, rev: rev + 1 } });
    return r.matchedCount === 1;
  }

  async acquireLease(name: string, lease: Lease): Promise<LeaseResult> {
    try {
      await this.c.insertOne({ _id: `lease.${name}`, value: lease, rev: 1 });
      return { ok: true, revision: 1 };
    } catch (err) {
      if (!isDuplicate(err)) throw err;
      const holder = await this.getLease(name);
      if (holder) return { ok: false, holder };
      throw err;
    }
  }

  async heartbeat(name: string, lease: Lease, revision: number): Promise<number | undefined> {
    return (await this.updateAt(`lease.${name}`, lease, revision)) ? revision + 1 : undefined;
  }

  async releaseLease(name: string, revision: number): Promise<boolean> {
    const filter =
      revision === 1
        ? { _id: `lease.${name}`, $or: [{ rev: 1 }, { rev: { $exists: false } }] }
        : { _id: `lease.${name}`, rev: revision };
    return (await this.c.deleteOne(filter)).deletedCount === 1;
  }

  async getLease(name: string): Promise<HeldLease | undefined> {
    const d = await this.doc(`lease.${name}`);
    return d ? { ...(d.value as Lease), revision: d.rev } : undefined;
  }

  async listLeases(): Promise<Map<string, HeldLease>> {
    const out = new Map<string, HeldLease>();
    const docs = await this.c
      .find({ _id: { $regex: '^lease\\.' } })
      .sort({ _id: 1 })
      .toArray();
    for (const d of docs)
      out.set(d._id.slice('lease.'.length), { ...(d.value as Lease), revision: d.rev ?? 1 });
    return out;
  }

  async getRecord(name: string): Promise<ProcessRecord> {
    const d = await this.doc(`record.${name}`);
    return { ...EMPTY_RECORD, ...((d?.value as Partial<ProcessRecord> | undefined) ?? {}) };
  }

  async updateRecord(name: string, patch: Partial<ProcessRecord>): Promise<ProcessRecord> {
    const key = `record.${name}`;
    for (let attempt = 0; attempt < 10; attempt++) {
      const d = await this.doc(key);
      const next = { ...EMPTY_RECORD, ...((d?.value as Partial<ProcessRecord> | undefined) ?? {}), ...patch };
      if (d) {
        if (await this.updateAt(key, next, d.rev)) return next;
        continue;
      }
      try {
        await this.c.insertOne({ _id: key, value: next, rev: 1 });
        return next;
      } catch (err) {
        if (!isDuplicate(err)) throw err;
        // another writer created it first: read again
      }
    }
    throw new Error(`could not update record of ${name}: too many concurrent writers`);
  }

  async getStatus(name: string): Promise<ProcessStatus> {
    const d = await this.doc(`status.${name}`);
    return d ? (d.value as { status: ProcessStatus }).status : 'GO';
  }

  async setStatus(name: string, status: ProcessStatus, changedAt: number): Promise<void> {
    await this.put(`status.${name}`, { status, changedAt });
  }

  async putMethods(name: string, methods: Record<string, MethodState>): Promise<void> {
    await this.put(`methods.${name}`, methods);
  }

  async getMethods(name: string): Promise<Record<string, MethodState>> {
    return ((await this.doc(`methods.${name}`))?.value as Record<string, MethodState> | undefined) ?? {};
  }

  async putClock(anchor: ClockAnchor): Promise<void> {
    await this.put('clock', anchor);
  }

  async getClock(): Promise<ClockAnchor | undefined> {
    return (await this.doc('clock'))?.value as ClockAnchor | undefined;
  }

  async keys(): Promise<string[]> {
    return (
      await this.c
        .find({}, { projection: { _id: 1 } })
        .sort({ _id: 1 })
        .toArray()
    ).map((d) => d._id);
  }

  async watchStatus(name: string, onStatus: (s: ProcessStatus) => void): Promise<() => void> {
    let last = await this.getStatus(name);
    let stopped = false;
    const timer = setInterval(() => {
      this.getStatus(name)
        .then((s) => {
          if (!stopped && s !== last) {
            last = s;
            onStatus(s);
          }
        })
        // the next poll tries again; a stopped watcher ignores a late answer
        .catch(() => undefined);
    }, STATUS_POLL_MS);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }
}
