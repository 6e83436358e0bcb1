/**
 * The chaos suite (issue 17 §3, docs/chaos.md): `npm run chaos -- --orders 10000 --seed S --json`.
 *
 * A system of its own on loopback (`systack supervise` with its embedded nats-server and the
 * simulated broker, in a temporary directory) trades a stream of seeded order requests while the
 * suite, at random points, kills -9 the stack handler, the order generator, the supervisor (its
 * embedded nats-server goes with it; the suite starts it again) or nats-server alone (the
 * supervisor restarts it), and the simulated broker duplicates, delays and reorders its fills,
 * commission reports and order statuses and drops its connection (`sim_broker_chaos`), and the
 * order journal's store fills up for a while (`disk_full`). After the
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
import { Prng } from '../src/broker/sim/prng.ts';
import { callService } from '../src/bus/service.ts';
import { subject } from '../src/bus/subjects.ts';
import { fillJournalStore } from './chaos/disk-full.ts';
import { checkInvariants } from './chaos/invariants.ts';
import { queuedRequests } from './chaos/queue.ts';
import { chaosRequests } from './chaos/requests.ts';
import { ChaosProxy } from './chaos/proxy.ts';
import { ChaosSystem, chaosStrategies, PREFIX } from './chaos/system.ts';

const INSTRUMENTS = ['GOLD', 'SOFR', 'SP500', 'US10'];
const KILLS = ['stack_handler', 'generator', 'supervisor', 'nats_server'] as const;
const DEFAULT_FAULTS = [...KILLS, 'disk_full'] as const;
const FAULTS = [
  ...DEFAULT_FAULTS,
  'partition_cut',
  'partition_stall',
  'slow_consumer',
  'clock_jump',
] as const;
type Fault = (typeof FAULTS)[number];
const isFault = (f: string): f is Fault => (FAULTS as readonly string[]).includes(f);

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
    faults: { type: 'string', default: DEFAULT_FAULTS.join(',') },
    'disk-full-ms': { type: 'string', default: '2000-10000' },
  },
});
const faults = args.faults.split(',').filter((f) => f !== '');
const unknownFault = faults.find((f) => !isFault(f));
if (unknownFault !== undefined || faults.length === 0) {
  process.stderr.write(`--faults: one or more of ${FAULTS.join(', ')} (got '${unknownFault ?? ''}')\n`);
  process.exit(2);
}
const chosen = faults.filter(isFault);
const diskFullMs = /^(\d+)-(\d+)$/.exec(args['disk-full-ms']);
if (!diskFullMs || Number(diskFullMs[1]) > Number(diskFullMs[2])) {
  process.stderr.write(`--disk-full-ms: MIN-MAX in ms (got '${args['disk-full-ms']}')\n`);
  process.exit(2);
}
const [diskFullMin, diskFullMax] = [Number(diskFullMs[1]), Number(diskFullMs[2])];
const network = chosen.some((f) => f.startsWith('partition_') || f === 'slow_consumer');
const orders = Number(args.orders);
const seed = Number(args.seed);
const killEveryMs = Number(args['kill-every-ms']);
const strategies = chaosStrategies(Number(args.strategies));
const deadline = Date.now() + Number(args['max-minutes']) * 60_000;
const say = (s: string) => {
  if (!args.json) process.stderr.write(`${s}\n`);
};

const dir = mkdtempSync(join(tmpdir(), 'systack-chaos-'));
// The stack handler reaches nats-server through the suite's proxy when network faults are on.
const proxy: ChaosProxy | undefined = network ? new ChaosProxy((): number => sys.port) : undefined;
const sys: ChaosSystem = new ChaosSystem({
  dir,
  strategies,
  stackHandlerUrl: proxy ? () => proxy.url : undefined,
  fakeTimeFile: chosen.includes('clock_jump') ? join(dir, 'faketime') : undefined,
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

const clockJumps: number[] = [];
let round: Fault[] = [];

function shuffled<T>(xs: readonly T[], prng: Prng): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = prng.int(0, i);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

async function inject(fault: Fault, nc: NatsConnection, prng: Prng): Promise<number | undefined> {
  let t0 = Date.now();
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
    case 'partition_cut': {
      const ms = prng.int(1000, 8000);
      proxy!.cut(ms);
      await sleep(ms);
      t0 = Date.now(); // recovery from the end of the fault
      break;
    }
    case 'partition_stall': {
      const ms = prng.int(1000, 8000);
      proxy!.stall(ms);
      await sleep(ms);
      t0 = Date.now(); // recovery from the end of the fault
      break;
    }
    case 'slow_consumer': {
      // 2 KB/s from the server for up to 15 s: past nats-server's write deadline the stack
      // handler's connection is closed as a slow consumer; it reconnects.
      const ms = prng.int(3000, 15000);
      proxy!.slow(ms, 2048);
      await sleep(ms);
      t0 = Date.now(); // recovery from the end of the fault
      break;
    }
    case 'disk_full': {
      // The order journal's store full for 2–10 s (`--disk-full-ms`): every journal write is
      // refused (disk-full.ts).
      const ms = prng.int(diskFullMin, diskFullMax);
      const free = await fillJournalStore(nc);
      await sleep(ms);
      await free();
      t0 = Date.now(); // recovery from the end of the fault
      break;
    }
    case 'clock_jump': {
      // Forward up to 40 min or back up to 20 min, the net offset kept within -30..+90 min (the
      // trading window of the simulated day is never left).
      let jump = prng.int(0, 1) === 0 ? prng.int(60, 2400) * 1000 : -prng.int(60, 1200) * 1000;
      const next = sys.clockOffsetMs + jump;
      if (next > 90 * 60_000 || next < -30 * 60_000) jump = -jump;
      sys.jumpClock(jump);
      clockJumps.push(jump);
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
    return active.length === 0 && (await queuedRequests(nc)) === 0;
  } catch {
    return false; // the stack handler is away: not finished
  }
}

async function main(): Promise<number> {
  const started = Date.now();
  say(`chaos: ${orders} order requests, seed ${seed}, in ${dir}`);
  await proxy?.listen();
  await sys.prepare();
  await sys.startSupervisor();
  const nc = await sys.connectAs('admin', 'chaos-suite');
  startGenerator();
  const prng = new Prng(seed);
  const injected = Object.fromEntries(chosen.map((f) => [f, 0])) as Partial<Record<Fault, number>>;
  const recoveries: number[] = [];
  let nextKill = Date.now() + prng.int(killEveryMs / 2, (killEveryMs * 3) / 2);
  // A short run goes on until each chosen fault has been injected once.
  const eachOnce = () => chosen.every((f) => f === 'generator' || (injected[f] ?? 0) > 0);
  while ((!(await finished(nc)) || !eachOnce()) && Date.now() < deadline) {
    if (generator?.exitCode !== null && !generatorDone) startGenerator(); // it failed: again
    if (Date.now() >= nextKill && (!generatorDone || !eachOnce())) {
      // Each chosen fault in turn, in an order shuffled afresh each round: a short run meets all.
      if (round.length === 0) round = shuffled(chosen, prng);
      const fault = round.shift()!;
      const ms = await inject(fault, nc, prng);
      if (ms !== undefined) {
        injected[fault] = (injected[fault] ?? 0) + 1;
        if (fault !== 'generator') recoveries.push(ms);
        say(`${fault}: back in ${ms} ms`);
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
    faults: injected,
    clock_jumps_ms: chosen.includes('clock_jump') ? clockJumps : undefined,
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
  await proxy?.close();
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
