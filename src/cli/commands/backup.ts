/**
 * `systack backup run / list`: run_backups' methods now, and the dated backup folders kept
 * (`systack restore` is in `restore.ts`).
 */
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
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
import { loadConfig } from '../../config/load.ts';
import { readManifest } from '../../store/jetstream/restore.ts';
import { withBus } from '../context.ts';
import { printResult, UsageError } from '../output.ts';

const PARTS: Record<string, { method: string; run: ProcessMethod }> = {
  jetstream: { method: 'backup_jetstream', run: backupJetstream },
  csv: { method: 'backup_db_to_csv', run: backupDbToCsv },
  config: { method: 'backup_files', run: backupFiles },
  mongo: { method: 'backup_mongo_data_as_dump', run: backupMongoDataAsDump },
};

export function register(program: Command): void {
  const backup = program.command('backup').description('Backups of the whole system (run_backups)');
  backup
    .command('run')
    .description(
      'Back up now: JetStream state, CSV copies of the data, configuration without secrets, and with storage_backend: mongodb a mongodump-compatible dump',
    )
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
          mongo_dump: existsSync(join(dir, 'mongo_dump')),
          csv: existsSync(join(dir, 'csv')),
          config: existsSync(join(dir, 'config')),
          folder: dir,
        });
      }
      printResult(rows, { json: o.json });
    });
}
