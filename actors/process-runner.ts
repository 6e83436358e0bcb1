/**
 * The generic process runner behind `systack run <process>` (digest §4 P6–P10): take the
 * process's lease, loop its methods as the process machine decides, honour status changes,
 * heartbeat the lease, run completion methods, record the finish and release the lease.
 * An exception in a method is logged as critical and recorded as a crash (#1628), the lease is
 * released, and the completion methods do not run (P9).
 */
import type { NatsConnection } from '@nats-io/transport-node';
import { createActor, toPromise } from 'xstate';
import { type ProcessMachineOutput, processMachine } from '../machines/process.ts';
import { type Clock, wallClock } from '../src/clock.ts';
import type { ResolvedSystemConfig } from '../src/config/load.ts';
import type { ProcessConfig, ProcessStatus } from '../src/domain/process-control/config.ts';
import { heartbeatsDue } from '../src/domain/process-control/method-timer.ts';
import { previousDue } from '../src/domain/process-control/timing.ts';
import { logCritical, type Logger } from '../src/log/logger.ts';
import { type MethodRegistry, missingMethods } from './process-methods.ts';
import { LeaseHeartbeat } from './supervisor/lease-heartbeat.ts';
import { type MethodState, ProcessStore } from './supervisor/process-store.ts';

export interface RunnerOptions {
  nc: NatsConnection;
  prefix: string;
  process: ProcessConfig;
  timeZone: string;
  /** The previous process's start time: once it has passed today, only an end since counts (P5). */
  previousStartTime?: string | undefined;
  registry: MethodRegistry;
  clock: Clock;
  host: string;
  pid: number;
  system: ResolvedSystemConfig;
  log: Logger;
  /** The process-control store, already open (a warm child opened it before taking over). */
  store?: ProcessStore;
  /** Real ms between clock ticks (the reference checks every 60 s; 0.5 s in the main loop). */
  tickMs?: number;
  /** Real ms between lease heartbeats; default a third of `process_lease_stale_ms`. */
  heartbeatMs?: number;
  /** The lease's informational `heartbeatAt` (never compared across hosts); default the wall clock. */
  wall?: Clock;
  /** Aborting asks for a graceful stop, as a STOP status does (SIGTERM). */
  signal?: AbortSignal;
  /**
   * Aborting (with the reason as a string) abandons the run at the next method boundary: no
   * completion methods, recorded as a crash, as when the supervisor died mid-day (the day is not
   * over: its orders stay on the stack for the next run; see machines/process.ts).
   */
  abandon?: AbortSignal;
}

