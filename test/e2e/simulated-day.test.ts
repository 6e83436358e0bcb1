import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { RunSummary } from '../../actors/simulation.ts';
import { JetStreamProcessStore as ProcessStore } from '../../actors/supervisor/process-store.ts';
import { connectNats } from '../../src/bus/connection.ts';
import { readCredentialsFile, roleCredentialsFile } from '../../src/bus/credentials.ts';

/** The last top-level JSON object printed on stdout. */
function lastJson(stdout: string): unknown {
  const start = stdout.lastIndexOf('\n{\n');
  return JSON.parse(stdout.slice(start >= 0 ? start + 1 : stdout.indexOf('{')));
}

/** Once the stack handler holds its lease and has run a while, kill -9 it; its pid (0: never). */
async function killStackHandlerOnce(
  stdout: () => string,
  dataDir: string,
  exited: Promise<unknown>,
): Promise<number> {
  let done = false;
  void exited.then(() => (done = true));
  while (!done && !stdout().includes('"nats_url"')) await sleep(100);
  if (done) return 0;
  const url = /"nats_url":\s*"([^"]+)"/.exec(stdout())![1]!;
  const admin = readCredentialsFile(roleCredentialsFile(dataDir, 'admin'));
  const nc = await connectNats({ url, name: 'day-killer', user: admin.user, pass: admin.password });
  try {
    const store = await ProcessStore.open(nc, 'systack');
    for (let seen = 0; !done; await sleep(250)) {
      const lease = await store.getLease('run_stack_handler').catch(() => undefined);
      if (!lease) continue;
      if (++seen < 8) continue; // two seconds into its session (about half an hour simulated)
      process.kill(lease.pid, 'SIGKILL');
      return lease.pid;
    }
    return 0;
  } finally {
    await nc.close().catch(() => undefined);
  }
}

describe('systack start: a full simulated trading day', () => {
  it('runs prices, capital, systems, orders, the stack handler (killed -9 once mid-session) and end of day; ends with an empty stack and positions equal to fills', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'systack-day-'));
    const priv = join(dir, 'private');
    rmSync(priv, { recursive: true, force: true });
    const { mkdirSync } = await import('node:fs');
    mkdirSync(priv);
    writeFileSync(
      join(priv, 'private_config.yaml'),
      [
        `data_dir: ${join(dir, 'data')}`,
        `backtest_store_directory: ${join(dir, 'backtests')}`,
        `csv_backup_directory: ${join(dir, 'backup')}`,
        `mongo_dump_directory: ${join(dir, 'dump')}`,
        `echo_directory: ${join(dir, 'echos')}`,
        'log_level: warn',
      ].join('\n'),
    );
    const child = spawn(
      process.execPath,
      ['bin/systack.js', 'start', '--days', '1', '--speed', '1000', '--json', '--no-monitor'],
      { env: { ...process.env, SYSTACK_PRIVATE_DIR: priv }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-20_000)));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    // Mid-session the stack handler is killed -9: `start --days 1` waits for its restart and
    // completes the day (issue 17 §2), reporting the crash in its summary.
    const killed = killStackHandlerOnce(() => stdout, join(dir, 'data'), exited);
    const code = await exited;
    expect(code, stderr).toBe(0);
    expect(await killed, stderr).toBeGreaterThan(0);
    const summary = lastJson(stdout) as RunSummary & {
      supervision: { processes: Record<string, { launches: number; crashes: number }> };
    };
    expect(summary.supervision.processes.run_stack_handler!.crashes).toBeGreaterThanOrEqual(1);
    expect(summary.supervision.processes.run_stack_handler!.launches).toBeGreaterThanOrEqual(2);
    // The strategy traded: orders were generated in the evening and filled the next day.
    expect(summary.fills).toBeGreaterThan(0);
    expect(summary.strategy_positions.length).toBeGreaterThan(0);
    // End of day: nothing left on the stack or in the request queue.
    expect(summary.active_orders_on_stack).toBe(0);
    expect(summary.queued_order_requests).toBe(0);
    // Positions are the sum of fills, and agree with the (simulated) broker.
    expect(summary.positions_equal_fills).toBe(true);
    expect(summary.contract_positions.map((p) => [p.instrument_code, p.position])).toEqual(
      summary.broker_positions.map((p) => [p.instrument_code, p.position]),
    );
    const byInstrument = new Map<string, number>();
    for (const p of summary.contract_positions)
      byInstrument.set(p.instrument_code, (byInstrument.get(p.instrument_code) ?? 0) + p.position);
    for (const s of summary.strategy_positions) expect(byInstrument.get(s.instrument_code)).toBe(s.position);
    rmSync(dir, { recursive: true, force: true });
  }, 240_000);
});
