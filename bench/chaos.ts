/**
 * The chaos suite (issue 17 §3, docs/chaos.md): `npm run chaos -- --orders 10000 --seed S --json`.
 *
 * A system of its own on loopback (`systack supervise` with its embedded nats-server and the
 * simulated broker, in a temporary directory) trades a stream of seeded order requests while the
 * suite, at random points, kills -9 the stack handler, the order generator, the supervisor (its
 * embedded nats-server goes with it; the suite starts it again) or nats-server alone (the
 * supervisor restarts it), and the simulated broker duplicates, delays and reorders its fills,
 * commission reports and order statuses and drops its connection (`sim_broker_chaos`). After the
 * last request has traded it checks the invariants (invariants.ts) and prints one JSON summary;
 * exit code 0 when every count is 0.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import type { NatsConnection } from '@nats-io/transport-node';
import { pendingOrderRequests } from '../actors/stack/order-requests.ts';
import { Prng } from '../src/broker/sim/prng.ts';
import { callService } from '../src/bus/service.ts';
import { subject } from '../src/bus/subjects.ts';
import { checkInvariants } from './chaos/invariants.ts';
import { chaosRequests } from './chaos/requests.ts';
import { ChaosSystem, chaosStrategies, PREFIX } from './chaos/system.ts';

const INSTRUMENTS = ['GOLD', 'SOFR', 'SP500', 'US10'];
const FAULTS = ['stack_handler', 'generator', 'supervisor', 'nats_server'] as const;
type Fault = (typeof FAULTS)[number];

const { values: args } = parseArgs({
  options: {
    orders: { type: 'string', default: '200' },
    seed: { type: 'string', default: '1' },
    json: { type: 'boolean', default: false },
    'kill-every-ms': { type: 'string', default: '4000' },
    strategies: { type: 'string', default: '5' },
    rate: { type: 'string', default: '20' },
    'max-minutes': { type: 'string', default: '60' },
    keep: { type: 'boolean', default: false },
  },
});
const orders = Number(args.orders);
const seed = Number(args.seed);
const killEveryMs = Number(args['kill-every-ms']);
const strategies = chaosStrategies(Number(args.strategies));
const deadline = Date.now() + Number(args['max-minutes']) * 60_000;
const say = (s: string) => {
  if (!args.json) process.stderr.write(`${s}\n`);
};

const dir = mkdtempSync(join(tmpdir(), 'systack-chaos-'));
const sys = new ChaosSystem({
  dir,
  strategies,
  brokerChaos: {
    seed,
    duplicate: 0.05,
    delay: 0.1,
    delay_ms: 400,
    disconnect_every_ms: 8000,
    disconnect_ms: 600,
  },
});
const requests = chaosRequests(seed, orders, strategies, INSTRUMENTS);
let generator: ChildProcess | undefined;
let generatorDone = false;

function startGenerator(): void {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'bench/chaos/generator.ts',
      sys.url,
      sys.credentialsFile('orders'),
      join(dir, 'generator.progress'),
      String(seed),
      String(orders),
      INSTRUMENTS.join(','),
      String(strategies.length),
      String(args.rate),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  child.stdout?.on('data', (d: Buffer) => {
    if (d.toString().includes('done')) generatorDone = true;
  });
  generator = child;
}

async function killGenerator(): Promise<void> {
  const g = generator;
  if (!g || g.exitCode !== null) return;
  const exited = new Promise<void>((r) => g.once('exit', () => r()));
  g.kill('SIGKILL');
  await exited;
}

/** Until the stack handler answers again: the time the system took to recover. */
async function recovered(nc: NatsConnection, since: number): Promise<number> {
  for (;;) {
    try {
      await callService(nc, subject(PREFIX, 'orders', 'view', 'instrument'), { active_only: true }, 2000);
      return Date.now() - since;
    } catch {
      if (Date.now() > deadline) return Date.now() - since;
      await sleep(50); // not back yet
    }
  }
}

