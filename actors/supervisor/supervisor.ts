/**
 * The supervisor daemon's scheduler (replaces cron and the reference's monitor, digest §4 P1,
 * P6, P11): every tick it finds dead processes (a lease it has seen unrenewed for
 * `staleAfterMs`, or a vanished child),
 * marks them finished and crashed, and launches each process assigned to this host when its
 * window is open, its status allows, its previous process has finished, it has not run today
 * (or it crashed and its restart policy allows another go).
 */
import { isElectionError } from '../../src/bus/election.ts';
import type { Clock } from '../../src/clock.ts';
import type { ControlConfig } from '../../src/domain/process-control/config.ts';
import { decideLaunch } from '../../src/domain/process-control/decisions.ts';
import {
  isItTimeToRun,
  isItTimeToStop,
  localDate,
  previousDue,
  previousProcessSatisfied,
} from '../../src/domain/process-control/timing.ts';
import { logCritical, type Logger } from '../../src/log/logger.ts';
import { type ChildHandle, type ChildLauncher, pidAlive } from './children.ts';
import { deathReason, markCrashed } from './dead-process.ts';
import { LeaseAges } from './lease-ages.ts';
import type { HeldLease, ProcessStore } from './process-store.ts';
import type { WarmChildren } from './warm-children.ts';

export interface SupervisorOptions {
  store: ProcessStore;
  control: ControlConfig;
  clock: Clock;
  host: string;
  launch: ChildLauncher;
  /** Environment for every child (NATS URL, clock anchor, config dirs). */
  childEnv: Record<string, string>;
  /** Extra environment for one child (its NATS credentials). */
  childEnvFor?: (process: string) => Record<string, string>;
  /** Whether the bus is reachable; while it is not, scheduling passes are skipped. */
  busUp?: () => boolean;
  log: Logger;
  /** Real ms between scheduling passes. */
  tickMs?: number;
  /**
   * A lease this supervisor has seen unrenewed for this long (real ms, on its monotonic clock) is
   * dead; the runner renews every third of it.
   */
  staleAfterMs?: number;
  /** The lease observer (a standby hands over what it saw while waiting); default a fresh one. */
  ages?: LeaseAges;
  /** Real ms to wait for children after SIGTERM before SIGKILL. */
  stopTimeoutMs?: number;
  /** Children a standby started in advance: a launch says `go` to one instead of spawning. */
  warm?: WarmChildren;
}

/** Passes between key listings of every lease. */
const LIST_ALL_EVERY = 10;

interface Launches {
  date: string;
  count: number;
}

/** What happened to one process under this supervisor (for `start --days` summaries). */
export interface ProcessHistory {
  launches: number;
  /** Exits other than finished / not started / lease lost, not asked for by a stop: killed or failed. */
  crashes: number;
  /** How it last exited: `code N` or the signal. */
  lastExit: string | null;
}

export class Supervisor {
  private readonly children = new Map<string, ChildHandle>();
  private readonly launches = new Map<string, Launches>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopping = false;
  /** Last launch decision per process, for the monitor. */
  readonly reasons = new Map<string, string>();
  readonly history = new Map<string, ProcessHistory>();
  private busDown = false;
  private passes = 0;
  /** How long each lease has gone unrenewed, as this supervisor sees it (monotonic). */
  readonly ages: LeaseAges;

  constructor(private readonly o: SupervisorOptions) {
    this.ages = o.ages ?? new LeaseAges();
  }

  start(): void {
    const loop = () => {
      if (this.stopping) return;
      this.running = this.tick()
        .catch((err: unknown) => {
          // The bus went away during the pass: the next passes wait for it (logged once there).
          if (this.o.busUp && !this.o.busUp()) return;
          if (isElectionError(err)) {
            // JetStream is electing or recovering (a node died or restarted): the next pass.
            this.o.log.warn({ err }, 'supervisor pass: JetStream not answering yet; trying again');
            return;
          }
          this.o.log.error({ err }, 'supervisor tick failed');
        })
        .finally(() => {
          if (!this.stopping) this.timer = setTimeout(loop, this.o.tickMs ?? 1000);
        });
    };
    loop();
  }

