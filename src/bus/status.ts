import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';

export interface BusStatus {
  server: string;
  server_version: string;
  jetstream: boolean;
  streams: Array<{ name: string; messages: number; bytes: number; subjects: string }>;
}

/** What the bus holds: server identity and every stream with its size. */
export async function busStatus(nc: NatsConnection, prefix: string): Promise<BusStatus> {
  const info = nc.info;
  const status: BusStatus = {
    server: nc.getServer(),
    server_version: info?.version ?? 'unknown',
    jetstream: Boolean(info?.jetstream),
    streams: [],
  };
  const jsm = await jetstreamManager(nc);
  const upper = prefix.toUpperCase();
  for await (const s of jsm.streams.list()) {
    const name = s.config.name;
    if (
      !name.startsWith(`${upper}_`) &&
      !name.startsWith(`KV_${prefix}`) &&
      !name.startsWith(`OBJ_${prefix}`)
    )
      continue;
    status.streams.push({
      name,
      messages: s.state.messages,
      bytes: s.state.bytes,
      subjects: (s.config.subjects ?? []).join(','),
    });
  }
  return status;
}
