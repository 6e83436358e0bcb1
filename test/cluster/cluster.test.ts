// A 3-node NATS cluster on loopback (docs/deployment.md): every stream, KV bucket and object
// store systack creates gets 3 replicas (jetstream_replicas), and killing the node that leads the
// fills stream loses nothing: publishing carries on through the other two.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JetStreamProcessStore as ProcessStore } from '../../actors/supervisor/process-store.ts';
import { OrderEventStore } from '../../actors/store/order-event-store.ts';
import { kvSimBrokerStore } from '../../src/broker/sim/kv-store.ts';
import { type LocalCluster, startLocalCluster } from '../../src/bus/cluster.ts';
import { connectNats } from '../../src/bus/connection.ts';
import { ensureRoleCredentials, writeServerAuthConfig } from '../../src/bus/credentials.ts';
import { streamName } from '../../src/bus/subjects.ts';
import { ensureLogStream } from '../../src/log/ship.ts';
import { JetStreamPriceStore } from '../../src/store/jetstream/price-store.ts';
import { freePorts } from '../support/ports.ts';

const P = 'cl';
let dir: string;
let cluster: LocalCluster;
const conns: NatsConnection[] = [];

async function until<T>(what: string, f: () => Promise<T>, tries = 120): Promise<T> {
  let last: unknown;
  for (let i = 0; i < tries; i++) {
    try {
      return await f();
    } catch (err) {
      last = err;
      await sleep(250); // JetStream electing its leaders
    }
  }
  throw new Error(`${what}: ${String(last)}`);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'systack-cluster-'));
  const authConfigFile = writeServerAuthConfig(dir, P);
  const admin = ensureRoleCredentials(dir).admin;
  cluster = await startLocalCluster({
    dir,
    authConfigFile,
    readyAuth: { user: admin.user, pass: admin.password },
    ports: await freePorts(6),
  });
}, 90_000);

afterAll(async () => {
  for (const nc of conns) await nc.close().catch(() => undefined);
  await cluster?.stop();
  await rm(dir, { recursive: true, force: true });
});

async function as(role: 'stack' | 'admin', url = cluster.url): Promise<NatsConnection> {
  const u = ensureRoleCredentials(dir)[role];
  const nc = await connectNats({ url, name: `cluster-${role}`, user: u.user, pass: u.password, replicas: 3 });
  conns.push(nc);
  return nc;
}

describe('systack on a 3-node NATS cluster', () => {
  it('creates every stream, bucket and object store with 3 replicas and loses nothing when a node dies', async () => {
    const nc = await as('stack');
    // No retry here: the connection waits for the meta leader and retries an interrupted create.
    await ensureLogStream(nc, P);
    await ProcessStore.open(nc, P);
    await OrderEventStore.open(nc, P);
    await kvSimBrokerStore(nc, streamName(P, 'SIMBROKER'));
    await JetStreamPriceStore.open(nc, P);
    const jsm = await jetstreamManager(nc);
    const streams: Array<{ name: string; replicas: number }> = [];
    for await (const s of jsm.streams.list())
      streams.push({ name: s.config.name, replicas: s.config.num_replicas });
    expect(streams.map((s) => s.name)).toEqual(
      expect.arrayContaining([
        'CL_FILLS',
        'CL_STACK',
        'KV_CL_PROCESS_CONTROL',
        'KV_CL_SIMBROKER',
        'OBJ_CL_PRICES',
      ]),
    );
    expect(streams.filter((s) => s.replicas !== 3)).toEqual([]);

    const js = jetstream(nc);
    const fill = (i: number) =>
      until(`fill ${i}`, () =>
        js.publish(`${P}.fills.GOLD`, JSON.stringify({ i }), { msgID: `fill:e${i}`, timeout: 2000 }),
      );
    for (let i = 0; i < 40; i++) await fill(i);
    // Kill the node that leads the fills stream, mid-run.
    const leader = (await jsm.streams.info(streamName(P, 'FILLS'))).cluster?.leader;
    const victim = cluster.nodes.findIndex((n) => n.name === leader);
    expect(victim).toBeGreaterThanOrEqual(0);
    await cluster.kill(victim);
    for (let i = 40; i < 80; i++) await fill(i);
    const kv = (await ProcessStore.open(nc, P)).kv;
    await until('kv put', () => kv.put('record.run_x', '{"lastPid":1}'));

    // Read back through a surviving node only: every fill once, the KV value there.
    const survivor = cluster.nodes.find((_, i) => i !== victim)!;
    const reader = await as('admin', `nats://${survivor.host}:${survivor.port}`);
    const info = await until('info', () =>
      jetstreamManager(reader).then((m) => m.streams.info(streamName(P, 'FILLS'))),
    );
    expect(info.state.messages).toBe(80);
    expect(info.cluster?.leader).not.toBe(leader);
    expect((await (await ProcessStore.open(reader, P)).getRecord('run_x')).lastPid).toBe(1);

    // The dead node comes back on its store and catches up.
    await cluster.restart(victim);
    const back = await as('admin', `nats://127.0.0.1:${cluster.nodes[victim]!.port}`);
    await until('caught up', async () => {
      const s = await (await jetstreamManager(back)).streams.info(streamName(P, 'FILLS'));
      const replicas = s.cluster?.replicas ?? [];
      if (replicas.length !== 2 || replicas.some((r) => !r.current)) throw new Error('not current yet');
    });
  }, 120_000);
});
