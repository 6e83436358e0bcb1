/**
 * The hot-standby takeover scenario (docs/deployment.md), shared by test/cluster/standby.test.ts
 * (which asserts what was traded) and bench/standby.ts (which prints the times of N runs): a
 * 3-node cluster, two `systack supervise` "hosts" on the default lease settings, only the stack
 * handler scheduled; host-a active (connected to cluster node n1 only: its own node), host-b on
 * standby with a warm stack handler (connected to n2 and n3); four market orders queued; once the
 * active supervisor has moved every catalogued stream's leader off n1
 * (actors/supervisor/leader-placement.ts), at the first fill host-a's supervisor and stack handler
 * are killed -9 together with n1.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { jetstream } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { bootstrapSampleData, nextSimulatedDay } from '../../actors/simulation.ts';
import { type LocalCluster, startLocalCluster } from '../../src/bus/cluster.ts';
import { connectNats } from '../../src/bus/connection.ts';
import { authDir, ensureRoleCredentials, writeServerAuthConfig } from '../../src/bus/credentials.ts';
import { catalogueStreams } from '../../src/bus/roles.ts';
import { callService } from '../../src/bus/service.ts';
import { streamName, subject } from '../../src/bus/subjects.ts';
import { checkInvariants } from '../chaos/invariants.ts';
import type { ChaosRequest } from '../chaos/requests.ts';
import { freePorts } from '../../test/support/ports.ts';

const P = 'systack';

/** What one takeover did and took: times in ms after the kill, as seen by the scenario and host-b. */
export interface TakeoverRun {
  killed_at: string;
  /** Replicated streams and durable consumers the killed node led at the kill (none expected). */
  leaders_on_killed_node: string[];
  /** The process-control bucket's new leader seen (0: it was not on the killed node). */
  election_ms: number;
  /** host-b holds the `leader` key. */
  standby_takeover_ms: number;
  takeover_after_election_ms: number;
  /** The stack handler on host-b answers an order view. */
  stack_handler_back_ms: number;
  phases_ms: TakeoverPhases;
  /** Whether host-b's supervisor said `go` to a warm stack handler. */
  warm: boolean;
  invariants: Awaited<ReturnType<typeof checkInvariants>>;
}

/** When each step happened, ms after the kill, from host-b's log lines (null: not logged). */
export interface TakeoverPhases {
  leader_taken: number | null;
  stack_handler_launched: number | null;
  stack_lease_taken: number | null;
  stack_handler_restored: number | null;
}

/** A precondition of the scenario that did not hold. */
export class ScenarioError extends Error {
  override name = 'ScenarioError';
}

function check(ok: boolean, what: string): void {
  if (!ok) throw new ScenarioError(`scenario: expected ${what}`);
}

function hostConfig(dir: string, host: string, url: string): string {
  const priv = join(dir, host, 'private');
  mkdirSync(priv, { recursive: true });
  writeFileSync(
    join(priv, 'private_config.yaml'),
    [
      `data_dir: ${join(dir, host, 'data')}`,
      `echo_directory: ${join(dir, host, 'echos')}`,
      `nats_url: '${url}'`,
      `nats_credentials_dir: ${authDir(dir)}`,
      'jetstream_replicas: 3',
      `log_level: ${process.env.SYSTACK_TEST_LOG_LEVEL ?? 'info'}`,
    ].join('\n'),
  );
  writeFileSync(
    join(priv, 'private_control_config.yaml'),
    [
      'process_configuration_stop_time:',
      "  run_stack_handler: '23:50'",
      'process_configuration_host:',
      ...[
        'run_capital_update',
        'run_daily_prices_updates',
        'run_systems',
        'run_strategy_order_generator',
        'run_backups',
        'run_cleaners',
        'run_reports',
      ].map((p) => `  ${p}: nowhere`),
    ].join('\n'),
  );
  return priv;
}

/** `systack supervise`: one "host" (it and its children). */
function supervise(
  groups: ChildProcess[],
  host: string,
  priv: string,
  start: number,
): { child: ChildProcess; stderr: () => string } {
  let err = '';
  const child = spawn(
    process.execPath,
    ['bin/systack.js', 'supervise', '--start', new Date(start).toISOString(), '--no-monitor', '--json'],
    {
      env: { ...process.env, SYSTACK_PRIVATE_DIR: priv, SYSTACK_HOST: host },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  child.stderr?.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-200_000)));
  groups.push(child);
  return { child, stderr: () => err };
}

/**
 * When each step of the takeover happened, in ms after the kill: host-b's log lines carry its
 * simulated clock (speed 1), turned into real time with its anchor from the `clock` key.
 */
