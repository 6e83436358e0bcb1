// `systack report run|show|list` end to end: the real CLI as a child process against a seeded store.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FillRecord } from '../../actors/stack/types.ts';
import { OrderEventStore } from '../../actors/store/order-event-store.ts';
import { runSystack } from '../support/cli.ts';
import { startTestNats, type TestNats } from '../support/nats.ts';

let nats: TestNats;
let dir: string;
const T = '2026-11-20T20:30:00Z';

const systack = (args: string[], bus: 'bus' | 'stopped' = 'bus') =>
  runSystack([...args, ...(bus === 'bus' ? ['--nats-url', nats.url] : [])], {
    cwd: dir,
    privateDir: join(dir, 'private'),
    env: { SYSTACK_CLOCK_START: T, SYSTACK_CLOCK_SPEED: '1' },
  });

beforeAll(async () => {
  nats = await startTestNats();
  dir = mkdtempSync(join(tmpdir(), 'systack-report-'));
  mkdirSync(join(dir, 'private'));
  writeFileSync(
    join(dir, 'private', 'private_config.yaml'),
    `data_dir: ${dir}/data\necho_directory: ${dir}/echos\noffsystem_backup_directory: ${dir}/offsite\nbacktest_store_directory: ${dir}/bt\n`,
  );
  const events = await OrderEventStore.open(await nats.connect('seed'), 'systack');
  const fill: FillRecord = {
    execId: 'e1',
    kind: 'broker',
    scope: 'both',
    strategyName: 'carry_trend',
    instrumentCode: 'GOLD',
    contractDate: '20261200',
    qty: 3,
    price: 2010.5,
    time: Date.parse(T) - 3_600_000,
  };
  await events.appendFill('GOLD', 'e1', fill);
});
afterAll(async () => nats?.stop());

describe('systack report', { timeout: 120_000 }, () => {
  it('run builds the report on the system clock, prints it, writes the file and stores it', async () => {
    const r = await systack(['report', 'run', 'trade_report', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { path: string; data: { byStrategyInstrument: unknown[] } };
    expect(out.data.byStrategyInstrument).toEqual([
      {
        strategyName: 'carry_trend',
        instrumentCode: 'GOLD',
        fills: 1,
        netQty: 3,
        grossQty: 3,
        averagePrice: 2010.5,
      },
    ]);
    expect(out.path).toBe(join(dir, 'echos', 'reports', 'trade_report_20261120-2030.txt'));
    expect(readFileSync(out.path, 'utf8')).toMatch(/carry_trend\s+GOLD\s+1\s+3\s+3\s+2010\.50/);

    expect(
      readFileSync(out.path.replace(/\.txt$/, '.html'), 'utf8').includes(
        'Total trading slippage per broker order',
      ),
    ).toBe(true);

    const html = join(dir, 'shown.html');
    const shown = await systack(['report', 'show', 'trade_report', '--html', html]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('Trade report — generated 2026-11-20 20:30 UTC');
    expect(shown.stdout).toMatch(/carry_trend\s+GOLD\s+1\s+3\s+3\s+2010\.50/);
    const page = readFileSync(html, 'utf8');
    expect([
      page.startsWith('<!doctype html>'),
      page.includes('window.Chart'),
      page.includes('carry_trend'),
    ]).toEqual([true, true, true]);

    // With no system running (no --nats-url, none found in data_dir): the files it left.
    const list = await systack(['report', 'list', '--json'], 'stopped');
    expect(list.stderr).toBe('');
    expect((JSON.parse(list.stdout) as Array<{ name: string }>).map((x) => x.name)).toEqual(['trade_report']);
    const offline = await systack(['report', 'show', 'trade_report'], 'stopped');
    expect(offline.stdout).toBe(shown.stdout);
  });

  it('--no-write stores without a file; a missing or unknown report is a clear error', async () => {
    const r = await systack(['report', 'run', 'daily_pandl_report', '--no-write']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/P&L % of max capital\s+n\/a\n/);
    expect(existsSync(join(dir, 'echos', 'reports', 'daily_pandl_report_20261120-2030.txt'))).toBe(false);

    const missing = await systack(['report', 'show', 'roll_report']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("no roll_report stored yet: run 'systack report run roll_report'");
    const unknown = await systack(['report', 'run', 'commissions_report']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown report 'commissions_report'");
    const badDays = await systack(['report', 'run', 'trade_report', '--days', '0']);
    expect(badDays.code).toBe(2);
  });

  it('market monitor for custom dates: --start / --end; bad dates are usage errors', async () => {
    const r = await systack([
      'report',
      'run',
      'market_monitor_report',
      '--start',
      '2026-11-01',
      '--end',
      '2026-11-15',
      '--no-write',
      '--json',
    ]);
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout) as { data: { customDates: boolean; end: number; periods: unknown[] } };
    expect(out.data).toMatchObject({
      customDates: true,
      end: Date.UTC(2026, 10, 16) - 1,
      periods: [{ period: '2026-11-01 to 2026-11-15', start: Date.UTC(2026, 10, 1), moves: [] }],
    });
    const backwards = await systack([
      'report',
      'run',
      'market_monitor_report',
      '--start',
      '2026-11-15',
      '--end',
      '2026-11-01',
    ]);
    expect(backwards.code).toBe(2);
    expect(backwards.stderr).toContain('market monitor start 2026-11-15 must be before its end 2026-11-01');
    const bad = await systack(['report', 'run', 'market_monitor_report', '--start', '15/11/2026']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('start date must be YYYY-MM-DD');
    const other = await systack(['report', 'run', 'trade_report', '--start', '2026-11-01']);
    expect(other.code).toBe(2);
    expect(other.stderr).toContain('--start and --end are for market_monitor_report only');
  });
});
