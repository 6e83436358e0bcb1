/**
 * Keyed records riding through a short outage of the bus (issue 17 §3), as the order journal's
 * writes do (`actors/store/riding-journal.ts`): every read and write whose failure is transient (no
 * answer in time, the connection away, a JetStream election, a full store) is retried until
 * `retryMs` has passed (`store-retry.ts`); a refusal (`KeyExistsError`, `RevisionConflictError`,
 * any other JetStream error) is final at once, as before.
 *
 * A write is retried with the same `writeId` (JetStream: its message id), so one whose first
 * attempt landed but whose answer was lost (a nats-server restart) is answered as a duplicate with
 * the first attempt's revision: a revision-checked update is then neither written twice nor taken
 * for another writer's (the trade-limit counters, the order id blocks). A `put` and a `delete`
 * repeated are harmless anyway. On MongoDB the id is not used (the driver retries a write once
 * itself); a revision-checked update there relies on its caller's own check (the trade limits'
 * `writeId` in the stored value).
 */
import { randomUUID } from 'node:crypto';
import type { Records, Versioned } from './records.ts';
import { retryTransient, type RetryOptions } from './store-retry.ts';

export class RidingRecords implements Records {
  constructor(
    private readonly inner: Records,
    private readonly opts: RetryOptions = {},
  ) {}

  get<T>(key: string): Promise<T | undefined> {
    return retryTransient(`get ${key}`, () => this.inner.get<T>(key), this.opts);
  }

  getVersioned<T>(key: string): Promise<Versioned<T> | undefined> {
    return retryTransient(`get ${key}`, () => this.inner.getVersioned<T>(key), this.opts);
  }

  update(key: string, value: unknown, revision: number): Promise<number> {
    const writeId = randomUUID();
    return retryTransient(
      `update ${key}`,
      () => this.inner.update(key, value, revision, { writeId }),
      this.opts,
    );
  }

  put(key: string, value: unknown): Promise<void> {
    const writeId = randomUUID();
    return retryTransient(`put ${key}`, () => this.inner.put(key, value, { writeId }), this.opts);
  }

  create(key: string, value: unknown): Promise<number> {
    const writeId = randomUUID();
    return retryTransient(`create ${key}`, () => this.inner.create(key, value, { writeId }), this.opts);
  }

  delete(key: string): Promise<void> {
    const writeId = randomUUID();
    return retryTransient(`delete ${key}`, () => this.inner.delete(key, { writeId }), this.opts);
  }

  list<T>(prefix?: string): Promise<Array<{ key: string; value: T }>> {
    return retryTransient(`list ${prefix ?? ''}`, () => this.inner.list<T>(prefix), this.opts);
  }
}
