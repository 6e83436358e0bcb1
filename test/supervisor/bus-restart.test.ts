// The bus going away under `systack supervise` (embedded nats-server with generated
// credentials): kill -9 of nats-server → the supervisor restarts it on the same store and port,
// a client reconnects, the stack handler's lease carries on; past nats_restart_limit the
// supervisor stops everything with a critical line and exits 1 instead of looping on timeouts.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NatsConnection } from '@nats-io/transport-node';
import { afterAll, describe, expect, it } from 'vitest';
import { pidAlive } from '../../actors/supervisor/children.ts';
import { type HeldLease, ProcessStore } from '../../actors/supervisor/process-store.ts';
import { connectNats } from '../../src/bus/connection.ts';
import { readCredentialsFile, roleCredentialsFile } from '../../src/bus/credentials.ts';
import { until } from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'systack-busrestart-'));
const dataDir = join(dir, 'data');
let daemon: ChildProcess | undefined;
let nc: NatsConnection | undefined;

afterAll(async () => {
  await nc?.close().catch(() => undefined);
  daemon?.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true, maxRetries: 20, retryDelay: 250 });
});

/** PIDs of the live nats-servers that wrote a ports file into the data directory. */
function livePortsPids(): number[] {
  return readdirSync(dataDir)
    .map((f) => /^nats-server_(\d+)\.ports$/.exec(f)?.[1])
    .filter((p): p is string => p !== undefined)
    .map(Number)
    .filter(pidAlive);
}

describe('systack supervise: the embedded nats-server dies', () => {
  it('is restarted on the same store, clients reconnect and leases continue; past the limit everything stops', async () => {
    mkdirSync(join(dir, 'private'));
    writeFileSync(
      join(dir, 'private', 'private_config.yaml'),
      [
        `data_dir: ${dataDir}`,
        `echo_directory: ${dir}/echos`,
        `offsystem_backup_directory: ${dir}/offsite`,
        `backtest_store_directory: ${dir}/bt`,
        'nats_restart_limit: 1',
        'log_level: warn',
        '',
      ].join('\n'),
    );
    daemon = spawn(
      process.execPath,
      [
        join(process.cwd(), 'bin/systack.js'),
        'supervise',
        '--start',
        '2026-11-20T10:00:00Z',
        '--no-monitor',
        '--json',
      ],
      {
        cwd: dir,
        env: { ...process.env, SYSTACK_PRIVATE_DIR: join(dir, 'private') },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    daemon.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    daemon.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => daemon!.once('exit', (code) => resolve(code)));
    await until(() => stdout.includes('"nats_url"'), 60_000);
    const url = (JSON.parse(stdout) as { nats_url: string }).nats_url;
    const admin = readCredentialsFile(roleCredentialsFile(dataDir, 'admin'));
    nc = await connectNats({ url, name: 'bus-restart-test', user: admin.user, pass: admin.password });
    const store = await ProcessStore.open(nc, 'systack');

    // The stack handler's window is open at 10:00: it runs and heartbeats its lease.
    await until(
      async () => (await store.getLease('run_stack_handler').catch(() => undefined)) !== undefined,
      60_000,
    );
    const lease = (await store.getLease('run_stack_handler'))!;
    const [first] = livePortsPids();
    expect(first).toBeGreaterThan(0);

    process.kill(first!, 'SIGKILL');
    await until(() => livePortsPids().some((p) => p !== first), 30_000);
    // Same port, so the same URL; our connection reconnects by itself.
    await until(
      async () => (await store.getLease('run_stack_handler').catch(() => undefined)) !== undefined,
      30_000,
    );
    // The stack handler carries on: the same holder heartbeats on (a later revision, never marked
    // crashed), or, when one of its methods timed out while the bus was away (a slow machine),
    // it failed and the supervisor relaunched it under its restart policy.
    let after: HeldLease | undefined;
    await until(async () => {
      after = await store.getLease('run_stack_handler').catch(() => undefined);
      return after !== undefined && (after.pid !== lease.pid || after.revision > lease.revision + 1);
    }, 60_000);
    if (after!.pid === lease.pid) {
      expect((await store.getRecord('run_stack_handler')).recentlyCrashed).toBe(false);
    } else {
      expect(stderr).toMatch(/run_stack_handler (crashed|died)/);
    }
    expect(stderr).toContain('nats-server died');

    // A second death is past nats_restart_limit 1: everything stops, exit 1, no timeout loop.
    const second = livePortsPids().find((p) => p !== first)!;
    process.kill(second, 'SIGKILL');
    expect(await exited).toBe(1);
    daemon = undefined;
    expect(stderr).toContain('message bus gone');
    expect(stderr).toContain('the message bus is gone');
    expect(stderr).toContain('supervisor stopped.');
    expect(stderr).not.toContain('supervisor tick failed');
    expect(pidAlive(after!.pid)).toBe(false);
  }, 240_000);
});
