/**
 * `systack start` (what `npm start` runs): the whole system on its embedded defaults. An embedded
 * nats-server with JetStream, the bundled sample data imported on first start, the configured
 * broker (the simulated one by default; with `broker: ib` the TWS / Gateway of the config, meant
 * for a paper account or the fake TWS since the clock is simulated), and the supervisor running
 * every process on a simulated clock, so a full trading day — prices, capital, systems, strategy
 * orders, the stack handler trading them, fills, end of day — passes in about a minute while the monitor page shows it. Ctrl-C stops it cleanly; `--days N`
 * stops by itself after N trading days and prints a summary.
 */
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Command } from 'commander';
import { startDaySummaries } from '../../../actors/day-summary.ts';
import { startMonitorResponders } from '../../../actors/monitor-responders.ts';
import { oneOffMethodContext } from '../../../actors/process-methods/types.ts';
import {
  bootstrapCapital,
  bootstrapSampleData,
  nextSimulatedDay,
  runSummary,
} from '../../../actors/simulation.ts';
import { AnchoredClock, makeAnchor } from '../../../actors/supervisor/clock-sync.ts';
import { controlConfigOf } from '../../../actors/supervisor/control-config.ts';
import { startDaemon } from '../../../actors/supervisor/daemon.ts';
import { loadConfig } from '../../config/load.ts';
import { bundledPath } from '../../config/paths.ts';
import { setLogClock } from '../../log/logger.ts';
import { logFormat } from '../../log/pretty.ts';
import { importProgressReporter } from '../commands/prices.ts';
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

const DAY = 86_400_000;

