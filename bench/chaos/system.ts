/**
 * The system under chaos: a data directory with its own configuration, `systack supervise`
 * (embedded nats-server, the supervisor and the stack handler it launches, simulated broker with
 * faults at its wire), driven only through the public CLI and NATS surface.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { bootstrapSampleData, nextSimulatedDay } from '../../actors/simulation.ts';
import { connectNats } from '../../src/bus/connection.ts';
import {
  ensureRoleCredentials,
  readCredentialsFile,
  roleCredentialsFile,
  writeServerAuthConfig,
} from '../../src/bus/credentials.ts';
import { startEmbeddedNats } from '../../src/bus/embedded.ts';
import type { Role } from '../../src/bus/roles.ts';
import { streamName } from '../../src/bus/subjects.ts';
import type { BrokerChaosConfig } from '../../src/broker/sim/chaos-broker.ts';

export const PREFIX = 'systack';
/** The run's strategies: `example` (the sample's) and chaos_01.. up to `count` in all. */
export function chaosStrategies(count: number): string[] {
  return [
    'example',
    ...Array.from({ length: count - 1 }, (_, i) => `chaos_${String(i + 1).padStart(2, '0')}`),
  ];
}
/** Every other process is assigned to a host that does not exist: only the stack handler runs. */
const OTHERS = [
  'run_capital_update',
  'run_daily_prices_updates',
  'run_systems',
  'run_strategy_order_generator',
  'run_backups',
  'run_cleaners',
  'run_reports',
];

