import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { missingMethods, productionRegistry } from '../../actors/process-methods.ts';
import type { MethodContext } from '../../actors/process-methods/types.ts';
import { ReportStore } from '../../actors/reports/report-store.ts';
import { requestInstrumentOrder } from '../../actors/stack/order-requests.ts';
import type { FillRecord } from '../../actors/stack/types.ts';
import { OrderEventStore } from '../../actors/store/order-event-store.ts';
import { StackKv } from '../../actors/store/stack-kv.ts';
import { openStrategyRuntime } from '../../actors/strategy-runtime.ts';
import { controlConfigOf } from '../../actors/supervisor/control-config.ts';
import { ProcessStore } from '../../actors/supervisor/process-store.ts';
import { runProcess } from '../../actors/process-runner.ts';
import { kvSimBrokerStore } from '../../src/broker/sim/kv-store.ts';
import type { SimOrderRecord } from '../../src/broker/sim/state.ts';
import { streamName } from '../../src/bus/subjects.ts';
import { SimulatedClock } from '../../src/clock.ts';
import { loadConfig, type ResolvedSystemConfig } from '../../src/config/load.ts';
import { createRootLogger, type Logger } from '../../src/log/logger.ts';
import { JetStreamPriceStore } from '../../src/store/jetstream/price-store.ts';
import { startTestNats, type TestNats } from '../support/nats.ts';
import { writeStrategyPrivateConfig } from '../support/strategy-config.ts';

const PREFIX = 'rep';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** 2023-09-11 20:25 UTC, run_reports' start time. */
const T = Date.UTC(2023, 8, 11, 20, 25);

let nats: TestNats;
let nc: NatsConnection;
let system: ResolvedSystemConfig;
let echoDir: string;
let log: Logger;
const lines: Array<{ msg: string; path?: string }> = [];
const clock = new SimulatedClock(T - 2 * DAY);

const ctx = (method: string): MethodContext => ({
  process: 'run_reports',
  method,
  config: {
    name: method,
    frequencyMinutes: 0,
    maxExecutions: 1,
    runOnCompletionOnly: false,
    heartbeatMinutes: 10,
    extra: {},
  },
  args: {},
  clock,
  nc,
  prefix: PREFIX,
  system,
  log,
});

async function run(method: string): Promise<string> {
  await productionRegistry.run_reports![method]!(ctx(method));
  const stored = await (await ReportStore.open(nc, PREFIX)).get(method);
  expect(stored?.path).toBe(join(echoDir, 'reports', `${method}_20230911-2025.txt`));
  const text = readFileSync(stored!.path!, 'utf8');
  expect(stored!.text).toBe(text);
  return text;
}

const fill = (f: Omit<FillRecord, 'price'> & { price?: number }): FillRecord => ({ price: 100, ...f });

