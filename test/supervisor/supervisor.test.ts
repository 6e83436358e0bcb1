import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChildHandle, ChildLauncher } from '../../actors/supervisor/children.ts';
import { AnchoredClock, makeAnchor } from '../../actors/supervisor/clock-sync.ts';
import { LeaseAges } from '../../actors/supervisor/lease-ages.ts';
import { ProcessStore } from '../../actors/supervisor/process-store.ts';
import { Supervisor } from '../../actors/supervisor/supervisor.ts';
import type { ControlConfig } from '../../src/domain/process-control/config.ts';
import { startTestNats, type TestNats } from '../support/nats.ts';
import { proc, testLogger, until } from './helpers.ts';

const SCRIPT = fileURLToPath(new URL('../support/bin/test-process.ts', import.meta.url));
const TSX = import.meta.resolve('tsx');
let nats: TestNats;
let store: ProcessStore;

beforeAll(async () => {
  nats = await startTestNats();
  store = await ProcessStore.open(await nats.connect('store'), 'sv');
});
afterAll(async () => nats?.stop());

/** Real child processes running the test script (same runner and lease as `systack run`). */
const launchTestProcess: ChildLauncher = (name, env) => {
  const child = spawn(process.execPath, ['--import', TSX, SCRIPT, name], {
    env: { ...process.env, ...env, SYSTACK_TEST_PREFIX: 'sv' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return {
    pid: child.pid!,
    exited: new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal }))),
    kill: (s) => void child.kill(s),
  } satisfies ChildHandle;
};

function supervisor(control: ControlConfig, host = 'h1', ages?: LeaseAges) {
  const { log, lines } = testLogger();
  const sup = new Supervisor({
    store,
    control,
    clock: new AnchoredClock(makeAnchor(Date.parse('2026-11-20T12:00:00Z'), 1)),
    host,
    launch: launchTestProcess,
    childEnv: { SYSTACK_NATS_URL: nats.url, SYSTACK_HOST: host },
    log,
    tickMs: 100,
    staleAfterMs: 3000,
    ages,
    stopTimeoutMs: 10_000,
  });
  return { sup, lines };
}

