/**
 * Hot standby (docs/deployment.md): several supervisors, one per host, share one bus; one of them
 * is active and launches the processes, the others wait. Who is active is the key `leader` in the
 * process-control bucket, held like a process lease: created when free, heartbeated with a
 * revision check, taken over (revision-checked, so only one standby wins) when its heartbeat is
 * older than `staleAfterMs` of wall time. An active supervisor whose heartbeat update is refused
 * has been replaced: `lost` settles and it must stop its children at once (the new leader will
 * relaunch them, and a process lease stops any second copy of a process from trading).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream';
import type { KV } from '@nats-io/kv';

export const LEADER_KEY = 'leader';

export interface Leader {
  host: string;
  pid: number;
  /** Wall-clock ms when it became active. */
  since: number;
  /** Wall-clock ms of its last heartbeat. */
  heartbeatAt: number;
}

export interface Leadership {
  /** Settles with the reason when another supervisor has taken over. */
  readonly lost: Promise<string>;
  /** Stop heartbeating and free the key for a standby at once. */
  release(): Promise<void>;
}

export interface LeadershipOptions {
  host: string;
  pid: number;
  staleAfterMs: number;
  /** Whether a holder is known dead now (e.g. a dead pid on this host): taken over at once. */
  isDead?: (active: Leader) => boolean;
  /** Called once while waiting behind an active supervisor. */
  onStandby?: (active: Leader) => void;
  /** Wall clock (ms); leadership is judged in real time across hosts. */
  now?: () => number;
  /** Stop waiting (e.g. a signal): `acquireLeadership` then rejects. */
  signal?: AbortSignal;
}

/** Leadership refused because waiting was aborted. */
export class StandbyAbortedError extends Error {
  override name = 'StandbyAbortedError';
}

const wrongRevision = (err: unknown) =>
  err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamWrongLastSequence;

/** Wait until this supervisor is the active one, then keep it so until `release` or `lost`. */
export async function acquireLeadership(kv: KV, o: LeadershipOptions): Promise<Leadership> {
  const now = o.now ?? Date.now;
  const beatMs = Math.max(250, Math.floor(o.staleAfterMs / 4));
  const mine = (): Leader => ({ host: o.host, pid: o.pid, since, heartbeatAt: now() });
  let since = now();
  let revision: number | undefined;
  let told = false;
  while (revision === undefined) {
    if (o.signal?.aborted) throw new StandbyAbortedError('stopped while on standby');
    since = now();
    const e = await kv.get(LEADER_KEY).catch(() => null);
    try {
      if (!e || e.operation !== 'PUT') {
        revision = e
          ? await kv.update(LEADER_KEY, JSON.stringify(mine()), e.revision)
          : await kv.create(LEADER_KEY, JSON.stringify(mine()));
      } else {
        const active = e.json<Leader>();
        if (now() - active.heartbeatAt > o.staleAfterMs || o.isDead?.(active)) {
          revision = await kv.update(LEADER_KEY, JSON.stringify(mine()), e.revision);
        } else if (!told) {
          told = true;
          o.onStandby?.(active);
        }
      }
    } catch {
      // Another standby won the race (wrong revision), or the bus is away: look again.
    }
    if (revision === undefined) await sleep(beatMs);
  }
  let settle: (reason: string) => void = () => undefined;
  const lost = new Promise<string>((resolve) => (settle = resolve));
  let stopped = false;
  let held: number = revision;
  const beat = async (): Promise<void> => {
    while (!stopped) {
      await sleep(beatMs);
      if (stopped) return;
      try {
        held = await kv.update(LEADER_KEY, JSON.stringify(mine()), held);
      } catch (err) {
        if (wrongRevision(err)) {
          stopped = true;
          const e = await kv.get(LEADER_KEY).catch(() => null);
          const who = e?.operation === 'PUT' ? e.json<Leader>() : undefined;
          return settle(`another supervisor took over${who ? ` (${who.host}, pid ${who.pid})` : ''}`);
        }
        // The bus is away for a moment: beat again on the next turn (a standby waits staleAfterMs).
      }
    }
  };
  void beat();
  return {
    lost,
    async release() {
      if (stopped) return;
      stopped = true;
      await kv.delete(LEADER_KEY, { previousSeq: held }).catch(() => undefined); // taken over: nothing to free
    },
  };
}
