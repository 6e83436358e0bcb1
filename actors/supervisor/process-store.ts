/**
 * Process control state in one JetStream KV bucket (digest §10: a revision-checked lease per
 * process instead of the reference's `currently_running` flag and PID sweep, P7, P11).
 *
 * Keys (bucket `<PREFIX>_PROCESS_CONTROL`):
 *   lease.<process>   who runs it: created with `create` (fails if held), heartbeated with
 *                     `update(rev)`, released with `delete(previousSeq)`. Two copies can never
 *                     both hold it.
 *   record.<process>  last start / end, crashed flag, last outcome (the reference's process
 *                     record).
 *   status.<process>  GO / STOP / NO-RUN / PAUSE (missing = GO).
 *   methods.<process> per-method executions, last run / end / heartbeat (written by the holder).
 *   clock             the supervisor's clock anchor, so every process reads the same time.
 */
import { JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream';
import { type KV, type KvEntry, Kvm } from '@nats-io/kv';
import { setTimeout as sleep } from 'node:timers/promises';
import { type NatsConnection, NoRespondersError, RequestError } from '@nats-io/transport-node';
import { streamName } from '../../src/bus/subjects.ts';
import type { ProcessStatus } from '../../src/domain/process-control/config.ts';
import { mongoDatabase, selectedStorage } from '../../src/store/backend.ts';
import {
  type ClockAnchor,
  EMPTY_RECORD,
  type HeldLease,
  type Lease,
  type LeaseResult,
  type MethodState,
  type ProcessControlStore,
  type ProcessRecord,
} from '../../src/store/process-control-store.ts';

export type { ClockAnchor, HeldLease, Lease, MethodState, ProcessRecord };
export { EMPTY_RECORD };

/** The process control store of the selected backend (`src/store/backend.ts`). */
export type ProcessStore = ProcessControlStore;
export const ProcessStore = {
  async open(nc: NatsConnection, prefix: string): Promise<ProcessStore> {
    return selectedStorage().backend === 'mongodb'
      ? // the MongoDB driver is loaded only when it is the backend
        new (await import('../../src/store/mongo/process-control.ts')).MongoProcessStore(
          await mongoDatabase(),
        )
      : JetStreamProcessStore.open(nc, prefix);
  },
};

const enc = (v: unknown) => JSON.stringify(v);

/** The same holder of a lease: one process's one acquisition (a heartbeat changes only `heartbeatAt`). */
function sameHolder(a: Lease, b: Lease): boolean {
  return a.owner === b.owner && a.pid === b.pid && a.host === b.host && a.acquiredAt === b.acquiredAt;
}

/**
 * A holder's heartbeat (the store's revision-checked one), carrying on when it is refused for its
 * revision while the lease is still this holder's own: an earlier heartbeat landed with its answer
 * lost (a nats-server restart), so the lease moved on without the holder knowing. Undefined: the
 * lease is gone or another's. The store itself stays strictly revision-checked (conformance).
 */
export async function heartbeatOwnLease(
  store: Pick<ProcessControlStore, 'heartbeat' | 'getLease'>,
  name: string,
  lease: Lease,
  revision: number,
): Promise<number | undefined> {
  const rev = await store.heartbeat(name, lease, revision);
  if (rev !== undefined) return rev;
  const held = await store.getLease(name);
  if (!held || held.revision === revision || !sameHolder(held, lease)) return undefined;
  return store.heartbeat(name, lease, held.revision);
}

function live(e: KvEntry | null): e is KvEntry {
  return e !== null && e.operation === 'PUT';
}

const LEASE_CREATE_ATTEMPTS = 20;
const LEASE_CREATE_PAUSE_MS = 250;

/** A publish no stream answered (the client's `JetStreamNotEnabled` wraps it): nothing written. */
function noResponders(err: unknown): boolean {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    if (e instanceof NoRespondersError || (e instanceof RequestError && e.isNoResponders())) return true;
    if (e.name === 'JetStreamNotEnabled') return true;
  }
  return false;
}

export class JetStreamProcessStore implements ProcessControlStore {
  private constructor(readonly kv: KV) {}

  static async open(nc: NatsConnection, prefix: string): Promise<JetStreamProcessStore> {
    const name = streamName(prefix, 'process_control');
    const kvm = new Kvm(nc);
    // An existing bucket is bound after one stream info, which its stream leader answers: a
    // create goes through the JetStream meta leader, which may be in an election just when a
    // standby's processes start (docs/deployment.md).
    const existing = await kvm.open(name, { allow_direct: true });
    const found = await existing.status().then(
      (st) => st.streamInfo.config.allow_direct === true,
      (err: unknown) => {
        if (err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamNotFound) return false;
        throw err;
      },
    );
    return new JetStreamProcessStore(found ? existing : await kvm.create(name, { history: 5 }));
  }

