/**
 * `systack backup run`, `systack restore` and `systack recover --yes` as a trader runs them on
 * the MongoDB backend: the mongodump backup of a database is restored after the database is
 * wiped, record for record; a second restore onto the restored data is refused; recover then
 * checks the system and says what it did; a whole backup then holds no secret value in any file.
 */
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CapitalRow } from '../../src/domain/capital/total-capital.ts';
import { openMongo } from '../../src/store/mongo/json-collection.ts';
import { MongoProcessStore } from '../../src/store/mongo/process-control.ts';
import { databaseDigest } from '../../src/store/mongo/restore-dump.ts';
import { MongoCapitalStore } from '../../src/store/mongo/stores.ts';
import { type FakeMongo, startFakeMongo } from '../fixtures/mongo-wire/server.ts';
import { runSystack } from '../support/cli.ts';
import { startTestNats, type TestNats } from '../support/nats.ts';

let nats: TestNats;
const SECRETS = {
  broker_account: 'U7777777',
  email_pwd: 'pw-never-in-a-backup-77',
  quandl_key: 'qk-never-in-a-backup-88',
};
let fake: FakeMongo;
let dir: string;

const systack = (args: string[]) => runSystack(args, { cwd: dir });

beforeAll(async () => {
  [nats, fake] = await Promise.all([startTestNats(), startFakeMongo()]);
  dir = mkdtempSync(join(tmpdir(), 'systack-restore-'));
  writeFileSync(
    join(dir, 'private_config.yaml'),
    [
      `nats_url: ${nats.url}`,
      'storage_backend: mongodb',
      `mongo_host: "${fake.url}"`,
      'mongo_db: prod',
      `offsystem_backup_directory: ${join(dir, 'backups')}`,
      ...Object.entries(SECRETS).map(([k, v]) => `${k}: ${v}`),
      '',
    ].join('\n'),
  );
}, 60_000);
afterAll(async () => {
  await Promise.all([nats?.stop(), fake?.stop()]);
});

describe('backup, wipe, restore and recover on MongoDB (CLI)', () => {
  it('restores the dump record for record, refuses a second restore, and recovers', async () => {
    const m = await openMongo({ url: fake.url, db: 'prod' });
    await new MongoCapitalStore(m.db).appendTotal({
      timestamp: 1,
      kind: 'update',
      total_capital: 5,
    } as CapitalRow);
    await new MongoProcessStore(m.db).updateRecord('run_systems', { lastEnd: 7 });
    const before = await databaseDigest(m.db);

    const backup = await systack(['backup', 'run', '--only', 'mongo', '--json']);
    expect(backup.code).toBe(0);
    const { folder } = JSON.parse(backup.stdout) as { folder: string };
    await m.db.dropDatabase();
    expect((await databaseDigest(m.db)).size).toBe(0);

    const restore = await systack(['restore', folder]);
    expect(restore.stderr).toBe('');
    expect(restore.stdout).toMatch(/every digest matches the backup/);
    expect(await databaseDigest(m.db)).toEqual(before);
    expect((await new MongoCapitalStore(m.db).totalHistory()).map((r) => r.total_capital)).toEqual([5]);

    const again = await systack(['restore', folder]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/the target is not empty: .*capital/);
    expect(await databaseDigest(m.db)).toEqual(before);

    const recover = await systack(['recover', '--yes', '--updates', 'none', '--json']);
    expect(recover.code).toBe(0);
    const steps = JSON.parse(recover.stdout) as Array<{ step: string; did: string }>;
    expect(steps.map((s) => s.step)).toEqual([
      'storage',
      'processes',
      'broker',
      'end_of_day',
      'positions',
      'updates',
    ]);
    expect(steps[0]!.did).toMatch(/^mongodb 'prod': reachable, \d+ collections; jetstream: \d+ streams$/);
    expect(steps.slice(3).map((s) => s.did)).toEqual([
      'stacks empty: nothing to end',
      'positions match the broker: no breaks',
      'not asked to rerun updates',
    ]);

    // Every part of a backup (JetStream, CSV, configuration, mongodump): no secret value anywhere.
    const all = await systack(['backup', 'run', '--json']);
    expect(all.code).toBe(0);
    const files = readdirSync(folder, { recursive: true, withFileTypes: true }).filter((f) => f.isFile());
    expect(files.map((f) => f.name)).toEqual(
      expect.arrayContaining(['private_config.yaml', 'capital.bson', 'manifest.json']),
    );
    for (const f of files) {
      const text = readFileSync(join(f.parentPath, f.name)).toString('latin1');
      for (const secret of Object.values(SECRETS))
        expect(text, `${f.name} holds a secret`).not.toContain(secret);
      expect(statSync(join(f.parentPath, f.name)).mode & 0o777).toBe(0o600);
    }
    await m.close();
  }, 180_000);
});