interface StartOptions {
  speed: string;
  start?: string;
  days?: string;
  monitorPort?: string;
  monitor?: boolean;
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command('start')
    .description(
      'Run the whole system on embedded defaults (sample data, simulated clock; the simulated broker unless broker: ib)',
    )
    .option('--speed <n>', 'simulated clock speed: 1500 runs a trading day in about a minute', '1500')
    .option(
      '--start <time>',
      'simulated start, local time (default: 12:28 on the eve of the first trading morning after the latest stored price)',
    )
    .option(
      '--days <n>',
      'stop after this many simulated days (24 h each from the start, weekends and holidays included) and print a summary (default: run until Ctrl-C)',
    )
    .option('--monitor-port <port>', 'monitor page port (default: config monitor_port)')
    .option('--no-monitor', 'do not serve the monitor page')
    .option(
      '--json',
      'print the summaries and every log line as JSON (log lines are JSON off a terminal anyway)',
    )
    .action(async (opts: StartOptions) => {
      const speed = Number(opts.speed);
      if (!(speed > 0)) throw new UsageError(`--speed must be a positive number, got '${opts.speed}'`);
      const startOpt = opts.start !== undefined ? Date.parse(opts.start) : undefined;
      if (startOpt !== undefined && Number.isNaN(startOpt))
        throw new UsageError(`--start must be a time such as 2023-09-01T12:28:00, got '${opts.start}'`);
      const days = opts.days !== undefined ? parsePositiveInt('--days', opts.days) : undefined;
      // The compressed simulated day (config/simulation.control.yaml), for this process and its children.
      process.env.SYSTACK_CONTROL_OVERLAY ??= bundledPath('config/simulation.control.yaml');
      const config = loadConfig();
      const control = controlConfigOf(config);
      const monitor =
        opts.monitor === false
          ? undefined
          : {
              host: config.system.monitor_host,
              port:
                opts.monitorPort !== undefined
                  ? parsePositiveInt('--monitor-port', opts.monitorPort)
                  : config.system.monitor_port,
            };
      if (monitor) await assertPortFree(monitor.host, monitor.port);
      process.env.SYSTACK_LOG_FORMAT = opts.json ? 'json' : logFormat(); // children print alike
      const rt = await startRuntime(config, 'supervisor');
      const { sample, start, anchor, capitalInitialised, daemon, responders, summaries } = await failClean(
        rt,
        async () => {
          const reporter = importProgressReporter();
          const sample = await bootstrapSampleData(
            rt.nc,
            rt.prefix,
            bundledPath(config.system.sample_data_dir),
            reporter.progress,
          );
          reporter.stop();
          const start =
            startOpt ?? nextSimulatedDay(sample.lastPriceTime ?? Date.parse('2023-08-31T23:00:00Z'));
          const anchor = makeAnchor(start, speed);
          setLogClock(new AnchoredClock(anchor));
          const capitalInitialised = await bootstrapCapital(
            oneOffMethodContext({
              process: 'run_capital_update',
              method: 'update_total_capital',
              clock: new AnchoredClock(anchor),
              nc: rt.nc,
              prefix: rt.prefix,
              system: config.system,
              log: rt.log,
            }),
          );
          const host = process.env.SYSTACK_HOST ?? hostname();
          const daemon = await startDaemon({
            nc: rt.nc,
            natsUrl: rt.url,
            prefix: rt.prefix,
            control,
            anchor,
            host,
            log: rt.log,
            childEnvFor: childCredentialsEnv(rt, config.system.nats_process_urls),
            monitorNc: monitor ? await rt.connectAs('monitor', 'systack-monitor') : undefined,
            monitorOperator: monitor ? await monitorOperator(rt) : undefined,
            echo: { directory: config.system.echo_directory, extension: config.system.echo_extension },
            monitor,
            staleAfterMs: config.system.process_lease_stale_ms,
          });
          const responders = await startMonitorResponders(rt.nc, rt.prefix, daemon.clock, {
            strategies: Object.keys(config.system.strategy_list),
          });
          const summaries = await startDaySummaries({
            nc: rt.nc,
            prefix: rt.prefix,
            clock: daemon.clock,
            log: rt.log.child({ component: 'day-summary' }),
          });
          return { sample, start, anchor, capitalInitialised, daemon, responders, summaries };
        },
      );
      printResult(
        {
          nats_url: rt.url,
          data_dir: rt.dataDir,
          sample_data: sample.imported
            ? `imported ${sample.instruments} instruments`
            : `${sample.instruments} instruments stored`,
          capital: capitalInitialised
            ? `initialised from the ${config.system.broker === 'sim' ? 'simulated' : 'broker'} account`
            : 'stored',
          clock_start: new Date(anchor.anchorSim).toISOString(),
          clock_speed: speed,
          monitor: daemon.monitor?.url ?? null,
        },
        { json: opts.json },
      );
      process.stderr.write(
        `systack is running${daemon.monitor ? `; monitor at ${daemon.monitor.url}` : ''}. Ctrl-C stops it.\n`,
      );
      const lost = await Promise.race([
        (days === undefined ? untilSignal() : untilDaysDone(daemon, start, days)).then(() => undefined),
        rt.busLost,
      ]);
      process.stderr.write(
        lost ? `message bus gone (${lost}): stopping processes...\n` : 'stopping processes...\n',
      );
      await summaries.stop();
      await daemon.stop(lost ? BUS_LOST_STOP_MS : undefined);
      if (!lost) await responders.stop().catch(() => undefined);
      if (days !== undefined && !lost) {
        const supervision = {
          bus_restarts: rt.busRestarts,
          processes: Object.fromEntries(daemon.supervisor.history),
        };
        const summary = await runSummary(
          oneOffMethodContext({
            process: 'systack_start',
            method: 'run_summary',
            clock: daemon.clock,
            nc: rt.nc,
            prefix: rt.prefix,
            system: config.system,
            log: rt.log,
          }),
        );
        printResult({ ...summary, supervision }, { json: opts.json });
      }
      await rt.stop();
      process.stderr.write('systack stopped.\n');
      process.exit(lost ? 1 : 0);
    });
}

/**
 * The run is over when the simulated clock has passed the last day's stack handler stop time and
 * the stack handler has finished (its end-of-day safe stack removal done), or on a signal. A
 * stack handler that crashed is waited for: the supervisor restarts it and it finishes the day.
 * While the bus is unreachable (nats-server restarting) the check simply waits.
 */
async function untilDaysDone(
  daemon: Awaited<ReturnType<typeof startDaemon>>,
  start: number,
  days: number,
): Promise<void> {
  let signalled = false;
  void untilSignal().then(() => {
    signalled = true;
  });
  const deadline = start + days * DAY;
  while (!signalled) {
    await sleep(250);
    const now = daemon.clock.now();
    if (now < deadline - DAY / 2) continue; // not yet into the last trading session
    if (now > deadline + DAY / 4) return; // the stack handler never finished: do not wait forever
    const state = await Promise.all([
      daemon.store.getRecord('run_stack_handler'),
      daemon.store.getLease('run_stack_handler'),
    ]).catch(() => undefined); // bus unreachable: look again
    if (!state) continue;
    const [rec, lease] = state;
    // the last session's run: one that ended before it (the day before) does not count
    const lastSession = deadline - DAY / 2;
    if (!lease && rec.lastEnd !== undefined && rec.lastEnd > lastSession && !rec.recentlyCrashed) return;
  }
}
