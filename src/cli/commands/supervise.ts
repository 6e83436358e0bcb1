/**
 * `systack supervise`: the supervisor daemon (replaces cron and the reference's monitor,
 * digest §4 P1, P11). Starts an embedded nats-server unless `nats_url` is set, launches each
 * run_* process in its window, serves process control over NATS and the monitor page.
 * `--speed N --start <ISO>` runs on a simulated clock so a trading day passes quickly.
 * SIGTERM / SIGINT stop every process gracefully (as a STOP status would).
 */
import { hostname } from 'node:os';
import type { Command } from 'commander';
import { startMonitorResponders } from '../../../actors/monitor-responders.ts';
import { AnchoredClock, makeAnchor } from '../../../actors/supervisor/clock-sync.ts';
import { controlConfigOf } from '../../../actors/supervisor/control-config.ts';
import { pidAlive } from '../../../actors/supervisor/children.ts';
import { childLaunching, startDaemon } from '../../../actors/supervisor/daemon.ts';
import { startLeaderPlacement } from '../../../actors/supervisor/leader-placement.ts';
import { acquireLeadership, StandbyAbortedError } from '../../../actors/supervisor/leadership.ts';
import { LeaseAges } from '../../../actors/supervisor/lease-ages.ts';
import { JetStreamProcessStore, ProcessStore } from '../../../actors/supervisor/process-store.ts';
import { WarmChildren } from '../../../actors/supervisor/warm-children.ts';
import { watchBusLink } from '../../bus/link.ts';
import { startDaySummaries } from '../../../actors/day-summary.ts';
import { loadConfig } from '../../config/load.ts';
import { setLogClock } from '../../log/logger.ts';
import { logFormat } from '../../log/pretty.ts';
import { parsePositiveInt, printResult, UsageError } from '../output.ts';
import {
  assertPortFree,
  BUS_LOST_STOP_MS,
  childCredentialsEnv,
  failClean,
  monitorOperator,
  startRuntime,
  untilSignal,
} from '../runtime.ts';

interface SuperviseOptions {
  speed?: string;
  start?: string;
  monitorPort?: string;
  monitor?: boolean;
  json?: boolean;
}

