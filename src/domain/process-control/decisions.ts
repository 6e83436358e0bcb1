/**
 * Start, wait, stop and launch decisions (digest §4 P6, P8.2, P10, P11).
 */
import type { ProcessStatus, RestartPolicy } from './config.ts';

export type StartDecision =
  { decision: 'start' } | { decision: 'wait'; reason: string } | { decision: 'exit'; reason: string };

export interface StartFacts {
  status: ProcessStatus;
  /** Another instance holds the lease (the reference's `currently_running`). */
  running: boolean;
  inWindow: boolean;
  timeToStop: boolean;
  previousSatisfied: boolean;
}

/**
 * P6: start needs not running, status ∉ {STOP, NO-RUN}, inside the window and the previous
 * process satisfied. Otherwise exit if past the stop time, already running, or STOP; keep
 * waiting if NO-RUN or GO (or PAUSE: a paused process may start, then skips its methods).
 */
export function decideStart(f: StartFacts): StartDecision {
  if (!f.running && f.status !== 'STOP' && f.status !== 'NO-RUN' && f.inWindow && f.previousSatisfied) {
    return { decision: 'start' };
  }
  if (f.timeToStop) return { decision: 'exit', reason: 'past stop time' };
  if (f.running) return { decision: 'exit', reason: 'already running' };
  if (f.status === 'STOP') return { decision: 'exit', reason: 'status is STOP' };
  if (f.status === 'NO-RUN') return { decision: 'wait', reason: 'status is NO-RUN' };
  if (!f.inWindow) return { decision: 'wait', reason: 'outside time window' };
  return { decision: 'wait', reason: 'previous process has not finished' };
}

export interface StopFacts {
  status: ProcessStatus;
  allTimersFinished: boolean;
  timeToStop: boolean;
}

/** P8.2: stop when the status is STOP, every timer is finished, or now > stop time. */
export function stopReason(f: StopFacts): string | undefined {
  if (f.status === 'STOP') return 'status is STOP';
  if (f.allTimersFinished) return 'all methods finished';
  if (f.timeToStop) return 'past stop time';
  return undefined;
}

export interface LaunchFacts extends StartFacts {
  /** This supervisor's host may run the process (machine assignment). */
  hostAllowed: boolean;
  /** A child for this process is alive under this supervisor. */
  childAlive: boolean;
  /** The process already started today (local date of its last start = today). */
  startedToday: boolean;
  /** The last run today ended in a crash. */
  crashedToday: boolean;
  restartsToday: number;
  restart: RestartPolicy;
}

/**
 * The supervisor replaces cron (P1): launch a process once a day when its start conditions
 * hold; launch it again the same day only after a crash, within its restart policy.
 */
export function decideLaunch(f: LaunchFacts): { launch: boolean; reason: string } {
  if (!f.hostAllowed) return { launch: false, reason: 'assigned to another host' };
  if (f.childAlive) return { launch: false, reason: 'child alive' };
  const start = decideStart(f);
  if (start.decision !== 'start') return { launch: false, reason: start.reason };
  if (f.startedToday) {
    if (!f.crashedToday) return { launch: false, reason: 'already ran today' };
    if (f.restart.mode === 'never') return { launch: false, reason: 'crashed; restart policy never' };
    if (f.restartsToday >= f.restart.maxRestarts) {
      return { launch: false, reason: `crashed; ${f.restartsToday} restarts used` };
    }
    return { launch: true, reason: 'restart after crash' };
  }
  return { launch: true, reason: 'window open' };
}
