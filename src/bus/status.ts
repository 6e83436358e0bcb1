import { jetstreamManager } from '@nats-io/jetstream';
import { Svcm } from '@nats-io/services';
import type { NatsConnection } from '@nats-io/transport-node';

export type StoreKind = 'stream' | 'kv_bucket' | 'object_store';

export interface StoreRow {
  kind: StoreKind;
  name: string;
  messages: number;
  bytes: number;
  subjects: string;
}

export interface ServiceRow {
  service: string;
  version: string;
  description: string;
  endpoints: Array<{ name: string; subject: string; description: string }>;
}

export interface BusStatus {
  server: string;
  server_version: string;
  jetstream: boolean;
  /** JetStream streams, KV buckets (streams `KV_<bucket>`) and object stores (`OBJ_<store>`). */
  streams: StoreRow[];
  services: ServiceRow[];
}

function kindOf(name: string): { kind: StoreKind; name: string } {
  if (name.startsWith('KV_')) return { kind: 'kv_bucket', name: name.slice(3) };
  if (name.startsWith('OBJ_')) return { kind: 'object_store', name: name.slice(4) };
  return { kind: 'stream', name };
}

/** Every NATS micro-service answering on this bus, with its endpoints ($SRV.INFO). */
export async function listServices(nc: NatsConnection, prefix: string): Promise<ServiceRow[]> {
  const rows: ServiceRow[] = [];
  const infos = await new Svcm(nc).client({ strategy: 'timer', maxWait: 500 }).info();
  for await (const i of infos) {
    if (!i.endpoints.some((e) => e.subject.startsWith(`${prefix}.`))) continue;
    if (rows.some((r) => r.service === i.name)) continue; // one row per service, not per instance
    rows.push({
      service: i.name,
      version: i.version,
      description: i.description,
      endpoints: i.endpoints.map((e) => ({
        name: e.name,
        subject: e.subject,
        description: e.metadata?.description ?? '',
      })),
    });
  }
  return rows.sort((a, b) => a.service.localeCompare(b.service));
}

/** What the bus holds: server identity, every stream, KV bucket and object store, the services. */
export async function busStatus(nc: NatsConnection, prefix: string): Promise<BusStatus> {
  const info = nc.info;
  const status: BusStatus = {
    server: nc.getServer(),
    server_version: info?.version ?? 'unknown',
    jetstream: Boolean(info?.jetstream),
    streams: [],
    services: await listServices(nc, prefix),
  };
  const jsm = await jetstreamManager(nc);
  const upper = prefix.toUpperCase();
  for await (const s of jsm.streams.list()) {
    const raw = s.config.name;
    if (!raw.startsWith(`${upper}_`) && !raw.startsWith(`KV_${prefix}`) && !raw.startsWith(`OBJ_${prefix}`))
      continue;
    status.streams.push({
      ...kindOf(raw),
      messages: s.state.messages,
      bytes: s.state.bytes,
      subjects: (s.config.subjects ?? []).join(', '),
    });
  }
  status.streams.sort((a, b) => a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name));
  return status;
}
