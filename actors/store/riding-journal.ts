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
import { JetStreamApiError } from '@nats-io/jetstream';
import { isStorageRefusal } from '../../src/store/store-retry.ts';
import type { JournalEntry } from '../../src/store/journal.ts';
import {
  type CorrectionEntry,
  type OrderJournal,
  OwnershipLostError,
} from '../../src/store/order-journal.ts';

// JetStream's storage refusals: one list for the journal and the keyed records (store-retry.ts).
export { isStorageRefusal, JS_STORAGE_ERROR_CODES } from '../../src/store/store-retry.ts';

/**
 * Whether a failed write may succeed if tried again soon: anything but an answer from JetStream
 * (no ack, no responders, a closed or reconnecting connection), or a storage refusal. A second
 * writer (OwnershipLostError) or any other JetStream refusal is final.
 */
export function isTransientWriteError(err: unknown): boolean {
  if (err instanceof OwnershipLostError) return false;
  if (err instanceof JetStreamApiError) return isStorageRefusal(err);
  return true;
}

/** Raised when a write still fails when the retry deadline has passed; `cause` is the last error. */
export class JournalUnavailableError extends Error {
  override name = 'JournalUnavailableError';
}

export interface RideOptions {
  /** How long a failing write is retried before it fails for good (ms, default 30 000). */
  retryMs?: number;
  /** Pause before the first retry (ms, default 100); doubled after each, up to 2 s. */
  backoffMs?: number;
  /** A monotonic clock for the deadline (ms; default `performance.now`): no wall clock jump moves it. */
  monotonic?: () => number;
  /** Called for each failed attempt that will be retried (the host's alert while writes fail). */
  onRetry?: (err: unknown, attempt: number) => void;
  /** Retries stop (the last error stands) once this says so: the journal was closed. */
  stopped?: () => boolean;
}

/** A write retried while its failure is transient, until the deadline (see `RideOptions`). */
async function retrying<T>(what: string, write: () => Promise<T>, opts: RideOptions): Promise<T> {
  const now = opts.monotonic ?? (() => performance.now());
  const deadline = now() + (opts.retryMs ?? 30_000);
  let pause = opts.backoffMs ?? 100;
  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (err) {
      if (!isTransientWriteError(err) || opts.stopped?.() === true) throw err;
      if (now() + pause > deadline)
        throw new JournalUnavailableError(
          `${what}: journal write failed for ${opts.retryMs ?? 30_000} ms (${attempt} attempts): ${String(err)}`,
          { cause: err },
        );
      opts.onRetry?.(err, attempt);
      await sleep(pause);
      pause = Math.min(pause * 2, 2000);
    }
  }
}

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

  get prefix(): string {
    return this.inner.prefix;
  }

  get writes(): ReadonlyMap<string, number> {
    return this.inner.writes;
  }

  orderSubject(level: string, id: number): string {
    return this.inner.orderSubject(level, id);
  }

  appendOrder(subj: string, body: unknown, msgID: string, expectedSeq: number): Promise<number> {
    return this.ride((ride) =>
      appendOrderRiding(this.inner, subj, body, msgID, expectedSeq, versionOf(body) ?? -1, ride),
    );
  }

  appendFill(
    instrumentCode: string,
    execId: string,
    body: unknown,
  ): Promise<{ seq: number; duplicate: boolean }> {
    return this.ride((ride) =>
      retrying(`fill ${execId}`, () => this.inner.appendFill(instrumentCode, execId, body), ride),
    );
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
    return this.ride((ride) =>
      retrying(`history ${level} ${id}`, () => this.inner.appendHistory(level, id, body, revision), ride),
    );
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

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

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
): Promise<number> {
  let attempt = 0;
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
