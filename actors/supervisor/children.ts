/**
 * Child processes of the supervisor: each run_* process runs as `node bin/systack.js run
 * <process>` — the compiled CLI (the reference's cron launch, P1).
 */
import { spawn } from 'node:child_process';
import { closeSync } from 'node:fs';
import type { Clock } from '../../src/clock.ts';
import { openEchoFile } from '../../src/log/echo-files.ts';
import { cliEntryPoint } from '../../src/config/paths.ts';

export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ChildHandle {
  pid: number;
  exited: Promise<ChildExit>;
  kill(signal: NodeJS.Signals): void;
  /** A warm child (launched with `warm`): start the run now (it takes its lease then). */
  go?(): void;
}

/**
 * Launch `systack run <process>`; with `warm`, a child that starts, connects and prepares, then
 * waits for `go()` before it so much as reads its lease (actors/supervisor/warm-children.ts).
 */
export type ChildLauncher = (
  process: string,
  env: Record<string, string>,
  opts?: { warm?: boolean },
) => ChildHandle;

/** Exit codes of `systack run`. */
export const RUN_EXIT = { finished: 0, failed: 1, notStarted: 3, leaseLost: 4 } as const;

/** Where children's output goes: `<directory>/<process><extension>` (the reference's echo files). */
export interface EchoFiles {
  directory: string;
  extension: string;
  clock: Clock;
}

/**
 * Launch `systack run <process>`. With echo files, the child's stdout and stderr are appended to
 * its echo file (yesterday's renamed first); without, its stdout (its run summary) goes to the
 * supervisor's stderr, keeping stdout for the supervisor's own output.
 */
export function runProcessLauncher(echo?: EchoFiles): ChildLauncher {
  return (name, env, opts) => launchRunProcess(name, opts?.warm ? { ...env, [WARM_ENV]: '1' } : env, echo);
}

/** Set in a warm child's environment: it waits for `go` on its stdin (warm-children.ts). */
export const WARM_ENV = 'SYSTACK_WARM';

function launchRunProcess(name: string, env: Record<string, string>, echo?: EchoFiles): ChildHandle {
  const fd = echo && openEchoFile(echo.directory, name, echo.extension, echo.clock.now());
  const child = spawn(process.execPath, [cliEntryPoint(), 'run', name], {
    // stdin is a pipe from the supervisor: when the supervisor dies by any signal, the child
    // sees end-of-file and stops as on SIGTERM (no orphans holding leases).
    env: { ...process.env, ...env, SYSTACK_SUPERVISED: '1' },
    stdio: fd === undefined ? ['pipe', process.stderr, 'inherit'] : ['pipe', fd, fd],
  });
  if (fd !== undefined) closeSync(fd); // the child has its own copy
  const exited = new Promise<ChildExit>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    child.once('error', () => resolve({ code: 127, signal: null }));
  });
  return {
    pid: child.pid ?? 0,
    exited,
    kill: (signal) => {
      child.kill(signal);
    },
    go: env[WARM_ENV] === '1' ? () => child.stdin?.write('go\n') : undefined,
  };
}

export const spawnRunProcess: ChildLauncher = runProcessLauncher();

export function pidAlive(pid: number): boolean {
  if (pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
