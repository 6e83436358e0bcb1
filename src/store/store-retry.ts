/**
 * Store operations riding through a short outage of the bus (issue 17 §3): a nats-server restart
 * (no answer in time, the connection closed or reconnecting, a JetStream election) or a full store
 * (JetStream refusing a write for storage). A transient failure is retried, with a growing pause,
 * until `retryMs` has passed; an answer that is a refusal (a revision conflict, a key that exists,
 * a second writer, any other JetStream error) is final at once. The stack handler's keyed records
 * are retried so (`riding-records.ts`); the order journal's writes have their own loop
 * (`actors/store/write-retry.ts`) on the same storage refusals.
 */
import { JetStreamApiError } from '@nats-io/jetstream';
import { ConnectionError, NoRespondersError, RequestError, TimeoutError } from '@nats-io/transport-node';
import { OwnershipLostError } from './order-journal.ts';
import { KeyExistsError, RevisionConflictError } from './records.ts';

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

/** JetStream's "temporarily unavailable" (an election under way, JSClusterNotAvailErr). */
const JS_UNAVAILABLE = 10008;

/**
 * Errors that are the store not answering, by name: JetStream not (yet) up on a restarted server
 * (the client's `JetStreamNotEnabled`, not exported), a 503 status, MongoDB's network errors.
 */
const TRANSIENT_NAMES: ReadonlySet<string> = new Set([
  'JetStreamNotEnabled',
  'JetStreamStatusError',
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoServerSelectionError',
  'MongoNotConnectedError',
]);

/**
 * Whether a failed operation may succeed if tried again soon: the store did not answer (a timeout,
 * no responders, the connection away or reconnecting, JetStream not up yet or in an election), or
 * refused a write for storage. An answer (a revision conflict, a key that exists, a second writer,
 * any other JetStream error) and a bad input are final.
 */
export function isTransientStoreError(err: unknown): boolean {
  if (
    err instanceof OwnershipLostError ||
    err instanceof KeyExistsError ||
    err instanceof RevisionConflictError
  )
    return false;
  if (err instanceof JetStreamApiError) return isStorageRefusal(err) || err.code === JS_UNAVAILABLE;
  if (
    err instanceof TimeoutError ||
    err instanceof NoRespondersError ||
    err instanceof RequestError ||
    err instanceof ConnectionError
  )
    return true;
  return err instanceof Error && TRANSIENT_NAMES.has(err.name);
}

/** Raised when an operation still fails when the retry deadline has passed; `cause` is the last error. */
export class StoreUnavailableError extends Error {
  override name = 'StoreUnavailableError';
}

export interface RetryOptions {
  /** How long a failing operation is retried before it fails for good (ms, default 30 000). */
  retryMs?: number;
  /** Pause before the first retry (ms, default 100); doubled after each, up to 2 s. */
  backoffMs?: number;
  /** A monotonic clock for the deadline (ms; default `performance.now`): no wall clock jump moves it. */
  monotonic?: () => number;
  /** Called for each failed attempt that will be retried. */
  onRetry?: (err: unknown, attempt: number) => void;
  /** Retries stop (the last error stands) once this says so: the store was closed. */
  stopped?: () => boolean;
}

/**
 * `op` retried while its failure is transient, until the deadline; then `fail` makes the error
 * thrown (default `StoreUnavailableError`). `op` must be safe to repeat: a write carries the same
 * id on every attempt (`RidingRecords`, the journal's message ids).
 */
export async function retryTransient<T>(
  what: string,
  op: () => Promise<T>,
  opts: RetryOptions,
  fail: (message: string, cause: unknown) => Error = (m, cause) => new StoreUnavailableError(m, { cause }),
): Promise<T> {
  const now = opts.monotonic ?? (() => performance.now());
  const retryMs = opts.retryMs ?? 30_000;
  const deadline = now() + retryMs;
  let pause = opts.backoffMs ?? 100;
  for (let attempt = 1; ; attempt++) {
    try {
      return await op();
    } catch (err) {
      if (!isTransientStoreError(err) || opts.stopped?.() === true) throw err;
      if (now() + pause > deadline)
        throw fail(`${what}: failed for ${retryMs} ms (${attempt} attempts): ${String(err)}`, err);
      opts.onRetry?.(err, attempt);
      await new Promise((r) => setTimeout(r, pause));
      pause = Math.min(pause * 2, 2000);
    }
  }
}
