/**
 * run_backups' backup_files (production doc "Backup state files"): copy the config files and a
 * snapshot of every JetStream stream and KV bucket of this system (prefix) to
 * `<offsystem_backup_directory>/statefile/<date>/`, streams as JSON lines
 * `{ stream, subject, seq, time, data }`.
 */
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { jetstream, jetstreamManager, RetentionPolicy } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { defaultConfigDir, defaultPrivateDir } from '../../src/config/load.ts';
import type { MethodContext } from '../process-methods.ts';

export function backupDirectory(ctx: MethodContext): string {
  const base = ctx.system.offsystem_backup_directory ?? join(ctx.system.data_dir, 'backup');
  const stamp = new Date(ctx.clock.now()).toISOString().slice(0, 10);
  return resolve(base, 'statefile', stamp);
}

async function copyYaml(from: string, to: string): Promise<number> {
  if (!existsSync(from)) return 0;
  await mkdir(to, { recursive: true });
  let n = 0;
  for (const f of await readdir(from)) {
    if (!/\.ya?ml$/.test(f)) continue;
    await copyFile(join(from, f), join(to, f));
    n++;
  }
  return n;
}

/**
 * Write every message of a stream as JSON lines; returns the message count. Object-store streams
 * hold binary chunks, kept as base64. A work-queue stream (the order requests) allows no second
 * consumer, so its messages are read one by one by sequence without taking them off the queue.
 */
export async function snapshotStream(nc: NatsConnection, stream: string, file: string): Promise<number> {
  const jsm = await jetstreamManager(nc);
  const info = await jsm.streams.info(stream);
  const binary = stream.startsWith('OBJ_');
  const lines: string[] = [];
  const line = (m: { subject: string; seq: number; time: Date; data: Uint8Array; string(): string }) =>
    JSON.stringify({
      stream,
      subject: m.subject,
      seq: m.seq,
      time: m.time.toISOString(),
      ...(binary ? { data_b64: Buffer.from(m.data).toString('base64') } : { data: m.string() }),
    });
  if (info.state.messages > 0 && info.config.retention === RetentionPolicy.Workqueue) {
    for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
      const m = await jsm.streams.getMessage(stream, { seq }).catch(() => undefined);
      if (m) lines.push(line(m));
    }
  } else if (info.state.messages > 0) {
    const consumer = await jetstream(nc).consumers.get(stream);
    const last = info.state.last_seq;
    while (true) {
      const m = await consumer.next({ expires: 2000 });
      if (!m) break;
      lines.push(
        line({ subject: m.subject, seq: m.seq, time: m.time, data: m.data, string: () => m.string() }),
      );
      if (m.seq >= last) break;
    }
  }
  await writeFile(file, lines.length ? `${lines.join('\n')}\n` : '');
  return lines.length;
}

export async function backupFiles(ctx: MethodContext): Promise<void> {
  const dir = backupDirectory(ctx);
  await mkdir(join(dir, 'jetstream'), { recursive: true });
  const configFiles =
    (await copyYaml(defaultConfigDir(), join(dir, 'config'))) +
    (await copyYaml(defaultPrivateDir(), join(dir, 'private')));
  const jsm = await jetstreamManager(ctx.nc);
  const mine = ctx.prefix.toUpperCase();
  const counts: Record<string, number> = {};
  for await (const s of jsm.streams.list()) {
    const name = s.config.name;
    const upper = name.toUpperCase();
    if (![mine, `KV_${mine}`, `OBJ_${mine}`].some((p) => upper.startsWith(p))) continue;
    counts[name] = await snapshotStream(ctx.nc, name, join(dir, 'jetstream', `${name}.jsonl`));
  }
  ctx.log.info({ dir, configFiles, streams: counts }, 'backed up state files');
}