describe('supervisor with real child processes', () => {
  it('detects a kill -9, marks it crashed with a critical log, restarts per policy, then gives up', async () => {
    const control: ControlConfig = {
      timeZone: 'UTC',
      processes: { run_crashy: proc('run_crashy', { restart: { mode: 'on-crash', maxRestarts: 1 } }) },
    };
    const { sup, lines } = supervisor(control);
    sup.start();
    try {
      await until(async () => (await store.getLease('run_crashy')) !== undefined, 20_000);
      const first = (await store.getLease('run_crashy'))!;
      expect(first.pid).toBe(sup.childPids().run_crashy);
      process.kill(first.pid, 'SIGKILL');
      const t0 = Date.now();
      await until(async () => {
        const l = await store.getLease('run_crashy');
        return l !== undefined && l.pid !== first.pid;
      }, 20_000);
      const detectedAndRestartedMs = Date.now() - t0;
      expect(detectedAndRestartedMs).toBeLessThan(30_000);
      const critical = lines.filter((l) => l.level === 55).map((l) => String(l.msg));
      // found by the child's exit (SIGKILL) or by the tick's pid check, whichever comes first
      expect(critical).toHaveLength(1);
      expect(critical[0]).toMatch(
        /^run_crashy died: (killed by SIGKILL|pid \d+ is not running); marked finished$/,
      );
      // second crash: restart budget (1) used up
      const second = (await store.getLease('run_crashy'))!;
      process.kill(second.pid, 'SIGKILL');
      await until(async () => (await store.getLease('run_crashy')) === undefined, 20_000);
      await new Promise((r) => setTimeout(r, 500));
      expect(await store.getLease('run_crashy')).toBeUndefined();
      expect(await store.getRecord('run_crashy')).toMatchObject({
        recentlyCrashed: true,
        lastOutcome: 'crashed',
      });
      expect(sup.reasons.get('run_crashy')).toBe('crashed; 1 restarts used');
    } finally {
      await sup.stop();
    }
  });

  it('a child killed while starting (before taking its lease) counts as a crash and is restarted', async () => {
    const control: ControlConfig = {
      timeZone: 'UTC',
      processes: { run_early: proc('run_early', { restart: { mode: 'on-crash', maxRestarts: 1 } }) },
    };
    const { sup, lines } = supervisor(control);
    sup.start();
    try {
      await until(() => sup.childPids().run_early !== undefined, 10_000);
      const first = sup.childPids().run_early!;
      process.kill(first, 'SIGKILL');
      await until(async () => {
        const l = await store.getLease('run_early');
        return l !== undefined && l.pid !== first;
      }, 30_000);
      const critical = lines.filter((l) => l.level === 55).map((l) => String(l.msg));
      expect(critical).toEqual(['run_early died while starting: killed by SIGKILL']);
      // The child's pid is `child_pid`: the line's own `pid` stays the supervisor's.
      const launched = lines.find((l) => l.msg === 'launched run_early')!;
      expect(launched).toMatchObject({ type: 'run_early', child_pid: first, pid: process.pid });
      expect(lines.find((l) => l.level === 55)).toMatchObject({ child_pid: first, pid: process.pid });
      expect(sup.history.get('run_early')).toMatchObject({ launches: 2, crashes: 1 });
    } finally {
      await sup.stop();
    }
  });

  it('two supervisors cannot both hold a process; SIGTERM stops it gracefully with completion methods', async () => {
    const control: ControlConfig = { timeZone: 'UTC', processes: { run_single: proc('run_single') } };
    const a = supervisor(control, 'h1');
    const b = supervisor(control, 'h1');
    a.sup.start();
    b.sup.start();
    try {
      await until(async () => (await store.getLease('run_single')) !== undefined, 20_000);
      await new Promise((r) => setTimeout(r, 2500)); // let the loser's child come and go
      const lease = (await store.getLease('run_single'))!;
      const pids = [a.sup.childPids().run_single, b.sup.childPids().run_single].filter(
        (p) => p !== undefined,
      );
      expect(pids).toEqual([lease.pid]);
    } finally {
      await Promise.all([a.sup.stop(), b.sup.stop()]);
    }
    expect(await store.getLease('run_single')).toBeUndefined();
    expect(await store.getRecord('run_single')).toMatchObject({
      recentlyCrashed: false,
      lastOutcome: 'finished',
      lastReason: 'status is STOP',
    });
    expect((await store.getMethods('run_single')).eod?.executions).toBe(1);
  });

  it('marks a lease of another host it has seen unrenewed for the stale time as crashed', async () => {
    const control: ControlConfig = {
      timeZone: 'UTC',
      processes: { run_ghost: proc('run_ghost', { host: 'elsewhere' }) },
    };
    let mono = 0;
    const { sup, lines } = supervisor(control, 'h1', new LeaseAges({ elapsed: () => mono }));
    await store.acquireLease('run_ghost', {
      owner: 'x',
      pid: 999_999,
      host: 'elsewhere',
      acquiredAt: 0,
      heartbeatAt: Date.now() - 60_000,
    });
    // Its heartbeatAt (another host's clock) is not read: first seen now, it has 3 s.
    await sup.tick();
    expect((await store.getLease('run_ghost'))?.pid).toBe(999_999);
    mono += 3001;
    await sup.tick();
    expect(await store.getLease('run_ghost')).toBeUndefined();
    expect(await store.getRecord('run_ghost')).toMatchObject({
      recentlyCrashed: true,
      lastOutcome: 'crashed',
    });
    expect(lines.some((l) => l.level === 55 && /run_ghost died: heartbeat stale/.test(String(l.msg)))).toBe(
      true,
    );
  });
});