  childPids(): Record<string, number> {
    return Object.fromEntries([...this.children].map(([n, c]) => [n, c.pid]));
  }

  /** One scheduling pass. */
  async tick(): Promise<void> {
    const { store, control, clock, host } = this.o;
    if (this.o.busUp && !this.o.busUp()) {
      if (!this.busDown) this.o.log.warn('message bus unreachable: scheduling paused until it is back');
      this.busDown = true;
      return;
    }
    if (this.busDown) {
      this.busDown = false;
      // Renewals missed while the bus was away prove nothing: every lease's age starts again.
      this.ages.restart();
      this.o.log.info('message bus back: scheduling resumed');
    }
    const now = clock.now();
    const today = localDate(now, control.timeZone);
    const processes = Object.values(control.processes);
    // Every read of the pass at once (direct gets: replicas answer them through an election).
    const readFacts = () =>
      Promise.all(
        processes.map(async (p) => {
          const [record, status, prevRecord] = await Promise.all([
            store.getRecord(p.name),
            store.getStatus(p.name),
            p.previousProcess ? store.getRecord(p.previousProcess) : undefined,
          ]);
          return { record, status, prevRecord };
        }),
      );
    const [leases, firstFacts] = await Promise.all([
      this.readLeases(processes.map((p) => p.name)),
      readFacts(),
    ]);
    let facts = firstFacts;
    const staleAfterMs = this.o.staleAfterMs ?? 15_000;
    const dead = [...leases].flatMap(([name, lease]) => {
      const reason = deathReason(name, lease, {
        ageOf: (n, l) => this.ages.age(`lease.${n}`, l.revision),
        staleAfterMs,
        host,
        isAlive: (pid) => this.isAlive(name, pid),
      });
      return reason ? [{ name, lease, reason }] : [];
    });
    const marked = await Promise.all(
      dead.map(async ({ name, lease, reason }) => {
        if (!(await markCrashed(store, name, lease, reason, clock, this.o.log))) return false;
        leases.delete(name);
        this.ages.forget(`lease.${name}`);
        return true;
      }),
    );
    if (marked.some(Boolean)) facts = await readFacts(); // their records now say crashed
    processes.forEach((p, i) => {
      if (this.stopping) return;
      const { record, status, prevRecord } = facts[i]!;
      const prevName = p.previousProcess;
      const launches = this.launches.get(p.name);
      const launchedToday = launches?.date === today ? launches.count : 0;
      const startedToday =
        launchedToday > 0 ||
        (record.lastStart !== undefined && localDate(record.lastStart, control.timeZone) === today);
      const w = { startTime: p.startTime, stopTime: p.stopTime };
      const d = decideLaunch({
        status,
        running: leases.has(p.name),
        inWindow: isItTimeToRun(now, w, control.timeZone),
        timeToStop: isItTimeToStop(now, w, control.timeZone),
        previousSatisfied: previousProcessSatisfied(
          prevName,
          prevRecord && {
            running: leases.has(prevName!),
            lastEnd: prevRecord.lastEnd,
            crashed: prevRecord.recentlyCrashed,
            due: previousDue(control.processes[prevName!]?.startTime, control.timeZone),
          },
          now,
        ),
        hostAllowed: p.host === undefined || p.host === host,
        childAlive: this.children.has(p.name),
        startedToday,
        crashedToday: startedToday && record.recentlyCrashed,
        restartsToday: Math.max(0, launchedToday - 1),
        restart: p.restart,
      });
      this.reasons.set(p.name, d.reason);
      if (d.launch) this.launchChild(p.name, today, launchedToday, d.reason);
    });
  }

