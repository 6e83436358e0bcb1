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
import { setTimeout as sleep } from 'node:timers/promises';

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
/** The JetStream client's own request timeout. */
const DEFAULT_REQUEST_TIMEOUT_MS = 5000;
/**
 * How long an ephemeral consumer's first create is awaited before it is asked again, at once,
 * under a new name (a quarter of a second longer on each attempt, up to the request's own timeout). A create answers in
 * milliseconds; one placed on a dead peer never does (nats-server 2.9 places about one in three
 * there while a node is down, and every object-store read and KV key listing makes one), and
 * waiting the full 5 s each time cost a standby's stack handler ~45 s of start-up
 * (test/cluster/standby.test.ts).
 */
const EPHEMERAL_CREATE_WAIT_MS = 250;

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
      const m = await nc.request(`${API}INFO`, undefined, { timeout: 2000 });
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

type Request = (subject: string, payload?: Payload, opts?: RequestOptions) => Promise<Msg>;

/** A stream info or create request, through an election; a create that timed out is idempotent. */
async function setupRequest(request: Request, subject: string, data: Uint8Array, opts?: RequestOptions) {
  const deadline = Date.now() + SETUP_BUDGET_MS;
  let timedOut = false;
  // An ephemeral's create placed on a dead peer never answers: wait a short while, growing with
  // each attempt (a slow but live server still answers), then ask again under a new name.
  const ephemeral = renamedEphemeral(subject, data, 2)[0] !== subject;
  for (let attempt = 1; ; attempt++) {
    if (timedOut) [subject, data] = renamedEphemeral(subject, data, attempt);
    const timeout = opts?.timeout ?? DEFAULT_REQUEST_TIMEOUT_MS;
    const asked = ephemeral
      ? { ...opts, timeout: Math.min(timeout, EPHEMERAL_CREATE_WAIT_MS * attempt) }
      : opts;
    try {
      const m = await request(subject, data, asked);
      // A direct get answers with the message itself, never a JetStream API error body.
      const code = subject.startsWith(DIRECT_GET) ? undefined : jsErrorCode(m);
      if (timedOut && code === STREAM_NAME_IN_USE && subject.startsWith(CREATE))
        // Our own earlier attempt created it: answer with what is there.
        return await setupRequest(request, INFO + subject.slice(CREATE.length), new Uint8Array(), opts);
      if (code === undefined || !ELECTING.has(code) || Date.now() > deadline) return m;
    } catch (err) {
      if (!(err instanceof TimeoutError) || Date.now() > deadline) throw err;
      timedOut = true;
      // An ephemeral's create on a dead peer: ask again under a new name at once.
      if (ephemeral) continue;
    }
    await sleep(250); // electing
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
  const request: Request = (subject, payload, opts) => nc.request(subject, payload, opts);
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
