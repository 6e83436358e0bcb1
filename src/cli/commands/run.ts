/**
 * `systack run <process>`: run one process (digest §4 P6–P10) with the generic runner. The
 * supervisor launches this as a child; cron users can call it too (scripts/run_*).
 * Exit codes: 0 finished, 1 crashed (a method failed), 3 not started, 4 lease lost.
 */
import { hostname } from 'node:os';
import type { Command } from 'commander';
import { productionPreparations, productionRegistry } from '../../../actors/process-methods.ts';
import { oneOffMethodContext } from '../../../actors/process-methods/types.ts';
import { runProcess } from '../../../actors/process-runner.ts';
import { RUN_EXIT, WARM_ENV } from '../../../actors/supervisor/children.ts';
import { untilGo } from '../../../actors/supervisor/warm-children.ts';
import { resolveProcessClock } from '../../../actors/supervisor/clock-sync.ts';
import { controlConfigOf } from '../../../actors/supervisor/control-config.ts';
import { ProcessStore } from '../../../actors/supervisor/process-store.ts';
import { roleOfProcess } from '../../bus/roles.ts';
import { setLogClock } from '../../log/logger.ts';
import { withBus } from '../context.ts';
import { printResult, UsageError } from '../output.ts';

export function register(program: Command): void {
  program
    .command('run')
    .description('Run one process (run_stack_handler, run_systems, ...) within its window and status')
    .argument('<process>', 'process name, e.g. run_cleaners')
    .option('--nats-url <url>', 'NATS server (default: $SYSTACK_NATS_URL, config, or the running system)')
    .option('--json', 'print the outcome as JSON')
    .action(async (name: string, opts: { natsUrl?: string; json?: boolean }) => {
      const natsUrl = opts.natsUrl ?? process.env.SYSTACK_NATS_URL;
      const bus = { natsUrl, processName: name, role: roleOfProcess(name) };
      const outcome = await withBus(bus, async ({ nc, config, prefix, log }) => {
        const control = controlConfigOf(config);
        const p = control.processes[name];
        if (!p) {
          throw new UsageError(
            `unknown process '${name}'; known: ${Object.keys(control.processes).join(', ')}`,
          );
        }
        const store = await ProcessStore.open(nc, prefix);
        const clock = await resolveProcessClock(process.env, store);
        setLogClock(clock);
        const stop = new AbortController();
        const onSignal = () => stop.abort();
        // Not a stop for the day: the run is abandoned without its completion methods (A1's
        // safe_stack_removal would complete every order on the stack as at the end of the day
        // and drop what is left of each: requests half traded, never traded again).
        const abandon = new AbortController();
        process.once('SIGTERM', onSignal);
        process.once('SIGINT', onSignal);
        if (process.env[WARM_ENV] === '1') {
          // A standby's warm child: prepare (reads only), then wait for the takeover's `go`.
          const ctx = { process: name, method: 'prepare', clock, nc, prefix, system: config.system, log };
          await productionPreparations[name]?.(oneOffMethodContext(ctx)).catch((err: unknown) => {
            // Only a head start: the run opens what it needs after `go` all the same.
            log.warn({ err }, `${name} warm: preparation failed`);
          });
          log.info(`${name} warm: waiting to take over`);
          if (!(await untilGo(process.stdin, stop.signal)))
            return { outcome: 'not-started' as const, reason: 'warm: its supervisor did not take over' };
        }
        let orphaned = false;
        if (process.env.SYSTACK_SUPERVISED === '1') {
          // The supervisor holds our stdin open; end-of-file means it died: abandon the run at
          // the end of the current method and exit; give up after a minute if the bus went with it.
          process.stdin.once('end', () => {
            log.error(`${name}: supervisor gone; stopping`);
            orphaned = true;
            abandon.abort('its supervisor died');
            setTimeout(() => process.exit(RUN_EXIT.failed), 60_000).unref();
          });
          process.stdin.resume();
        }
        try {
          const result = await runProcess({
            nc,
            prefix,
            process: p,
            timeZone: control.timeZone,
            previousStartTime: p.previousProcess
              ? control.processes[p.previousProcess]?.startTime
              : undefined,
            registry: productionRegistry,
            clock,
            host: process.env.SYSTACK_HOST ?? hostname(),
            pid: process.pid,
            system: config.system,
            log,
            store,
            signal: stop.signal,
            abandon: abandon.signal,
          });
          if (orphaned && result.outcome === 'failed') {
            // Abandoned: exit now, as a kill -9 would, with nothing closed gracefully. Its stack
            // handler's broker connection and request consumer must not outlive the lease the
            // runner has just released (they would work beside the next handler's), and closing
            // them gracefully is what a stop for the day does.
            process.exit(RUN_EXIT.failed);
          }
          if (orphaned && result.outcome === 'finished') {
            // Its supervisor died while it was already finishing (completion methods running):
            // recorded as a crash all the same, so the supervisor that takes over (restarted, or a
            // standby) relaunches it under its restart policy. (Abandoned mid-run, the runner
            // records the crash itself.)
            await store
              .updateRecord(name, {
                recentlyCrashed: true,
                lastOutcome: 'crashed',
                lastReason: 'its supervisor died',
              })
              .catch(() => undefined); // the bus went with the supervisor: the lease goes stale instead
          }
          return result;
        } finally {
          process.off('SIGTERM', onSignal);
          process.off('SIGINT', onSignal);
          process.stdin.pause();
        }
      });
      printResult({ process: name, ...outcome }, { json: opts.json });
      const code =
        outcome.outcome === 'finished'
          ? RUN_EXIT.finished
          : outcome.outcome === 'failed'
            ? RUN_EXIT.failed
            : outcome.outcome === 'lease-lost'
              ? RUN_EXIT.leaseLost
              : RUN_EXIT.notStarted;
      if (code !== 0) process.exit(code);
    });
}
