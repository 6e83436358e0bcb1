import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { missingMethods, productionRegistry } from '../../actors/process-methods.ts';
import { type MethodContext, oneOffMethodContext } from '../../actors/process-methods/types.ts';
import { REPORT_NAMES } from '../../actors/reports/build.ts';
import { ReportStore } from '../../actors/reports/report-store.ts';
import { controlConfigOf } from '../../actors/supervisor/control-config.ts';
import { ProcessStore } from '../../actors/supervisor/process-store.ts';
import { runProcess } from '../../actors/process-runner.ts';
import { SimulatedClock } from '../../src/clock.ts';
import { loadConfig, type ResolvedSystemConfig } from '../../src/config/load.ts';
import { createRootLogger, type Logger } from '../../src/log/logger.ts';
import { startTestNats, type TestNats } from '../support/nats.ts';
import { writeStrategyPrivateConfig } from '../support/strategy-config.ts';
import { DAY, seedReportData, T } from './seed.ts';

const PREFIX = 'rep';

let nats: TestNats;
let nc: NatsConnection;
let system: ResolvedSystemConfig;
let echoDir: string;
let log: Logger;
const lines: Array<{ msg: string; path?: string }> = [];
const clock = new SimulatedClock(T - 2 * DAY);

const ctx = (method: string): MethodContext =>
  oneOffMethodContext({ process: 'run_reports', method, clock, nc, prefix: PREFIX, system, log });

async function run(method: string): Promise<string> {
  await productionRegistry.run_reports![method]!(ctx(method));
  const stored = await (await ReportStore.open(nc, PREFIX)).get(method);
  expect(stored?.path).toBe(join(echoDir, 'reports', `${method}_20230911-2025.txt`));
  const text = readFileSync(stored!.path!, 'utf8');
  expect(stored!.text).toBe(text);
  return text;
}

beforeAll(async () => {
  nats = await startTestNats();
  nc = await nats.connect();
  echoDir = mkdtempSync(join(tmpdir(), 'systack-reports-'));
  system = {
    ...loadConfig({ privateDir: writeStrategyPrivateConfig({ GOLD: 0.5, SP500: 0.5 }) }).system,
    echo_directory: echoDir,
    broker: 'sim',
  };
  log = createRootLogger({
    processName: 'test',
    level: 'info',
    destination: { write: (s: string) => lines.push(JSON.parse(s) as { msg: string; path?: string }) },
  }).log;
  await seedReportData(nc, PREFIX, system, clock);
});
afterAll(async () => {
  await nats?.stop();
});