  // ---- lease ------------------------------------------------------------------------------

  /** Take the lease, or return the current holder when it is held. */
  async acquireLease(name: string, lease: Lease): Promise<LeaseResult> {
    for (let attempt = 1; ; attempt++) {
      try {
        const revision = await this.kv.create(`lease.${name}`, enc(lease));
        return { ok: true, revision };
      } catch (err) {
        // No stream took the create (its leader stepping down or electing, leader-placement.ts):
        // nothing was written, so it is asked again.
        if (noResponders(err) && attempt < LEASE_CREATE_ATTEMPTS) {
          await sleep(LEASE_CREATE_PAUSE_MS);
          continue;
        }
        const holder = await this.getLease(name);
        if (holder) return { ok: false, holder };
        throw err;
      }
    }
  }

  /**
   * Heartbeat with revision check; undefined means the lease is no longer ours. Any other
   * failure (the bus unreachable, a timeout) is thrown: the lease may well still be ours.
   */
  async heartbeat(name: string, lease: Lease, revision: number): Promise<number | undefined> {
    try {
      return await this.kv.update(`lease.${name}`, enc(lease), revision);
    } catch (err) {
      if (err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamWrongLastSequence) {
        return undefined;
      }
      throw err;
    }
  }

  /** Release the lease only if it is still at `revision`. */
  async releaseLease(name: string, revision: number): Promise<boolean> {
    try {
      await this.kv.delete(`lease.${name}`, { previousSeq: revision });
      return true;
    } catch {
      return false;
    }
  }

  async getLease(name: string): Promise<HeldLease | undefined> {
    const e = await this.kv.get(`lease.${name}`);
    if (!live(e)) return undefined;
    return { ...(e.json() as Lease), revision: e.revision };
  }

  async listLeases(): Promise<Map<string, HeldLease>> {
    const out = new Map<string, HeldLease>();
    for (const key of await this.keys('lease.')) {
      const name = key.slice('lease.'.length);
      const l = await this.getLease(name);
      if (l) out.set(name, l);
    }
    return out;
  }

  // ---- records, status, methods, clock ------------------------------------------------------

  async getRecord(name: string): Promise<ProcessRecord> {
    const e = await this.kv.get(`record.${name}`);
    return live(e) ? { ...EMPTY_RECORD, ...(e.json() as Partial<ProcessRecord>) } : { ...EMPTY_RECORD };
  }

  async updateRecord(name: string, patch: Partial<ProcessRecord>): Promise<ProcessRecord> {
    for (let attempt = 0; attempt < 10; attempt++) {
      const e = await this.kv.get(`record.${name}`);
      const next = { ...EMPTY_RECORD, ...(live(e) ? (e.json() as Partial<ProcessRecord>) : {}), ...patch };
      try {
        if (e) await this.kv.update(`record.${name}`, enc(next), e.revision);
        else await this.kv.create(`record.${name}`, enc(next));
        return next;
      } catch {
        // another writer got in first: read again
      }
    }
    throw new Error(`could not update record of ${name}: too many concurrent writers`);
  }

  async getStatus(name: string): Promise<ProcessStatus> {
    const e = await this.kv.get(`status.${name}`);
    return live(e) ? (e.json() as { status: ProcessStatus }).status : 'GO';
  }

  async setStatus(name: string, status: ProcessStatus, changedAt: number): Promise<void> {
    await this.kv.put(`status.${name}`, enc({ status, changedAt }));
  }

  async putMethods(name: string, methods: Record<string, MethodState>): Promise<void> {
    await this.kv.put(`methods.${name}`, enc(methods));
  }

  async getMethods(name: string): Promise<Record<string, MethodState>> {
    const e = await this.kv.get(`methods.${name}`);
    return live(e) ? (e.json() as Record<string, MethodState>) : {};
  }

  async putClock(anchor: ClockAnchor): Promise<void> {
    await this.kv.put('clock', enc(anchor));
  }

  async getClock(): Promise<ClockAnchor | undefined> {
    const e = await this.kv.get('clock');
    return live(e) ? (e.json() as ClockAnchor) : undefined;
  }

  /** Watch status changes of one process (yields the new status). */
  async watchStatus(name: string, onStatus: (s: ProcessStatus) => void): Promise<() => void> {
    const it = await this.kv.watch({ key: `status.${name}` });
    (async () => {
      for await (const e of it) {
        onStatus(e.operation === 'PUT' ? (e.json() as { status: ProcessStatus }).status : 'GO');
      }
    })().catch(() => undefined);
    return () => it.stop();
  }

  async keys(prefix = ''): Promise<string[]> {
    const out: string[] = [];
    const it = await this.kv.keys(`${prefix}>`);
    for await (const k of it) out.push(k);
    return out.sort();
  }
}
