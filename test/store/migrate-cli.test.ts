/**
 * `systack migrate` as a trader runs it: a dry run writes nothing, the copy reports every space
 * matching, a second run writes nothing, bad flags are usage errors.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JetStreamCapitalStore } from '../../src/store/capital-store.ts';
import { openMongo } from '../../src/store/mongo/json-collection.ts';
import { MongoCapitalStore } from '../../src/store/mongo/stores.ts';
import type { CapitalRow } from '../../src/domain/capital/total-capital.ts';
import { type FakeMongo, startFakeMongo } from '../fixtures/mongo-wire/server.ts';
import { runSystack } from '../support/cli.ts';
import { startTestNats, type TestNats } from '../support/nats.ts';

let nats: TestNats;
let fake: FakeMongo;
let dir: string;

const systack = (args: string[]) => runSystack(args, { cwd: dir });

describe('systack migrate (CLI)', () => {
  beforeAll(async () => {
    [nats, fake] = await Promise.all([startTestNats(), startFakeMongo()]);
    dir = mkdtempSync(join(tmpdir(), 'systack-migrate-'));
    writeFileSync(
      join(dir, 'private_config.yaml'),
      `nats_url: ${nats.url}\nmongo_host: "${fake.url}"\nmongo_db: cli\noffsystem_backup_directory: /tmp\n`,
    );
    const capital = await JetStreamCapitalStore.open(await nats.connect(), 'systack');
    await capital.appendTotal({ timestamp: 1, kind: 'update', total_capital: 5 } as CapitalRow);
  }, 60_000);
  afterAll(async () => {
    await Promise.all([nats?.stop(), fake?.stop()]);
  });

  it('dry run, copy, copy again', async () => {
    const dry = await systack(['migrate', '--from', 'jetstream', '--to', 'mongodb', '--dry-run', '--json']);
    expect(dry.stderr).toBe('');
    expect(JSON.parse(dry.stdout)).toMatchObject({ dry_run: true, written: 1 });
    const copy = await systack(['migrate', '--from', 'jetstream', '--to', 'mongodb']);
    expect(copy.code).toBe(0);
    expect(copy.stdout).toMatch(
      /copied 1 records from jetstream to mongodb; every count and checksum matches/,
    );
    const m = await openMongo({ url: fake.url, db: 'cli' });
    expect((await new MongoCapitalStore(m.db).totalHistory()).map((r) => r.total_capital)).toEqual([5]);
    await m.close();
    const again = await systack(['migrate', '--from', 'jetstream', '--to', 'mongodb', '--json']);
    expect(JSON.parse(again.stdout)).toMatchObject({ written: 0 });
    const bad = await systack(['migrate', '--from', 'jetstream', '--to', 'jetstream']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/--from and --to are both jetstream/);
  }, 120_000);
});
