/**
 * `systack backup run / list` and `systack restore <folder>`: run_backups' methods now, the
 * dated backup folders kept, and a restore of a JetStream backup onto an empty store, checked
 * stream by stream against the backup's digests.
 */
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import {
  backupBase,
  backupDbToCsv,
  backupFiles,
  backupJetstream,
  backupMongoDataAsDump,
} from '../../../actors/process-methods/backups.ts';
import { oneOffMethodContext, type ProcessMethod } from '../../../actors/process-methods/types.ts';
import { resolveProcessClock } from '../../../actors/supervisor/clock-sync.ts';
import { ProcessStore } from '../../../actors/supervisor/process-store.ts';
import { adminAuth, writeServerAuthConfig } from '../../bus/credentials.ts';
import { discoverEmbeddedNats } from '../../bus/discover.ts';
import { startEmbeddedNats } from '../../bus/embedded.ts';
import { loadConfig } from '../../config/load.ts';
import { readManifest, restoreSnapshot } from '../../store/jetstream/restore.ts';
import { withBus } from '../context.ts';
import { CliError, printResult, UsageError } from '../output.ts';

const PARTS: Record<string, { method: string; run: ProcessMethod }> = {
  jetstream: { method: 'backup_jetstream', run: backupJetstream },
  csv: { method: 'backup_db_to_csv', run: backupDbToCsv },
  config: { method: 'backup_files', run: backupFiles },
  mongo: { method: 'backup_mongo_data_as_dump', run: backupMongoDataAsDump },
};

/** The JetStream snapshot inside a backup folder: the folder itself or its `jetstream/`. */
export function snapshotFolder(path: string): string {
  const dir = resolve(path);
  if (existsSync(join(dir, 'manifest.json'))) return dir;
  if (existsSync(join(dir, 'jetstream', 'manifest.json'))) return join(dir, 'jetstream');
  throw new CliError(`${dir}: no JetStream backup here (expected manifest.json or jetstream/manifest.json)`);
}

export function register(program: Command): void {
  const backup = program.command('backup').description('Backups of the whole system (run_backups)');
  backup
    .command('run')
    .description('Back up now: JetStream state, CSV copies of the data, configuration without secrets')
    .option('--only <part>', `one part only: ${Object.keys(PARTS).join(' | ')}`)
    .option('--nats-url <url>', 'NATS server (default: config or the running system)')
    .option('--json', 'print JSON')
    .action((o: { only?: string; natsUrl?: string; json?: boolean }) => {
      if (o.only !== undefined && !Object.hasOwn(PARTS, o.only))
        throw new UsageError(`--only must be one of ${Object.keys(PARTS).join(', ')}, got '${o.only}'`);
      const parts = o.only ? [o.only] : Object.keys(PARTS);
      return withBus(
        { natsUrl: o.natsUrl, processName: 'run_backups' },
        async ({ nc, config, prefix, log }) => {
          const clock = await resolveProcessClock(process.env, await ProcessStore.open(nc, prefix));
          for (const p of parts) {
            const { method, run } = PARTS[p]!;
            await run(
              oneOffMethodContext({
                process: 'run_backups',
                method,
                clock,
                nc,
                prefix,
                system: config.system,
                log,
              }),
            );
          }
          const base = backupBase({ system: config.system });
          printResult(
            { folder: join(base, new Date(clock.now()).toISOString().slice(0, 10)), parts },
            { json: o.json },
          );
        },
      );
    });

  backup
    .command('list')
    .description('Dated backup folders under offsystem_backup_directory, with what each holds')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      const base = backupBase({ system: loadConfig().system });
      const rows = [];
      for (const name of existsSync(base) ? (await readdir(base)).sort() : []) {
        if (!/^\d{4}-\d{2}-\d{2}$/.test(name)) continue;
        const dir = join(base, name);
        const manifest = existsSync(join(dir, 'jetstream', 'manifest.json'))
          ? await readManifest(join(dir, 'jetstream'))
          : undefined;
        rows.push({
          date: name,
          jetstream_streams: manifest?.streams.length ?? 0,
          jetstream_messages: manifest?.streams.reduce((n, s) => n + s.messages, 0) ?? 0,
          csv: existsSync(join(dir, 'csv')),
          config: existsSync(join(dir, 'config')),
          folder: dir,
        });
      }
      printResult(rows, { json: o.json });
    });

  program
    .command('restore <folder>')
    .description(
      'Restore a JetStream backup (a dated backup folder or its jetstream/) onto an empty store; ' +
        'starts the embedded nats-server on data_dir when no system is running',
    )
    .option('--replace', 'delete the streams the backup holds before restoring them (destroys what is there)')
    .option('--nats-url <url>', 'NATS server (default: config, the running system, or embedded on data_dir)')
    .option('--json', 'print JSON')
    .action(async (folder: string, o: { replace?: boolean; natsUrl?: string; json?: boolean }) => {
      const dir = snapshotFolder(folder);
      const config = loadConfig();
      const { prefix } = await readManifest(dir);
      if (prefix !== config.system.subject_prefix)
        throw new CliError(
          `the backup is of the system with subject_prefix '${prefix}', this one's is '${config.system.subject_prefix}': set subject_prefix to restore it`,
        );
      const dataDir = resolve(config.system.data_dir);
      const running = o.natsUrl ?? config.system.nats_url ?? discoverEmbeddedNats(dataDir);
      const server = running
        ? undefined
        : await startEmbeddedNats({
            storeDir: join(dataDir, 'jetstream'),
            portsDir: dataDir,
            port: 0,
            configFile: writeServerAuthConfig(dataDir, prefix),
            readyAuth: adminAuth(dataDir),
          });
      try {
        await withBus(
          // Restoring recreates every stream and writes every subject: the admin's role.
          { natsUrl: running ?? server?.url, processName: 'restore', shipLogs: false, role: 'admin' },
          async ({ nc }) => {
            const result = await restoreSnapshot(nc, dir, { replace: o.replace ?? false });
            if (o.json) printResult(result, { json: true });
            else {
              printResult(
                result.streams.map((s) => ({
                  stream: s.name,
                  messages: s.messages,
                  digest_matches: s.matches,
                })),
              );
              process.stdout.write(
                `restored ${result.messages} messages into ${result.streams.length} streams; every digest matches the backup\n`,
              );
            }
          },
        );
      } finally {
        await server?.stop();
      }
    });
}
