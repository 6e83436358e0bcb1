/**
 * JetStream replicas on a NATS cluster (docs/deployment.md). Streams, KV buckets and object stores
 * are created in a dozen places, each with its own settings; on a cluster every one of them must
 * be replicated. Rather than each place knowing, the connection does it: `withStreamReplicas`
 * returns the connection with every stream-create request (`$JS.API.STREAM.CREATE.<name>`, which
 * is how KV buckets and object stores are created too) given `num_replicas` when it asks for none
 * or for one.
 *
 * A cluster that has just started (or lost a node) is electing its JetStream meta leader; until it
 * has one, JetStream API requests time out or answer "temporarily unavailable". So on a cluster
 * connection every JetStream API request first waits for the meta leader (`$JS.API.INFO`
 * answering, `waitForJetStream`), and account info, the requests that only read (stream and
 * consumer info, names, message gets), consumer creates and stream creates are retried when they
 * time out or meet an election. A create that timed out may have succeeded:
 * its retry answering "stream name already in use" is answered with the stream's info instead.
 * Everything else passes through untouched.
 */
import type { Msg, NatsConnection, Payload, RequestOptions } from '@nats-io/transport-node';
import { TimeoutError } from '@nats-io/transport-node';
import { HEDGE_CREATE_MS, HEDGE_READ_MS, hedged, type Request } from './hedged.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import { getLogger } from '../log/logger.ts';

const API = '$JS.API.';
const CREATE = '$JS.API.STREAM.CREATE.';
const INFO = '$JS.API.STREAM.INFO.';
const DIRECT_GET = '$JS.API.DIRECT.GET.';
/** Requests asked again when an election interrupts them: reads, and consumer creates. */
const READS = [
  INFO,
  '$JS.API.STREAM.NAMES',
  '$JS.API.STREAM.LIST',
  '$JS.API.STREAM.MSG.GET.',
  DIRECT_GET,
  '$JS.API.CONSUMER.INFO.',
  '$JS.API.CONSUMER.NAMES.',
  '$JS.API.CONSUMER.LIST.',
  // Not a read, but asked again with the same configuration it makes the same consumer (a durable)
  // or a spare one the server drops when idle (an ephemeral). With a node down, nats-server 2.9
  // places about one in three one-replica consumers on the dead peer: their create times out.
  '$JS.API.CONSUMER.CREATE.',
];
/** How long storage set-up keeps trying through an election before giving up. */
const SETUP_BUDGET_MS = 60_000;
/** JetStream error codes that mean "the cluster is electing, ask again". */
const ELECTING = new Set([
  10008, // JetStream system temporarily unavailable (no meta leader)
  10005, // no suitable peers for placement (peers not known yet)
  10023, // insufficient resources (while peers are still being counted)
]);
const STREAM_NAME_IN_USE = 10058;
/** JetStream gave no meta leader in time. */
export class JetStreamUnavailableError extends Error {
  override name = 'JetStreamUnavailableError';
}

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

/** The JetStream API error code in a response, if it is an error. */
export function jsErrorCode(m: Msg): number | undefined {
  if (m.data.length === 0) return undefined;
  try {
    const body = JSON.parse(new TextDecoder().decode(m.data)) as { error?: { err_code?: number } };
    return body.error ? (body.error.err_code ?? 0) : undefined;
  } catch {
    return undefined; // not JSON: not a JetStream API error
  }
}

/**
 * Until JetStream answers `$JS.API.INFO` (account info, which on a cluster only a meta leader
 * gives): the cluster has elected its JetStream meta leader.
 */
export async function waitForJetStream(nc: NatsConnection, timeoutMs = SETUP_BUDGET_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    try {
      // Asked again every half second while unanswered (a meta leader that died answers nothing).
      const m = await hedged(
        (subject, data, opts) => nc.request(subject, data, opts),
        () => [`${API}INFO`, new Uint8Array()],
        HEDGE_READ_MS,
        performance.now() + Math.max(0, deadline - Date.now()), // a duration: monotonic
        { timeout: 2000 },
      );
      const code = jsErrorCode(m);
      if (code === undefined) return;
      last = `error ${code}`;
    } catch (err) {
      if (nc.isClosed()) throw err;
      last = String(err);
    }
    await sleep(250); // electing
  }
  throw new JetStreamUnavailableError(`JetStream has no meta leader after ${timeoutMs} ms (${last})`);
}

const CONSUMER_CREATE = '$JS.API.CONSUMER.CREATE.';

/**
 * An ephemeral consumer's create asked again under a new name: the timed-out one may be assigned
 * to a dead peer, and asking for the same name again waits on it for ever. A durable keeps its
 * name (its create is idempotent); the client reads the name from the answer.
 */