describe('run_reports', () => {
  it('has every method the control config names', () => {
    const control = controlConfigOf(loadConfig());
    const names = control.processes.run_reports!.methods.map((m) => m.name);
    expect(names).toEqual([...REPORT_NAMES]);
    expect(missingMethods(productionRegistry, 'run_reports', names)).toEqual([]);
  });

  it('reconcile_report: instrument vs contract and broker vs contract breaks', async () => {
    const text = await run('reconcile_report');
    expect(text).toContain('1 instrument vs contract break(s)');
    expect(text).toContain('1 broker vs contract break(s)');
    expect(text).toMatch(/GOLD\s+4\s+5\n/); // strategy total 4, contract total 5
    expect(text).toMatch(/GOLD\s+202312\s+5\s+4\n/); // ours 5, broker 4
    expect(text).not.toMatch(/SP500\s+202312\s+-2\s+-2/);
    expect(text).toMatch(/GOLD\s+break/);
    const data = (await (await ReportStore.open(nc, PREFIX)).get('reconcile_report'))!.data as {
      internal: unknown[];
      external: unknown[];
    };
    expect(data.internal).toEqual([{ instrumentCode: 'GOLD', strategyTotal: 4, contractTotal: 5 }]);
    expect(data.external).toEqual([{ instrumentCode: 'GOLD', contractMonth: '202312', ours: 5, broker: 4 }]);
    expect(
      lines.some(
        (l) => l.msg === 'reconcile_report written' && l.path?.endsWith('reconcile_report_20230911-2025.txt'),
      ),
    ).toBe(true);
  });

  it('daily_pandl_report: capital change and % P&L over the last day', async () => {
    const text = await run('daily_pandl_report');
    // Baseline T-36h (1.01m, acc 10k, max 1.01m); in window +20k then -10k.
    expect(text).toMatch(/total capital\s+1010000\s+1020000\s+10000/);
    expect(text).toMatch(/broker account value\s+1010000\s+1020000\s+10000/);
    expect(text).toMatch(/P&L \(accumulated_pnl change\)\s+10000/);
    const pct = (20_000 / 1_010_000 - 10_000 / 1_030_000) * 100;
    expect(text).toMatch(new RegExp(`P&L % of max capital\\s+${pct.toFixed(3)}\\n`));
    expect(pct.toFixed(3)).toBe('1.009');
    // GOLD: 1 held from before the window 1945→1960, fills 2@1950, 1@1954, 1@1955 → 46 points × 100.
    // SP500: sold 2 @4500, now 4480 → 40 points × 5 × EURUSD 1.2 = 240. Max capital at the end 1.02m (method full).
    expect(text).toMatch(
      /P&L by instrument[^\n]*\n=+\n[^\n]*\n[- ]+\nSP500\s+240\s+0\.024\nGOLD\s+4600\s+0\.451\n/,
    );
    expect(text).toMatch(/futures P&L \(instruments below\)\s+4840/);
    expect(text).toMatch(/residual \(total - futures \+ commissions\)\s+5160/);
    expect(text).not.toContain('Contracts not valued');
  });

  it('trade_report: fills of the last day and group sums', async () => {
    const text = await run('trade_report');
    expect(text).toContain('4 fill(s)');
    expect(text).not.toContain('1940');
    expect(text).toMatch(/A\s+GOLD\s+2\s+3\s+3\s+1951\.33/); // 2 fills, net 3, avg (2*1950+1954)/3
    expect(text).toMatch(/B\s+SP500\s+1\s+-2\s+2\s+4500/);
    expect(text).toMatch(/\(none\)\s+GOLD\s+1\s+1\s+1\s+1955/);
    // delay 1948-1949.25, bid_ask 1949.25-1949.5, execution 1949.5-1950, vs parent limit 1952-1950;
    // no broker limit; submitted 60 s after the reference, filled 60 s after submission.
    expect(text).toMatch(
      /A\s+GOLD\s+20231200\s+7\s+2\s+1950\s+-1\.25\s+-0\.25\s+-0\.50\s+-0\.75\s+2\s+60\s+60\n/,
    );
  });

  it('roll_report: contracts of the last multiple prices row, days to expiry, positions', async () => {
    const text = await run('roll_report');
    // Dec-23 expiry ~ 2023-12-27: 107 days from 2023-09-11; roll 25 days earlier; carry Feb-24 ~ 2024-02-27.
    expect(text).toMatch(/GOLD\s+No_Roll\s+82\s+107\s+169\s+20231200\s+20240200\s+20240200\s+5\s+0/);
  });

  it('status_report: delayed methods and prices, locks, requests, processes', async () => {
    const text = await run('status_report');
    expect(text).toMatch(
      /Delayed methods[^\n]*\n=+\nprocess[^\n]*\n[- ]+\nrun_systems\s+carry_trend\s+2023-09-07 20:25\n/,
    );
    expect(text).toMatch(
      /Delayed adjusted \/ FX prices[^\n]*\n=+\ninstrument[^\n]*\n[- ]+\nGOLD\s+2023-09-06 20:25\n\n/,
    );
    expect(text).toMatch(/Order requests waiting\n=+\n1\n/);
    expect(text).toMatch(/run_stack_handler\s+STOP\s+no\s+never/);
    expect(text).toMatch(/GOLD\*\s+2023-09-06 20:25/);
    expect(text).toMatch(/SP500\*\s+2023-09-10 20:25/);
  });

  it('writes a text and an HTML file per report under echo_directory/reports, and the latest as JSON', () => {
    const ran = ['daily_pandl_report', 'reconcile_report', 'roll_report', 'status_report', 'trade_report'];
    expect(readdirSync(join(echoDir, 'reports')).sort()).toEqual(
      [...ran.flatMap((n) => [`${n}_20230911-2025.html`, `${n}_20230911-2025.txt`]), 'latest'].sort(),
    );
    expect(readdirSync(join(echoDir, 'reports', 'latest')).sort()).toEqual(ran.map((n) => `${n}.json`));
  });

  it('the process runner runs run_reports with the configured methods once its previous process ended', async () => {
    const procs = await ProcessStore.open(nc, PREFIX);
    await procs.updateRecord('run_strategy_order_generator', {
      lastStart: T - 20 * 60_000,
      lastEnd: T - 10 * 60_000,
    });
    const process = controlConfigOf(loadConfig()).processes.run_reports!;
    const result = await runProcess({
      nc,
      prefix: PREFIX,
      process,
      timeZone: 'UTC',
      registry: productionRegistry,
      clock: new SimulatedClock(T + 5 * 60_000),
      host: 'test',
      pid: 1,
      system,
      log,
      tickMs: 20,
      heartbeatMs: 50,
    });
    expect(result).toEqual({ outcome: 'finished', reason: 'all methods finished' });
    expect(
      readdirSync(join(echoDir, 'reports'))
        .filter((f) => f.endsWith('20230911-2030.txt'))
        .sort(),
    ).toEqual(REPORT_NAMES.map((n) => `${n}_20230911-2030.txt`).sort());
  });
});
