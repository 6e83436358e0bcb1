/**
 * How long each lease has gone without renewal, judged by the observer alone: the time (on the
 * observer's monotonic clock) since it first saw the key at its current revision. No clock of
 * another process or host is read, so clocks out of sync or jumping (NTP, libfaketime) cannot
 * make a live holder look dead or a dead one look alive. A renewal is a new revision and starts
 * the age again; acting on a stale lease is always revision-checked, so a renewal the observer
 * missed makes the act fail rather than take a live lease.
 */
import { type MonotonicClock, monotonicClock } from '../../src/clock.ts';

export class LeaseAges {
  private readonly seen = new Map<string, { revision: number; at: number }>();

  constructor(private readonly mono: MonotonicClock = monotonicClock) {}

  /** Ms `key` has stayed at `revision` as far as this observer has seen (0 at first sight). */
  age(key: string, revision: number): number {
    const now = this.mono.elapsed();
    const s = this.seen.get(key);
    if (!s || s.revision !== revision) {
      this.seen.set(key, { revision, at: now });
      return 0;
    }
    return now - s.at;
  }

  /** The key is gone (released or revoked). */
  forget(key: string): void {
    this.seen.delete(key);
  }

  /** Forget every key but these (the leases held now). */
  keep(keys: string[]): void {
    const held = new Set(keys);
    for (const k of this.seen.keys()) if (k.startsWith('lease.') && !held.has(k)) this.seen.delete(k);
  }

  /** Every age starts again now (the bus came back: renewals missed meanwhile prove nothing). */
  restart(): void {
    const now = this.mono.elapsed();
    for (const s of this.seen.values()) s.at = now;
  }
}
