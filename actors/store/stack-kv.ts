import { type KV, Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { streamName } from '../../src/bus/subjects.ts';
import { token } from './order-event-store.ts';

export type LockReason = 'break' | 'manual';

/**
 * Small current-state records of the stack handler in a KV bucket `<PREFIX>_STACK_STATE`:
 * order id counters (reserved in blocks with revision-checked updates, so ids are unique even
 * across restarts and concurrent writers, unlike the reference's read-max-add-one, digest §1.4)
 * instrument locks (digest §1.6, H1) and the queued order requests whose order left the stack at
 * end of day (`requests.<id>`: the order id), so a request redelivered later still finds it was
 * made (issue 10 §4).
 */
export class StackKv {
  private readonly blocks = new Map<string, { next: number; end: number }>();
  private readonly reserving = new Map<string, Promise<void>>();

  private constructor(private readonly kv: KV) {}

  static async open(nc: NatsConnection, prefix: string): Promise<StackKv> {
    return new StackKv(await new Kvm(nc).create(streamName(prefix, 'STACK_STATE'), { history: 1 }));
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
      const e = await this.kv.get(key);
      const last = e && e.operation === 'PUT' ? Number(e.string()) : 0;
      try {
        if (e && e.operation === 'PUT') await this.kv.update(key, String(last + block), e.revision);
        else await this.kv.create(key, String(last + block));
        this.blocks.set(level, { next: last + 1, end: last + block + 1 });
        return;
      } catch {
        // Someone else reserved a block first: read again.
      }
    }
  }

  async setLock(instrumentCode: string, reason: LockReason | undefined): Promise<void> {
    const key = `locks.${token(instrumentCode)}`;
    if (reason) await this.kv.put(key, JSON.stringify({ instrumentCode, reason }));
    else await this.kv.delete(key);
  }

  async loadLocks(): Promise<Map<string, LockReason>> {
    const out = new Map<string, LockReason>();
    for await (const k of await this.kv.keys('locks.>')) {
      const e = await this.kv.get(k);
      if (e && e.operation === 'PUT') {
        const v = e.json<{ instrumentCode: string; reason: LockReason }>();
        out.set(v.instrumentCode, v.reason);
      }
    }
    return out;
  }

  /** Record that a queued request made an order that leaves the stack (end-of-day removal). */
  async recordConsumedRequest(requestId: string, instrumentOrderId: number): Promise<void> {
    await this.kv.put(`requests.${Buffer.from(requestId).toString('base64url')}`, String(instrumentOrderId));
  }

  /** The requests whose orders left the stack: request id → instrument order id. */
  async loadConsumedRequests(): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    for await (const k of await this.kv.keys('requests.>')) {
      const e = await this.kv.get(k);
      const id = Buffer.from(k.slice('requests.'.length), 'base64url').toString();
      if (e && e.operation === 'PUT') out.set(id, Number(e.string()));
    }
    return out;
  }
}
