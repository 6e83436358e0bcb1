import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The compiled `systack` command (test/support/build.ts compiles dist/ before the tests). */
export const SYSTACK_BIN = join(process.cwd(), 'bin/systack.js');

export interface CliRun {
  /** The exit code (null when a signal ended it). */
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliRunOptions {
  /** The working directory; default a fresh temporary one. */
  cwd?: string;
  /** SYSTACK_PRIVATE_DIR; default the working directory. */
  privateDir?: string;
  /** More environment, over the test's own. */
  env?: Record<string, string>;
}

/**
 * `systack <args>` run as a child process; resolves when it exits, whatever its code. It runs
 * asynchronously, so services this test process serves answer it while it runs.
 */
export function runSystack(args: string[], opts: CliRunOptions = {}): Promise<CliRun> {
  const cwd = opts.cwd ?? mkdtempSync(join(tmpdir(), 'systack-cli-'));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SYSTACK_BIN, ...args], {
      cwd,
      env: { ...process.env, SYSTACK_PRIVATE_DIR: opts.privateDir ?? cwd, ...opts.env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}
