import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect } from '@nats-io/transport-node';
import { recordStoreOwner, retirePreviousOwner } from './store-owner.ts';

/**
 * An embedded nats-server with JetStream, started as a child process.
 *
 * No orphan is ever left behind: nats-server runs under a tiny shell guard whose stdin is a pipe
 * from this process. When this process dies, by any signal including SIGKILL, the kernel closes
 * the pipe, the guard sees end-of-file and stops the server. A clean stop closes the pipe too.
 * The server's pid is recorded in its store (store-owner.ts): a server starting on the same store
 * first waits for a previous one still shutting down, so two never run on one store.
 */
export interface EmbeddedNatsOptions {
  /** JetStream store directory (created if missing). */
  storeDir: string;
  /** Port to listen on; 0 or undefined picks a random free port. */
  port?: number;
  host?: string;
  /** Directory for the ports file; defaults to the store directory. */
  portsDir?: string;
  /** A nats-server configuration file (`-c`), e.g. the generated users and permissions. */
  configFile?: string;
  /** Credentials for the readiness check when the configuration requires authentication. */
  readyAuth?: { user: string; pass: string };
  /** Extra nats-server arguments. */
  extraArgs?: string[];
  readyTimeoutMs?: number;
}

export interface EmbeddedNats {
  url: string;
  port: number;
  /** PID of nats-server itself (not the guard). */
  serverPid: number;
  guardPid: number;
  /** Settles when the server has exited, whether stopped or died. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stop(): Promise<void>;
}

// Background jobs of a non-interactive shell get /dev/null as stdin, so the guard keeps the
// pipe on fd 3 and hands it to `cat` explicitly.
const GUARD = [
  'exec 3<&0',
  'nats-server "$@" </dev/null & s=$!',
  'echo "$s" > "$SYSTACK_NATS_PIDFILE"',
  "trap 'kill -TERM $s 2>/dev/null; wait $s; exit 0' TERM INT",
  '( cat <&3 >/dev/null; kill -TERM $s 2>/dev/null ) &',
  'wait $s',
].join('\n');

export function natsServerOnPath(): boolean {
  const paths = (process.env.PATH ?? '').split(':').concat(['/usr/sbin', '/usr/local/bin', '/usr/bin']);
  return paths.some((p) => p !== '' && existsSync(join(p, 'nats-server')));
}

function readPorts(dir: string, pid: number): string | undefined {
  const file = join(dir, `nats-server_${pid}.ports`);
  if (!existsSync(file)) return undefined;
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as { nats?: string[] };
    return parsed.nats?.[0];
  } catch {
    return undefined; // partially written; try again
  }
}

async function waitForServerPid(pidFile: string, child: ChildProcess, deadline: number): Promise<number> {
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`nats-server exited early with code ${child.exitCode}`);
    if (existsSync(pidFile)) {
      const pid = Number(readFileSync(pidFile, 'utf8').trim());
      if (pid > 0) return pid;
    }
    await sleep(20);
  }
  throw new Error('nats-server did not start in time');
}

async function waitReady(
  url: string,
  deadline: number,
  auth: { user: string; pass: string } | undefined,
): Promise<void> {
  let lastErr: unknown;
  while (Date.now() < deadline) {
    try {
      const nc = await connect({ servers: url, reconnect: false, timeout: 1000, ...auth });
      await nc.close();
      return;
    } catch (err) {
      lastErr = err;
      await sleep(50);
    }
  }
  throw new Error(`nats-server at ${url} not ready: ${String(lastErr)}`);
}

export async function startEmbeddedNats(opts: EmbeddedNatsOptions): Promise<EmbeddedNats> {
  if (!natsServerOnPath()) {
    throw new Error(
      'nats-server not found on PATH; run scripts/ensure-nats-server (or: apt-get install -y nats-server)',
    );
  }
  mkdirSync(opts.storeDir, { recursive: true });
  // A previous server on this store (still shutting down, or orphaned) must be gone first.
  await retirePreviousOwner(opts.storeDir);
  const portsDir = opts.portsDir ?? (await mkdtemp(join(tmpdir(), 'systack-nats-ports-')));
  mkdirSync(portsDir, { recursive: true });
  const pidFile = join(portsDir, `guard-${process.pid}-${Date.now()}.pid`);
  const args = [
    ...(opts.configFile ? ['-c', opts.configFile] : []),
    '-a',
    opts.host ?? '127.0.0.1',
    '-p',
    String(opts.port && opts.port > 0 ? opts.port : -1),
    '-js',
    '-sd',
    opts.storeDir,
    '--ports_file_dir',
    portsDir,
    ...(opts.extraArgs ?? []),
  ];
  const env = { ...process.env, SYSTACK_NATS_PIDFILE: pidFile, PATH: `${process.env.PATH}:/usr/sbin` };
  const child = spawn('sh', ['-c', GUARD, 'nats-guard', ...args], { stdio: ['pipe', 'ignore', 'pipe'], env });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  // A server restoring a large JetStream store under load writes its ports file late, not never.
  const deadline = Date.now() + (opts.readyTimeoutMs ?? 60_000);
  try {
    const serverPid = await waitForServerPid(pidFile, child, deadline);
    recordStoreOwner(opts.storeDir, serverPid);
    let url: string | undefined;
    while (!url && Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`nats-server exited: ${stderr.trim()}`);
      url = readPorts(portsDir, serverPid);
      if (!url) await sleep(20);
    }
    if (!url) throw new Error(`nats-server wrote no ports file: ${stderr.trim()}`);
    await waitReady(url, deadline, opts.readyAuth);
    const port = Number(new URL(url).port);
    let stopped: Promise<void> | undefined;
    const stop = (): Promise<void> => {
      stopped ??= new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.stdin?.end();
        child.kill('SIGTERM');
      });
      return stopped;
    };
    return { url, port, serverPid, guardPid: child.pid ?? 0, exited, stop };
  } catch (err) {
    child.stdin?.end();
    child.kill('SIGTERM');
    throw err;
  }
}

/** Ports files left from earlier runs in a directory (for diagnostics). */
export function listPortsFiles(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.ports')) : [];
}