function parseSpeed(s: string | undefined): number {
  if (s === undefined) return 1;
  const n = Number(s);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--speed must be a positive number, got '${s}'`);
  return n;
}

function parseStart(s: string | undefined): number | undefined {
  if (s === undefined) return undefined;
  const t = Date.parse(s);
  if (Number.isNaN(t))
    throw new UsageError(`--start must be an ISO time such as 2026-11-20T00:00:00Z, got '${s}'`);
  return t;
}

/** How often a standby reads the process leases (their ages are judged from these looks). */
const STANDBY_LEASE_LOOK_MS = 500;

export function register(program: Command): void {
  program
    .command('supervise')
    .description('Run the supervisor: launch run_* processes on schedule, process control, monitor page')
    .option('--speed <n>', 'simulated clock speed (e.g. 600: a day in 2.4 minutes)')
    .option('--start <iso>', 'simulated clock start time (ISO)')
    .option('--monitor-port <port>', 'monitor page port (default: config monitor_port)')
    .option('--no-monitor', 'do not serve the monitor page')
    .option(
      '--json',
      'print the start-up summary and every log line as JSON (log lines are JSON off a terminal anyway)',
    )
    .action(async (opts: SuperviseOptions) => {
      const speed = parseSpeed(opts.speed);
      const start = parseStart(opts.start);
      const config = loadConfig();
      const control = controlConfigOf(config);
      const monitorPort =
        opts.monitorPort !== undefined
          ? parsePositiveInt('--monitor-port', opts.monitorPort)
          : config.system.monitor_port;
      const monitor =
        opts.monitor === false ? undefined : { host: config.system.monitor_host, port: monitorPort };
      if (monitor) await assertPortFree(monitor.host, monitor.port);
      process.env.SYSTACK_LOG_FORMAT = opts.json ? 'json' : logFormat(); // children print alike
      const rt = await startRuntime(config, 'supervisor');
      const { nc, url, prefix, log, server } = rt;
      const host = process.env.SYSTACK_HOST ?? hostname();
      const anchor = makeAnchor(start, speed);
      setLogClock(new AnchoredClock(anchor));
      const signalled = untilSignal();
      // Hot standby: only one supervisor on a shared bus launches processes; the others wait.
      const standby = new AbortController();
      void signalled.then(() => standby.abort());
      // The process-control store and the leadership bucket are opened while nothing is wrong,
      // so that a takeover (perhaps through a JetStream election) only reads and writes keys.
      const [store, leaderKv] = await failClean(rt, async () =>
        Promise.all([
          ProcessStore.open(nc, prefix),
          // Leadership lives on the bus (JetStream KV) whatever the storage backend.
          JetStreamProcessStore.open(nc, prefix).then((s) => s.kv),
        ]),
      );
      // How long each lease has gone unrenewed, as this supervisor sees it: observed while on
      // standby too, so a takeover finds the dead host's process leases already stale.
      const ages = new LeaseAges();
      const busLink = watchBusLink(nc);
      const echo = { directory: config.system.echo_directory, extension: config.system.echo_extension };
      const childEnvFor = childCredentialsEnv(rt, config.system.nats_process_urls);
      // On standby, each process the active supervisor runs that this host may run is started in
      // advance and waits, owning nothing, for the takeover's `go` (warm-children.ts).
      const children = childLaunching({ natsUrl: url, host, anchor, echo, childEnvFor });
      const warm = new WarmChildren(children.launch, children.envFor, log.child({ component: 'supervisor' }));
      const mayRunHere = (name: string) => [undefined, host].includes(control.processes[name]?.host);
      let lookedAt = Number.NEGATIVE_INFINITY;
      const leadership = await failClean(rt, async () =>
        acquireLeadership(leaderKv, {
          host,
          pid: process.pid,
          staleAfterMs: config.system.supervisor_lease_stale_ms,
          signal: standby.signal,
          ages,
          busUp: busLink.up,
          fenceUnrenewed: !server,
          whileStandby: async () => {
            if (performance.now() - lookedAt < STANDBY_LEASE_LOOK_MS) return;
            lookedAt = performance.now();
            await Promise.all(
              Object.keys(control.processes).map(async (name) => {
                const lease = await store.getLease(name);
                if (lease) ages.age(`lease.${name}`, lease.revision);
                else ages.forget(`lease.${name}`);
                if (lease && lease.host !== host && mayRunHere(name)) warm.ensure(name);
              }),
            );
          },
          // A supervisor of this host that died (kill -9) is replaced at once, not after staleness.
          isDead: (active) => active.host === host && active.pid !== process.pid && !pidAlive(active.pid),
          onStandby: (active) => {
            process.stderr.write(
              `standby: the supervisor on ${active.host} (pid ${active.pid}) is active; taking over when it is gone\n`,
            );
            log.warn({ active_host: active.host, active_pid: active.pid }, 'supervisor on standby');
          },
        }),
      ).catch(async (err: unknown) => {
        if (!(err instanceof StandbyAbortedError)) throw err;
        await warm.stop();
        process.stderr.write('stopped while on standby.\n');
        process.exit(0);
      });
      log.info({ host }, 'supervisor active');
      const daemon = await failClean(rt, async () =>
        startDaemon({
          nc,
          natsUrl: url,
          prefix,
          control,
          anchor,
          host,
          log,
          childEnvFor,
          monitorNc: monitor ? await rt.connectAs('monitor', 'systack-monitor') : undefined,
          monitorOperator: monitor ? await monitorOperator(rt) : undefined,
          monitor,
          echo,
          warm,
          staleAfterMs: config.system.process_lease_stale_ms,
          store,
          ages,
        }),
      );
      // On a cluster, the streams a takeover reads first are kept led by other nodes than this
      // host's own (which would die with it): no JetStream election in a takeover's path.
      const placement = startLeaderPlacement({
        nc,
        prefix,
        replicas: config.system.jetstream_replicas,
        log: log.child({ component: 'leader-placement' }),
      });
      const summaries = await failClean(rt, () =>
        startDaySummaries({ nc, prefix, clock: daemon.clock, log: log.child({ component: 'day-summary' }) }),
      );
      // The monitor page's data (prices, positions, fills, capital, buffer bands, trade limits).
      const responders = monitor
        ? await failClean(rt, () =>
            startMonitorResponders(nc, prefix, daemon.clock, {
              strategies: Object.keys(config.system.strategy_list),
            }),
          )
        : undefined;
      printResult(
        {
          nats_url: url,
          embedded: Boolean(server),
          host,
          time_zone: control.timeZone,
          clock_start: new Date(anchor.anchorSim).toISOString(),
          clock_speed: speed,
          monitor: daemon.monitor?.url ?? null,
          processes: Object.keys(control.processes).join(', '),
        },
        { json: opts.json },
      );
      process.stderr.write('supervisor running. SIGTERM or Ctrl-C stops every process gracefully.\n');
      const replaced = leadership.lost.then((why) => `replaced: ${why}`);
      const lost = await Promise.race([
        signalled.then(() => undefined),
        rt.busLost.then((why) => `message bus gone (${why})`),
        replaced,
      ]);
      process.stderr.write(lost ? `${lost}: stopping processes...\n` : 'stopping processes...\n');
      await placement.stop();
      await summaries.stop();
      await responders?.stop();
      await daemon.stop(lost ? BUS_LOST_STOP_MS : undefined);
      await leadership.release();
      await rt.stop();
      process.stderr.write('supervisor stopped.\n');
      // Everything is stopped; do not wait for stray handles (watchers, sockets) to wind down.
      process.exit(lost ? 1 : 0);
    });
}
