/**
 * Ephemeral consumers kept in memory and dropped soon after their reader goes.
 *
 * Every KV key listing, KV watch and ordered read makes an ephemeral consumer; the NATS client
 * asks for it on the stream's storage (a file stream: on disk) with `inactive_threshold` 5 minutes,
 * and does not delete it when the read is done. The stack handler lists trade-limit keys for each
 * order, so at 12 orders a second 35,000 such consumers lived on disk at once (the chaos suite,
 * docs/chaos.md): nats-server restarted after a kill -9 spent minutes restoring them ("Starting
 * restore for stream …" with no end), and sent each one's idle heartbeats meanwhile.
 *
 * So every consumer create that names no durable is asked for with `mem_storage` (nothing written,
 * nothing to restore; an ordered consumer makes itself again after a server restart) and an
 * `inactive_threshold` of at most `EPHEMERAL_INACTIVE_MS` (a reader still subscribed or pulling is
 * never inactive). Durable consumers (the order-request queue's) pass untouched.
 */
import type { Msg, NatsConnection, Payload, RequestOptions } from '@nats-io/transport-node';

const CONSUMER_CREATE = '$JS.API.CONSUMER.CREATE.';
/** An ephemeral consumer with no reader is dropped after this long. */
export const EPHEMERAL_INACTIVE_MS = 10_000;

interface CreateRequest {
  config?: { durable_name?: string; inactive_threshold?: number; mem_storage?: boolean };
}

/** The consumer create request with the limits above, or `undefined` when it is left as it is. */
export function limitedEphemeral(subject: string, data: Uint8Array): Uint8Array | undefined {
  if (!subject.startsWith(CONSUMER_CREATE)) return undefined;
  let req: CreateRequest;
  try {
    req = JSON.parse(new TextDecoder().decode(data)) as CreateRequest;
  } catch {
    return undefined; // not JSON: the server answers it with its own error
  }
  const c = req.config;
  if (!c || c.durable_name) return undefined;
  const limitNs = EPHEMERAL_INACTIVE_MS * 1_000_000;
  const inactive =
    c.inactive_threshold && c.inactive_threshold > 0 ? Math.min(c.inactive_threshold, limitNs) : limitNs;
  return new TextEncoder().encode(
    JSON.stringify({ ...req, config: { ...c, mem_storage: true, inactive_threshold: inactive } }),
  );
}

function toBytes(payload: Payload | undefined): Uint8Array {
  if (payload === undefined) return new Uint8Array();
  return typeof payload === 'string' ? new TextEncoder().encode(payload) : payload;
}

export function withShortLivedEphemerals(nc: NatsConnection): NatsConnection {
  return new Proxy(nc, {
    get(target, prop) {
      if (prop === 'request') {
        return (subject: string, payload?: Payload, opts?: RequestOptions): Promise<Msg> =>
          target.request(subject, limitedEphemeral(subject, toBytes(payload)) ?? payload, opts);
      }
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
