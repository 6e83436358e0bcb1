/**
 * `systack migrate --from <backend> --to <backend>`: copy every catalogued stream, bucket and
 * object store between JetStream and MongoDB (the `mongo_*` keys of the config), checking counts
 * and checksums space by space (`src/store/migrate/`). Run it with the system stopped; starts
 * the embedded nats-server on data_dir when no system is running.
 */
import type { Command } from 'commander';
import { loadConfig } from '../../config/load.ts';
import { mongoUrl } from '../../store/backend.ts';
import { migrate } from '../../store/migrate/migrate.ts';
import { jetstreamSide, MigrateError, mongoSide } from '../../store/migrate/sides.ts';
import { openMongo } from '../../store/mongo/json-collection.ts';
import { CliError, printResult, UsageError } from '../output.ts';
import { withSystemBus } from './restore.ts';

const BACKENDS = ['jetstream', 'mongodb'] as const;
type Backend = (typeof BACKENDS)[number];

function backend(flag: string, v: string | undefined): Backend {
  if (!BACKENDS.includes(v as Backend))
    throw new UsageError(`${flag} must be one of ${BACKENDS.join(', ')}, got '${v}'`);
  return v as Backend;
}

export function register(program: Command): void {
  program
    .command('migrate')
    .description(
      'Copy all data between JetStream and MongoDB (mongo_host / mongo_port / mongo_db), then check counts and checksums; ' +
        'idempotent; run with the system stopped',
    )
    .requiredOption('--from <backend>', `source: ${BACKENDS.join(' | ')}`)
    .requiredOption('--to <backend>', `target: ${BACKENDS.join(' | ')}`)
    .option('--dry-run', 'read both sides and report what would be written; write nothing')
    .option('--nats-url <url>', 'NATS server (default: config, the running system, or embedded on data_dir)')
    .option('--json', 'print JSON')
    .action(async (o: { from?: string; to?: string; dryRun?: boolean; natsUrl?: string; json?: boolean }) => {
      const from = backend('--from', o.from);
      const to = backend('--to', o.to);
      if (from === to) throw new UsageError(`--from and --to are both ${from}`);
      const s = loadConfig().system;
      const mongo = await openMongo({ url: mongoUrl(s), db: s.mongo_db }).catch((err: Error) => {
        throw new CliError(`no MongoDB reachable from mongo_host / mongo_port: ${err.message}`);
      });
      try {
        // Creating streams and buckets and writing every subject: the admin's role (withSystemBus).
        await withSystemBus(o.natsUrl, 'migrate', async ({ nc, prefix }) => {
          const sides = { jetstream: jetstreamSide(nc, prefix), mongodb: mongoSide(mongo.db) };
          try {
            const r = await migrate(sides[from], sides[to], { dryRun: o.dryRun ?? false });
            if (o.json) return printResult(r, { json: true });
            printResult(
              r.spaces.map((x) => ({
                space: x.space,
                kind: x.kind,
                source: x.source,
                target_before: x.target_before,
                [r.dry_run ? 'to_write' : 'written']: x.written,
                target: x.target,
                matches: x.matches,
              })),
            );
            process.stdout.write(
              r.dry_run
                ? `dry run: ${r.written} records would be written from ${from} to ${to}; nothing written\n`
                : `copied ${r.written} records from ${from} to ${to}; every count and checksum matches\n`,
            );
          } catch (err) {
            if (err instanceof MigrateError) throw new CliError(err.message);
            throw err;
          }
        });
      } finally {
        await mongo.close();
      }
    });
}