function takeoverPhases(
  killedAt: number,
  anchor: { anchorSim: number; anchorReal: number; speed: number },
  supervisorLog: string,
  stackEcho: string,
): TakeoverPhases {
  const at = (text: string, msg: string) => {
    for (const line of text.split('\n')) {
      if (!line.startsWith('{') || !line.includes(`"msg":"${msg}"`)) continue;
      const sim = Date.parse((JSON.parse(line) as { time: string }).time);
      return Math.round(anchor.anchorReal + (sim - anchor.anchorSim) / anchor.speed - killedAt);
    }
    return null;
  };
  return {
    leader_taken: at(supervisorLog, 'supervisor active'),
    stack_handler_launched: at(supervisorLog, 'launched run_stack_handler'),
    stack_lease_taken: at(stackEcho, 'run_stack_handler started'),
    stack_handler_restored: at(stackEcho, 'stack handler started'),
  };
}

async function until<T>(what: string, f: () => Promise<T | undefined>, ms = 90_000): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await f();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await sleep(200);
  }
  throw new Error(`timed out waiting for ${what}: ${String(last)}`);
}

/** Replicated catalogued streams and durable consumers whose leader is the node `node`. */
async function ledBy(nc: NatsConnection, node: string): Promise<string[]> {
  const jsm = await jetstream(nc).jetstreamManager();
  const led: string[] = [];
  for (const stream of catalogueStreams(P)) {
    const info = await jsm.streams.info(stream).catch(() => undefined); // not created (yet)
    if (!info) continue;
    if (info.cluster?.replicas?.length && info.cluster.leader === node) led.push(stream);
    if (info.state.consumer_count === 0) continue;
    for (const c of await jsm.consumers.list(stream).next())
      if (c.config.durable_name && c.cluster?.replicas?.length && c.cluster.leader === node)
        led.push(`${stream} > ${c.name}`);
  }
  return led;
}

/**
 * Run the scenario once in `dir` (removed after unless SYSTACK_KEEP_TEST_DIR); `keepNode`: the
 * host dies but its cluster node lives.
 */
