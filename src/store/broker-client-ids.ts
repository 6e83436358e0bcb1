/**
 * Broker client ids (the reference's "Broker client IDs" control): every process that talks to
 * IB gets its own id, recorded in the keyed records `broker_client_ids` (`openRecords`: the KV
 * bucket `<PREFIX>_BROKER_CLIENT_IDS`, or the MongoDB collection; key: the id, value: who holds it). A process asking again gets the id it already holds; a new one gets
 * the lowest free id (claimed with a create,
 * which refuses an existing key, so two processes never get the same one).
 * `clearUnused` releases the ids of processes no longer alive on this host.
 * IB's client id is `ib_idoffset` + this id.
 */
import type { NatsConnection } from '@nats-io/transport-node';
import { openRecords } from './backend.ts';
import { BROKER_CLIENT_IDS_BUCKET } from './catalogue.ts';
import { KeyExistsError, type Records } from './records.ts';

export { BROKER_CLIENT_IDS_BUCKET };

export interface ClientIdHolder {
  process: string;
  pid: number;
  host: string;
  allocated_at: number;
}

export interface ClientIdRow extends ClientIdHolder {
  client_id: number;
}

export class BrokerClientIds {
  constructor(private readonly records: Records) {}

  static async open(nc: NatsConnection, prefix: string): Promise<BrokerClientIds> {
    return new BrokerClientIds(await openRecords(nc, prefix, BROKER_CLIENT_IDS_BUCKET));
  }

  async list(): Promise<ClientIdRow[]> {
    return (await this.records.list<ClientIdHolder>())
      .map((e) => ({ client_id: Number(e.key), ...e.value }))
      .sort((a, b) => a.client_id - b.client_id);
  }

  /** The id this process holds, or the lowest free one (from 1), recorded for it. */
  async allocate(holder: ClientIdHolder): Promise<number> {
    const rows = await this.list();
    const mine = rows.find(
      (r) => r.process === holder.process && r.pid === holder.pid && r.host === holder.host,
    );
    if (mine) return mine.client_id;
    const used = new Set(rows.map((r) => r.client_id));
    for (let id = 1; id < 10_000; id++) {
      if (used.has(id)) continue;
      try {
        await this.records.create(String(id), holder);
        return id;
      } catch (err) {
        // Claimed by another process meanwhile: try the next id.
        if (!(err instanceof KeyExistsError)) throw err;
      }
    }
    throw new Error('no free broker client id below 10000');
  }

  async release(clientId: number): Promise<boolean> {
    const had = (await this.list()).some((r) => r.client_id === clientId);
    if (had) await this.records.delete(String(clientId));
    return had;
  }

  /** Release the ids whose process is not alive (checked on this host only). Returns them. */
  async clearUnused(host: string, alive: (pid: number) => boolean): Promise<ClientIdRow[]> {
    const dead = (await this.list()).filter((r) => r.host === host && !alive(r.pid));
    for (const r of dead) await this.records.delete(String(r.client_id));
    return dead;
  }
}

/** Whether a process id is alive on this host. */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