export async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => done(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

export interface ChaosSystemOptions {
  dir: string;
  strategies: string[];
  brokerChaos: BrokerChaosConfig;
  /** The stack handler's NATS URL (the suite's fault proxy), when it does not connect directly. */
  stackHandlerUrl?: () => string;
  /** Run the supervisor and its children under libfaketime, their clock offset read from here. */
  fakeTimeFile?: string;
}

/** libfaketime (Debian package `faketime`): the wall clock of a process group, moved at will. */
export const LIBFAKETIME = '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1';

export class ChaosSystem {
  readonly dataDir: string;
  readonly privDir: string;
  port = 0;
  private supervise: ChildProcess | undefined;
  private simStart = 0;
  private realStart = 0;
  supervisorStarts = 0;
  /** The clock jumps so far (ms): what libfaketime adds to the supervisor's group's wall clock. */
  clockOffsetMs = 0;

  constructor(private readonly o: ChaosSystemOptions) {
    this.dataDir = join(o.dir, 'data');
    this.privDir = join(o.dir, 'private');
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  async connectAs(role: Role, name: string): Promise<NatsConnection> {
    const c = readCredentialsFile(roleCredentialsFile(this.dataDir, role));
    return connectNats({ url: this.url, name, user: c.user, pass: c.password });
  }

  credentialsFile(role: Role): string {
    return roleCredentialsFile(this.dataDir, role);
  }

  /** Write the configuration, import the sample data, choose a simulated morning to trade in. */
  async prepare(): Promise<void> {
    mkdirSync(this.privDir, { recursive: true });
    mkdirSync(this.dataDir, { recursive: true });
    this.port = await freePort();
    const d = this.o.dir;
    const c = this.o.brokerChaos;
    writeFileSync(
      join(this.privDir, 'private_config.yaml'),
      [
        `data_dir: ${this.dataDir}`,
        `backtest_store_directory: ${join(d, 'backtests')}`,
        `csv_backup_directory: ${join(d, 'backup')}`,
        `mongo_dump_directory: ${join(d, 'dump')}`,
        `echo_directory: ${join(d, 'echos')}`,
        `nats_port: ${this.port}`,
        'nats_restart_limit: 100000',
        'log_level: warn',
        'max_order_qty: 100',
        'strategy_list:',
        ...this.o.strategies.map((s) => `  ${s}: {}`),
        ...(this.o.stackHandlerUrl
          ? [`nats_process_urls: { run_stack_handler: '${this.o.stackHandlerUrl()}' }`]
          : []),
        `sim_broker_chaos: { seed: ${c.seed}, duplicate: ${c.duplicate}, delay: ${c.delay}, delay_ms: ${c.delay_ms}, disconnect_every_ms: ${c.disconnect_every_ms}, disconnect_ms: ${c.disconnect_ms} }`,
      ].join('\n'),
    );
    writeFileSync(
      join(this.privDir, 'private_control_config.yaml'),
      [
        'process_configuration_start_time:',
        "  run_stack_handler: '00:01'",
        'process_configuration_stop_time:',
        "  run_stack_handler: '23:50'",
        'process_configuration_host:',
        ...OTHERS.map((p) => `  ${p}: nowhere`),
        'process_restart_policy:',
        '  run_stack_handler: { policy: on_crash, max_restarts: 100000 }',
        // Every strategy needs its system and order generator methods (they never run here).
        'process_configuration_methods:',
        '  run_systems:',
        ...this.o.strategies.map((s) => `    ${s}: { max_executions: 1, object: classic }`),
        '  run_strategy_order_generator:',
        ...this.o.strategies.map(
          (s) => `    ${s}: { max_executions: 1, object: classic_buffered_positions }`,
        ),
      ].join('\n'),
    );
    // The sample prices, imported on a server of our own over the same store and credentials.
    const conf = writeServerAuthConfig(this.dataDir, PREFIX);
    const admin = ensureRoleCredentials(this.dataDir).admin;
    const server = await startEmbeddedNats({
      storeDir: resolve(this.dataDir, 'jetstream'),
      portsDir: this.o.dir,
      port: this.port,
      configFile: conf,
      readyAuth: { user: admin.user, pass: admin.password },
    });
    const nc = await this.connectAs('operator', 'chaos-bootstrap');
    const { lastPriceTime } = await bootstrapSampleData(nc, PREFIX, resolve('sample-data/pysystemtrade'));
    await nc.close();
    await server.stop();
    if (lastPriceTime === undefined) throw new Error('the sample data holds no prices');
    // 02:28 the morning after the first evening whose next morning trades: markets open all day.
    this.simStart = nextSimulatedDay(lastPriceTime) + 14 * 3_600_000;
    this.realStart = Date.now();
  }

  /** The simulated time now (the clock runs at real speed from the chosen morning). */
  simNow(): number {
    return this.simStart + (Date.now() + this.clockOffsetMs - this.realStart);
  }

  /** Start `systack supervise`, waiting until the bus answers. */
  async startSupervisor(): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      await this.waitPortFree();
      const log = createWriteStream(join(this.o.dir, 'supervise.log'), { flags: 'a' });
      const child = spawn(
        process.execPath,
        [
          resolve('bin/systack.js'),
          'supervise',
          '--speed',
          '1',
          '--start',
          new Date(this.simNow()).toISOString(),
          '--no-monitor',
          '--json',
        ],
        {
          env: {
            ...process.env,
            SYSTACK_PRIVATE_DIR: this.privDir,
            SYSTACK_HOST: 'chaos',
            ...this.fakeTimeEnv(),
          },
          // Its own directory: nats-server 2.9.10 under kill -9 was seen writing a consumer's
          // meta.inf into its working directory.
          cwd: this.o.dir,
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      child.stdout?.pipe(log);
      child.stderr?.pipe(log);
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      const up = await Promise.race([this.waitBus(120_000), exited.then(() => false)]);
      if (up) {
        this.supervise = child;
        this.supervisorStarts++;
        return;
      }
      child.kill('SIGKILL');
      if (attempt >= 5) throw new Error(`systack supervise did not start (see ${this.o.dir}/supervise.log)`);
      await sleep(500);
    }
  }

  /** libfaketime's environment: the offset re-read from the file at most once a second. */
  private fakeTimeEnv(): Record<string, string> {
    const f = this.o.fakeTimeFile;
    if (!f) return {};
    if (!existsSync(LIBFAKETIME))
      throw new Error(`clock jumps need libfaketime (${LIBFAKETIME}): apt-get install -y faketime`);
    if (!existsSync(f)) writeFileSync(f, '+0\n');
    return {
      LD_PRELOAD: LIBFAKETIME,
      FAKETIME_TIMESTAMP_FILE: f,
      FAKETIME_CACHE_DURATION: '1',
      // Timers and intervals keep real time; only the wall clock (Date.now) jumps.
      DONT_FAKE_MONOTONIC: '1',
    };
  }

  /** Move the wall clock of the supervisor and its children by `ms` (forward or back). */
  jumpClock(ms: number): void {
    const f = this.o.fakeTimeFile;
    if (!f) throw new Error('clock jumps are not enabled');
    this.clockOffsetMs += ms;
    const s = this.clockOffsetMs / 1000;
    writeFileSync(`${f}.tmp`, `${s >= 0 ? '+' : ''}${s.toFixed(3)}\n`);
    renameSync(`${f}.tmp`, f);
  }

  get supervisorPid(): number | undefined {
    return this.supervise?.pid;
  }

  /** kill -9 of the supervisor (its embedded nats-server follows it; its children see EOF). */
  async killSupervisor(): Promise<void> {
    const child = this.supervise;
    if (!child) return;
    const exited = new Promise<void>((r) => (child.exitCode !== null ? r() : child.once('exit', () => r())));
    child.kill('SIGKILL');
    await exited;
    this.supervise = undefined;
  }

  /** SIGTERM to the supervisor: every process stops gracefully. */
  async stopSupervisor(): Promise<void> {
    const child = this.supervise;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    const t = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.kill('SIGTERM');
    await exited;
    clearTimeout(t);
    this.supervise = undefined;
  }

  /** PID of the running embedded nats-server, from its ports file. */
  natsPid(): number | undefined {
    const pids = readdirSync(this.dataDir)
      .map((f) => /^nats-server_(\d+)\.ports$/.exec(f)?.[1])
      .filter((p): p is string => p !== undefined)
      .map(Number)
      .filter(alive);
    return pids.at(-1);
  }

  /** PID of the process holding a lease (e.g. the stack handler), from process control. */
  async leasePid(nc: NatsConnection, processName: string): Promise<number | undefined> {
    const kv = await new Kvm(nc).open(streamName(PREFIX, 'process_control'));
    const e = await kv.get(`lease.${processName}`);
    if (!e || e.operation !== 'PUT') return undefined;
    return (e.json() as { pid: number }).pid;
  }

  private async waitBus(ms: number): Promise<boolean> {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      try {
        const nc = await this.connectAs('monitor', 'chaos-probe');
        await nc.close();
        return true;
      } catch {
        await sleep(100); // not up yet
      }
    }
    return false;
  }

  private async waitPortFree(): Promise<void> {
    for (let i = 0; i < 100; i++) {
      const free = await new Promise<boolean>((done) => {
        const s = createServer();
        s.once('error', () => done(false));
        s.listen(this.port, '127.0.0.1', () => s.close(() => done(true)));
      });
      if (free) return;
      await sleep(100);
    }
  }
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
