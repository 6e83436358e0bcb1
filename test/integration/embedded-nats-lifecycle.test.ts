import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { connectNats } from '../../src/bus/connection.ts';
import { startEmbeddedNats } from '../../src/bus/embedded.ts';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitUntil(pred: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (pred()) return true;
    await sleep(50);
  }
  return pred();
}

describe('embedded nats-server lifecycle', () => {
  it('stops cleanly: the server process is gone after stop()', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'systack-life-'));
    const s = await startEmbeddedNats({ storeDir: join(dir, 'js'), portsDir: dir });
    expect(alive(s.serverPid)).toBe(true);
    await s.stop();
    expect(await waitUntil(() => !alive(s.serverPid), 5000)).toBe(true);
    await rm(dir, { recursive: true, force: true });
  });

  it('leaves no orphan nats-server when the parent is killed with SIGKILL', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'systack-orphan-'));
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/bin/embedded-child.ts', dir], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const line = await new Promise<string>((resolve, reject) => {
      let buf = '';
      child.stdout.on('data', (d: Buffer) => {
        buf += d.toString();
        if (buf.includes('\n')) resolve(buf.split('\n')[0] ?? '');
      });
      child.once('exit', (code) => reject(new Error(`child exited ${code}`)));
    });
    const { serverPid } = JSON.parse(line) as { serverPid: number };
    expect(alive(serverPid)).toBe(true);
    child.kill('SIGKILL');
    expect(await waitUntil(() => !alive(serverPid), 10_000)).toBe(true);
    await rm(dir, { recursive: true, force: true });
  });

  it('a client reconnects after the server restarts on the same port and store', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'systack-reconnect-'));
    const first = await startEmbeddedNats({ storeDir: join(dir, 'js'), portsDir: dir });
    const nc = await connectNats({ url: first.url, name: 'reconnect-test' });
    const statuses: string[] = [];
    (async () => {
      for await (const s of nc.status()) statuses.push(s.type);
    })();
    nc.subscribe('echo', {
      callback: (_e, m) => {
        m.respond(m.data);
      },
    });
    await first.stop();
    await sleep(700);
    const second = await startEmbeddedNats({ storeDir: join(dir, 'js'), portsDir: dir, port: first.port });
    expect(await waitUntil(() => statuses.includes('reconnect'), 10_000)).toBe(true);
    const reply = await nc.request('echo', 'ping', { timeout: 2000 });
    expect(reply.string()).toBe('ping');
    expect(statuses).toContain('disconnect');
    await nc.close();
    await second.stop();
    await rm(dir, { recursive: true, force: true });
  });
});
