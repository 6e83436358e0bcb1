import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { RunSummary } from '../../actors/simulation.ts';
import { JetStreamProcessStore as ProcessStore } from '../../actors/supervisor/process-store.ts';
import { connectNats } from '../../src/bus/connection.ts';
import { readCredentialsFile, roleCredentialsFile } from '../../src/bus/credentials.ts';
import { expectPositionsReconciled, lastJson, runDirectory, startDay } from './day-run.ts';

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
    const { dir, priv } = runDirectory('day');
    const day = startDay(priv, ['--speed', '1000']);
    // Mid-session the stack handler is killed -9: `start --days 1` waits for its restart and
    // completes the day (issue 17 §2), reporting the crash in its summary.
    const killed = killStackHandlerOnce(day.stdout, join(dir, 'data'), day.exited);
    expect(await day.exited, day.stderr()).toBe(0);
    expect(await killed, day.stderr()).toBeGreaterThan(0);
    const summary = lastJson(day.stdout()) as RunSummary & {
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
    expectPositionsReconciled(summary);
    rmSync(dir, { recursive: true, force: true });
  }, 240_000);
});
