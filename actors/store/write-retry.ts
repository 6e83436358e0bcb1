/**
 * How a journal write rides through a short outage of the store (riding-journal.ts): which
 * failures are transient (no answer from JetStream, a full store) and the retry loop with its
 * deadline and back-off.
 */
import { JetStreamApiError } from '@nats-io/jetstream';
import { OwnershipLostError } from '../../src/store/order-journal.ts';

/**
 * nats-server's error codes (server/errors.json) for a write refused for storage: the store or the
 * account is full, or the stream's own limit refused it (`discard: new` at `max_bytes`).
 */
export const JS_STORAGE_ERROR_CODES: ReadonlySet<number> = new Set([
  10002, // JSAccountResourcesExceededErr: resource limits exceeded for account
  10023, // JSInsufficientResourcesErr: insufficient resources
  10047, // JSStorageResourcesExceededErr: insufficient storage resources available
  10077, // JSStreamStoreFailedF: the store failed the write (e.g. "maximum bytes exceeded")
]);

/** A write refused because the store is full (JetStream's storage errors). */
export function isStorageRefusal(err: unknown): boolean {
  return err instanceof JetStreamApiError && JS_STORAGE_ERROR_CODES.has(err.code);
}

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

/** A first attempt that already failed (the journal's fast path: see `RidingJournal.first`). */
export interface Failed {
  error: unknown;
  /** When that first attempt started (`RideOptions.monotonic`): the deadline counts from it. */
  startedAt: number;
}

/**
 * A write retried while its failure is transient, until the deadline (see `RideOptions`). With
 * `failed`, its first attempt was already made and failed so.
 */
export async function retrying<T>(
  what: string,
  write: () => Promise<T>,
  opts: RideOptions,
  failed?: Failed,
): Promise<T> {
  const now = opts.monotonic ?? (() => performance.now());
  const deadline = (failed?.startedAt ?? now()) + (opts.retryMs ?? 30_000);
  let pause = opts.backoffMs ?? 100;
  for (let attempt = 1; ; attempt++) {
    try {
      if (attempt === 1 && failed) throw failed.error;
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

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
