/**
 * Per-method timers (digest §4 P3, P8.2, P8.4; `syscontrol/timer_functions.py`).
 * A method is due when the minutes since its last run ≥ frequency and executions < max
 * (max -1 = unlimited). Completion-only methods never run in the main loop and always count
 * as finished.
 */
import type { MethodConfig } from './config.ts';

export interface MethodTimer {
  executions: number;
  /** When the last run started (P8.4 sets last_run at the start of a run). */
  lastRun: number | undefined;
  lastEnd: number | undefined;
  lastHeartbeat: number | undefined;
}

export const MINUTE_MS = 60_000;

export function newTimer(): MethodTimer {
  return { executions: 0, lastRun: undefined, lastEnd: undefined, lastHeartbeat: undefined };
}

function underMax(cfg: MethodConfig, t: MethodTimer): boolean {
  return cfg.maxExecutions < 0 || t.executions < cfg.maxExecutions;
}

export function isMethodDue(cfg: MethodConfig, t: MethodTimer, now: number): boolean {
  if (cfg.runOnCompletionOnly || !underMax(cfg, t)) return false;
  if (t.lastRun === undefined) return true;
  return (now - t.lastRun) / MINUTE_MS >= cfg.frequencyMinutes;
}

/** P8.2: finished when max executions are reached; completion-only methods always count. */
export function isTimerFinished(cfg: MethodConfig, t: MethodTimer): boolean {
  return cfg.runOnCompletionOnly || !underMax(cfg, t);
}

export function allTimersFinished(
  cfgs: readonly MethodConfig[],
  timers: Record<string, MethodTimer>,
): boolean {
  return cfgs.every((c) => isTimerFinished(c, timers[c.name] ?? newTimer()));
}

/**
 * The next due method of the current pass: the first due one after the method that ran last,
 * in configured order (P8.4). A pass does not wrap; the next pass starts at the next tick (the
 * reference sleeps between passes, P8.1), so frequency-0 methods never busy-spin.
 */
export function nextDueMethod(
  cfgs: readonly MethodConfig[],
  timers: Record<string, MethodTimer>,
  now: number,
  lastIndex: number,
): number | undefined {
  for (let i = Math.max(0, lastIndex + 1); i < cfgs.length; i++) {
    const c = cfgs[i]!;
    if (isMethodDue(c, timers[c.name] ?? newTimer(), now)) return i;
  }
  return undefined;
}

/** Idle, unfinished methods whose "still alive" heartbeat is due (P3 heartbeat 10 min). */
export function heartbeatsDue(
  cfgs: readonly MethodConfig[],
  timers: Record<string, MethodTimer>,
  now: number,
): string[] {
  return cfgs
    .filter((c) => {
      const t = timers[c.name] ?? newTimer();
      if (isTimerFinished(c, t) || c.heartbeatMinutes <= 0) return false;
      const last = t.lastHeartbeat ?? t.lastEnd ?? t.lastRun;
      return last !== undefined && (now - last) / MINUTE_MS >= c.heartbeatMinutes;
    })
    .map((c) => c.name);
}

/** Completion-only methods in configured order (P9.1). */
export function completionMethods(cfgs: readonly MethodConfig[]): string[] {
  return cfgs.filter((c) => c.runOnCompletionOnly).map((c) => c.name);
}
