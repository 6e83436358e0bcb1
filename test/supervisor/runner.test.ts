import { hostname } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MethodRegistry } from '../../actors/process-methods.ts';
import { runProcess } from '../../actors/process-runner.ts';
import { ProcessStore } from '../../actors/supervisor/process-store.ts';
import { SimulatedClock } from '../../src/clock.ts';
import { loadConfig } from '../../src/config/load.ts';
import type { ProcessConfig } from '../../src/domain/process-control/config.ts';
import { startTestNats, type TestNats } from '../support/nats.ts';
import { deferred, method, proc, testLogger, until } from './helpers.ts';

let nats: TestNats;
let store: ProcessStore;
const system = loadConfig().system;
const T0 = Date.parse('2026-11-20T12:00:00Z');

beforeAll(async () => {
  nats = await startTestNats();
  store = await ProcessStore.open(await nats.connect('store'), 'rt');
});
afterAll(async () => nats?.stop());

async function run(
  p: ProcessConfig,
  registry: MethodRegistry,
  extra: { signal?: AbortSignal; abandon?: AbortSignal; heartbeatMs?: number } = {},
) {
  const { log, lines } = testLogger();
  const nc = await nats.connect(p.name);
  const result = runProcess({
    nc,
    prefix: 'rt',
    process: p,
    timeZone: 'UTC',
    registry,
    clock: new SimulatedClock(T0),
    host: hostname(),
    pid: process.pid,
    system,
    log,
    tickMs: 20,
    heartbeatMs: 50,
    ...extra,
  });
  return { result, lines };
}

