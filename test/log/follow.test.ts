/**
 * `systack logs --follow` (issue 14 §5): history then live lines, filtered by the server on the
 * subject (process and levels), each line once; and the CLI flag end to end (a child process
 * that prints lines as they are logged and stops on SIGINT).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { followLogs, type LogLine, logFilterSubjects } from '../../src/log/query.ts';
import { ensureLogStream } from '../../src/log/ship.ts';
import { startTestNats, type TestNats } from '../support/nats.ts';

const PREFIX = 'systack';
let nats: TestNats;
let nc: NatsConnection;

beforeAll(async () => {
  nats = await startTestNats();
  nc = await nats.connect('follow');
  await ensureLogStream(nc, PREFIX);
}, 60_000);
afterAll(async () => nats?.stop());

const LEVEL_NO = { info: 30, warn: 40, error: 50, critical: 55 } as const;
async function emit(proc: string, level: keyof typeof LEVEL_NO, msg: string): Promise<void> {
  const line = { level: LEVEL_NO[level], time: new Date().toISOString(), process: proc, msg };
  nc.publish(`${PREFIX}.logs.${proc}.${level}`, JSON.stringify(line));
  await nc.flush();
}

const until = async (ok: () => boolean, ms = 20_000) => {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
};

describe('logs --follow', () => {
  it('subjects carry the process and each level at or above the minimum', () => {
    expect(logFilterSubjects('p', { level: 'error', attributes: { process: 'run_a' } })).toEqual([
      'p.logs.run_a.error',
      'p.logs.run_a.critical',
      'p.logs.run_a.fatal',
    ]);
    expect(logFilterSubjects('p', {})).toEqual(['p.logs.*.*']);
  });

  it('prints the history, then each new matching line once, until stopped', async () => {
    await emit('run_a', 'warn', 'old warn a');
    await emit('run_a', 'info', 'old info a');
    await emit('run_b', 'error', 'old error b');
    const got: LogLine[] = [];
    const stop = new AbortController();
    const done = followLogs(
      nc,
      PREFIX,
      { level: 'warn', attributes: { process: 'run_a' } },
      (l) => got.push(l),
      stop.signal,
    );
    await until(() => got.length === 1);
    await emit('run_a', 'info', 'new info a');
    await emit('run_b', 'critical', 'new critical b');
    await emit('run_a', 'critical', 'new critical a');
    await emit('run_a', 'error', 'new error a');
    await until(() => got.length === 3);
    stop.abort();
    await done;
    expect(got.map((l) => l.msg)).toEqual(['old warn a', 'new critical a', 'new error a']);
  });

  it('the CLI flag: `systack logs --follow --process run_c --level error` streams until SIGINT', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'systack-follow-'));
    const child = spawn(
      process.execPath,
      [
        join(process.cwd(), 'bin/systack.js'),
        'logs',
        '--follow',
        '--process',
        'run_c',
        '--level',
        'error',
        '--nats-url',
        nats.url,
      ],
      { cwd, env: { ...process.env, SYSTACK_PRIVATE_DIR: cwd }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    await emit('run_c', 'error', 'before follow');
    await until(() => out.includes('before follow'), 30_000).catch(() => {
      throw new Error(`no history line: ${err}`);
    });
    await emit('run_c', 'warn', 'below the level');
    await emit('run_d', 'error', 'other process');
    await emit('run_c', 'critical', 'while following');
    await until(() => out.includes('while following'));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    const lines = out.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/ERROR +\[run_c\] before follow$/);
    expect(lines[1]).toMatch(/CRITICAL +\[run_c\] while following$/);
  }, 60_000);
});