function simOrder(ref: string, instrumentCode: string, contractDate: string, qty: number): SimOrderRecord {
  return {
    orderRef: ref,
    tempId: 1,
    permId: 1,
    legs: [{ instrumentCode, contractDate, qty }],
    orderType: 'market',
    status: 'filled',
    filled: [qty],
    fills: [
      {
        execId: `x-${ref}`,
        orderRef: ref,
        tempId: 1,
        permId: 1,
        instrumentCode,
        contractDate,
        qty,
        price: 1,
        time: T - HOUR,
      },
    ],
    submittedAt: T - HOUR,
    pending: [],
    duplicateFills: false,
    lateFillAfterCancel: false,
    cancelRace: false,
  };
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

  // Capital (digest §5.1, method full): 1.00m at T-2d, 1.01m at T-36h, 1.03m at T-12h, 1.02m at T-1h.
  const rt = await openStrategyRuntime(nc, PREFIX, system, clock);
  await rt.capital.initialise({ broker_account_value: 1_000_000 });
  for (const [at, value] of [
    [T - 36 * HOUR, 1_010_000],
    [T - 12 * HOUR, 1_030_000],
    [T - HOUR, 1_020_000],
  ] as const) {
    clock.set(at);
    await rt.capital.update(value);
  }
  clock.set(T);

  // Fills: strategy A holds 4 GOLD (one fill outside the trade window), B is short 2 SP500, and a
  // contract-only manual fill of 1 GOLD makes an internal break (strategy 4 vs contract 5).
  const events = await OrderEventStore.open(nc, PREFIX);
  const fills: FillRecord[] = [
    fill({
      execId: 'e1',
      kind: 'broker',
      scope: 'both',
      strategyName: 'A',
      instrumentCode: 'GOLD',
      contractDate: '20231200',
      qty: 1,
      price: 1940,
      time: T - 30 * HOUR,
    }),
    fill({
      execId: 'e2',
      kind: 'broker',
      scope: 'both',
      strategyName: 'A',
      instrumentCode: 'GOLD',
      contractDate: '20231200',
      qty: 2,
      price: 1950,
      time: T - 2 * HOUR,
    }),
    fill({
      execId: 'e3',
      kind: 'broker',
      scope: 'both',
      strategyName: 'A',
      instrumentCode: 'GOLD',
      contractDate: '20231200',
      qty: 1,
      price: 1954,
      time: T - 2 * HOUR,
    }),
    fill({
      execId: 'e4',
      kind: 'broker',
      scope: 'both',
      strategyName: 'B',
      instrumentCode: 'SP500',
      contractDate: '20231200',
      qty: -2,
      price: 4500,
      time: T - 3 * HOUR,
    }),
    fill({
      execId: 'e5',
      kind: 'manual-contract',
      scope: 'contract',
      instrumentCode: 'GOLD',
      contractDate: '20231200',
      qty: 1,
      price: 1955,
      time: T - HOUR,
    }),
  ];
  for (const f of fills) await events.appendFill(f.instrumentCode, f.execId, f);
  // The completed family of e2: instrument order 5 → contract order 6 → broker order 7.
  await events.appendHistory('instrument', 5, {
    completedAt: T - 2 * HOUR,
    instrument: {
      id: 5,
      strategyName: 'A',
      instrumentCode: 'GOLD',
      referenceDatetime: T - 2 * HOUR - 120_000,
    },
    contracts: [{ id: 6, referencePrice: 1948, limitPrice: 1952 }],
    brokers: [
      {
        id: 7,
        parent: 6,
        contractDate: '20231200',
        trade: 2,
        fill: 2,
        filledPrice: 1950,
        fillDatetime: T - 2 * HOUR,
        submitDatetime: T - 2 * HOUR - 60_000,
        sidePrice: 1949.5,
        midPrice: 1949.25,
      },
    ],
  });

  // The simulated broker holds 4 GOLD Dec-23 (we say 5: an external break) and -2 SP500 Dec-23.
  const broker = await kvSimBrokerStore(nc, streamName(PREFIX, 'SIMBROKER'));
  await broker.saveOrder(simOrder('o1', 'GOLD', '20231227', 4));
  await broker.saveOrder(simOrder('o2', 'SP500', '20231215', -2));
  await (await StackKv.open(nc, PREFIX)).setLock('GOLD', 'break');

  // Prices: GOLD's last multiple row prices Dec-23 (expiry offset 26, roll 25 days before); the
  // adjusted GOLD price is 5 days old (delayed), SP500's 1 day old.
  const prices = await JetStreamPriceStore.open(nc, PREFIX);
  const f64 = (xs: number[]) => Float64Array.from(xs);
  await prices.putMultiplePrices('GOLD', {
    times: f64([T - 2 * DAY, T - DAY]),
    price: f64([1940, 1950]),
    forward: f64([1960, 1970]),
    carry: f64([1960, 1970]),
    priceContract: ['20231000', '20231200'],
    forwardContract: ['20231200', '20240200'],
    carryContract: ['20231200', '20240200'],
  });
  const meta = (pointsize: number, currency: string) => ({
    pointsize,
    currency,
    description: '',
    assetClass: 'Metals',
    perBlock: 0,
    percentage: 0,
    perTrade: 0,
    region: 'US',
  });
  await prices.putInstrumentConfig({
    instrumentCode: 'GOLD',
    meta: meta(100, 'USD'),
    roll: {
      holdRollCycle: 'GJMQVZ',
      rollOffsetDays: -25,
      carryOffset: 1,
      pricedRollCycle: 'GJMQVZ',
      expiryOffset: 26,
    },
  });
  await prices.putInstrumentConfig({ instrumentCode: 'SP500', meta: meta(5, 'EUR') });
  const daily = (times: number[], final: number[]) => ({
    times: f64(times),
    open: f64(final),
    high: f64(final),
    low: f64(final),
    final: f64(final),
    volume: f64(final.map(() => 1)),
  });
  await prices.putContractPrices(
    'GOLD',
    '20231200',
    'D',
    daily([T - 2 * DAY, T - 25 * HOUR, T - HOUR], [1930, 1945, 1960]),
  );
  await prices.putContractPrices('SP500', '20231200', 'D', daily([T - 2 * HOUR], [4480]));
  await prices.putFxPrices('EURUSD', { times: f64([T - 2 * DAY, T - 12 * HOUR]), values: f64([1.1, 1.2]) });
  await prices.putAdjustedPrices('GOLD', { times: f64([T - 6 * DAY, T - 5 * DAY]), values: f64([1, 2]) });
  await prices.putAdjustedPrices('SP500', { times: f64([T - DAY]), values: f64([1]) });

  // Processes: run_systems last started 4 days ago (delayed); the stack handler is stopped.
  const procs = await ProcessStore.open(nc, PREFIX);
  await procs.updateRecord('run_systems', {
    lastStart: T - 4 * DAY,
    lastEnd: T - 4 * DAY + HOUR,
    lastOutcome: 'ok',
  });
  await procs.putMethods('run_systems', {
    carry_trend: {
      executions: 1,
      lastRun: T - 4 * DAY,
      lastEnd: T - 4 * DAY + HOUR,
      lastHeartbeat: undefined,
      running: false,
    },
  });
  await procs.setStatus('run_stack_handler', 'STOP', T - DAY);
  await requestInstrumentOrder(nc, PREFIX, { strategy_name: 'A', instrument_code: 'GOLD', trade: 1 }, 'r1');
});
afterAll(async () => {
  await nats?.stop();
});

