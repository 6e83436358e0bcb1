// The stack handler's keyed records ride through a bus outage (issue 17 §3): a trade-limit charge
// made while nats-server restarts is counted once, and one whose write landed but whose answer
// was lost (and whose read-back met the bus away) is neither lost nor counted twice; an order id
// block whose answer was lost is reserved once. A refusal or a bad input is not retried. A lease
// heartbeat whose answer was lost does not make its holder take the lease for lost.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type NatsConnection, TimeoutError } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StackKv } from '../../actors/store/stack-kv.ts';
import { heartbeatOwnLease, JetStreamProcessStore } from '../../actors/supervisor/process-store.ts';
import { connectNats } from '../../src/bus/connection.ts';
import { type EmbeddedNats, startEmbeddedNats } from '../../src/bus/embedded.ts';
import { openJsonBucket } from '../../src/store/kv-json.ts';
import { JetStreamRecords, KeyExistsError, type Records } from '../../src/store/records.ts';
import { RidingRecords } from '../../src/store/riding-records.ts';
import { TradeLimitsStore } from '../../src/store/trade-limits-store.ts';

const NOW = Date.parse('2023-09-05T10:00:00Z');
const RIDE = { retryMs: 60_000, backoffMs: 50 };

let dir: string;
let server: EmbeddedNats;
let nc: NatsConnection;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'systack-ride-kv-'));
  server = await startEmbeddedNats({ storeDir: join(dir, 'js'), portsDir: dir });
  nc = await connectNats({ url: server.url, name: 'riding-records-test' });
});

afterAll(async () => {
  await nc.close();
  await server.stop();
  await rm(dir, { recursive: true, force: true });
});

const lost = () => new TimeoutError();

/**
 * Records whose next `writes` writes land but answer with a timeout (the answer lost at a
 * restart), each followed by `reads` failing reads (the bus still away for the read-back).
 */
function lossy(inner: Records, faults: { writes: number; reads: number }): Records {
  let reads = 0;
  const failRead = <T>(read: () => Promise<T>): Promise<T> => (reads-- > 0 ? Promise.reject(lost()) : read());
  const landThenLose =
    <A extends unknown[], R>(write: (...a: A) => Promise<R>) =>
    async (...a: A): Promise<R> => {
      const r = await write(...a);
      if (faults.writes-- <= 0) return r;
      reads = faults.reads;
      throw lost();
    };
  return {
    get: (k) => failRead(() => inner.get(k)),
    getVersioned: (k) => failRead(() => inner.getVersioned(k)),
    list: (p) => failRead(() => inner.list(p)),
    update: landThenLose((k: string, v: unknown, r: number, o?: { writeId?: string }) =>
      inner.update(k, v, r, o),
    ),
    put: landThenLose((k: string, v: unknown, o?: { writeId?: string }) => inner.put(k, v, o)),
    create: landThenLose((k: string, v: unknown, o?: { writeId?: string }) => inner.create(k, v, o)),
    delete: landThenLose((k: string, o?: { writeId?: string }) => inner.delete(k, o)),
  };
}

async function count(store: TradeLimitsStore): Promise<number> {
  const [limit] = await store.list();
  return limit!.tradesSinceLastReset;
}

describe('trade-limit counters across a bus outage', () => {
  it('a charge made while nats-server restarts is counted once', async () => {
    const store = await TradeLimitsStore.open(nc, 'rideKvA', RIDE);
    await store.set({ instrument_code: 'GOLD' }, 1, 100, NOW);
    await store.charge('s', 'GOLD', 2, NOW);
    await server.stop();
    const charging = store.charge('s', 'GOLD', 3, NOW);
    await new Promise((r) => setTimeout(r, 500));
    server = await startEmbeddedNats({ storeDir: join(dir, 'js'), portsDir: dir, port: server.port });
    await charging;
    expect(await count(store)).toBe(5);
  }, 90_000);

  it('a charge whose write landed but whose answer and read-back were lost is counted once', async () => {
    const kv = new JetStreamRecords(await openJsonBucket(nc, 'rideKvB', 'TRADE_LIMITS', 5));
    const plain = new TradeLimitsStore(kv);
    await plain.set({ instrument_code: 'GOLD' }, 1, 100, NOW);
    // Before: the lost answer and the bus away for the read-back made the charge fail (lost).
    await expect(
      new TradeLimitsStore(lossy(kv, { writes: 1, reads: 1 })).charge('s', 'GOLD', 2, NOW),
    ).rejects.toThrow(TimeoutError);
    expect(await count(plain)).toBe(2); // it had landed: the count is right, the caller was told not
    // Riding: the same write is sent again (its write id), a duplicate answered with its revision.
    const riding = new TradeLimitsStore(new RidingRecords(lossy(kv, { writes: 2, reads: 2 }), RIDE));
    await riding.charge('s', 'GOLD', 3, NOW);
    await riding.charge('s', 'GOLD', 4, NOW);
    expect(await count(plain)).toBe(9);
  }, 30_000);
});

describe('the stack state records across a bus outage', () => {
  it('an order id block whose answer was lost is reserved once; a refusal is final at once', async () => {
    const kv = new JetStreamRecords(await openJsonBucket(nc, 'rideKvC', 'STACK_STATE'));
    const faults = { writes: 1, reads: 1 };
    const stack = new StackKv(lossy(kv, faults)).riding(RIDE);
    expect(await stack.nextId('instrument', 10)).toBe(1); // create: answer lost
    for (let i = 2; i <= 10; i++) expect(await stack.nextId('instrument', 10)).toBe(i);
    faults.writes = 1;
    expect(await stack.nextId('instrument', 10)).toBe(11); // update: answer lost
    expect(await kv.get('ids.instrument')).toBe(20);
    // Not retried (the test's 30 s timeout is inside the 60 s retry window): answered at once.
    const riding = new RidingRecords(kv, RIDE);
    await expect(riding.create('ids.instrument', 1)).rejects.toThrow(KeyExistsError);
    await expect(riding.list('no-dot')).rejects.toThrow(/ends with a dot/);
  }, 30_000);
});

describe('a process lease across a lost heartbeat answer', () => {
  it('the next heartbeat, at the old revision, carries on; another holder is still refused', async () => {
    const store = await JetStreamProcessStore.open(nc, 'rideKvD');
    const lease = { owner: 'sup', pid: 4242, host: 'h', acquiredAt: NOW, heartbeatAt: NOW };
    const taken = await store.acquireLease('run_stack_handler', lease);
    if (!taken.ok) throw new Error('lease not taken');
    // This heartbeat landed, its answer was lost: the runner still holds the first revision.
    await store.heartbeat('run_stack_handler', { ...lease, heartbeatAt: NOW + 5000 }, taken.revision);
    // The store refuses it (strictly revision-checked); the holder's heartbeat carries on.
    expect(await store.heartbeat('run_stack_handler', lease, taken.revision)).toBeUndefined();
    const next = await heartbeatOwnLease(
      store,
      'run_stack_handler',
      { ...lease, heartbeatAt: NOW + 10_000 },
      taken.revision,
    );
    expect(next).toBeGreaterThan(taken.revision);
    expect((await store.getLease('run_stack_handler'))?.heartbeatAt).toBe(NOW + 10_000);
    // Another process's lease at that key is not taken for ours.
    const other = { ...lease, pid: 4343 };
    expect(await heartbeatOwnLease(store, 'run_stack_handler', other, taken.revision)).toBeUndefined();
  });
});
