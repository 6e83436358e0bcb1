import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { localTime, renderTable } from '../../src/cli/output.ts';

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
