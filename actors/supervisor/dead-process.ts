/**
 * Dead-process detection (digest §4 P11): a lease whose heartbeat is stale, or whose process
 * on this host is gone, belongs to a dead process. It is marked finished and crashed, and a
 * critical line is logged (#1628). The lease is revoked with a revision check, so a lease that
 * was renewed in the meantime is left alone.
 */
import type { Clock } from '../../src/clock.ts';
import { logCritical, type Logger } from '../../src/log/logger.ts';
import { pidAlive } from './children.ts';
import type { HeldLease, ProcessStore } from './process-store.ts';

export interface DeadCheck {
  /** Wall-clock now (ms). */
  wallNow: number;
  staleAfterMs: number;
  host: string;
  isAlive?: (pid: number) => boolean;
}

/** Why a lease's holder counts as dead, or undefined when it looks alive. */
export function deathReason(lease: HeldLease, c: DeadCheck): string | undefined {
  const age = c.wallNow - lease.heartbeatAt;
  if (age > c.staleAfterMs) return `heartbeat stale for ${Math.round(age / 1000)} s`;
  if (lease.host === c.host && !(c.isAlive ?? pidAlive)(lease.pid)) return `pid ${lease.pid} is not running`;
  return undefined;
}

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
    const reason = deathReason(lease, check);
    if (reason && (await markCrashed(store, name, lease, reason, clock, log))) marked.push(name);
  }
  return marked;
}
