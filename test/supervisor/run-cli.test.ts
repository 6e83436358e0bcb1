// `systack run` end to end: the real CLI as a child process, the production registry's real
// cleaners and backups, the window / previous-process rules, and `systack control` over NATS.
import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProcessStore } from '../../actors/supervisor/process-store.ts';
import { startTestNats, type TestNats } from '../support/nats.ts';

let nats: TestNats;
let store: ProcessStore;
let dir: string;
const T = '2026-11-20T20:30:00Z';

function systack(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(process.cwd(), 'bin/systack.js'), ...args], {
      cwd: dir,
      env: {
        ...process.env,
        SYSTACK_PRIVATE_DIR: join(dir, 'private'),
        SYSTACK_CLOCK_START: T,
        SYSTACK_CLOCK_SPEED: '1',
        ...env,
      },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

beforeAll(async () => {
  nats = await startTestNats();
  store = await ProcessStore.open(await nats.connect('e2e'), 'systack');
  dir = mkdtempSync(join(tmpdir(), 'systack-run-'));
  mkdirSync(join(dir, 'private'));
  mkdirSync(join(dir, 'echos'));
  writeFileSync(
    join(dir, 'private', 'private_config.yaml'),
    `data_dir: ${dir}/data\necho_directory: ${dir}/echos\noffsystem_backup_directory: ${dir}/offsite\nbacktest_store_directory: ${dir}/bt\n`,
  );
  const old = join(dir, 'echos', 'run_systems.txt');
  writeFileSync(old, 'yesterday');
  const yesterday = (Date.parse(T) - 86_400_000) / 1000;
  utimesSync(old, yesterday, yesterday);
});
afterAll(async () => nats?.stop());

describe('systack run', () => {
  it('waits for the previous process: exits not-started (3) past its window', async () => {
    const r = await systack(['run', 'run_cleaners', '--nats-url', nats.url, '--json'], {
      SYSTACK_CLOCK_START: '2026-11-20T23:55:00Z',
    });
    expect(r.code).toBe(3);
    expect(JSON.parse(r.stdout)).toEqual({
      process: 'run_cleaners',
      outcome: 'not-started',
      reason: 'past stop time',
    });
  });

  it('a supervised process stops when its supervisor goes away (stdin closed)', async () => {
    const child = spawn(
      process.execPath,
      [join(process.cwd(), 'bin/systack.js'), 'run', 'run_backups', '--nats-url', nats.url, '--json'],
      {
        cwd: dir,
        env: {
          ...process.env,
          SYSTACK_PRIVATE_DIR: join(dir, 'private'),
          SYSTACK_CLOCK_START: T,
          SYSTACK_SUPERVISED: '1',
        },
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    // run_backups waits for run_cleaners, which has not run yet
    await new Promise((r) => setTimeout(r, 1500)); // let it start waiting (EOF earlier works too)
    child.stdin.end();
    expect(await exited).toBe(3);
    expect(JSON.parse(stdout)).toEqual({
      process: 'run_backups',
      outcome: 'not-started',
      reason: 'status is STOP',
    });
    expect(stderr).toContain('supervisor gone; stopping');
  });

  it('runs run_cleaners once its previous process finished, then run_backups after it', async () => {
    await store.updateRecord('run_strategy_order_generator', {
      lastStart: Date.parse(T) - 600_000,
      lastEnd: Date.parse(T) - 60_000,
    });
    const r = await systack(['run', 'run_cleaners', '--nats-url', nats.url, '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ outcome: 'finished', reason: 'all methods finished' });
    expect(readdirSync(join(dir, 'echos'))).toEqual(['run_systems.txt.20261119']);
    const rec = await store.getRecord('run_cleaners');
    expect(rec).toMatchObject({ lastOutcome: 'finished', recentlyCrashed: false });
    expect(rec.lastEnd! - Date.parse(T)).toBeLessThan(60_000);

    const b = await systack(['run', 'run_backups', '--nats-url', nats.url, '--json']);
    expect(b.code).toBe(0);
    const backup = join(dir, 'offsite', '2026-11-20');
    expect(existsSync(join(backup, 'config', 'config', 'control.yaml'))).toBe(true);
    expect(existsSync(join(backup, 'config', 'private', 'private_config.yaml'))).toBe(true);
    expect(existsSync(join(backup, 'csv', 'capital', 'total_capital.csv'))).toBe(true);
    const kv = readFileSync(join(backup, 'jetstream', 'streams', 'KV_SYSTACK_PROCESS_CONTROL.jsonl'), 'utf8')
      .trim()
      .split('\n');
    const subjects = kv.map((l) => (JSON.parse(l) as { subject: string }).subject);
    expect(subjects).toContain('$KV.SYSTACK_PROCESS_CONTROL.record.run_cleaners');
  });

  it('an unknown process is a usage error (exit 2)', async () => {
    const r = await systack(['run', 'run_nothing', '--nats-url', nats.url]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown process 'run_nothing'");
  });
});
