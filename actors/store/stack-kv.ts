import type { NatsConnection } from '@nats-io/transport-node';
import { openRecords } from '../../src/store/backend.ts';
import { KeyExistsError, type Records, RevisionConflictError } from '../../src/store/records.ts';
import { RidingRecords } from '../../src/store/riding-records.ts';
import type { RetryOptions } from '../../src/store/store-retry.ts';
import { token } from './order-event-store.ts';

export type LockReason = 'break' | 'manual';

/** The instrument locks' storage, as a lock's owner (the stack core, a lock actor) uses it. */
export type LockStore = Pick<StackKv, 'setLock' | 'loadLocks'>;

/**
 * Small current-state records of the stack handler, in the keyed records `STACK_STATE` of the
 * selected backend (`openRecords`: the KV bucket `<PREFIX>_STACK_STATE`, or the MongoDB
 * collection `stack_state`): order id counters (reserved in blocks with revision-checked
 * updates, so ids are unique even across restarts and concurrent writers, unlike the reference's
 * read-max-add-one, digest §1.4), instrument locks (digest §1.6, H1) and the queued order
 * requests whose order left the stack at end of day (`requests.<id>`: the order id), so a request
 * redelivered later still finds it was made (issue 10 §4).
 */
export class StackKv {
  private readonly blocks = new Map<string, { next: number; end: number }>();
  private readonly reserving = new Map<string, Promise<void>>();

  constructor(private readonly records: Records) {}

  static async open(nc: NatsConnection, prefix: string): Promise<StackKv> {
    return new StackKv(await openRecords(nc, prefix, 'STACK_STATE'));
  }

  /**
   * The same records riding through a bus outage (`RidingRecords`): the stack handler's id blocks,
   * locks and consumed requests are retried (with the same write id) instead of failing.
   */
  riding(opts: RetryOptions): StackKv {
    return new StackKv(new RidingRecords(this.records, opts));
  }

  /** Next order id for a level; reserves `block` ids at a time. Ids start at 1. */
  async nextId(level: string, block = 1000): Promise<number> {
    const b = this.blocks.get(level);
    if (b && b.next < b.end) return b.next++;
    // One reservation at a time per level: concurrent callers wait for it, then share the block.
    const pending = this.reserving.get(level);
    if (pending) {
      await pending;
      return this.nextId(level, block);
    }
    const p = this.reserve(level, block);
    this.reserving.set(level, p);
    try {
      await p;
    } finally {
      this.reserving.delete(level);
    }
    return this.nextId(level, block);
  }

  private async reserve(level: string, block: number): Promise<void> {
    const key = `ids.${level}`;
    for (;;) {
      const e = await this.records.getVersioned<number>(key);
      const last = e ? Number(e.value) : 0;
      if (!Number.isInteger(last) || last < 0)
        throw new Error(`${key}: stored id counter ${JSON.stringify(e?.value)} is not a count`);
      try {
        if (e) await this.records.update(key, last + block, e.revision);
        else await this.records.create(key, last + block);
        this.blocks.set(level, { next: last + 1, end: last + block + 1 });
        return;
      } catch (err) {
        // Someone else reserved a block first: read again. Anything else is a real failure.
        if (!(err instanceof RevisionConflictError || err instanceof KeyExistsError)) throw err;
      }
    }
  }

  /** Write (or clear) an instrument's lock; `note` is the lock machine's reason text, kept for listing. */
  async setLock(instrumentCode: string, reason: LockReason | undefined, note?: string): Promise<void> {
    const key = `locks.${token(instrumentCode)}`;
    if (reason)
      await this.records.put(key, { instrumentCode, reason, ...(note === undefined ? {} : { note }) });
    else await this.records.delete(key);
  }

  /** The reason text of each locked instrument that has one (e.g. `manual: roll check`). */
  async loadLockNotes(): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const { value } of await this.records.list<{ instrumentCode: string; note?: string }>('locks.'))
      if (typeof value.note === 'string') out.set(value.instrumentCode, value.note);
    return out;
  }

  async loadLocks(): Promise<Map<string, LockReason>> {
    const out = new Map<string, LockReason>();
    for (const { value } of await this.records.list<{ instrumentCode: string; reason: LockReason }>('locks.'))
      out.set(value.instrumentCode, value.reason);
    return out;
  }

  /** Record that a queued request made an order that leaves the stack (end-of-day removal). */
  async recordConsumedRequest(requestId: string, instrumentOrderId: number): Promise<void> {
    await this.records.put(`requests.${Buffer.from(requestId).toString('base64url')}`, instrumentOrderId);
  }

  /** The requests whose orders left the stack: request id → instrument order id. */
  async loadConsumedRequests(): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    for (const { key, value } of await this.records.list<number>('requests.')) {
      const id = Buffer.from(key.slice('requests.'.length), 'base64url').toString();
      out.set(id, Number(value));
    }
    return out;
  }
}
