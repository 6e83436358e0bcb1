// The new reports and sections built by run_reports from the stores, on the real pysystemtrade
// data (adjusted and multiple prices, instrument config, spread costs, EURUSD) written to
// JetStream: the priced and forward contracts' volumes, the fills, the trade limit and the
// broker's margin are seeded (the data has none of them).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NatsConnection } from '@nats-io/transport-node';
import { reportMethods } from '../../actors/process-methods/reports.ts';
import { oneOffMethodContext } from '../../actors/process-methods/types.ts';
import { ReportStore } from '../../actors/reports/report-store.ts';
import { createRootLogger } from '../../src/log/logger.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FillRecord } from '../../actors/stack/types.ts';
import { OrderEventStore } from '../../actors/store/order-event-store.ts';
import { openStrategyRuntime } from '../../actors/strategy-runtime.ts';
import { buildReport } from '../../actors/reports/build.ts';
import { changeRollState } from '../../actors/rolls/roll-status-host.ts';
import { controlConfigOf } from '../../actors/supervisor/control-config.ts';
import type { ReportSources } from '../../actors/reports/sources.ts';
import { SimulatedClock } from '../../src/clock.ts';
import { loadConfig } from '../../src/config/load.ts';
import type { DuplicateMarketsData } from '../../src/domain/reports/duplicate-markets.ts';
import type { RemoveMarketsData } from '../../src/domain/reports/markets.ts';
import type { MarketMonitorData } from '../../src/domain/reports/market-monitor.ts';
import type { RiskData } from '../../src/domain/reports/risk.ts';
import type { RollRow } from '../../src/domain/reports/roll.ts';
import type { StatusData } from '../../src/domain/reports/status.ts';
import { JetStreamPriceStore } from '../../src/store/jetstream/price-store.ts';
import { TradeLimitsStore } from '../../src/store/trade-limits-store.ts';
import { startTestNats, type TestNats } from '../support/nats.ts';
import { REAL_NOW, seedRealPrices } from './real-data.ts';

const PREFIX = 'mkt';
const DAY = 86_400_000;
const CODES = ['EUROSTX', 'GOLD', 'SOFR', 'SP500', 'V2X'];
let nats: TestNats;
let nc: NatsConnection;
let sources: ReportSources;

const volumes = (values: number[]) => {
  const times = values.map((_, i) => REAL_NOW - (values.length - i) * DAY);
  const f64 = (xs: number[]) => Float64Array.from(xs);
  return {
    times: f64(times),
    open: f64(values),
    high: f64(values),
    low: f64(values),
    final: f64(values),
    volume: f64(values),
  };
};

beforeAll(async () => {
  nats = await startTestNats();
  nc = await nats.connect();
  const base = loadConfig().system;
  const system = {
    ...base,
    broker: 'sim' as const,
    duplicate_instruments: { include: { equity: 'SP500' }, exclude: { equity: ['EUROSTX'] } },
    exclude_instrument_lists: { ignore_instruments: ['V2X'], trading_restrictions: [], bad_markets: [] },
  };
  const clock = new SimulatedClock(REAL_NOW - DAY);
  const prices = await JetStreamPriceStore.open(nc, PREFIX);
  await seedRealPrices(prices, CODES, 400);
  // GOLD's last multiple-prices row: priced 20231000, forward 20231200.
  await prices.putContractPrices('GOLD', '20231000', 'D', volumes([100, 200, 400]));
  await prices.putContractPrices('GOLD', '20231200', 'D', volumes([30, 60, 120]));
  for (const c of ['SP500', 'EUROSTX']) {
    const m = (await prices.getMultiplePrices(c))!;
    await prices.putContractPrices(c, m.priceContract.at(-1)!, 'D', volumes(c === 'SP500' ? [1.5e6] : [9e5]));
  }
  // Capital 1m with 60k of margin reported by the broker at the update.
  const rt = await openStrategyRuntime(nc, PREFIX, system, clock, {
    accountValue: async () => ({ value: 1_000_000, margin: 60_000 }),
  });
  await rt.capital.initialise({ broker_account_value: 1_000_000 });
  clock.set(REAL_NOW - 3_600_000);
  await rt.capital.update();
  clock.set(REAL_NOW);
  const events = await OrderEventStore.open(nc, PREFIX);
  const fill = (execId: string, instrumentCode: string, contractDate: string, qty: number): FillRecord => ({
    execId,
    kind: 'broker',
    scope: 'both',
    strategyName: 'carry_trend',
    instrumentCode,
    contractDate,
    qty,
    price: 1,
    time: REAL_NOW - 2 * 3_600_000,
  });
  for (const f of [
    fill('e1', 'SP500', '20230900', 1),
    fill('e2', 'EUROSTX', '20230900', 2),
    fill('e3', 'GOLD', '20231000', 3),
  ])
    await events.appendFill(f.instrumentCode, f.execId, f);
  const limits = await TradeLimitsStore.open(nc, PREFIX);
  await limits.set({ instrument_code: 'GOLD' }, 1, 3, REAL_NOW - 5 * 3_600_000);
  await limits.charge('carry_trend', 'GOLD', 3, REAL_NOW - 2 * 3_600_000);
  sources = { nc, prefix: PREFIX, system, clock, control: controlConfigOf(loadConfig()) };
}, 120_000);
afterAll(async () => {
  await nats?.stop();
});

