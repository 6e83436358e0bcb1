/**
 * Through a JetStream election (a cluster node died, docs/deployment.md): for a few seconds
 * requests to the streams it led time out or answer "temporarily unavailable". A step that is
 * safe to repeat (opening a bucket, putting the same value again, reading) is retried until the
 * cluster answers again, rather than failing a start-up that a second later would succeed.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { JetStreamApiError, JetStreamError } from '@nats-io/jetstream';
import { RequestError, TimeoutError } from '@nats-io/transport-node';
import { JetStreamUnavailableError } from './replicas.ts';

/** Whether an error is the bus in an election (or briefly away), not a refusal. */
export function isElectionError(err: unknown): boolean {
  if (err instanceof TimeoutError || err instanceof JetStreamUnavailableError) return true;
  if (err instanceof RequestError) return err.isNoResponders();
  if (err instanceof JetStreamApiError) return err.status === 503;
  // A publish that met no stream leader.
  return err instanceof JetStreamError && /no responders|timeout|unavailable/i.test(err.message);
}

/** Run a repeatable step until it succeeds, retrying election errors for up to `budgetMs`. */
export async function throughElection<T>(step: () => Promise<T>, budgetMs = 60_000): Promise<T> {
  const deadline = performance.now() + budgetMs; // a duration: monotonic
  for (;;) {
    try {
      return await step();
    } catch (err) {
      if (!isElectionError(err) || performance.now() > deadline) throw err;
      await sleep(100); // electing: ask again soon, the new leader answers at once
    }
  }
}
