/**
 * Dead-process detection (digest §4 P11): a lease not renewed for `staleAfterMs`, or whose
 * process on this host is gone, belongs to a dead process. It is marked finished and crashed,
 * and a critical line is logged (#1628). The lease is revoked with a revision check, so a lease
 * that was renewed in the meantime is left alone.
 */
import type { Clock } from '../../src/clock.ts';
import { logCritical, type Logger } from '../../src/log/logger.ts';
import { pidAlive } from './children.ts';
import type { HeldLease, ProcessStore } from './process-store.ts';

export interface DeadCheck {
  /**
   * Ms the lease has gone without renewal: the supervisor's own observation of its revision
   * (`LeaseAges`, monotonic), or for a one-shot check with no history the wall-clock age of its
   * `heartbeatAt` (`wallAge`).
   */
  ageOf: (name: string, lease: HeldLease) => number;
  staleAfterMs: number;
  host: string;
  isAlive?: (pid: number) => boolean;
  /**
   * How long a holder on this host whose pid is alive may go unrenewed (default
   * `liveLocalStaleMs(staleAfterMs)`): its silence is far more likely a stalled event loop or a
   * stalled connection than a death, which the pid would show at once.
   */
  liveLocalStaleMs?: number;
}

/**
 * The silence allowed to a live process on this host: four stale times, at least 30 s. The
 * reference judges a local process by its pid alone; the heartbeat adds the hung process, found
 * later. A holder on another host (a standby's view) has only its heartbeat: `staleAfterMs`.
 */
export const liveLocalStaleMs = (staleAfterMs: number): number => Math.max(4 * staleAfterMs, 30_000);

/** Why a lease's holder counts as dead, or undefined when it looks alive. */
export function deathReason(name: string, lease: HeldLease, c: DeadCheck): string | undefined {
  const local = lease.host === c.host;
  if (local && !(c.isAlive ?? pidAlive)(lease.pid)) return `pid ${lease.pid} is not running`;
  const age = c.ageOf(name, lease);
  const allowed = local ? (c.liveLocalStaleMs ?? liveLocalStaleMs(c.staleAfterMs)) : c.staleAfterMs;
  if (age > allowed) return `heartbeat stale for ${Math.round(age / 1000)} s`;
  return undefined;
}

/** A one-shot check's age (no observation history): now on a wall clock minus `heartbeatAt`. */
export const wallAge =
  (wallNow: number) =>
  (_name: string, lease: HeldLease): number =>
    wallNow - lease.heartbeatAt;

/** Mark a dead holder's process finished and crashed. Returns false if the lease moved on. */
export async function markCrashed(
  store: ProcessStore,
  name: string,
  lease: HeldLease,
  reason: string,
  clock: Clock,
  log: Logger,
): Promise<boolean> {
  if (!(await store.releaseLease(name, lease.revision))) return false;
  await store.updateRecord(name, {
    lastEnd: clock.now(),
    recentlyCrashed: true,
    lastOutcome: 'crashed',
    lastReason: reason,
  });
  logCritical(log, `${name} died: ${reason}; marked finished`, {
    process: name,
    pid: lease.pid,
    host: lease.host,
  });
  return true;
}

/** P11 "mark all dead processes as finished": returns the names marked. */
export async function markDeadProcessesFinished(
  store: ProcessStore,
  check: DeadCheck,
  clock: Clock,
  log: Logger,
): Promise<string[]> {
  const marked: string[] = [];
  for (const [name, lease] of await store.listLeases()) {
    const reason = deathReason(name, lease, check);
    if (reason && (await markCrashed(store, name, lease, reason, clock, log))) marked.push(name);
  }
  return marked;
}
