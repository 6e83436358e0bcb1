/**
 * JetStream replicas on a NATS cluster (docs/deployment.md). Streams, KV buckets and object stores
 * are created in a dozen places, each with its own settings; on a cluster every one of them must
 * be replicated. Rather than each place knowing, the connection does it: `withStreamReplicas`
 * returns the connection with every stream-create request (`$JS.API.STREAM.CREATE.<name>`, which
 * is how KV buckets and object stores are created too) given `num_replicas` when it asks for none
 * or for one. Everything else passes through untouched.
 */
import type { NatsConnection, Payload, RequestOptions } from '@nats-io/transport-node';

const CREATE = '$JS.API.STREAM.CREATE.';

/** The stream configuration of a create request, with `replicas` unless it asks for more. */
export function withReplicasIn(data: Uint8Array, replicas: number): Uint8Array {
  let config: Record<string, unknown>;
  try {
    config = JSON.parse(new TextDecoder().decode(data)) as Record<string, unknown>;
  } catch {
    return data; // not JSON: the server will answer it with its own error
  }
  const asked = typeof config.num_replicas === 'number' ? config.num_replicas : 1;
  if (asked > 1) return data;
  return new TextEncoder().encode(JSON.stringify({ ...config, num_replicas: replicas }));
}

function toBytes(payload: Payload | undefined): Uint8Array {
  if (payload === undefined) return new Uint8Array();
  return typeof payload === 'string' ? new TextEncoder().encode(payload) : payload;
}

export function withStreamReplicas(nc: NatsConnection, replicas: number): NatsConnection {
  if (replicas <= 1) return nc;
  return new Proxy(nc, {
    get(target, prop) {
      if (prop === 'request') {
        return (subject: string, payload?: Payload, opts?: RequestOptions) =>
          target.request(
            subject,
            subject.startsWith(CREATE) ? withReplicasIn(toBytes(payload), replicas) : payload,
            opts,
          );
      }
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
