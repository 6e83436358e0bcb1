/**
 * Stream leaders kept off the active supervisor's own cluster node (docs/deployment.md, the
 * takeover budget). A host that dies usually takes its cluster node with it; every stream whose
 * JetStream leader was on that node is then unreadable until nats-server 2.9 elects a new one
 * (4–9 s), and a takeover reads the process-control bucket and the stack handler's streams first.
 * So the active supervisor, on a cluster (`jetstream_replicas` > 1), looks at each catalogued
 * stream's leader every `everyMs` and asks a leader on its own node to step down
 * (`$JS.API.STREAM.LEADER.STEPDOWN.<stream>`, and the same for durable consumers: the leader hands over to a current follower at
 * once, no election timeout), so the node that dies with it leads none of them. On a single
 * server it does nothing. Streams not created yet are skipped.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { catalogueStreams } from '../../src/bus/roles.ts';
import type { Logger } from '../../src/log/logger.ts';

export interface LeaderPlacementOptions {
  nc: NatsConnection;
  prefix: string;
  /** `jetstream_replicas`: 1 does nothing. */
  replicas: number;
  log: Logger;
  /** Ms between looks (default 5000). */
  everyMs?: number;
  /** Ms before the first look (default 1000: after a takeover's first scheduling pass). */
  firstAfterMs?: number;
}

export interface LeaderPlacement {
  /** Stop looking (a pass under way finishes its current request). */
  stop(): Promise<void>;
}

/** A stepdown JetStream refused. */
export class LeaderStepdownError extends Error {
  override name = 'LeaderStepdownError';
}

const STEPDOWN = '$JS.API.STREAM.LEADER.STEPDOWN.';
const CONSUMER_STEPDOWN = '$JS.API.CONSUMER.LEADER.STEPDOWN.';
const REQUEST_TIMEOUT_MS = 5000;

async function stepDown(nc: NatsConnection, what: string, subject: string): Promise<void> {
  const m = await nc.request(subject, undefined, { timeout: REQUEST_TIMEOUT_MS });
  const r = m.json<{ success?: boolean; error?: { code: number; description: string } }>();
  if (r.error || r.success !== true)
    throw new LeaderStepdownError(
      `stepdown of ${what} refused: ${r.error ? `${r.error.code} ${r.error.description}` : 'no success'}`,
    );
}

/** Ask the leader of `stream` to step down; rejects with JetStream's refusal. */
export async function stepDownStreamLeader(nc: NatsConnection, stream: string): Promise<void> {
  await stepDown(nc, stream, `${STEPDOWN}${stream}`);
}

/** Ask the leader of a (durable, replicated) consumer to step down. */
export async function stepDownConsumerLeader(
  nc: NatsConnection,
  stream: string,
  consumer: string,
): Promise<void> {
  await stepDown(nc, `${stream} > ${consumer}`, `${CONSUMER_STEPDOWN}${stream}.${consumer}`);
}

/** A replicated stream or consumer: its leader and whether it has followers to hand over to. */
const ledBy = (c: { leader?: string; replicas?: unknown[] } | undefined) =>
  c?.replicas && c.replicas.length > 0 ? c.leader : undefined;

/**
 * One look: every replicated catalogued stream, and every replicated durable consumer of one,
 * led by the node `nc` is connected to is asked to step down. Returns what was moved.
 */
export async function moveLeadersOffOwnNode(
  nc: NatsConnection,
  prefix: string,
  log: Logger,
  stopped: () => boolean = () => false,
): Promise<string[]> {
  const own = nc.info?.server_name;
  if (!own) return [];
  const jsm = await jetstream(nc).jetstreamManager();
  const moved: string[] = [];
  const move = async (what: string, f: () => Promise<void>) => {
    try {
      await f();
      moved.push(what);
      log.info({ stream: what, from: own }, 'stream leader moved off this supervisor’s node');
    } catch (err) {
      log.warn({ err, stream: what, node: own }, 'leader stepdown failed (tried again on the next pass)');
    }
  };
  for (const stream of catalogueStreams(prefix)) {
    if (stopped()) break;
    const info = await jsm.streams.info(stream).catch(() => undefined); // not created yet, or electing: next pass
    if (!info) continue;
    if (ledBy(info.cluster) === own) await move(stream, () => stepDownStreamLeader(nc, stream));
    if (info.state.consumer_count === 0) continue;
    const consumers = await jsm.consumers
      .list(stream)
      .next()
      .catch(() => []); // electing: next pass
    for (const c of consumers) {
      if (stopped()) break;
      if (!c.config.durable_name || ledBy(c.cluster) !== own) continue;
      await move(`${stream} > ${c.name}`, () => stepDownConsumerLeader(nc, stream, c.name));
    }
  }
  return moved;
}

/** Keep the catalogued streams' leaders off this connection's node while active. */
export function startLeaderPlacement(o: LeaderPlacementOptions): LeaderPlacement {
  if (o.replicas <= 1) return { stop: async () => undefined };
  const everyMs = o.everyMs ?? 5000;
  let stopped = false;
  const abort = new AbortController();
  const loop = (async () => {
    await sleep(o.firstAfterMs ?? 1000, undefined, { signal: abort.signal }).catch(() => undefined); // stopped
    while (!stopped) {
      await moveLeadersOffOwnNode(o.nc, o.prefix, o.log, () => stopped).catch((err: unknown) =>
        o.log.warn({ err }, 'stream leader placement pass failed (tried again on the next pass)'),
      );
      await sleep(everyMs, undefined, { signal: abort.signal }).catch(() => undefined); // stopped
    }
  })();
  return {
    async stop() {
      stopped = true;
      abort.abort();
      await loop;
    },
  };
}
