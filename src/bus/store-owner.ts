/**
 * One nats-server per JetStream store. nats-server 2.9 takes no lock on its store directory, and
 * two servers on one store corrupt it: a server that is still shutting down (its supervisor was
 * killed -9, its guard sent it SIGTERM and it is flushing under load) has already closed its
 * client port, so a new server can bind the same port and start restoring the same files. That
 * is what left restarted servers stuck for minutes at `Starting restore for stream …`.
 *
 * The pid of the server owning a store is kept in `<store>/nats-server.pid`. Before a server
 * starts on the store, the previous owner, if that pid is still a nats-server, is asked to stop
 * (SIGTERM), given time to finish, then killed (SIGKILL) and waited for until it is gone.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const STORE_PID_FILE = 'nats-server.pid';

export class StoreOwnerStuckError extends Error {
  override name = 'StoreOwnerStuckError';
}

/** Whether `pid` is a live (not zombie) nats-server process. */
export function isNatsServer(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ...": a zombie has exited; only its parent has not reaped it yet.
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    if (state === 'Z' || state === 'X') return false;
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0]?.endsWith('nats-server') ?? false;
  } catch {
    return false; // no such process
  }
}

/** The pid recorded as the store's owner, if any. */
export function storeOwner(storeDir: string): number | undefined {
  const file = join(storeDir, STORE_PID_FILE);
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, 'utf8').trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

export function recordStoreOwner(storeDir: string, pid: number): void {
  const file = join(storeDir, STORE_PID_FILE);
  writeFileSync(`${file}.tmp`, `${pid}\n`);
  renameSync(`${file}.tmp`, file);
}

async function gone(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (!isNatsServer(pid)) return true;
    await sleep(50);
  }
  return !isNatsServer(pid);
}

/**
 * Make sure the store's previous server has exited. Returns what was done, for the log:
 * `none` (no live owner), `stopped` (it stopped on SIGTERM) or `killed`.
 */
export async function retirePreviousOwner(
  storeDir: string,
  graceMs = 20_000,
): Promise<'none' | 'stopped' | 'killed'> {
  const pid = storeOwner(storeDir);
  if (pid === undefined || pid === process.pid || !isNatsServer(pid)) return 'none';
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return 'none'; // exited between the check and the signal
  }
  if (await gone(pid, graceMs)) return 'stopped';
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    return 'stopped'; // exited meanwhile
  }
  if (await gone(pid, 10_000)) return 'killed';
  throw new StoreOwnerStuckError(`nats-server ${pid} still holds ${storeDir} after SIGKILL`);
}
