/**
 * Hot standby (docs/deployment.md): several supervisors, one per host, share one bus; one of them
 * is active and launches the processes, the others wait. Who is active is the key `leader` in the
 * process-control bucket, held like a process lease: created when free, renewed every third of
 * `staleAfterMs` with a revision check, taken over (revision-checked, so only one standby wins)
 * when a standby has seen it unrenewed for `staleAfterMs` on its own monotonic clock (no wall
 * clock of any host is compared). An active supervisor whose renewal is refused has been
 * replaced, and one that cannot renew for `staleAfterMs` while its connection is up (its node
 * cut off from the cluster's quorum) must assume a standby is taking over: either way `lost`
 * settles and it must stop its children at once (the new leader relaunches them, and a process
 * lease stops any second copy of a process from trading).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream';
import type { KV } from '@nats-io/kv';
import { type Clock, type MonotonicClock, monotonicClock, wallClock } from '../../src/clock.ts';
import { LeaseAges } from './lease-ages.ts';

export const LEADER_KEY = 'leader';

export interface Leader {
  host: string;
  pid: number;
  /** Wall-clock ms when it became active (for people; never compared across hosts). */
  since: number;
  /** Wall-clock ms of its last renewal (for people; never compared across hosts). */
  heartbeatAt: number;
}

export interface Leadership {
  /** Settles with the reason when another supervisor has taken over (or may be taking over). */
  readonly lost: Promise<string>;
  /** Stop renewing and free the key for a standby at once. */
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
  /** While on standby, after each look at the key (e.g. observe the process leases' ages). */
  whileStandby?: () => Promise<void>;
  /** Whether the bus connection is up (renewals failing while it is down do not fence). */
  busUp?: () => boolean;
  /**
   * Step down when renewals fail for `staleAfterMs` with the bus up (default true). Off when the
   * bus is this process's own embedded server: a standby could only take over through it.
   */
  fenceUnrenewed?: boolean;
  /** The observer of the key's revision; a standby hands its `LeaseAges` on to the supervisor. */
  ages?: LeaseAges;
  /** Durations (renewal deadline); default performance.now. */
  mono?: MonotonicClock;
  /** The informational `since` / `heartbeatAt` fields; default the wall clock. */
  wall?: Clock;
  /** Ms between a standby's looks at the key; default a tenth of `staleAfterMs` (50..250). */
  pollMs?: number;
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
  const mono = o.mono ?? monotonicClock;
  const wall = o.wall ?? wallClock;
  const ages = o.ages ?? new LeaseAges(mono);
  const renewMs = Math.max(100, Math.floor(o.staleAfterMs / 3));
  const pollMs = o.pollMs ?? Math.min(250, Math.max(50, Math.floor(o.staleAfterMs / 10)));
  let since = wall.now();
  const mine = (): Leader => ({ host: o.host, pid: o.pid, since, heartbeatAt: wall.now() });
  let revision: number | undefined;
  let told = false;
  while (revision === undefined) {
    if (o.signal?.aborted) throw new StandbyAbortedError('stopped while on standby');
    since = wall.now();
    try {
      const e = await kv.get(LEADER_KEY);
      if (!e || e.operation !== 'PUT') {
        revision = e
          ? await kv.update(LEADER_KEY, JSON.stringify(mine()), e.revision)
          : await kv.create(LEADER_KEY, JSON.stringify(mine()));
      } else {
        const active = e.json<Leader>();
        if (ages.age(LEADER_KEY, e.revision) > o.staleAfterMs || o.isDead?.(active)) {
          // Through an election this waits (or fails and is asked again on the next look).
          revision = await kv.update(LEADER_KEY, JSON.stringify(mine()), e.revision);
        } else if (!told) {
          told = true;
          o.onStandby?.(active);
        }
      }
    } catch {
      // Another standby won the race (wrong revision), or the bus is away or electing: look again.
    }
    if (revision === undefined) {
      await o.whileStandby?.().catch(() => undefined); // a look missed is a look later
      await sleep(pollMs);
    }
  }
  let settle: (reason: string) => void = () => undefined;
  const lost = new Promise<string>((resolve) => (settle = resolve));
  let stopped = false;
  let held: number = revision;
  // The renewal deadline runs from when the last accepted renewal was sent: a standby starts
  // its count only after it has seen that revision, so this side always gives up first.
  let renewedAt = mono.elapsed();
  const renew = async (): Promise<void> => {
    while (!stopped) {
      await sleep(renewMs);
      if (stopped) return;
      const sent = mono.elapsed();
      try {
        held = await kv.update(LEADER_KEY, JSON.stringify(mine()), held);
        renewedAt = sent;
      } catch (err) {
        if (wrongRevision(err)) {
          stopped = true;
          const e = await kv.get(LEADER_KEY).catch(() => null);
          const who = e?.operation === 'PUT' ? e.json<Leader>() : undefined;
          return settle(`another supervisor took over${who ? ` (${who.host}, pid ${who.pid})` : ''}`);
        }
        if (o.busUp && !o.busUp()) {
          // Cut off from every server: nothing can be renewed nor taken from here; count again
          // when the link is back (a refused renewal then says whether it was taken over).
          renewedAt = mono.elapsed();
        } else if (o.fenceUnrenewed !== false && mono.elapsed() - renewedAt > o.staleAfterMs) {
          stopped = true;
          return settle(
            `leadership not renewed for ${Math.round((mono.elapsed() - renewedAt) / 1000)} s (the cluster does not commit it): a standby may be taking over`,
          );
        }
      }
    }
  };
  void renew();
  return {
    lost,
    async release() {
      if (stopped) return;
      stopped = true;
      await kv.delete(LEADER_KEY, { previousSeq: held }).catch(() => undefined); // taken over: nothing to free
    },
  };
}
