/**
 * `systack restore <folder>`: a backup restored onto an empty store. The JetStream snapshot
 * (`jetstream/`, `restoreSnapshot`) and, with `storage_backend: mongodb`, the `mongodump` folder
 * (`mongo_dump/<mongo_db>/`, `restoreMongoDump`); each checked record for record against the
 * backup's digests. `systack recover --restore` uses the same `restoreBackup`.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { adminAuth, writeServerAuthConfig } from '../../bus/credentials.ts';
import { discoverEmbeddedNats } from '../../bus/discover.ts';
import { startEmbeddedNats } from '../../bus/embedded.ts';
import { loadConfig } from '../../config/load.ts';
import { mongoDatabase, selectedStorage } from '../../store/backend.ts';
import { readManifest, restoreSnapshot } from '../../store/jetstream/restore.ts';
import { dumpDatabaseFolder, restoreMongoDump } from '../../store/mongo/restore-dump.ts';
import { withBus } from '../context.ts';
import { CliError, printResult } from '../output.ts';

/** The JetStream snapshot inside a backup folder: the folder itself or its `jetstream/`. */
export function snapshotFolder(path: string): string | undefined {
  const dir = resolve(path);
  if (existsSync(join(dir, 'manifest.json'))) return dir;
  if (existsSync(join(dir, 'jetstream', 'manifest.json'))) return join(dir, 'jetstream');
  return undefined;
}

export interface RestoredPart {
  part: 'jetstream' | 'mongodb';
  name: string;
  records: number;
  digest_matches: boolean;
}

/**
 * Restore what a backup folder holds into the connected system (JetStream on `nc`, and the
 * selected MongoDB database when `storage_backend: mongodb`). Every file is read and checked
 * before its target is touched; a non-empty target is refused unless `replace`.
 */
export async function restoreBackup(
  nc: Parameters<typeof restoreSnapshot>[0],
  folder: string,
  opts: { replace: boolean; prefix: string; mongoDb?: string },
): Promise<RestoredPart[]> {
  const snapshot = snapshotFolder(folder);
  if (snapshot) {
    const { prefix } = await readManifest(snapshot);
    if (prefix !== opts.prefix)
      throw new CliError(
        `the backup is of the system with subject_prefix '${prefix}', this one's is '${opts.prefix}': set subject_prefix to restore it`,
      );
  }
  const onMongo = selectedStorage().backend === 'mongodb' && opts.mongoDb !== undefined;
  const dump = onMongo ? tryDumpFolder(resolve(folder), opts.mongoDb!) : undefined;
  if (!snapshot && !dump)
    throw new CliError(
      `${resolve(folder)}: nothing to restore here (expected manifest.json or jetstream/manifest.json` +
        (onMongo ? `, or mongo_dump/${opts.mongoDb}/)` : ')'),
    );
  const out: RestoredPart[] = [];
  if (dump) {
    const rs = await restoreMongoDump(await mongoDatabase(), dump, { replace: opts.replace });
    for (const r of rs)
      out.push({ part: 'mongodb', name: r.name, records: r.documents, digest_matches: r.matches });
  }
  if (snapshot) {
    const r = await restoreSnapshot(nc, snapshot, { replace: opts.replace });
    for (const s of r.streams)
      out.push({ part: 'jetstream', name: s.name, records: s.messages, digest_matches: s.matches });
  }
  return out;
}

function tryDumpFolder(dir: string, db: string): string | undefined {
  try {
    return dumpDatabaseFolder(dir, db);
  } catch {
    return undefined; // no dump in this backup: the JetStream snapshot alone is restored
  }
}

/**
 * Run `fn` on the system's bus: the running system's, `--nats-url`'s, or an embedded
 * nats-server started on `data_dir` for the duration (restore and recover with nothing running).
 */
export async function withSystemBus<T>(
  natsUrl: string | undefined,
  processName: string,
  fn: Parameters<typeof withBus<T>>[1],
): Promise<T> {
  const config = loadConfig();
  const dataDir = resolve(config.system.data_dir);
  const running = natsUrl ?? config.system.nats_url ?? discoverEmbeddedNats(dataDir);
  const server = running
    ? undefined
    : await startEmbeddedNats({
        storeDir: join(dataDir, 'jetstream'),
        portsDir: dataDir,
        port: 0,
        configFile: writeServerAuthConfig(dataDir, config.system.subject_prefix),
        readyAuth: adminAuth(dataDir),
      });
  try {
    // Restoring recreates every stream and writes every subject: the admin's role; no log lines
    // shipped, so the store stays empty until the restore.
    return await withBus(
      { natsUrl: running ?? server?.url, processName, shipLogs: false, role: 'admin' },
      fn,
    );
  } finally {
    await server?.stop();
  }
}

export function register(program: Command): void {
  program
    .command('restore <folder>')
    .description(
      'Restore a backup (a dated backup folder, its jetstream/, or with storage_backend: mongodb its mongo_dump/) onto an empty store; ' +
        'starts the embedded nats-server on data_dir when no system is running',
    )
    .option(
      '--replace',
      'delete the streams / collections the backup holds before restoring them (destroys what is there)',
    )
    .option('--nats-url <url>', 'NATS server (default: config, the running system, or embedded on data_dir)')
    .option('--json', 'print JSON')
    .action(async (folder: string, o: { replace?: boolean; natsUrl?: string; json?: boolean }) => {
      await withSystemBus(o.natsUrl, 'restore', async ({ nc, config, prefix }) => {
        const parts = await restoreBackup(nc, folder, {
          replace: o.replace ?? false,
          prefix,
          mongoDb: config.system.mongo_db,
        });
        if (o.json) return printResult(parts, { json: true });
        printResult(parts);
        const records = parts.reduce((n, p) => n + p.records, 0);
        process.stdout.write(
          `restored ${records} records into ${parts.length} streams / collections; every digest matches the backup\n`,
        );
      });
    });
}
