/**
 * The order journal's writes, riding through a short outage of the store (issue 17 §3): a
 * nats-server restart (no ack in time, connection closed or reconnecting) or a full store
 * (JetStream refusing the write for storage). An order actor's event is retried with the same
 * message id and the same expected last subject sequence until `retryMs` has passed; only then
 * does it fail (and the order host stop). Nothing is doubled or lost by a retry:
 * - a retry of a write whose first attempt did land is a duplicate within the stream's duplicate
 *   window: JetStream answers with the first attempt's sequence (dedupe comes before the expected
 *   sequence check, verified on 2.9.10);
 * - past that window it fails the expected sequence check (OwnershipLostError); the subject's last
 *   message is then read: when it is this very write (its record's version), that is its position;
 *   otherwise another writer moved the subject on and the error stands.
 */
import type { JournalEntry } from '../../src/store/journal.ts';
import {
  type CorrectionEntry,
  type OrderJournal,
  OwnershipLostError,
} from '../../src/store/order-journal.ts';
import {
  type Failed,
  JournalUnavailableError,
  JS_STORAGE_ERROR_CODES,
  isStorageRefusal,
  isTransientWriteError,
  type RideOptions,
  retrying,
} from './write-retry.ts';

export { JournalUnavailableError, JS_STORAGE_ERROR_CODES, isStorageRefusal, isTransientWriteError };
export type { RideOptions };

/**
 * The order journal as the stack handler writes it: every write (actor events, fills, commissions,
 * corrections, history) rides through a short outage of the store as above — the stack holds
 * (a side effect waits for its write) instead of failing — and an alert is raised while writes
 * fail: `onTrouble` at the first retried failure, `onBack` at the next write that lands. Fills,
 * commissions, corrections and history are written once per id (message id), so a retry of one
 * that landed is a duplicate and writes nothing.
 */
export class RidingJournal implements OrderJournal {
  /** Writes being retried now, and whether the alert is raised (cleared when none is left). */
  private retrying = 0;
  private alerted = false;
  private closed = false;

  constructor(
    private readonly inner: OrderJournal,
    private readonly opts: RideOptions & {
      onTrouble?: (err: unknown) => void;
      onBack?: () => void;
    } = {},
  ) {}

  /** Whether journal writes are failing now (being retried, not all landed since). */
  get failing(): boolean {
    return this.alerted;
  }

  /**
   * One write, retried: the alert is raised at the first retry of any write and cleared when
   * every write that was being retried has landed (one landing while others still fail does not
   * clear it: no alert flapping during a restart).
   */
  private async ride<T>(write: (ride: RideOptions) => Promise<T>): Promise<T> {
    let retried = false;
    let landed = false;
    const ride: RideOptions = {
      ...this.opts,
      stopped: () => this.closed,
      onRetry: (err, attempt) => {
        this.opts.onRetry?.(err, attempt);
        if (!retried) {
          retried = true;
          this.retrying++;
        }
        if (!this.alerted) {
          this.alerted = true;
          this.opts.onTrouble?.(err);
        }
      },
    };
    try {
      const v = await write(ride);
      landed = true;
      return v;
    } finally {
      if (retried) this.retrying--;
      if (landed && this.alerted && this.retrying === 0) {
        this.alerted = false;
        this.opts.onBack?.();
      }
    }
  }

  /**
   * The fast path of every write: its first attempt goes straight to the store, and the riding
   * (retry state, alert) is set up only once it fails (`again`, given the failure). A write that
   * lands clears the alert as `ride` does. Saves a few promises and closures per write.
   */
  private first<T>(
    attempt: () => Promise<T>,
    again: (ride: RideOptions, failed: Failed) => Promise<T>,
  ): Promise<T> {
    const startedAt = this.opts.monotonic?.() ?? performance.now();
    let p: Promise<T>;
    try {
      p = attempt();
    } catch (error) {
      p = Promise.reject(error);
    }
    return p.then(
      (v) => {
        if (this.alerted && this.retrying === 0) {
          this.alerted = false;
          this.opts.onBack?.();
        }
        return v;
      },
      (error: unknown) => this.ride((ride) => again(ride, { error, startedAt })),
    );
  }

  get prefix(): string {
    return this.inner.prefix;
  }

  get writes(): ReadonlyMap<string, number> {
    return this.inner.writes;
  }

  get writtenChars(): ReadonlyMap<string, number> | undefined {
    return this.inner.writtenChars;
  }

  orderSubject(level: string, id: number): string {
    return this.inner.orderSubject(level, id);
  }