  /**
   * The configured processes' leases, each a direct get (stream replicas answer those through an
   * election); every tenth pass a key listing adds leases of processes not configured here
   * (P11 marks any dead holder finished) — a listing is a consumer, created by the meta leader.
   */
  private async readLeases(names: string[]): Promise<Map<string, HeldLease>> {
    const listAll = this.passes++ % LIST_ALL_EVERY === LIST_ALL_EVERY - 1;
    const [got, all] = await Promise.all([
      Promise.all(names.map(async (n) => [n, await this.o.store.getLease(n)] as const)),
      listAll ? this.o.store.listLeases() : undefined,
    ]);
    const leases = new Map(all);
    for (const [n, l] of got) {
      if (l) leases.set(n, l);
      else leases.delete(n);
    }
    if (all) this.ages.keep([...leases.keys()].map((n) => `lease.${n}`));
    else for (const [n, l] of got) if (!l) this.ages.forget(`lease.${n}`);
    return leases;
  }

  private isAlive(name: string, pid: number): boolean {
    return this.children.get(name)?.pid === pid || pidAlive(pid);
  }

  private launchChild(name: string, today: string, before: number, reason: string): void {
    const warm = this.o.warm?.take(name);
    const child = warm ?? this.o.launch(name, { ...this.o.childEnv, ...this.o.childEnvFor?.(name) });
    warm?.go?.();
    this.children.set(name, child);
    const h = this.history.get(name) ?? { launches: 0, crashes: 0, lastExit: null };
    h.launches++;
    this.history.set(name, h);
    this.launches.set(name, { date: today, count: before + 1 });
    this.o.log.info({ type: name, child_pid: child.pid, reason, warm: Boolean(warm) }, `launched ${name}`);
    void child.exited.then(async ({ code, signal }) => {
      this.children.delete(name);
      this.o.log.info({ type: name, child_pid: child.pid, code, signal }, `${name} exited`);
      h.lastExit = signal ?? `code ${code}`;
      if (code === 0 || code === 3 || code === 4) return;
      if (!this.stopping) h.crashes++;
      // Killed or crashed: if it still holds its lease, it died without finishing.
      const lease: HeldLease | undefined = await this.o.store.getLease(name).catch(() => undefined);
      const why = signal ? `killed by ${signal}` : `exited with code ${code}`;
      if (lease && lease.pid === child.pid) {
        await markCrashed(this.o.store, name, lease, why, this.o.clock, this.o.log).catch(() => false);
      } else if (!this.stopping && (await this.neverStarted(name, child.pid))) {
        // It died before taking its lease (while starting up): still a crash, so its restart
        // policy applies instead of "already ran today".
        await this.o.store
          .updateRecord(name, {
            recentlyCrashed: true,
            lastOutcome: 'crashed',
            lastReason: `${why} while starting`,
          })
          .then(() =>
            logCritical(this.o.log, `${name} died while starting: ${why}`, {
              type: name,
              child_pid: child.pid,
            }),
          )
          .catch(() => undefined); // the bus is away: the record stays as it was
      } else if (!this.stopping) {
        // It ran, released its lease and exited with a failure (`systack run` exit 1: a method
        // threw): its own record says so; the supervisor's log says so too, beside the restarts.
        this.o.log.error({ type: name, child_pid: child.pid }, `${name} crashed: ${why}`);
      }
    });
  }

  /** The child never recorded its start (a run that did is marked by the lease's owner check). */
  private async neverStarted(name: string, pid: number): Promise<boolean> {
    const rec = await this.o.store.getRecord(name).catch(() => undefined);
    return rec !== undefined && rec.lastPid !== pid;
  }

  /** Stop launching; ask every child to stop gracefully (SIGTERM = STOP), then wait. */
  async stop(timeoutMs?: number): Promise<void> {
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
    const warm = this.o.warm?.stop();
    const all = [...this.children.values()];
    for (const c of all) c.kill('SIGTERM');
    const timeout = timeoutMs ?? this.o.stopTimeoutMs ?? 60_000;
    await Promise.all(
      all.map(async (c) => {
        const t = setTimeout(() => c.kill('SIGKILL'), timeout);
        await c.exited;
        clearTimeout(t);
      }),
    );
    await warm;
  }
}
