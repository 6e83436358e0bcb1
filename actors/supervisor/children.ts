/**
 * Child processes of the supervisor: each run_* process runs as `node bin/systack.js run
 * <process>` — the compiled CLI (the reference's cron launch, P1).
 */
import { spawn } from 'node:child_process';
import { cliEntryPoint } from '../../src/config/paths.ts';

export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ChildHandle {
  pid: number;
  exited: Promise<ChildExit>;
  kill(signal: NodeJS.Signals): void;
}

export type ChildLauncher = (process: string, env: Record<string, string>) => ChildHandle;

/** Exit codes of `systack run`. */
export const RUN_EXIT = { finished: 0, failed: 1, notStarted: 3, leaseLost: 4 } as const;

export const spawnRunProcess: ChildLauncher = (name, env) => {
  const child = spawn(process.execPath, [cliEntryPoint(), 'run', name], {
    // stdin is a pipe from the supervisor: when the supervisor dies by any signal, the child
    // sees end-of-file and stops as on SIGTERM (no orphans holding leases).
    env: { ...process.env, ...env, SYSTACK_SUPERVISED: '1' },
    // A child's stdout (its run summary) goes to the supervisor's stderr, keeping stdout for the supervisor's own output.
    stdio: ['pipe', process.stderr, 'inherit'],
  });
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
  };
};

export function pidAlive(pid: number): boolean {
  if (pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