async function inject(fault: Fault, nc: NatsConnection): Promise<number | undefined> {
  const t0 = Date.now();
  switch (fault) {
    case 'stack_handler': {
      const pid = await sys.leasePid(nc, 'run_stack_handler').catch(() => undefined);
      if (!pid) return undefined;
      process.kill(pid, 'SIGKILL');
      break;
    }
    case 'generator':
      if (generatorDone) return undefined;
      await killGenerator();
      startGenerator();
      return 0;
    case 'supervisor':
      await sys.killSupervisor();
      await sys.startSupervisor();
      break;
    case 'nats_server': {
      const pid = sys.natsPid();
      if (!pid) return undefined;
      process.kill(pid, 'SIGKILL');
      await sleep(200); // the supervisor notices and restarts it
      break;
    }
  }
  return recovered(nc, t0);
}

async function finished(nc: NatsConnection): Promise<boolean> {
  if (!generatorDone) return false;
  try {
    const active = await callService<unknown[]>(
      nc,
      subject(PREFIX, 'orders', 'view', 'instrument'),
      { active_only: true },
      2000,
    );
    return active.length === 0 && (await pendingOrderRequests(nc, PREFIX)) === 0;
  } catch {
    return false; // the stack handler is away: not finished
  }
}

async function main(): Promise<number> {
  const started = Date.now();
  say(`chaos: ${orders} order requests, seed ${seed}, in ${dir}`);
  await sys.prepare();
  await sys.startSupervisor();
  const nc = await sys.connectAs('admin', 'chaos-suite');
  startGenerator();
  const prng = new Prng(seed);
  const kills: Record<Fault, number> = { stack_handler: 0, generator: 0, supervisor: 0, nats_server: 0 };
  const recoveries: number[] = [];
  let nextKill = Date.now() + prng.int(killEveryMs / 2, (killEveryMs * 3) / 2);
  while (!(await finished(nc)) && Date.now() < deadline) {
    if (generator?.exitCode !== null && !generatorDone) startGenerator(); // it failed: again
    if (Date.now() >= nextKill && !generatorDone) {
      const fault = FAULTS[prng.int(0, FAULTS.length - 1)]!;
      const ms = await inject(fault, nc);
      if (ms !== undefined) {
        kills[fault]++;
        if (fault !== 'generator') recoveries.push(ms);
        say(`kill -9 ${fault}: back in ${ms} ms`);
      }
      nextKill = Date.now() + prng.int(killEveryMs / 2, (killEveryMs * 3) / 2);
    }
    await sleep(200);
  }
  const complete = await finished(nc);
  // Late broker events (delayed by the fault injector) settle before the checks.
  await sleep(1500);
  const inv = await checkInvariants(nc, requests, join(dir, 'echos'));
  const summary = {
    orders,
    seed,
    complete,
    duration_ms: Date.now() - started,
    kills,
    supervisor_starts: sys.supervisorStarts,
    ...inv,
    max_recovery_ms: recoveries.length ? Math.max(...recoveries) : 0,
    mean_recovery_ms: recoveries.length
      ? Math.round(recoveries.reduce((a, b) => a + b, 0) / recoveries.length)
      : 0,
    dir: args.keep ? dir : undefined,
  };
  const zero = [
    inv.lost_fills,
    inv.duplicate_fills,
    inv.duplicate_broker_orders,
    inv.doubled_requests,
    inv.position_mismatches,
    inv.process_control_inconsistencies,
  ].every((n) => n === 0);
  process.stdout.write(`${JSON.stringify(summary, null, args.json ? undefined : 2)}\n`);
  await nc.close();
  await killGenerator();
  await sys.stopSupervisor();
  if (!args.keep) rmSync(dir, { recursive: true, force: true });
  return complete && zero ? 0 : 1;
}

// Ctrl-C: leave nothing running.
process.once('SIGINT', () => {
  void killGenerator()
    .then(() => sys.stopSupervisor())
    .finally(() => process.exit(130));
});

main().then(
  (code) => process.exit(code),
  async (err: unknown) => {
    process.stderr.write(`chaos suite failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    await killGenerator().catch(() => undefined);
    await sys.stopSupervisor().catch(() => undefined);
    process.exit(2);
  },
);
