/**
 * Warm children of a standby supervisor (docs/deployment.md, hot standby): for each process the
 * active supervisor runs that this host may run, the standby keeps `systack run <process>`
 * started in advance — Node and its modules loaded, connected to the bus, the process-control
 * store open and the process's read-only preparation done (the stack handler's stores opened:
 * `actors/process-methods/stack-handler.ts`) — waiting for `go` on its stdin. Until then it reads
 * no lease, takes none, writes nothing and connects to no broker: it owns nothing. When the
 * standby becomes active, its scheduler launches a process by saying `go` to its warm child,
 * which then runs as any launched child does: it takes the lease with a revision check (a
 * second copy is refused) and only then restores and trades.
 */
import type { Logger } from '../../src/log/logger.ts';
import type { ChildHandle, ChildLauncher } from './children.ts';

/** A warm child that exited on its own is started again no sooner than this (real ms). */
const RESTART_AFTER_MS = 5000;

export class WarmChildren {
  private readonly ready = new Map<string, ChildHandle>();
  /** When each process's last warm child exited on its own (monotonic ms). */
  private readonly exitedAt = new Map<string, number>();
  private stopped = false;

  constructor(
    private readonly launch: ChildLauncher,
    private readonly envFor: (process: string) => Record<string, string>,
    private readonly log: Logger,
  ) {}

  /** Start a warm child for `process` unless one is waiting already. */
  ensure(process: string): void {
    if (this.stopped || this.ready.has(process)) return;
    const exited = this.exitedAt.get(process);
    if (exited !== undefined && performance.now() - exited < RESTART_AFTER_MS) return; // a duration

    const child = this.launch(process, this.envFor(process), { warm: true });
    this.ready.set(process, child);
    this.log.info({ type: process, child_pid: child.pid }, `warm ${process} started (waiting to take over)`);
    void child.exited.then(({ code, signal }) => {
      if (this.ready.get(process) !== child) return; // taken: the supervisor watches it now
      this.ready.delete(process);
      this.exitedAt.set(process, performance.now());
      if (!this.stopped) this.log.warn({ type: process, code, signal }, `warm ${process} exited`);
    });
  }

  /** The waiting child of `process`, handed over to be started with `go()` (none: launch one). */
  take(process: string): ChildHandle | undefined {
    const child = this.ready.get(process);
    this.ready.delete(process);
    return child;
  }

  names(): string[] {
    return [...this.ready.keys()];
  }

  /** Stop every waiting child (SIGTERM: a warm child exits at once, as not started). */
  async stop(): Promise<void> {
    this.stopped = true;
    const all = [...this.ready.values()];
    this.ready.clear();
    for (const c of all) c.kill('SIGTERM');
    await Promise.all(all.map((c) => c.exited));
  }
}

/**
 * In the warm child: resolve true when the supervisor says `go`, false when it goes away first
 * (stdin closed) or the run is stopped (`signal`). Nothing is read from the bus meanwhile.
 */
export function untilGo(stdin: NodeJS.ReadableStream, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    let buffered = '';
    const done = (go: boolean) => {
      stdin.off('data', onData);
      stdin.off('end', onEnd);
      signal.removeEventListener('abort', onEnd);
      stdin.pause();
      resolve(go);
    };
    const onData = (d: Buffer | string) => {
      buffered += d.toString();
      if (buffered.includes('go\n')) done(true);
    };
    const onEnd = () => done(false);
    if (signal.aborted) return resolve(false);
    stdin.on('data', onData);
    stdin.once('end', onEnd);
    signal.addEventListener('abort', onEnd);
    stdin.resume();
  });
}
