/**
 * Process-control figures on a real nats-server: lease acquire + release and heartbeat rates,
 * and how long the supervisor takes to notice a kill -9 of a child and restart it.
 * Run: npx tsx bench/process-lease.ts   (prints JSON)
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import type { ChildLauncher } from '../actors/supervisor/children.ts';
import { AnchoredClock, makeAnchor } from '../actors/supervisor/clock-sync.ts';
import { ProcessStore } from '../actors/supervisor/process-store.ts';
import { Supervisor } from '../actors/supervisor/supervisor.ts';
import type { Logger } from '../src/log/logger.ts';
import { startTestNats } from '../test/support/nats.ts';
import { proc } from '../test/supervisor/helpers.ts';

const nats = await startTestNats();
const nc = await nats.connect('bench');
const store = await ProcessStore.open(nc, 'sv');
const lease = { owner: 'b', pid: process.pid, host: 'h', acquiredAt: 0, heartbeatAt: Date.now() };

const N = 500;
let t = performance.now();
for (let i = 0; i < N; i++) {
  const r = await store.acquireLease('bench', lease);
  if (!r.ok) throw new Error('lease held');
  await store.releaseLease('bench', r.revision);
}
const acquireReleasePerSec = N / ((performance.now() - t) / 1000);

const r = await store.acquireLease('bench', lease);
if (!r.ok) throw new Error('lease held');
let rev = r.revision;
t = performance.now();
for (let i = 0; i < N; i++)
  rev = (await store.heartbeat('bench', { ...lease, heartbeatAt: Date.now() }, rev))!;
const heartbeatsPerSec = N / ((performance.now() - t) / 1000);
await store.releaseLease('bench', rev);

// kill -9 detection and restart by the supervisor
const SCRIPT = fileURLToPath(new URL('../test/support/bin/test-process.ts', import.meta.url));
const TSX = import.meta.resolve('tsx');
const launch: ChildLauncher = (name, env) => {
  const child = spawn(process.execPath, ['--import', TSX, SCRIPT, name], {
    env: { ...process.env, ...env, SYSTACK_TEST_PREFIX: 'sv' },
    stdio: 'ignore',
  });
  return {
    pid: child.pid!,
    exited: new Promise((res) => child.once('exit', (code, signal) => res({ code, signal }))),
    kill: (s) => void child.kill(s),
  };
};
const log = pino({ customLevels: { critical: 55 }, level: 'silent' }) as unknown as Logger;
const sup = new Supervisor({
  store,
  control: {
    timeZone: 'UTC',
    processes: { run_b: proc('run_b', { restart: { mode: 'on-crash', maxRestarts: 5 } }) },
  },
  clock: new AnchoredClock(makeAnchor(Date.parse('2026-11-20T12:00:00Z'), 1)),
  host: 'h',
  launch,
  childEnv: { SYSTACK_NATS_URL: nats.url, SYSTACK_HOST: 'h' },
  log,
  tickMs: 1000,
});
const waitFor = async (pred: () => Promise<boolean>) => {
  while (!(await pred())) await new Promise((res) => setTimeout(res, 10));
};
t = performance.now();
sup.start();
await waitFor(async () => (await store.getLease('run_b')) !== undefined);
const launchToLeaseMs = performance.now() - t;
const first = (await store.getLease('run_b'))!;
t = performance.now();
process.kill(first.pid, 'SIGKILL');
await waitFor(async () => (await store.getRecord('run_b')).lastOutcome === 'crashed');
const killToMarkedCrashedMs = performance.now() - t;
await waitFor(async () => {
  const l = await store.getLease('run_b');
  return l !== undefined && l.pid !== first.pid;
});
const killToRestartedMs = performance.now() - t;
await sup.stop();
await nats.stop();
process.stdout.write(
  `${JSON.stringify(
    {
      acquire_release_per_sec: Math.round(acquireReleasePerSec),
      heartbeats_per_sec: Math.round(heartbeatsPerSec),
      launch_to_lease_ms: Math.round(launchToLeaseMs),
      kill9_to_marked_crashed_ms: Math.round(killToMarkedCrashedMs),
      kill9_to_restarted_ms: Math.round(killToRestartedMs),
    },
    null,
    2,
  )}\n`,
);