export async function runTakeover(dir: string, o: { keepNode?: boolean } = {}): Promise<TakeoverRun> {
  let cluster: LocalCluster | undefined;
  const groups: ChildProcess[] = [];
  const conns: NatsConnection[] = [];
  try {
    const authConfigFile = writeServerAuthConfig(dir, P);
    const admin = ensureRoleCredentials(dir).admin;
    cluster = await startLocalCluster({
      dir,
      authConfigFile,
      readyAuth: { user: admin.user, pass: admin.password },
      ports: await freePorts(6),
    });
    const nc = await connectNats({ url: cluster.url, user: admin.user, pass: admin.password, replicas: 3 });
    conns.push(nc);
    const { lastPriceTime } = await until('sample data', () =>
      bootstrapSampleData(nc, P, resolve('sample-data/pysystemtrade')),
    );
    const start = nextSimulatedDay(lastPriceTime!) + 14 * 3_600_000;
    const t0 = Date.now();
    // Each host reaches the cluster through its own node(s): host-a's node n1 dies with it.
    const nodeUrl = (i: number) => `nats://${cluster!.nodes[i]!.host}:${cluster!.nodes[i]!.port}`;
    const a = supervise(groups, 'host-a', hostConfig(dir, 'host-a', nodeUrl(0)), start);
    const kv = await until('process control', () => new Kvm(nc).open(streamName(P, 'process_control')));
    const lease = async (name: string) => {
      const e = await kv.get(name);
      return e?.operation === 'PUT' ? e.json<{ host: string; pid: number }>() : undefined;
    };
    await until('host-a running the stack handler', async () => {
      if ((await lease('lease.run_stack_handler'))?.host !== 'host-a') return undefined;
      await callService(nc, subject(P, 'orders', 'view', 'instrument'), {}, 2000);
      return true;
    });
    const b = supervise(
      groups,
      'host-b',
      hostConfig(dir, 'host-b', `${nodeUrl(1)},${nodeUrl(2)}`),
      start + (Date.now() - t0),
    );
    await until('host-b on standby', async () => (b.stderr().includes('standby:') ? true : undefined));
    // Its stack handler started in advance: loaded, connected, read-only stores open, owning nothing.
    const bEcho = join(dir, 'host-b', 'echos', 'run_stack_handler.txt');
    await until('host-b with a warm stack handler', async () =>
      readFileSync(bEcho, 'utf8').includes('run_stack_handler warm: waiting to take over') ? true : undefined,
    );
    check((await lease('lease.run_stack_handler'))?.host === 'host-a', 'host-a holds the stack lease');
    check((await lease('leader'))?.host === 'host-a', 'host-a is the leader');

    // Orders in flight: one per key, market orders.
    const requests: ChaosRequest[] = ['GOLD', 'SOFR', 'SP500', 'US10'].map((instrument, index) => ({
      index,
      strategy: 'example',
      instrument,
      trade: index % 2 === 0 ? 2 : -3,
    }));
    const js = jetstream(nc);
    for (const r of requests) {
      const body = {
        strategy_name: r.strategy,
        instrument_code: r.instrument,
        trade: r.trade,
        order_type: 'market',
      };
      // Retried while the stream has no leader (the active supervisor moves leaders off its own
      // node: a publish in that election gets no responders); the message id keeps it once.
      await until(`order request ${r.index} stored`, () =>
        js
          .publish(subject(P, 'orderreq', r.strategy, r.instrument), JSON.stringify(body), {
            msgID: `orderreq:standby-${r.index}`,
          })
          .then(() => true),
      );
    }
    await until('the first fill', async () =>
      ((
        await (
          await jetstream(nc).jetstreamManager()
        ).streams
          .info(streamName(P, 'FILLS'))
          .catch(() => undefined)
      )?.state.messages ?? 0) > 0
        ? true
        : undefined,
    );
    // The active supervisor keeps the streams' leaders off its own node (leader-placement.ts).
    const own = cluster.nodes[0]!.name;
    await until(`no stream led by host-a's node ${own}`, async () =>
      (await ledBy(nc, own)).length === 0 ? true : undefined,
    );
    // The host dies: its supervisor and the stack handler it runs, with no chance to clean up;
    // and with it its cluster node, so the standby takes over while JetStream elects new leaders
    // for whatever that node still led.
    const aStack = (await lease('lease.run_stack_handler'))!;
    check(aStack.host === 'host-a', "the stack handler killed is host-a's");
    const jsm = await jetstream(nc).jetstreamManager();
    const pcLeader = (await jsm.streams.info(`KV_${streamName(P, 'process_control')}`)).cluster?.leader;
    const ledAtKill = o.keepNode ? [] : await ledBy(nc, own);
    const killedAt = Date.now();
    a.child.kill('SIGKILL');
    process.kill(aStack.pid, 'SIGKILL');
    if (!o.keepNode) await cluster.kill(0);
    // From when the bucket has its new leader (at once when it was not on the killed node).
    const electedAt =
      o.keepNode || pcLeader !== own
        ? killedAt
        : await until('a new leader for process control', async () => {
            const l = (await jsm.streams.info(`KV_${streamName(P, 'process_control')}`)).cluster?.leader;
            return l && l !== pcLeader ? Date.now() : undefined;
          });
    await until('host-b active', async () => ((await lease('leader'))?.host === 'host-b' ? true : undefined));
    const leaderMs = Date.now() - killedAt;
    const afterElectionMs = Date.now() - electedAt;
    await until('the stack handler on host-b', async () => {
      if ((await lease('lease.run_stack_handler'))?.host !== 'host-b') return undefined;
      await callService(nc, subject(P, 'orders', 'view', 'instrument'), { active_only: true }, 2000);
      return true;
    }).catch((err: unknown) => {
      throw new Error(`${String(err)}\nhost-b:\n${b.stderr()}`);
    });
    const stackMs = Date.now() - killedAt;
    await until('every order done', async () => {
      const active = await callService<unknown[]>(nc, subject(P, 'orders', 'view', 'instrument'), {
        active_only: true,
      });
      const queued = (
        await (await jetstream(nc).jetstreamManager()).streams.info(streamName(P, 'ORDER_REQUESTS'))
      ).state.messages;
      return active.length === 0 && queued === 0 ? true : undefined;
    });
    await sleep(500);
    const inv = await checkInvariants(nc, requests);
    const anchor = (await kv.get('clock'))!.json<{ anchorSim: number; anchorReal: number; speed: number }>();
    const phases = takeoverPhases(killedAt, anchor, b.stderr(), readFileSync(bEcho, 'utf8'));
    const bOut = b.stderr();
    b.child.kill('SIGTERM');
    await new Promise<void>((r) => (b.child.exitCode !== null ? r() : b.child.once('exit', () => r())));
    return {
      killed_at: new Date(killedAt).toISOString(),
      leaders_on_killed_node: ledAtKill,
      election_ms: electedAt - killedAt,
      standby_takeover_ms: leaderMs,
      takeover_after_election_ms: afterElectionMs,
      stack_handler_back_ms: stackMs,
      phases_ms: phases,
      warm: /"warm":true[^\n]*"msg":"launched run_stack_handler"/.test(bOut),
      invariants: inv,
    };
  } finally {
    for (const g of groups) g.kill('SIGKILL');
    for (const nc of conns) await nc.close().catch(() => undefined);
    await cluster?.stop();
    if (!process.env.SYSTACK_KEEP_TEST_DIR) rmSync(dir, { recursive: true, force: true });
  }
}
