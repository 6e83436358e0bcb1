import { closeSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { describeDay, summariseDay } from '../../actors/day-summary.ts';
import type { FillRecord } from '../../actors/stack/types.ts';
import { wallClock } from '../../src/clock.ts';
import { createRootLogger, setLogClock } from '../../src/log/logger.ts';
import { normaliseLine, snakeCase } from '../../src/log/normalise.ts';
import { logFormat, prettyLogStream } from '../../src/log/pretty.ts';

const SIM = Date.parse('2023-09-01T12:30:00Z');

function capture(): { lines: string[]; stream: Writable } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString().trim());
      done();
    },
  });
  return { lines, stream };
}

afterEach(() => setLogClock(wallClock));

describe('log lines: each key once, snake_case, time from the injected clock', () => {
  it('snake_cases keys', () => {
    expect(snakeCase('instrumentCode')).toBe('instrument_code');
    expect(snakeCase('brokerOrderID')).toBe('broker_order_id');
    expect(snakeCase('strategy_name')).toBe('strategy_name');
  });

  it('a line keeps one of each key (the child binding wins) and one spelling', () => {
    const line = normaliseLine(
      '{"level":30,"process":"supervisor","pid":1,"component":"a","process":"run_systems","component":"b","instrumentCode":"GOLD","msg":"m"}',
    );
    expect(line).toBe(
      '{"level":30,"process":"run_systems","pid":1,"component":"b","instrument_code":"GOLD","msg":"m"}',
    );
  });

  it('the root logger writes normalised JSON lines stamped with the simulated clock', () => {
    setLogClock({ now: () => SIM });
    const out = capture();
    const root = createRootLogger({ processName: 'run_systems', destination: out.stream });
    root.log.child({ process: 'run_systems', component: 'system' }).info({ instrumentCode: 'SOFR' }, 'done');
    const rec = JSON.parse(out.lines[0] as string) as Record<string, unknown>;
    expect(rec).toMatchObject({
      level: 30,
      level_name: 'info',
      time: '2023-09-01T12:30:00.000Z',
      process: 'run_systems',
      component: 'system',
      instrument_code: 'SOFR',
      msg: 'done',
    });
    expect(out.lines[0]?.match(/"process"/g)).toHaveLength(1);
    expect(rec).not.toHaveProperty('instrumentCode');
  });
});

describe('terminal lines (pino-pretty)', () => {
  it('JSON off a terminal, human on one; SYSTACK_LOG_FORMAT decides first', () => {
    const saved = process.env.SYSTACK_LOG_FORMAT;
    delete process.env.SYSTACK_LOG_FORMAT;
    try {
      expect(logFormat({ isTTY: false })).toBe('json');
      expect(logFormat({ isTTY: true })).toBe('pretty');
      process.env.SYSTACK_LOG_FORMAT = 'json';
      expect(logFormat({ isTTY: true })).toBe('json');
    } finally {
      if (saved === undefined) delete process.env.SYSTACK_LOG_FORMAT;
      else process.env.SYSTACK_LOG_FORMAT = saved;
    }
  });

  it('prints time on the simulated clock, level by name (critical too), process, message, attributes', () => {
    setLogClock({ now: () => SIM });
    const file = join(mkdtempSync(join(tmpdir(), 'systack-pretty-')), 'out.txt');
    const fd = openSync(file, 'w');
    const root = createRootLogger({ processName: 'run_stack_handler', destination: prettyLogStream({ fd }) });
    root.setCriticalNotifier(() => undefined);
    root.log.child({ component: 'stack', instrumentCode: 'GOLD' }).critical('position break');
    root.log.debug('heartbeat not shown at info');
    closeSync(fd);
    const text = readFileSync(file, 'utf8').trim();
    const time = new Date(SIM).toLocaleString('sv-SE').slice(0, 16); // local yyyy-mm-dd HH:MM
    expect(text.split('\n')).toHaveLength(1);
    expect(text).toContain(time);
    expect(text).toContain('CRITICAL');
    expect(text).toContain('(run_stack_handler) position break');
    expect(text).toContain('"component":"stack","instrument_code":"GOLD"');
    expect(text).not.toContain('{"level"');
  });
});

describe('day summary', () => {
  const fill = (qty: number, instrumentOrderId: number, contractDate = '20231200'): FillRecord => ({
    execId: `e${instrumentOrderId}-${qty}`,
    kind: 'broker',
    scope: 'both',
    strategyName: 's',
    instrumentCode: 'GOLD',
    contractDate,
    qty,
    price: 1900,
    time: SIM,
    instrumentOrderId,
  });

  it('counts the day’s fills, instrument orders filled, positions changed, P&L and alerts', () => {
    const old = [fill(1, 1)];
    const before = { fills: 1, contract: new Map([['GOLD/20231200', 1]]), pnl: 1000 };
    const records = [...old, fill(2, 2), fill(1, 2), fill(-3, 3, '20240200')];
    const contract = new Map([
      ['GOLD/20231200', 4],
      ['GOLD/20240200', -3],
    ]);
    const s = summariseDay('2023-09-01', before, { fills: 4, contract, pnl: 1250.5, records }, 2);
    expect(s).toEqual({
      trading_day: '2023-09-01',
      fills: 3,
      orders: 2,
      positions_changed: 2,
      pnl: 250.5,
      alerts: 2,
    });
    expect(describeDay(s)).toBe(
      'day 2023-09-01: 3 fills, 2 orders filled, 2 positions changed, P&L +250.5, 2 alerts',
    );
    expect(describeDay({ ...s, pnl: undefined })).toContain('P&L unknown');
  });
});
