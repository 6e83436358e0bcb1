/**
 * A running process's hold on its lease (digest §4 P6): the lease it asked for, the revision its
 * store answered, the heartbeat that keeps it fresh and the release at the end.
 *
 * One heartbeat at a time: two in flight would carry the same revision, and the second's refusal
 * would read as the lease taken over (a slow store or a busy event loop did that). A release waits
 * for the heartbeat in flight, whose update moves the revision: released at the old revision, the
 * store would refuse and the lease would outlive the run.
 */
import type { Clock } from '../../src/clock.ts';
import type { Logger } from '../../src/log/logger.ts';
import { heartbeatOwnLease, type Lease, type ProcessStore } from './process-store.ts';

export interface LeaseHeartbeatOptions {
  store: ProcessStore;
  name: string;
  /** The wall clock for the lease's informational `heartbeatAt`. */
  wall: Clock;
  log: Logger;
  /** After each landed heartbeat (the runner writes its method states then). */
  onBeat: () => void;
  /** The store refused a heartbeat: the lease was revoked or taken over. */
  onLost: () => void;
}

export class LeaseHeartbeat {
  /** The lease asked for or held (undefined: none, or given up). */
  lease: Lease | undefined;
  private revision = 0;
  private beat: Promise<void> | undefined;
  private beating = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly o: LeaseHeartbeatOptions) {}

  /** The store granted the lease at `revision`: heartbeats may start. */
  granted(revision: number): void {
    this.revision = revision;
  }

  /** Beat every `ms` until `stop`. */
  start(ms: number): void {
    this.timer ??= setInterval(() => this.tick(), ms);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Release the lease held (after the heartbeat in flight); no heartbeat starts after this. */
  async release(): Promise<void> {
    const held = this.lease;
    this.lease = undefined;
    if (!held) return;
    await this.beat;
    await this.o.store.releaseLease(this.o.name, this.revision);
  }

  private tick(): void {
    const lease = this.lease;
    if (!lease || this.revision === 0 || this.beating) return;
    this.beating = true;
    const next = { ...lease, heartbeatAt: this.o.wall.now() };
    this.beat = heartbeatOwnLease(this.o.store, this.o.name, next, this.revision)
      .finally(() => {
        this.beating = false;
      })
      .then(
        (rev) => {
          if (rev === undefined) {
            if (this.lease) this.o.onLost();
            this.lease = undefined;
            return;
          }
          this.revision = rev;
          this.o.onBeat();
        },
        // The bus is unreachable (e.g. nats-server restarting): the lease is still ours; beat again.
        (err: unknown) => this.o.log.warn({ err }, 'lease heartbeat failed; retrying'),
      );
  }
}
