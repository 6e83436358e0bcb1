// `systack supervise` end to end on a simulated clock: the real daemon launches real
// `systack run` children as windows open and previous processes finish; `systack control`
// talks to it; SIGTERM stops it.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProcessStore } from '../../actors/supervisor/process-store.ts';
import type { ProcessRow } from '../../src/bus/schemas/process-control.ts';
import { startTestNats, type TestNats } from '../support/nats.ts';
import { until } from './helpers.ts';

let nats: TestNats;
let store: ProcessStore;
let dir: string;
let daemon: ChildProcess | undefined;
const START = '2026-11-20T20:19:00Z';
const PORT = 20_000 + Math.floor(Math.random() * 20_000);

const env = () => ({ ...process.env, SYSTACK_PRIVATE_DIR: join(dir, 'private') });
const bin = () => join(process.cwd(), 'bin/systack.js');

beforeAll(async () => {
  nats = await startTestNats();
  store = await ProcessStore.open(await nats.connect('e2e'), 'systack');
  dir = mkdtempSync(join(tmpdir(), 'systack-supervise-'));
  mkdirSync(join(dir, 'private'));
  writeFileSync(
    join(dir, 'private', 'private_config.yaml'),
    `nats_url: ${nats.url}\ndata_dir: ${dir}/data\necho_directory: ${dir}/echos\noffsystem_backup_directory: ${dir}/offsite\nbacktest_store_directory: ${dir}/bt\n`,
  );
  // The order generator ran today (its window opens at 20:10) and finished 3 minutes before the
  // simulated start: only an end since its start time today lets run_cleaners go.
  await store.updateRecord('run_strategy_order_generator', {
    lastStart: Date.parse(START) - 480_000,
    lastEnd: Date.parse(START) - 180_000,
  });
});
afterAll(async () => {
  daemon?.kill('SIGKILL');
  await nats?.stop();
});

describe('systack supervise --speed', () => {
  it('launches run_cleaners then run_backups in order on the simulated clock, and stops on SIGTERM', async () => {
    daemon = spawn(
      process.execPath,
      [bin(), 'supervise', '--speed', '60', '--start', START, '--monitor-port', String(PORT), '--json'],
      {
        cwd: dir,
        env: env(),
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    let stdout = '';
    daemon.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    daemon.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    // Alone this takes ~5 s; CI runs it beside the bus-restart and cluster tests, so allow more.
    await until(async () => (await store.getRecord('run_backups')).lastOutcome === 'finished', 75_000);
    const cleaners = await store.getRecord('run_cleaners');
    const backups = await store.getRecord('run_backups');
    expect(cleaners.lastOutcome).toBe('finished');
    // cleaners opened at 20:20 simulated; backups waited for cleaners to finish
    expect(cleaners.lastStart!).toBeGreaterThanOrEqual(Date.parse('2026-11-20T20:20:00Z'));
    expect(backups.lastStart!).toBeGreaterThanOrEqual(cleaners.lastEnd!);
    // each child's output went to its echo file, not to the supervisor's stderr
    const echo = readFileSync(join(dir, 'echos', 'run_cleaners.txt'), 'utf8');
    expect(echo).toContain('--- run_cleaners launched ');
    expect(echo).toContain('"process":"run_cleaners"');

    const r = spawnSync(process.execPath, [bin(), 'control', 'processes', '--json'], {
      cwd: dir,
      env: env(),
      encoding: 'utf8',
    });
    expect(r.status).toBe(0);
    const rows = JSON.parse(r.stdout) as ProcessRow[];
    expect(rows.find((x) => x.name === 'run_cleaners')).toMatchObject({
      running: false,
      status: 'GO',
      last_outcome: 'finished',
    });
    expect(rows.find((x) => x.name === 'run_stack_handler')?.supervisor).toBe('past stop time');
    const bad = spawnSync(process.execPath, [bin(), 'control', 'status', 'run_reports', 'MAYBE'], {
      cwd: dir,
      env: env(),
      encoding: 'utf8',
    });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('status must be one of GO, STOP, NO-RUN, PAUSE');

    const monitor = (await (await fetch(`http://127.0.0.1:${PORT}/api/monitor`)).json()) as {
      now: string;
      processes: Array<{
        name: string;
        last_outcome: string | null;
        methods: Record<string, { executions: number }>;
      }>;
      timeline_svg: string;
    };
    expect(Date.parse(monitor.now)).toBeGreaterThan(Date.parse('2026-11-20T20:20:00Z'));
    const backupsRow = monitor.processes.find((p) => p.name === 'run_backups');
    expect(backupsRow?.last_outcome).toBe('finished');
    expect(backupsRow?.methods.backup_files?.executions).toBe(1);
    expect(monitor.timeline_svg).toContain('class="run finished"');
    expect(await (await fetch(`http://127.0.0.1:${PORT}/`)).text()).toContain(
      '<title>systack monitor</title>',
    );
    // The machine visualizer is served beside it (docs/visualizer.md).
    const machinesPage = await (await fetch(`http://127.0.0.1:${PORT}/machines`)).text();
    expect(machinesPage).toContain(
      '<svg xmlns="http://www.w3.org/2000/svg" class="machine" data-machine="broker-order"',
    );

    const exited = new Promise<number | null>((resolve) => daemon!.once('exit', (code) => resolve(code)));
    daemon.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stderr).toContain('supervisor stopped.');
    daemon = undefined;
  }, 120_000);
});