export function renamedEphemeral(subject: string, data: Uint8Array, attempt: number): [string, Uint8Array] {
  if (!subject.startsWith(CONSUMER_CREATE)) return [subject, data];
  let req: { config?: { name?: string; durable_name?: string } };
  try {
    req = JSON.parse(new TextDecoder().decode(data)) as typeof req;
  } catch {
    return [subject, data]; // not JSON: the server answers it with its own error
  }
  const name = req.config?.name;
  if (!name || req.config?.durable_name) return [subject, data];
  const [stream, token, ...filter] = subject.slice(CONSUMER_CREATE.length).split('.');
  if (token !== name) return [subject, data];
  const renamed = `${name.replace(/_r\d+$/, '')}_r${attempt}`;
  return [
    [`${CONSUMER_CREATE}${stream}`, renamed, ...filter].join('.'),
    new TextEncoder().encode(JSON.stringify({ ...req, config: { ...req.config, name: renamed } })),
  ];
}

/** A stream info or create request, through an election; a create that timed out is idempotent. */
async function setupRequest(request: Request, subject: string, data: Uint8Array, opts?: RequestOptions) {
  const deadline = Date.now() + SETUP_BUDGET_MS;
  const hedgeUntil = performance.now() + SETUP_BUDGET_MS; // a duration: monotonic
  const stream = subject.startsWith(CREATE);
  const consumer = subject.startsWith(CONSUMER_CREATE);
  // An ephemeral's create placed on a dead peer never answers: asked again under a new name.
  const ephemeral = renamedEphemeral(subject, data, 2)[0] !== subject;
  let asked = 0; // asks so far (an ephemeral's n-th ask has its own name)
  let timedOut = false;
  for (;;) {
    try {
      // A stream create or a durable's create is asked once at a time (its retry may meet
      // "name in use", answered below); reads and ephemerals' creates are hedged.
      const base = asked;
      const m =
        stream || (consumer && !ephemeral)
          ? await request(subject, data, opts)
          : await hedged(
              request,
              (n) => {
                asked = base + n;
                return ephemeral && asked > 1 ? renamedEphemeral(subject, data, asked) : [subject, data];
              },
              consumer ? HEDGE_CREATE_MS : HEDGE_READ_MS,
              hedgeUntil,
              opts,
            );
      // A direct get answers with the message itself, never a JetStream API error body.
      const code = subject.startsWith(DIRECT_GET) ? undefined : jsErrorCode(m);
      if (timedOut && code === STREAM_NAME_IN_USE && stream)
        // Our own earlier attempt created it: answer with what is there.
        return await setupRequest(request, INFO + subject.slice(CREATE.length), new Uint8Array(), opts);
      if (code === undefined || !ELECTING.has(code) || Date.now() > deadline) return m;
    } catch (err) {
      if (!(err instanceof TimeoutError) || Date.now() > deadline) throw err;
      timedOut = true;
      continue; // every ask timed out: ask again at once
    }
    await sleep(250); // electing
  }
}

/** JetStream API requests slower than this (or failing) are logged at debug. */
const TRACE_SLOW_MS = 100;

async function traced(nc: NatsConnection, subject: string, payload?: Payload, opts?: RequestOptions) {
  const t0 = performance.now(); // a duration: monotonic
  try {
    const m = await nc.request(subject, payload, opts);
    const ms = Math.round(performance.now() - t0);
    const code = subject.startsWith(DIRECT_GET) ? undefined : jsErrorCode(m);
    if (ms >= TRACE_SLOW_MS || code !== undefined)
      getLogger().debug({ subject, ms, err_code: code }, 'jetstream api request');
    return m;
  } catch (err) {
    getLogger().debug(
      { subject, ms: Math.round(performance.now() - t0), err: String(err) },
      'jetstream api request failed',
    );
    throw err;
  }
}

export function withStreamReplicas(nc: NatsConnection, replicas: number): NatsConnection {
  if (replicas <= 1) return nc;
  let ready: Promise<void> | undefined;
  const jetStreamReady = (): Promise<void> => {
    ready ??= waitForJetStream(nc).catch((err: unknown) => {
      ready = undefined; // ask again next time
      throw err;
    });
    return ready;
  };
  const request: Request = (subject, payload, opts) => traced(nc, subject, payload, opts);
  return new Proxy(nc, {
    get(target, prop) {
      if (prop === 'request') {
        return async (subject: string, payload?: Payload, opts?: RequestOptions) => {
          if (!subject.startsWith(API)) return request(subject, payload, opts);
          // Account info is how clients first look at JetStream (jetstreamManager): retried, not waited.
          if (subject === `${API}INFO`) return setupRequest(request, subject, toBytes(payload), opts);
          await jetStreamReady();
          if (subject.startsWith(CREATE))
            return setupRequest(request, subject, withReplicasIn(toBytes(payload), replicas), opts);
          if (READS.some((r) => subject.startsWith(r)))
            return setupRequest(request, subject, toBytes(payload), opts);
          return request(subject, payload, opts);
        };
      }
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
