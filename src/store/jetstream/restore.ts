/**
 * Restore a JetStream snapshot (`snapshot.ts`) onto a server: each stream is recreated from its
 * saved configuration and its messages are published again in order, with their headers (less
 * the publish-time expectations, which held against the old sequences). Then every stream's
 * digest is taken again and compared with the manifest: a restore that does not reproduce the
 * source record for record says so and fails.
 *
 * A restore never merges into live data: a stream of the backup that already exists with
 * messages stops the restore before anything is written, unless `replace` is set, in which case
 * those streams are deleted first.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { jetstream, jetstreamManager, type StreamConfig } from '@nats-io/jetstream';
import { headers as natsHeaders, type NatsConnection } from '@nats-io/transport-node';
import {
  isPublishInstruction,
  SNAPSHOT_FORMAT,
  type SnapshotManifest,
  type SnapshotMessage,
  streamDigest,
  type StreamDigest,
} from './snapshot.ts';

export class RestoreError extends Error {
  override name = 'RestoreError';
}

export interface RestoreResult {
  streams: Array<StreamDigest & { matches: boolean }>;
  messages: number;
}

export async function readManifest(dir: string): Promise<SnapshotManifest> {
  let text: string;
  try {
    text = await readFile(join(dir, 'manifest.json'), 'utf8');
  } catch {
    throw new RestoreError(`${dir}: no manifest.json — not a systack JetStream snapshot`);
  }
  const m = JSON.parse(text) as Partial<SnapshotManifest>;
  if (m.format !== SNAPSHOT_FORMAT || !Array.isArray(m.streams) || typeof m.prefix !== 'string') {
    throw new RestoreError(`${dir}/manifest.json: not a ${SNAPSHOT_FORMAT} manifest`);
  }
  return m as SnapshotManifest;
}

async function readMessages(dir: string, stream: string): Promise<SnapshotMessage[]> {
  const text = await readFile(join(dir, 'streams', `${stream}.jsonl`), 'utf8');
  return text
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l, i) => {
      const m = JSON.parse(l) as Partial<SnapshotMessage>;
      if (typeof m.subject !== 'string' || typeof m.data_b64 !== 'string') {
        throw new RestoreError(`${stream}.jsonl:${i + 1}: a message needs subject and data_b64`);
      }
      return m as SnapshotMessage;
    });
}

/** Check the target before writing anything: the streams of the backup must be absent or empty. */
async function checkTarget(nc: NatsConnection, manifest: SnapshotManifest, replace: boolean): Promise<void> {
  const jsm = await jetstreamManager(nc);
  const busy: string[] = [];
  for (const s of manifest.streams) {
    const info = await jsm.streams.info(s.name).catch(() => undefined);
    if (!info) continue;
    if (replace) await jsm.streams.delete(s.name);
    else if (info.state.messages > 0) busy.push(`${s.name} (${info.state.messages} messages)`);
  }
  if (busy.length > 0) {
    throw new RestoreError(
      `the target already holds data: ${busy.join(', ')}; restore onto an empty store, or pass --replace to delete these streams first`,
    );
  }
}

export async function restoreSnapshot(
  nc: NatsConnection,
  dir: string,
  opts: { replace?: boolean } = {},
): Promise<RestoreResult> {
  const manifest = await readManifest(dir);
  // Read and check every file before the target is touched.
  const plan: Array<{ config: StreamConfig; messages: SnapshotMessage[] }> = [];
  for (const s of manifest.streams) {
    const config = JSON.parse(
      await readFile(join(dir, 'streams', `${s.name}.config.json`), 'utf8'),
    ) as StreamConfig;
    if (config.name !== s.name) throw new RestoreError(`${s.name}.config.json names stream '${config.name}'`);
    const messages = await readMessages(dir, s.name);
    if (messages.length !== s.messages) {
      throw new RestoreError(
        `${s.name}.jsonl holds ${messages.length} messages, the manifest says ${s.messages}`,
      );
    }
    plan.push({ config, messages });
  }
  await checkTarget(nc, manifest, opts.replace ?? false);
  const jsm = await jetstreamManager(nc);
  const js = jetstream(nc);
  let total = 0;
  for (const { config, messages } of plan) {
    const exists = await jsm.streams.info(config.name).catch(() => undefined);
    if (!exists) await jsm.streams.add(config);
    for (const m of messages) {
      const h = natsHeaders();
      let msgID: string | undefined;
      for (const [k, values] of Object.entries(m.headers ?? {})) {
        if (k.toLowerCase() === 'nats-msg-id') msgID = values[0];
        else if (!isPublishInstruction(k)) for (const v of values) h.append(k, v);
      }
      const data = Buffer.from(m.data_b64, 'base64');
      const ack = await js.publish(m.subject, data, { headers: h, ...(msgID ? { msgID } : {}) });
      // Two records of one stream may share a message id (written further apart than the
      // duplicate window); published again back to back, the second would be dropped.
      if (ack.duplicate) await js.publish(m.subject, data, { headers: h });
      total++;
    }
  }
  const streams = [];
  for (const s of manifest.streams) {
    const now = await streamDigest(nc, s.name);
    streams.push({ ...now, matches: now.digest === s.digest && now.messages === s.messages });
  }
  const bad = streams.filter((s) => !s.matches).map((s) => s.name);
  if (bad.length > 0) throw new RestoreError(`restored streams differ from the backup: ${bad.join(', ')}`);
  return { streams, messages: total };
}