export async function runProcess(o: RunnerOptions): Promise<ProcessMachineOutput> {
  const name = o.process.name;
  const wall = o.wall ?? wallClock;
  const log = o.log.child({ component: 'process-runner', type: name });
  const methodNames = o.process.methods.map((m) => m.name);
  const missing = missingMethods(o.registry, name, methodNames);
  if (missing.length > 0) {
    const reason = `not registered: ${missing.join(', ')}`;
    log.error({ missing }, `cannot run ${name}: methods ${reason}`);
    return { outcome: 'not-started', reason };
  }
  const store = o.store ?? (await ProcessStore.open(o.nc, o.prefix));
  let stopRequested = o.signal?.aborted ?? false;
  const effective = (s: ProcessStatus): ProcessStatus => (stopRequested ? 'STOP' : s);
  const previousRecord = async () => {
    if (!o.process.previousProcess) return undefined;
    const [rec, lease] = await Promise.all([
      store.getRecord(o.process.previousProcess),
      store.getLease(o.process.previousProcess),
    ]);
    return {
      running: lease !== undefined,
      lastEnd: rec.lastEnd,
      crashed: rec.recentlyCrashed,
      due: previousDue(o.previousStartTime, o.timeZone),
    };
  };

  const pending: Promise<unknown>[] = [];
  const track = (p: Promise<unknown>) =>
    pending.push(p.catch((err) => log.error({ err }, 'runner I/O failed')));
  const methodStates = (running?: string): Record<string, MethodState> => {
    const timers = actor.getSnapshot().context.timers;
    return Object.fromEntries(Object.entries(timers).map(([m, t]) => [m, { ...t, running: m === running }]));
  };
  const hold = new LeaseHeartbeat({
    store,
    name,
    wall,
    log,
    onLost: () => actor.send({ type: 'LEASE_LOST', reason: 'lease revoked or taken over' }),
    onBeat: () =>
      void store
        .putMethods(name, methodStates(actor.getSnapshot().context.currentMethod))
        // Informational (the method timers shown by `process view`): the next heartbeat writes them again.
        .catch(() => undefined),
  });
  const release = () => hold.release();

  const machine = processMachine.provide({
    actions: {
      requestLease: ({ context }) => {
        hold.lease = {
          owner: `${o.host}:${o.pid}:${context.now}`,
          pid: o.pid,
          host: o.host,
          acquiredAt: o.clock.now(),
          heartbeatAt: wall.now(),
        };
        const lease = hold.lease;
        track(
          store.acquireLease(name, lease).then(async (r) => {
            if (!r.ok) {
              hold.lease = undefined;
              actor.send({
                type: 'LEASE_REFUSED',
                reason: `already running: pid ${r.holder.pid} on ${r.holder.host}`,
              });
              return;
            }
            hold.granted(r.revision);
            // P7: last start = now, crashed flag cleared.
            await store.updateRecord(name, {
              lastStart: lease.acquiredAt,
              recentlyCrashed: false,
              lastPid: o.pid,
              lastHost: o.host,
            });
            log.info({ pid: o.pid }, `${name} started`);
            actor.send({ type: 'LEASE_ACQUIRED', now: o.clock.now() });
          }),
        );
      },
      runMethod: ({ context }) => {
        const method = context.currentMethod!;
        const config = o.process.methods.find((m) => m.name === method)!;
        const fn = o.registry[name]![method]!;
        const args =
          (config.runOnCompletionOnly ? o.process.arguments._methods_on_completion : undefined) ??
          o.process.arguments[method] ??
          {};
        track(store.putMethods(name, methodStates(method)));
        const mlog = log.child({ method });
        track(
          Promise.resolve()
            .then(() =>
              fn({
                process: name,
                method,
                config,
                args,
                clock: o.clock,
                nc: o.nc,
                prefix: o.prefix,
                system: o.system,
                log: mlog,
              }),
            )
            .then(
              () => actor.send({ type: 'METHOD_DONE', now: o.clock.now() }),
              (err: unknown) =>
                actor.send({
                  type: 'METHOD_FAILED',
                  now: o.clock.now(),
                  error: err instanceof Error ? err.message : String(err),
                }),
            )
            .then(() => store.putMethods(name, methodStates())),
        );
      },
      reportHeartbeats: ({ context }) => {
        for (const m of heartbeatsDue(context.methods, context.timers, context.now))
          log.debug({ method: m }, `${m} still alive`);
      },
      finishProcess: ({ context }) => {
        // P9.2: last end = now, no longer running.
        track(
          store
            .updateRecord(name, {
              lastEnd: o.clock.now(),
              lastOutcome: 'finished',
              lastReason: context.reason,
            })
            .then(release),
        );
        log.info({ reason: context.reason }, `${name} finished`);
      },
      reportNotStarted: ({ context }) =>
        log.info({ reason: context.reason }, `${name} not started: ${context.reason}`),
      reportFailure: ({ context }) => {
        logCritical(log, `${name} crashed: ${context.reason}`, { process: name });
        track(
          store
            .updateRecord(name, {
              lastEnd: o.clock.now(),
              recentlyCrashed: true,
              lastOutcome: 'failed',
              lastReason: context.reason,
            })
            .then(release),
        );
      },
    },
  });

  const [status, holder, previous] = await Promise.all([
    store.getStatus(name),
    store.getLease(name),
    previousRecord(),
  ]);
  const actor = createActor(machine, {
    input: {
      process: name,
      host: o.host,
      assignedHost: o.process.host,
      startTime: o.process.startTime,
      stopTime: o.process.stopTime,
      timeZone: o.timeZone,
      previousProcess: o.process.previousProcess,
      methods: o.process.methods,
      status: effective(status),
      running: holder !== undefined,
      previous,
      now: o.clock.now(),
    },
  });

  // The status watch (an ordered consumer: its create goes through the JetStream meta leader)
  // is not waited for: the machine starts from the status read above.
  const watching = store
    .watchStatus(name, (s) => actor.send({ type: 'STATUS', status: effective(s) }))
    .catch((err: unknown) => {
      log.warn({ err }, 'status watch failed; status changes reach this run only at its next start');
      return () => undefined;
    });
  const onAbort = () => {
    stopRequested = true;
    actor.send({ type: 'STATUS', status: 'STOP' });
  };
  o.signal?.addEventListener('abort', onAbort);
  const onAbandon = () => actor.send({ type: 'ABANDON', reason: String(o.abandon?.reason ?? 'abandoned') });
  o.abandon?.addEventListener('abort', onAbandon);
  let ticking = false;
  const tick = setInterval(() => {
    if (ticking) return;
    ticking = true;
    const waiting = actor.getSnapshot().value === 'waiting';
    const refresh = waiting
      ? Promise.all([previousRecord(), store.getLease(name)]).then(([rec, lease]) => {
          actor.send({ type: 'PREVIOUS', record: rec });
          actor.send({ type: 'RUNNING_ELSEWHERE', running: lease !== undefined });
        })
      : Promise.resolve();
    refresh
      .catch((err) => log.warn({ err }, 'refresh failed'))
      .finally(() => {
        ticking = false;
        if (actor.getSnapshot().status === 'active') actor.send({ type: 'CLOCK_TICK', now: o.clock.now() });
      });
  }, o.tickMs ?? 250);
  hold.start(o.heartbeatMs ?? Math.max(250, Math.floor(o.system.process_lease_stale_ms / 3)));

  actor.start();
  if (o.abandon?.aborted === true) onAbandon(); // abandoned before it started
  try {
    const output = await toPromise(actor);
    if (output.outcome === 'lease-lost') {
      hold.lease = undefined;
      logCritical(log, `${name} lost its lease: ${output.reason}`, { process: name });
    }
    // Let in-flight writes (finish record, lease release) land.
    for (let i = 0; i < pending.length; i++) await pending[i];
    return output;
  } finally {
    clearInterval(tick);
    hold.stop();
    (await watching)();
    o.signal?.removeEventListener('abort', onAbort);
    o.abandon?.removeEventListener('abort', onAbandon);
  }
}
