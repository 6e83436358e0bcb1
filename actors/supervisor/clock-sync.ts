/**
 * One clock for the supervisor and every child process. The supervisor's clock is an anchor
 * (simulated time at a real instant, and a speed); children rebuild the same clock from the
 * environment (SYSTACK_CLOCK_ANCHOR_SIM / _REAL / _SPEED) or from the `clock` KV key, so all
 * processes agree on the time even when a trading day runs in minutes.
 */
import type { Clock } from '../../src/clock.ts';
import type { ClockAnchor, ProcessStore } from './process-store.ts';

export class AnchoredClock implements Clock {
  constructor(readonly anchor: ClockAnchor) {}

  now(): number {
    return this.anchor.anchorSim + (Date.now() - this.anchor.anchorReal) * this.anchor.speed;
  }
}

/** The anchor of a clock starting at `start` (default now) running `speed` times real time. */
export function makeAnchor(start: number | undefined, speed: number): ClockAnchor {
  const real = Date.now();
  return { anchorSim: start ?? real, anchorReal: real, speed };
}

export const isWallAnchor = (a: ClockAnchor): boolean => a.speed === 1 && a.anchorSim === a.anchorReal;

export function anchorEnv(a: ClockAnchor): Record<string, string> {
  return {
    SYSTACK_CLOCK_ANCHOR_SIM: String(a.anchorSim),
    SYSTACK_CLOCK_ANCHOR_REAL: String(a.anchorReal),
    SYSTACK_CLOCK_SPEED: String(a.speed),
  };
}

/**
 * The anchor from the environment: the supervisor's anchor, or SYSTACK_CLOCK_START (ISO) with
 * SYSTACK_CLOCK_SPEED for a process started by hand.
 */
export function anchorFromEnv(env: NodeJS.ProcessEnv): ClockAnchor | undefined {
  const speed = env.SYSTACK_CLOCK_SPEED !== undefined ? Number(env.SYSTACK_CLOCK_SPEED) : 1;
  if (!(speed > 0))
    throw new Error(`SYSTACK_CLOCK_SPEED must be a positive number, got '${env.SYSTACK_CLOCK_SPEED}'`);
  if (env.SYSTACK_CLOCK_ANCHOR_SIM && env.SYSTACK_CLOCK_ANCHOR_REAL) {
    return {
      anchorSim: Number(env.SYSTACK_CLOCK_ANCHOR_SIM),
      anchorReal: Number(env.SYSTACK_CLOCK_ANCHOR_REAL),
      speed,
    };
  }
  if (env.SYSTACK_CLOCK_START) {
    const start = Date.parse(env.SYSTACK_CLOCK_START);
    if (Number.isNaN(start))
      throw new Error(`SYSTACK_CLOCK_START is not an ISO time: '${env.SYSTACK_CLOCK_START}'`);
    return makeAnchor(start, speed);
  }
  return undefined;
}

/** Environment first, then the supervisor's `clock` key, then the wall clock. */
export async function resolveProcessClock(
  env: NodeJS.ProcessEnv,
  store: ProcessStore,
): Promise<AnchoredClock> {
  const fromEnv = anchorFromEnv(env);
  if (fromEnv) return new AnchoredClock(fromEnv);
  const fromKv = await store.getClock();
  return new AnchoredClock(fromKv ?? makeAnchor(undefined, 1));
}
