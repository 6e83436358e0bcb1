import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { localTime, priceAtTick, renderTable, tickDecimals } from '../../src/cli/output.ts';

describe('CLI tables read well', () => {
  it('snake_case headers, every row’s columns, no JSON in cells, epoch-ms times as local times with zone', () => {
    const t = Date.parse('2023-09-01T12:30:00Z');
    const out = renderTable([
      { instrumentCode: 'GOLD', lastStart: t, weights: { carryTrend: 0.5, other: [1, 2] } },
      { instrumentCode: 'SOFR', extra: 7 },
    ]);
    expect(out).toContain('instrument_code');
    expect(out).toContain('last_start');
    expect(out).toContain('extra');
    expect(out).not.toContain('instrumentCode');
    expect(out).toContain(localTime(t));
    expect(localTime(t)).toMatch(/^2023-09-0\d \d\d:\d\d:\d\d \S+$/);
    expect(out).toContain('carry_trend=0.5, other=(1, 2)');
    expect(out).not.toMatch(/[{}"]/);
  });

  it('a missing argument with choices names them (orders view)', () => {
    const r = spawnSync(process.execPath, [join(process.cwd(), 'bin/systack.js'), 'orders', 'view'], {
      encoding: 'utf8',
    });
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe(
      "error: missing required argument 'stack' (one of: instrument, contract, broker, broker-live)",
    );
    const help = spawnSync(
      process.execPath,
      [join(process.cwd(), 'bin/systack.js'), 'orders', 'view', '--help'],
      {
        encoding: 'utf8',
      },
    );
    expect(help.stdout.replace(/\s+/g, ' ')).toContain(
      '(choices: "instrument", "contract", "broker", "broker-live")',
    );
  });
});

describe('prices at tick precision', () => {
  it('shows each price column with the decimals of its instrument tick', () => {
    expect(tickDecimals(0.25)).toBe(2);
    expect(tickDecimals(0.005)).toBe(3);
    expect(tickDecimals(0.015625)).toBe(6);
    expect(tickDecimals(1)).toBe(0);
    expect(priceAtTick(96.1, 0.005)).toBe('96.100');
    expect(priceAtTick(4012.25, undefined)).toBe('4012.25');
    const ticks = (code: string) => ({ SOFR: 0.005, SP500: 0.25, US10: 0.015625 })[code];
    const out = renderTable(
      [
        { instrument_code: 'SOFR', filled_price: 96.1 + 0.02, trade: 2 },
        { instrumentCode: 'SP500', filledPrice: 4012.5, limitPrice: 4012, trade: 1 },
        { instrument_code: 'US10', filled_price: 110.515625, trade: -1 },
        { instrument_code: 'GOLD', filled_price: 1812.1 + 0.2, trade: 1 },
      ],
      ['instrument_code', 'instrumentCode', 'filled_price', 'filledPrice', 'limitPrice', 'trade'],
      ticks,
    );
    expect(out).toContain('96.120');
    expect(out).toContain('4012.50');
    expect(out).toContain('4012.00');
    expect(out).toContain('110.515625');
    expect(out).toContain('1812.3'); // no tick known: 10 significant digits as before
    expect(out).not.toContain('1812.30');
    expect(out).toContain(' 2 '); // quantities untouched
  });
});
