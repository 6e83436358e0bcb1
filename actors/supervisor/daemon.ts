/**
 * The supervisor daemon assembled: clock anchor in KV, scheduler, process-control service and
 * monitor page. `systack supervise` wraps this with the embedded nats-server and signals.
 */
import { throughElection } from '../../src/bus/election.ts';
import type { NatsConnection } from '@nats-io/transport-node';
import { watchBusLink } from '../../src/bus/link.ts';
import type { ControlConfig } from '../../src/domain/process-control/config.ts';
import type { Logger } from '../../src/log/logger.ts';
import { natsMonitorControls } from '../../src/web/monitor/controls.ts';
import { type MonitorDataSource, natsMonitorDataSource } from '../../src/web/monitor/data-source.ts';
import { type MonitorServer, startMonitorServer } from '../../src/web/monitor/server.ts';
import { startVisualizer } from '../../src/web/visualizer/routes.ts';
import { startLogArchive } from '../log-archive.ts';
import { storedReportPages } from '../reports/pages.ts';
import { type ChildLauncher, runProcessLauncher, spawnRunProcess } from './children.ts';
import { AnchoredClock, anchorEnv } from './clock-sync.ts';
import { startControlService } from './control-service.ts';
import type { LeaseAges } from './lease-ages.ts';
import { type ClockAnchor, ProcessStore } from './process-store.ts';
import { Supervisor } from './supervisor.ts';
import type { WarmChildren } from './warm-children.ts';

export interface DaemonOptions {
  nc: NatsConnection;
  natsUrl: string;
  prefix: string;
  control: ControlConfig;
  anchor: ClockAnchor;
  host: string;
  log: Logger;
  launch?: ChildLauncher;
  /** Extra environment for one child (its NATS credentials file). */
  childEnvFor?: (process: string) => Record<string, string>;
  /** The monitor page's own connection (read-only role); default `nc`. Drained on stop. */
  monitorNc?: NatsConnection;
  /** The monitor's operator controls (an operator connection and its sign-in token); drained on stop. */
  monitorOperator?: { nc: NatsConnection; token: string };
  /** Children's output to `<directory>/<process><extension>`; undefined: to the supervisor's stderr. */
  echo?: { directory: string; extension: string };
  /** undefined: no monitor page. */
  monitor?: { host: string; port: number };
  monitorData?: MonitorDataSource;
  tickMs?: number;
  staleAfterMs?: number;
  /** The process-control store, already open (a standby opened it while waiting). */
  store?: ProcessStore;
  /** What a standby observed of the process leases while it waited (their ages carry over). */
  ages?: LeaseAges;
  stopTimeoutMs?: number;
  /** Children a standby started in advance (warm-children.ts), said `go` to instead of launched. */
  warm?: WarmChildren;
}

export interface Daemon {
  store: ProcessStore;
  clock: AnchoredClock;
  supervisor: Supervisor;
  monitor: MonitorServer | undefined;
  /** Stop every child (SIGTERM, then SIGKILL after `timeoutMs`, default the stop timeout). */
  stop(timeoutMs?: number): Promise<void>;
}

const BUS_STOP_WAIT_MS = 3000;

/** Wait for `p` to settle, but no longer than `ms`. */
async function settleWithin(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    p.catch(() => undefined), // stopping: a failure to stop cleanly changes nothing now
    new Promise<void>((resolve) => (timer = setTimeout(resolve, ms))),
  ]);
  clearTimeout(timer);
}

/** How this supervisor launches its children (a standby's warm children are launched alike). */
export function childLaunching(
  o: Pick<DaemonOptions, 'natsUrl' | 'host' | 'anchor' | 'launch' | 'echo' | 'childEnvFor'>,
): {
  launch: ChildLauncher;
  childEnv: Record<string, string>;
  envFor: (p: string) => Record<string, string>;
} {
  const clock = new AnchoredClock(o.anchor);
  const childEnv = { SYSTACK_NATS_URL: o.natsUrl, SYSTACK_HOST: o.host, ...anchorEnv(o.anchor) };
  return {
    launch: o.launch ?? (o.echo ? runProcessLauncher({ ...o.echo, clock }) : spawnRunProcess),
    childEnv,
    envFor: (p) => ({ ...childEnv, ...o.childEnvFor?.(p) }),
  };
}

