import { describe, expect, it } from 'vitest';
import { deathReason, liveLocalStaleMs } from '../../actors/supervisor/dead-process.ts';
import type { HeldLease } from '../../src/store/process-control-store.ts';

const lease = (host: string): HeldLease => ({
  owner: 'o',
  pid: 4242,
  host,
  acquiredAt: 0,
  heartbeatAt: 0,
  revision: 7,
});
const check = (age: number, alive: boolean) => ({
  ageOf: () => age,
  staleAfterMs: 4000,
  host: 'here',
  isAlive: () => alive,
});

describe('dead-process detection', () => {
  it('gives a live process on this host four stale times (at least 30 s) before its silence counts', () => {
    expect(liveLocalStaleMs(4000)).toBe(30_000);
    expect(liveLocalStaleMs(10_000)).toBe(40_000);
    // A 7.4 s stall of its connection or event loop is not a death.
    expect(deathReason('run_stack_handler', lease('here'), check(7400, true))).toBeUndefined();
    expect(deathReason('run_stack_handler', lease('here'), check(30_001, true))).toBe(
      'heartbeat stale for 30 s',
    );
  });

  it('finds a process on this host whose pid is gone at once, whatever its lease age', () => {
    expect(deathReason('run_stack_handler', lease('here'), check(0, false))).toBe('pid 4242 is not running');
  });

  it("judges another host's process by its heartbeat alone, at the stale time", () => {
    expect(deathReason('run_stack_handler', lease('there'), check(4000, true))).toBeUndefined();
    expect(deathReason('run_stack_handler', lease('there'), check(4001, false))).toBe(
      'heartbeat stale for 4 s',
    );
  });
});