describe('process runner on a real nats-server', () => {
  it('runs methods once, then completion methods, records the finish and releases the lease', async () => {
    const calls: string[] = [];
    const reg: MethodRegistry = {
      p1: {
        a: async () => void calls.push('a'),
        b: async () => void calls.push('b'),
        z: async (ctx) => void calls.push(`z:${JSON.stringify(ctx.args)}`),
      },
    };
    const p = proc('p1', {
      methods: [method('a'), method('b'), method('z', { runOnCompletionOnly: true })],
      arguments: { _methods_on_completion: { eod: true } },
    });
    const { result } = await run(p, reg);
    expect(await result).toEqual({ outcome: 'finished', reason: 'all methods finished' });
    expect(calls).toEqual(['a', 'b', 'z:{"eod":true}']);
    expect(await store.getLease('p1')).toBeUndefined();
    const rec = await store.getRecord('p1');
    expect(rec).toMatchObject({
      lastStart: T0,
      lastEnd: T0,
      recentlyCrashed: false,
      lastOutcome: 'finished',
    });
    expect((await store.getMethods('p1')).a).toMatchObject({ executions: 1, running: false });
  });

  it('a heartbeat in flight when the run ends does not keep the lease: the release waits for it', async () => {
    // Heartbeats back to back: the release at the end meets one in flight (it moves the revision).
    for (let i = 0; i < 8; i++) {
      const name = `hb${i}`;
      const reg: MethodRegistry = { [name]: { a: () => new Promise((r) => setTimeout(r, 15 + i)) } };
      const { result } = await run(proc(name, { methods: [method('a')] }), reg, { heartbeatMs: 1 });
      expect((await result).outcome).toBe('finished');
      expect(await store.getLease(name)).toBeUndefined();
    }
  });

  it('two copies can never both hold a process: the second is refused', async () => {
    const gate = deferred();
    const reg: MethodRegistry = { p2: { slow: () => gate.promise } };
    const p = proc('p2', { methods: [method('slow')] });
    const first = await run(p, reg);
    await until(async () => (await store.getLease('p2')) !== undefined);
    const second = await run(p, reg);
    const out2 = await second.result;
    expect(out2.outcome).toBe('not-started');
    expect(out2.reason).toMatch(/already running/);
    gate.resolve();
    expect((await first.result).outcome).toBe('finished');
  });

  it('a STOP during a method waits for its end, then runs completion methods', async () => {
    const gate = deferred();
    const calls: string[] = [];
    const reg: MethodRegistry = {
      p3: {
        work: async () => {
          calls.push('work-start');
          await gate.promise;
          calls.push('work-end');
        },
        safe_stack_removal: async () => void calls.push('safe_stack_removal'),
      },
    };
    const p = proc('p3', {
      methods: [
        method('work', { maxExecutions: -1 }),
        method('safe_stack_removal', { runOnCompletionOnly: true }),
      ],
    });
    const { result } = await run(p, reg);
    await until(() => calls.includes('work-start'));
    await store.setStatus('p3', 'STOP', T0);
    await new Promise((r) => setTimeout(r, 150));
    expect(calls).toEqual(['work-start']);
    gate.resolve();
    expect(await result).toEqual({ outcome: 'finished', reason: 'status is STOP' });
    expect(calls).toEqual(['work-start', 'work-end', 'safe_stack_removal']);
    await store.setStatus('p3', 'GO', T0);
  });

  it('abandoned during a method (its supervisor died): no completion methods, recorded as a crash', async () => {
    const gate = deferred();
    const calls: string[] = [];
    const reg: MethodRegistry = {
      p3a: {
        work: async () => {
          calls.push('work-start');
          await gate.promise;
          calls.push('work-end');
        },
        safe_stack_removal: async () => void calls.push('safe_stack_removal'),
      },
    };
    const p = proc('p3a', {
      methods: [
        method('work', { maxExecutions: -1 }),
        method('safe_stack_removal', { runOnCompletionOnly: true }),
      ],
    });
    const abandon = new AbortController();
    const { result } = await run(p, reg, { abandon: abandon.signal });
    await until(() => calls.includes('work-start'));
    abandon.abort('its supervisor died');
    gate.resolve();
    expect(await result).toEqual({ outcome: 'failed', reason: 'abandoned: its supervisor died' });
    expect(calls).toEqual(['work-start', 'work-end']);
    expect(await store.getRecord('p3a')).toMatchObject({ recentlyCrashed: true, lastOutcome: 'failed' });
    expect(await store.getLease('p3a')).toBeUndefined();
  });

  it('a failing method is a crash: critical log, crashed record, lease released, no completion', async () => {
    const calls: string[] = [];
    const reg: MethodRegistry = {
      p4: {
        bad: async () => {
          throw new Error('boom');
        },
        eod: async () => void calls.push('eod'),
      },
    };
    const p = proc('p4', { methods: [method('bad'), method('eod', { runOnCompletionOnly: true })] });
    const { result, lines } = await run(p, reg);
    expect(await result).toEqual({ outcome: 'failed', reason: 'method bad failed: boom' });
    expect(calls).toEqual([]);
    expect(lines.some((l) => l.level === 55 && String(l.msg).includes('p4 crashed'))).toBe(true);
    expect(await store.getRecord('p4')).toMatchObject({ recentlyCrashed: true, lastOutcome: 'failed' });
    expect(await store.getLease('p4')).toBeUndefined();
  });

  it('refuses to start when a configured method is not registered', async () => {
    const { result } = await run(proc('p5', { methods: [method('nope')] }), {});
    expect(await result).toEqual({ outcome: 'not-started', reason: 'not registered: nope' });
  });

  it('a revoked lease stops the holder at its next heartbeat', async () => {
    const gate = deferred();
    const reg: MethodRegistry = { p6: { loop: () => gate.promise } };
    const { result } = await run(proc('p6', { methods: [method('loop', { maxExecutions: -1 })] }), reg);
    await until(async () => (await store.getLease('p6')) !== undefined);
    const lease = (await store.getLease('p6'))!;
    expect(await store.releaseLease('p6', lease.revision)).toBe(true);
    gate.resolve();
    expect((await result).outcome).toBe('lease-lost');
  });
});
