import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CriticalNotice, childLogger, createRootLogger, logCritical } from '../../src/log/logger.ts';
import { cleanLogs, queryLogs } from '../../src/log/query.ts';
import { ensureLogStream, logStreamName, natsLogDestination } from '../../src/log/ship.ts';
import { startTestNats, type TestNats } from '../support/nats.ts';

class Capture extends Writable {
  lines: string[] = [];
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: () => void): void {
    this.lines.push(...chunk.toString().split('\n').filter(Boolean));
    cb();
  }
}

const PREFIX = 'logtest';

async function waitForMessages(nc: NatsConnection, n: number): Promise<void> {
  const jsm = await jetstreamManager(nc);
  for (let i = 0; i < 100; i++) {
    const info = await jsm.streams.info(logStreamName(PREFIX));
    if (info.state.messages >= n) return;
    await sleep(20);
  }
  throw new Error(`stream never reached ${n} messages`);
}

describe('logs shipped to JetStream', () => {
  let t: TestNats;
  let nc: NatsConnection;
  const notices: CriticalNotice[] = [];
  const capture = new Capture();

  beforeAll(async () => {
    t = await startTestNats();
    nc = await t.connect();
    await ensureLogStream(nc, PREFIX);
    const root = createRootLogger({
      processName: 'run_stack_handler',
      destination: capture,
      secrets: ['U9876543', 's3cr3t-pw'],
      onCritical: (n) => notices.push(n),
    });
    root.addDestination(natsLogDestination(nc, PREFIX, 'run_stack_handler'));
    const log = root.log;
    const sofr = childLogger({ type: 'order', instrument_code: 'SOFR', strategy_name: 'example' }, log);
    const gold = childLogger({ type: 'order', instrument_code: 'GOLD', contract_date: '20231200' }, log);
    sofr.info({ instrument_order_id: 7 }, 'spawned contract order');
    gold.warn('no price for contract');
    logCritical(sofr, 'position break', { broker_position: 3, our_position: 2 });
    log.info({ broker_account: 'U9876543' }, 'connected to account');
    log.info('password is s3cr3t-pw, account U9876543');
    log.info({ nested: { email_pwd: 's3cr3t-pw' } }, 'email configured');
    await nc.flush();
    await waitForMessages(nc, 6);
  });

  afterAll(async () => {
    await t.stop();
  });

  it('binds the reference attributes on child loggers', () => {
    const first = JSON.parse(capture.lines[0] ?? '{}') as Record<string, unknown>;
    expect(first).toMatchObject({
      process: 'run_stack_handler',
      type: 'order',
      instrument_code: 'SOFR',
      strategy_name: 'example',
      instrument_order_id: 7,
      level: 30,
      level_name: 'info',
      msg: 'spawned contract order',
    });
  });

  it('filters by attribute', async () => {
    const lines = await queryLogs(nc, PREFIX, { attributes: { instrument_code: 'SOFR' } });
    expect(lines.map((l) => l.msg)).toEqual(['spawned contract order', 'position break']);
    const gold = await queryLogs(nc, PREFIX, { attributes: { contract_date: '20231200' } });
    expect(gold.map((l) => l.msg)).toEqual(['no price for contract']);
  });

  it('filters by level, and critical sits above error', async () => {
    const lines = await queryLogs(nc, PREFIX, { level: 'warn' });
    expect(lines.map((l) => [l.msg, l.level])).toEqual([
      ['no price for contract', 40],
      ['position break', 55],
    ]);
    expect((await queryLogs(nc, PREFIX, { level: 'critical' })).length).toBe(1);
  });

  it('calls the notification hook on critical', () => {
    expect(notices).toEqual([
      {
        process: 'run_stack_handler',
        msg: 'position break',
        fields: { broker_position: 3, our_position: 2 },
      },
    ]);
  });

  it('lookback excludes lines older than the window', async () => {
    const all = await queryLogs(nc, PREFIX, { lookbackDays: 1 });
    expect(all.length).toBe(6);
    const future = await queryLogs(nc, PREFIX, { lookbackDays: 1, now: Date.now() + 2 * 86_400_000 });
    expect(future.length).toBe(0);
  });

  it('never lets a secret value reach a line, on stdout or in the stream', async () => {
    const shipped = (await queryLogs(nc, PREFIX)).map((l) => JSON.stringify(l));
    for (const line of [...capture.lines, ...shipped]) {
      expect(line).not.toContain('U9876543');
      expect(line).not.toContain('s3cr3t-pw');
    }
    expect(capture.lines.filter((l) => l.includes('[redacted]')).length).toBe(3);
  });

  it('clean deletes entries older than N days and keeps the rest', async () => {
    expect(await cleanLogs(nc, PREFIX, 30)).toBe(0);
    expect((await queryLogs(nc, PREFIX)).length).toBe(6);
    // Seen from 40 days ahead, every entry is older than 30 days.
    expect(await cleanLogs(nc, PREFIX, 30, Date.now() + 40 * 86_400_000)).toBe(6);
    expect((await queryLogs(nc, PREFIX)).length).toBe(0);
  });
});
