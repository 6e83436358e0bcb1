/**
 * run_backups (production doc "Data backup", "Backup state files", "Backup Arctic data to .csv
 * files", "Backup mongo dump"), one dated folder a day under `offsystem_backup_directory`:
 *   <base>/<YYYY-MM-DD>/jetstream/  backup_jetstream: every stream, KV bucket and object store of
 *                                   the system, restorable with `systack restore` (the
 *                                   counterpart of the reference's mongo dump)
 *   <base>/<YYYY-MM-DD>/csv/        backup_db_to_csv: prices in pysystemtrade's layout, capital,
 *                                   positions, fills and historic orders
 *   <base>/<YYYY-MM-DD>/config/     backup_files: the configuration, secrets removed
 *   <base>/<YYYY-MM-DD>/mongo_dump/ backup_mongo_data_as_dump, with storage_backend mongodb:
 *                                   `mongodump`-compatible output of mongo_db (`mongorestore`
 *                                   reads it); with jetstream there is no database to dump
 * Files are mode 600, folders 700. Each method then deletes dated folders older than
 * `backup_retention_days`.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { defaultConfigDir, defaultPrivateDir } from '../../src/config/load.ts';
import { SECRET_KEYS } from '../../src/config/schema.ts';
import { mongoDatabase, selectedStorage } from '../../src/store/backend.ts';
import { PRIVATE_DIR, PRIVATE_FILE, writeSnapshot } from '../../src/store/jetstream/snapshot.ts';
import { writeMongoDump } from '../../src/store/mongo/dump.ts';
import { backupToCsv } from '../backup/csv-backup.ts';
import type { MethodContext } from '../process-methods.ts';

const DAY_MS = 86_400_000;
const DATED = /^\d{4}-\d{2}-\d{2}$/;

export function backupBase(ctx: Pick<MethodContext, 'system'>): string {
  return resolve(ctx.system.offsystem_backup_directory ?? join(ctx.system.data_dir, 'backup'));
}

/** Today's backup folder (the injected clock's date, UTC). */
export function backupDirectory(ctx: Pick<MethodContext, 'system' | 'clock'>): string {
  return join(backupBase(ctx), new Date(ctx.clock.now()).toISOString().slice(0, 10));
}

/**
 * A YAML config file with every secret key removed and every secret value scrubbed from what
 * remains (a secret can sit inside another value, a URL with a password say).
 */
export function withoutSecrets(
  text: string,
  secretValues: readonly string[],
): { text: string; removed: string[] } {
  const doc = parseDocument(text);
  const removed: string[] = [];
  for (const k of SECRET_KEYS) {
    if (doc.has(k)) {
      doc.delete(k);
      removed.push(k);
    }
  }
  let out = doc.toString();
  for (const v of secretValues) if (v.length >= 4) out = out.split(v).join('[redacted]');
  const header = removed.length
    ? `# systack backup: secret keys removed (${removed.join(', ')}); set them again after a restore.\n`
    : '';
  return { text: header + out, removed };
}

async function copyConfig(from: string, to: string, secretValues: readonly string[]): Promise<number> {
  if (!existsSync(from)) return 0;
  let n = 0;
  for (const f of await readdir(from)) {
    if (!/\.ya?ml$/.test(f)) continue;
    await mkdir(to, PRIVATE_DIR);
    const { text } = withoutSecrets(await readFile(join(from, f), 'utf8'), secretValues);
    await writeFile(join(to, f), text, PRIVATE_FILE);
    n++;
  }
  return n;
}

/** Delete dated backup folders older than the retention; returns the folders deleted. */
export async function applyRetention(base: string, now: number, days: number): Promise<string[]> {
  if (!existsSync(base)) return [];
  const cutoff = now - days * DAY_MS;
  const gone: string[] = [];
  for (const name of await readdir(base)) {
    if (!DATED.test(name)) continue;
    const t = Date.parse(`${name}T00:00:00Z`);
    if (Number.isFinite(t) && t + DAY_MS <= cutoff) {
      await rm(join(base, name), { recursive: true, force: true });
      gone.push(name);
    }
  }
  return gone.sort();
}

async function retain(ctx: MethodContext): Promise<void> {
  const gone = await applyRetention(backupBase(ctx), ctx.clock.now(), ctx.system.backup_retention_days);
  if (gone.length) ctx.log.info({ deleted: gone }, 'old backups deleted');
}

export async function backupFiles(ctx: MethodContext): Promise<void> {
  const dir = join(backupDirectory(ctx), 'config');
  const secrets = SECRET_KEYS.map((k) => ctx.system[k]).filter(
    (v): v is string => typeof v === 'string' && v.length > 0,
  );
  const files =
    (await copyConfig(defaultConfigDir(), join(dir, 'config'), secrets)) +
    (await copyConfig(defaultPrivateDir(), join(dir, 'private'), secrets));
  ctx.log.info({ dir, files }, 'backed up configuration (secrets removed)');
  await retain(ctx);
}

export async function backupJetstream(ctx: MethodContext): Promise<void> {
  const dir = join(backupDirectory(ctx), 'jetstream');
  const manifest = await writeSnapshot(ctx.nc, ctx.prefix, dir, ctx.clock.now());
  const messages = manifest.streams.reduce((n, s) => n + s.messages, 0);
  ctx.log.info({ dir, streams: manifest.streams.length, messages }, 'backed up JetStream state');
  await retain(ctx);
}

export async function backupMongoDataAsDump(ctx: MethodContext): Promise<void> {
  if (selectedStorage().backend !== 'mongodb') {
    ctx.log.info(
      'storage_backend is jetstream: no MongoDB database to dump (backup_jetstream holds the data)',
    );
    return;
  }
  const dir = join(backupDirectory(ctx), 'mongo_dump');
  const collections = await writeMongoDump(await mongoDatabase(), dir);
  const documents = collections.reduce((n, c) => n + c.documents, 0);
  ctx.log.info({ dir, collections: collections.length, documents }, 'backed up MongoDB (mongodump layout)');
  await retain(ctx);
}

export async function backupDbToCsv(ctx: MethodContext): Promise<void> {
  const dir = join(backupDirectory(ctx), 'csv');
  const counts = await backupToCsv(ctx.nc, ctx.prefix, dir, Object.keys(ctx.system.strategy_list));
  ctx.log.info({ dir, ...counts }, 'backed up data to CSV');
  await retain(ctx);
}
