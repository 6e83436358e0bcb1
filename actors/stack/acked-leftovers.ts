/**
 * Acknowledged order requests that nats-server 2.9.10 leaves in the work-queue stream.
 *
 * Seen in the chaos suite (docs/chaos.md): after nats-server restarts under load, a few messages
 * stay in `<PREFIX>_ORDER_REQUESTS` at or below the stack handler consumer's ack floor. Their acks
 * were stored in the consumer's state but the stream's removal of them was not (nats-server 2.9
 * writes both behind, separately, and a kill -9 can keep one and lose the other); newer servers
 * repair this on start (`checkStateForInterestStream`, nats-server PR #5227 and later), 2.9.10 does
 * not. They are never delivered again, so nothing trades twice, but the queue never empties and
 * anything counting its messages waits for them for ever.
 *
 * The repair done here is the newer servers' one: every message at or below the ack floor has been
 * acknowledged (explicit acks, one consumer), so it is removed — when the stack handler starts
 * consuming, after each reconnect to the bus (a restarted server), and every `sweepEveryMs`
 * (default 10 s: leftovers whose removal is lost after the last reconnect, e.g. a write behind at
 * a restart that came before the client noticed it, do not wait for the next one; a sweep with
 * nothing below the floor costs a consumer info and one message get). The count is logged.
 *
 * (A request whose ack was lost the other way round — removed from neither, delivered again — is
 * recognised by its request id and acked without a second order: `StackHandler.createInstrumentOrder`.)
 */
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { StackLogger } from './ports.ts';

interface MsgGetReply {
  message?: { seq: number };
  error?: { err_code: number; description: string };
}

/** The stream's first message at or after `seq` (JetStream's message get, `next_by_subj`). */
async function nextSeq(nc: NatsConnection, stream: string, seq: number): Promise<number | undefined> {
  // The client's `streams.getMessage` has no `next_by_subj` (only its direct get, which needs
  // `allow_direct`); nats-server 2.9 answers it on the ordinary message get API.
  const reply = await nc.request(
    `$JS.API.STREAM.MSG.GET.${stream}`,
    JSON.stringify({ seq, next_by_subj: '>' }),
    {
      timeout: 5000,
    },
  );
  const body = reply.json<MsgGetReply>();
  if (body.message) return body.message.seq;
  if (body.error?.err_code === 10037) return undefined; // no message found: none left
  throw new Error(`${stream}: message get failed: ${body.error?.description ?? 'no answer'}`);
}

/** Remove the messages at or below `consumer`'s ack floor; returns how many were removed. */
export async function removeAckedLeftovers(
  nc: NatsConnection,
  stream: string,
  consumer: string,
): Promise<number> {
  const jsm = await jetstreamManager(nc);
  const floor = (await jsm.consumers.info(stream, consumer)).ack_floor.stream_seq;
  let removed = 0;
  let failed: unknown;
  for (let seq = await nextSeq(nc, stream, 1); seq !== undefined && seq <= floor;) {
    try {
      if (await jsm.streams.deleteMessage(stream, seq, false)) removed++;
    } catch (err) {
      // Gone meanwhile (the server's own removal of an ack in flight came first): not a failure.
      const gone = await nextSeq(nc, stream, seq).then(
        (s) => s !== seq,
        () => false,
      );
      if (!gone) failed ??= err; // the others are still tried; the first failure is reported below
    }
    seq = await nextSeq(nc, stream, seq + 1);
  }
  if (failed !== undefined)
    throw new Error(`${stream}: ${removed} acked leftovers removed, some not: ${String(failed)}`, {
      cause: failed,
    });
  return removed;
}

/** How often the queue is swept besides at start and after each reconnect (ms). */
export const ACKED_LEFTOVERS_SWEEP_MS = 10_000;

/**
 * Remove acked leftovers now, after each reconnect and every `sweepEveryMs` until stopped (one
 * sweep at a time); each removal is logged.
 */
export function watchAckedLeftovers(
  nc: NatsConnection,
  stream: string,
  consumer: string,
  log: StackLogger,
  sweepEveryMs = ACKED_LEFTOVERS_SWEEP_MS,
): { stop(): void } {
  let stopped = false;
  let sweeping = false;
  const sweep = (): void => {
    if (stopped || sweeping) return;
    sweeping = true;
    removeAckedLeftovers(nc, stream, consumer)
      .then(
        (removed) => {
          if (removed > 0)
            log.warn(
              { stream, removed },
              'acknowledged order requests left in the queue by nats-server: removed',
            );
        },
        (err: unknown) => log.warn({ stream, err: String(err) }, 'acknowledged order requests: sweep failed'),
      )
      .finally(() => (sweeping = false));
  };
  sweep();
  const timer = setInterval(sweep, sweepEveryMs);
  const statuses = nc.status()[Symbol.asyncIterator]();
  void (async () => {
    for (;;) {
      const s = await statuses.next();
      if (s.done === true || stopped) break;
      // A restarted server has restored its streams and consumers before it takes clients.
      if (s.value.type === 'reconnect') sweep();
    }
  })();
  return {
    stop() {
      stopped = true;
      clearInterval(timer);
      void statuses.return?.();
    },
  };
}