async function build<D>(name: Parameters<typeof buildReport>[0]): Promise<{ text: string; data: D }> {
  return (await buildReport(name, sources)) as { text: string; data: D };
}

describe('market reports from the stores (real data)', () => {
  it('remove markets: SOFR too safe, the ignored V2X left out, volumes only where stored', async () => {
    const { data, text } = await build<RemoveMarketsData>('remove_markets_report');
    expect(data.markets.map((m) => m.instrumentCode)).toEqual(['EUROSTX', 'GOLD', 'SOFR', 'SP500']);
    expect(data.tooSafe).toEqual(['SOFR']);
    expect(data.toRemove).toEqual(['SOFR']);
    expect(data.noData.volumeContracts).toEqual(['SOFR']);
    expect(text).toMatch(/Should be removed from trading[^\n]*\n=+\nSOFR\n/);
  });

  it('remove markets: stale instruments (stale_instruments, or no price in 7 days) are left out', async () => {
    const stale = { ...sources, system: { ...sources.system, stale_instruments: ['SOFR'] } };
    const r = (await buildReport('remove_markets_report', stale)) as {
      text: string;
      data: RemoveMarketsData;
    };
    expect(r.data.leftOut).toEqual({ ignored: ['V2X'], stale: ['SOFR'] });
    expect(r.data.markets.map((m) => m.instrumentCode)).toEqual(['EUROSTX', 'GOLD', 'SP500']);
    expect(r.data.tooSafe).toEqual([]);
    expect(r.data.toRemove).toEqual([]);
    expect(r.text).toMatch(/\nIgnored: V2X\nStale: SOFR\n/);
    // eight days after the last prices (2023-08-31) every instrument is stale: nothing is judged
    const later = { ...sources, clock: new SimulatedClock(REAL_NOW + 8 * DAY) };
    const all = (await buildReport('remove_markets_report', later)) as { data: RemoveMarketsData };
    expect(all.data.leftOut.stale).toEqual(['EUROSTX', 'GOLD', 'SOFR', 'SP500', 'V2X']);
    expect(all.data.markets).toEqual([]);
  });

  it('market monitor for custom dates from the report config (run_reports method arguments)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'systack-monitor-'));
    await reportMethods().market_monitor_report(
      oneOffMethodContext({
        process: 'run_reports',
        method: 'market_monitor_report',
        args: { start_date: '2023-06-01', end_date: '2023-06-30' },
        clock: new SimulatedClock(REAL_NOW),
        nc,
        prefix: PREFIX,
        system: { ...sources.system, echo_directory: dir },
        log: createRootLogger({ processName: 'run_reports', destination: { write: () => undefined } }).log,
      }),
    );
    const stored = await (await ReportStore.open(nc, PREFIX)).get('market_monitor_report');
    const data = stored!.data as MarketMonitorData;
    expect(data.customDates).toBe(true);
    expect(data.periods.map((p) => [p.period, p.moves.length])).toEqual([['2023-06-01 to 2023-06-30', 5]]);
    expect(stored!.text).toContain('Market moves from 2023-06-01 to 2023-06-30, sort by name');
  });

  it('duplicate markets: EUROSTX, the smaller contract, replaces SP500', async () => {
    const { data, text } = await build<DuplicateMarketsData>('duplicate_markets_report');
    expect(data.groups.map((g) => [g.name, g.best])).toEqual([['equity', 'EUROSTX']]);
    expect(text).toContain('equity: ** CHANGE ** Replace SP500 with EUROSTX');
  });

  it('market monitor: every stored instrument, V2X too (it has prices)', async () => {
    const { data } = await build<MarketMonitorData>('market_monitor_report');
    const month = data.periods.find((p) => p.period === '1M')!;
    expect(month.moves.map((m) => m.instrumentCode).sort()).toEqual(CODES);
  });

  it('risk: margin from the last capital update; beta loadings of the held positions', async () => {
    const { data, text } = await build<RiskData>('risk_report');
    expect(data.margin).toBe(60_000);
    expect(data.marginUsage).toBeCloseTo(0.06, 12);
    expect(text).toMatch(/percentage of capital used for margin\s+6\.00%/);
    expect(data.beta.instruments.map((b) => b.instrumentCode).sort()).toEqual(['EUROSTX', 'GOLD', 'SP500']);
    expect(data.beta.instruments.find((b) => b.instrumentCode === 'GOLD')!.beta).toBeCloseTo(1, 9);
  });

  it('status: the trade limit used up and the FX prices; roll: GOLD forward volumes', async () => {
    const status = await build<StatusData>('status_report');
    expect(status.data.atTradeLimit).toMatchObject([
      {
        instrumentCode: 'GOLD',
        strategyName: '',
        tradeLimit: 3,
        tradesSinceLastReset: 3,
        tradeCapacityRemaining: 0,
      },
    ]);
    expect(status.text).toMatch(
      /At trade limit \(capacity <= 0\)\n=+\n[^\n]*\n[- ]+\n\(all\)\s+GOLD\s+1\s+3\s+3\s+0\s+0d 5h\n/,
    );
    expect(status.text).toMatch(
      /Config for process control \(times in [^)]+\)\n=+\n[^\n]*\n[- ]+\n(?:[^\n]*\n)*run_reports\s+20:25\s+23:50\s+run_strategy_order_generator\n/,
    );
    expect(status.data.fxPrices).toEqual([{ code: 'EURUSD', lastPrice: Date.UTC(2023, 8, 1, 23) }]);
    // the stored roll status (GOLD set to Passive through its roll status actor; SP500 has no record)
    await changeRollState({ nc, prefix: PREFIX, clock: new SimulatedClock(REAL_NOW) }, 'GOLD', 'Passive');
    const roll = await build<RollRow[]>('roll_report');
    const gold = roll.data.find((r) => r.instrumentCode === 'GOLD')!;
    expect(roll.data.find((r) => r.instrumentCode === 'SP500')?.status).toBe('No_Roll');
    expect(gold).toMatchObject({
      status: 'Passive',
      contractPriced: '20231000',
      contractForward: '20231200',
      positionPriced: 3,
    });
    expect(gold.relativeVolumeForward).toBe(0.3);
    expect(gold.contractVolumeForward).toBe(90);
    expect(roll.text).toMatch(/\nGOLD\s+Passive\s[^\n]*\s0\.300\s+90\n/);
  });

  it('status: process status from the shipped control config; the config lists as overrides', async () => {
    const status = await build<StatusData>('status_report');
    // process status from the shipped control config: run_reports' previous process never ran
    const reports = status.data.processStatus.find((p) => p.process === 'run_reports')!;
    expect(reports).toMatchObject({ startTime: '20:25', stopTime: '23:50', prevProcess: false });
    expect(status.text).toMatch(
      /Process status \(windows in [^)]+\)\n=+\n[^\n]*time_to_start\s+time_to_stop/,
    );
    // the config lists as overrides: duplicate exclude EUROSTX and ignored V2X are reduce-only
    expect(status.data.configOverrides).toEqual([
      { key: 'config EUROSTX', override: 'reduce_only' },
      { key: 'config V2X', override: 'reduce_only' },
    ]);
    expect(status.text).toMatch(
      /All overrides \(stored and from the config lists\)\n=+\n[^\n]*\n[- ]+\nconfig EUROSTX\s+reduce_only\nconfig V2X\s+reduce_only\n/,
    );
  });
});