export async function startDaemon(o: DaemonOptions): Promise<Daemon> {
  // A standby taking over may start while the cluster elects new leaders: repeatable steps wait.
  const store = o.store ?? (await throughElection(() => ProcessStore.open(o.nc, o.prefix)));
  // Children take the clock from their environment; the key is for processes run by hand.
  const clockPut = throughElection(() => store.putClock(o.anchor));
  const clock = new AnchoredClock(o.anchor);
  const children = childLaunching(o);
  const supervisor = new Supervisor({
    store,
    control: o.control,
    clock,
    host: o.host,
    launch: children.launch,
    childEnv: children.childEnv,
    childEnvFor: o.childEnvFor,
    warm: o.warm,
    busUp: watchBusLink(o.nc).up,
    log: o.log.child({ component: 'supervisor' }),
    tickMs: o.tickMs,
    staleAfterMs: o.staleAfterMs,
    ages: o.ages,
    stopTimeoutMs: o.stopTimeoutMs,
  });
  // Scheduling first (a standby taking over relaunches the processes at once); the services
  // and pages below are not needed for that.
  supervisor.start();
  try {
    return await startServices(o, store, clock, supervisor, clockPut);
  } catch (err) {
    await supervisor.stop(o.stopTimeoutMs);
    throw err;
  }
}

async function startServices(
  o: DaemonOptions,
  store: ProcessStore,
  clock: AnchoredClock,
  supervisor: Supervisor,
  clockPut: Promise<void>,
): Promise<Daemon> {
  await clockPut;
  const service = await startControlService({
    nc: o.nc,
    prefix: o.prefix,
    store,
    control: o.control,
    clock,
    host: o.host,
    log: o.log.child({ component: 'process-control' }),
    staleAfterMs: o.staleAfterMs,
    ages: supervisor.ages,
    reasons: supervisor.reasons,
  });
  // On storage_backend: mongodb, shipped log lines are moved into MongoDB (actors/log-archive.ts).
  const logArchive = await throughElection(() =>
    startLogArchive(o.nc, o.prefix, o.log.child({ component: 'log-archive' })),
  );
  const visualizer = o.monitor
    ? await startVisualizer(o.nc, o.prefix, {
        onError: (err) => o.log.warn({ err }, 'visualizer request failed'),
      })
    : undefined;
  const monitor = o.monitor
    ? await startMonitorServer(
        {
          store,
          control: o.control,
          clock,
          data: o.monitorData ?? natsMonitorDataSource(o.monitorNc ?? o.nc, o.prefix),
          reasons: supervisor.reasons,
        },
        {
          ...o.monitor,
          onError: (err) => o.log.warn({ err }, 'monitor request failed'),
          reports: storedReportPages(o.nc, o.prefix),
          routes: visualizer?.routes,
          controls: o.monitorOperator
            ? natsMonitorControls(o.monitorOperator.nc, o.prefix, o.monitorOperator.token)
            : undefined,
          // Live log lines: the supervisor's connection may subscribe to the log subjects.
          live: { logs: { nc: o.nc, prefix: o.prefix } },
        },
      )
    : undefined;
  o.log.info({ host: o.host, monitor: monitor?.url }, 'supervisor started');
  return {
    store,
    clock,
    supervisor,
    monitor,
    async stop(timeoutMs?: number) {
      await supervisor.stop(timeoutMs);
      // With the bus gone these would wait for a server that is not coming back.
      await settleWithin(service.stop(), BUS_STOP_WAIT_MS);
      if (logArchive) await settleWithin(logArchive.stop(), BUS_STOP_WAIT_MS);
      visualizer?.close();
      await monitor?.close();
      if (o.monitorNc) await settleWithin(o.monitorNc.drain(), BUS_STOP_WAIT_MS);
      if (o.monitorOperator) await settleWithin(o.monitorOperator.nc.drain(), BUS_STOP_WAIT_MS);
      o.log.info('supervisor stopped');
    },
  };
}
