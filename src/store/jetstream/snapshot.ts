/**
 * A JetStream snapshot of one system (prefix): every stream, KV bucket and object store whose
 * stream name starts with the prefix, written as
 *   <dir>/manifest.json                    what was copied, with a digest of every stream
 *   <dir>/streams/<STREAM>.config.json     the stream's configuration, to recreate it
 *   <dir>/streams/<STREAM>.jsonl           one JSON line a message: subject, seq, time, headers, data (base64)
 * Files are mode 600 and folders 700: a backup holds positions and orders. The digest of a
 * stream covers each message's subject, headers (less the publish-time expectations, which are
 * instructions to the server, not data) and bytes, in stream order — not sequence numbers or
 * times, which a restore cannot keep — so a restored store has the same digests as its source.
 */
import { createHash, type Hash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  jetstream,
  jetstreamManager,
  RetentionPolicy,
  type JetStreamManager,
  type StreamConfig,
} from '@nats-io/jetstream';
import type { MsgHdrs, NatsConnection } from '@nats-io/transport-node';

export const SNAPSHOT_FORMAT = 'systack-jetstream-snapshot/1';

/** One message as kept in a snapshot file. */
export interface SnapshotMessage {
  subject: string;
  seq: number;
  time: string;
  headers?: Record<string, string[]>;
  data_b64: string;
}

export interface StreamDigest {
  name: string;
  messages: number;
  /** sha256 over the stream's messages (subject, data headers, bytes) in order. */
  digest: string;
}

export interface SnapshotManifest {
  format: typeof SNAPSHOT_FORMAT;
  prefix: string;
  /** When the snapshot was taken (the injected clock), ISO 8601. */
  taken_at: string;
  streams: StreamDigest[];
}

/** Headers that tell the server how to accept a publish; they are not part of the record. */
export function isPublishInstruction(header: string): boolean {
  const h = header.toLowerCase();
  return h.startsWith('nats-expected-') || h === 'nats-msg-id';
}

export function headerRecord(h: MsgHdrs | undefined): Record<string, string[]> | undefined {
  if (!h) return undefined;
  const out: Record<string, string[]> = {};
  for (const k of h.keys()) out[k] = h.values(k);
  return Object.keys(out).length > 0 ? out : undefined;
}

/** Feed one message into a stream digest. */
export function digestMessage(
  hash: Hash,
  m: { subject: string; headers?: Record<string, string[]>; data: Uint8Array },
) {
  const kept = Object.entries(m.headers ?? {})
    .filter(([k]) => !isPublishInstruction(k))
    .map(([k, v]) => [k.toLowerCase(), v] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  hash.update(JSON.stringify([m.subject, kept, m.data.length]));
  hash.update(m.data);
}

/** The streams (including KV_ and OBJ_ streams) that belong to a prefix, sorted by name. */
export async function systemStreams(jsm: JetStreamManager, prefix: string): Promise<StreamConfig[]> {
  const mine = prefix.toUpperCase();
  const out: StreamConfig[] = [];
  for await (const s of jsm.streams.list()) {
    const upper = s.config.name.toUpperCase();
    if ([`${mine}_`, `KV_${mine}_`, `OBJ_${mine}_`].some((p) => upper.startsWith(p))) out.push(s.config);
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : 1));
}

/**
 * Every message of a stream in order, with headers. A work-queue stream allows no second
 * consumer, so its messages are read by sequence without taking them off the queue.
 */
export async function* streamMessages(
  nc: NatsConnection,
  stream: string,
): AsyncGenerator<SnapshotMessage & { data: Uint8Array }> {
  const jsm = await jetstreamManager(nc);
  const info = await jsm.streams.info(stream);
  if (info.state.messages === 0) return;
  const one = (m: {
    subject: string;
    seq: number;
    time: Date;
    data: Uint8Array;
    headers: MsgHdrs | undefined;
  }) => {
    const headers = headerRecord(m.headers);
    return {
      subject: m.subject,
      seq: m.seq,
      time: m.time.toISOString(),
      ...(headers ? { headers } : {}),
      data: m.data,
      data_b64: Buffer.from(m.data).toString('base64'),
    };
  };
  if (info.config.retention === RetentionPolicy.Workqueue) {
    for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
      // A sequence with no message was deleted (acked off the queue): nothing to copy.
      const m = await jsm.streams.getMessage(stream, { seq }).catch(() => null);
      if (m) yield one({ subject: m.subject, seq: m.seq, time: m.time, data: m.data, headers: m.header });
    }
    return;
  }
  const consumer = await jetstream(nc).consumers.get(stream);
  const last = info.state.last_seq;
  while (true) {
    const m = await consumer.next({ expires: 2000 });
    if (!m) break;
    yield one({ subject: m.subject, seq: m.seq, time: m.time, data: m.data, headers: m.headers });
    if (m.seq >= last) break;
  }
}

/** Digest of one stream as it is now. */
export async function streamDigest(nc: NatsConnection, stream: string): Promise<StreamDigest> {
  const hash = createHash('sha256');
  let messages = 0;
  for await (const m of streamMessages(nc, stream)) {
    digestMessage(hash, m);
    messages++;
  }
  return { name: stream, messages, digest: hash.digest('hex') };
}

/** Digests of every stream of a system: the record-by-record fingerprint a restore is checked by. */
export async function systemDigest(nc: NatsConnection, prefix: string): Promise<StreamDigest[]> {
  const jsm = await jetstreamManager(nc);
  const out: StreamDigest[] = [];
  for (const cfg of await systemStreams(jsm, prefix)) out.push(await streamDigest(nc, cfg.name));
  return out;
}

export const PRIVATE_FILE = { mode: 0o600 } as const;
export const PRIVATE_DIR = { recursive: true, mode: 0o700 } as const;

/** Write a snapshot of every stream of the system into `dir`; returns its manifest. */
export async function writeSnapshot(
  nc: NatsConnection,
  prefix: string,
  dir: string,
  takenAt: number,
): Promise<SnapshotManifest> {
  const jsm = await jetstreamManager(nc);
  await mkdir(join(dir, 'streams'), PRIVATE_DIR);
  const streams: StreamDigest[] = [];
  for (const cfg of await systemStreams(jsm, prefix)) {
    const hash = createHash('sha256');
    const lines: string[] = [];
    for await (const m of streamMessages(nc, cfg.name)) {
      digestMessage(hash, m);
      const { data: _bytes, ...kept } = m;
      lines.push(JSON.stringify(kept));
    }
    await writeFile(
      join(dir, 'streams', `${cfg.name}.config.json`),
      `${JSON.stringify(cfg, null, 2)}\n`,
      PRIVATE_FILE,
    );
    await writeFile(
      join(dir, 'streams', `${cfg.name}.jsonl`),
      lines.length ? `${lines.join('\n')}\n` : '',
      PRIVATE_FILE,
    );
    streams.push({ name: cfg.name, messages: lines.length, digest: hash.digest('hex') });
  }
  const manifest: SnapshotManifest = {
    format: SNAPSHOT_FORMAT,
    prefix,
    taken_at: new Date(takenAt).toISOString(),
    streams,
  };
  await writeFile(join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`, PRIVATE_FILE);
  return manifest;
}