describe('run_reports', () => {
  it('has every method the control config names', () => {
    const control = controlConfigOf(loadConfig());
    const names = control.processes.run_reports!.methods.map((m) => m.name);
    expect(names.sort()).toEqual([
      'daily_pandl_report',
      'reconcile_report',
      'roll_report',
      'status_report',
      'trade_report',
    ]);
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
    expect(text).toMatch(/residual \(total - futures\)\s+5160/);
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
    expect(text).toMatch(/GOLD\s+82\s+107\s+169\s+20231200\s+20240200\s+20240200\s+5\s+0/);
  });

  it('status_report: delayed methods and prices, locks, requests, processes', async () => {
    const text = await run('status_report');
    expect(text).toMatch(
      /Delayed methods[^\n]*\n=+\nprocess[^\n]*\n[- ]+\nrun_systems\s+carry_trend\s+2023-09-07 20:25\n/,
    );
    expect(text).toMatch(/Delayed prices[^\n]*\n=+\ninstrument[^\n]*\n[- ]+\nGOLD\s+2023-09-06 20:25\n\n/);
    expect(text).toMatch(/Order requests waiting\n=+\n1\n/);
    expect(text).toMatch(/run_stack_handler\s+STOP\s+no\s+never/);
    expect(text).toMatch(/GOLD\*\s+2023-09-06 20:25/);
    expect(text).toMatch(/SP500\*\s+2023-09-10 20:25/);
  });

  it('writes one file per report under echo_directory/reports', () => {
    expect(readdirSync(join(echoDir, 'reports')).sort()).toEqual([
      'daily_pandl_report_20230911-2025.txt',
      'reconcile_report_20230911-2025.txt',
      'roll_report_20230911-2025.txt',
      'status_report_20230911-2025.txt',
      'trade_report_20230911-2025.txt',
    ]);
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
        .filter((f) => f.includes('20230911-2030'))
        .sort(),
    ).toEqual([
      'daily_pandl_report_20230911-2030.txt',
      'reconcile_report_20230911-2030.txt',
      'roll_report_20230911-2030.txt',
      'status_report_20230911-2030.txt',
      'trade_report_20230911-2030.txt',
    ]);
  });
});