  appendOrder(subj: string, body: unknown, msgID: string, expectedSeq: number): Promise<number> {
    return this.first(
      () => this.inner.appendOrder(subj, body, msgID, expectedSeq),
      (ride, failed) =>
        appendOrderRiding(this.inner, subj, body, msgID, expectedSeq, versionOf(body) ?? -1, ride, failed),
    );
  }

  appendFill(
    instrumentCode: string,
    execId: string,
    body: unknown,
  ): Promise<{ seq: number; duplicate: boolean }> {
    const write = () => this.inner.appendFill(instrumentCode, execId, body);
    return this.first(write, (ride, failed) => retrying(`fill ${execId}`, write, ride, failed));
  }

  appendCommission(
    instrumentCode: string,
    execId: string,
    commission: number,
    commissionCurrency: string,
    revision?: string,
  ): Promise<void> {
    return this.ride((ride) =>
      retrying(
        `commission ${execId}`,
        () => this.inner.appendCommission(instrumentCode, execId, commission, commissionCurrency, revision),
        ride,
      ),
    );
  }

  appendCorrection(instrumentCode: string, body: CorrectionEntry): Promise<void> {
    return this.ride((ride) =>
      retrying(
        `correction ${body.correctedBy}`,
        () => this.inner.appendCorrection(instrumentCode, body),
        ride,
      ),
    );
  }

  appendHistory(level: string, id: number, body: unknown, revision?: string): Promise<void> {
    const write = () => this.inner.appendHistory(level, id, body, revision);
    return this.first(write, (ride, failed) => retrying(`history ${level} ${id}`, write, ride, failed));
  }

  lastHistory<T>(level: string, id: number): Promise<T | undefined> {
    return this.inner.lastHistory<T>(level, id);
  }

  purgeOrder(subj: string): Promise<void> {
    return this.inner.purgeOrder(subj);
  }

  loadStack<T>(): Promise<Array<JournalEntry<T>>> {
    return this.inner.loadStack<T>();
  }

  loadOrderEvents<T>(subj: string): Promise<Array<JournalEntry<T>>> {
    return this.inner.loadOrderEvents<T>(subj);
  }

  loadStackEvents<T>(): Promise<Array<JournalEntry<T>>> {
    return this.inner.loadStackEvents<T>();
  }

  loadFills<T>(): Promise<Array<JournalEntry<T>>> {
    return this.inner.loadFills<T>();
  }

  loadHistory<T>(): Promise<Array<JournalEntry<T>>> {
    return this.inner.loadHistory<T>();
  }

  close(): void {
    this.closed = true;
    this.inner.close();
  }
}

/** The version of the record an actor event carries (`ActorEventBody.record.version`). */
function versionOf(data: unknown): number | undefined {
  const v = (data as { record?: { version?: unknown } } | null)?.record?.version;
  return typeof v === 'number' ? v : undefined;
}

/**
 * Append an actor's event (`OrderJournal.appendOrder`), retrying a transient failure as above.
 * `version` is the record's version the body carries (the message id names it too).
 */
export async function appendOrderRiding(
  store: OrderJournal,
  subj: string,
  body: unknown,
  msgID: string,
  expectedSeq: number,
  version: number,
  opts: RideOptions = {},
  failed?: Failed,
): Promise<number> {
  // With `failed`, the first attempt was made already (and failed so).
  let attempt = failed ? 1 : 0;
  return retrying(
    subj,
    async () => {
      attempt++;
      try {
        return await store.appendOrder(subj, body, msgID, expectedSeq);
      } catch (err) {
        if (!(err instanceof OwnershipLostError) || attempt === 1) throw err;
        // An earlier attempt may have landed (its ack lost) and the duplicate window passed.
        const landed = await landedAt(store, subj, expectedSeq, version).catch(() => null);
        if (typeof landed === 'number') return landed;
        // Not read: try again (a transient error); read and not ours: another writer moved on.
        if (landed === null)
          throw new Error(`${subj}: could not read it to check an earlier attempt`, { cause: err });
        throw err;
      }
    },
    opts,
    failed,
  );
}

/** The position of this write when it is the subject's next message after `expectedSeq`. */
async function landedAt(
  store: OrderJournal,
  subj: string,
  expectedSeq: number,
  version: number,
): Promise<number | undefined> {
  const events = await store.loadOrderEvents<unknown>(subj);
  const next = events.find((e) => e.seq > expectedSeq);
  return next !== undefined && versionOf(next.data) === version ? next.seq : undefined;
}
