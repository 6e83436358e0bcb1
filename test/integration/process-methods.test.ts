import { join } from 'node:path';
import type { NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeStrategyProcessMethods, strategyProcessMethodsFor } from '../../actors/process-methods/index.ts';
import {
  type MethodContext,
  type MethodRegistry,
  oneOffMethodContext,
} from '../../actors/process-methods/types.ts';
import { openStrategyRuntime, type StrategyRuntime } from '../../actors/strategy-runtime.ts';
import { brokerFromConfig } from '../../src/broker/factory.ts';
import type { AccountValue } from '../../src/broker/port.ts';
import { SimulatedClock } from '../../src/clock.ts';
import { loadConfig, type ResolvedSystemConfig } from '../../src/config/load.ts';
import { createRootLogger, type Logger } from '../../src/log/logger.ts';
import { latestStrategyCapital, latestTotal } from '../../src/store/capital-store.ts';
import { importPrices } from '../../src/store/csv/import.ts';
import { JetStreamPriceStore } from '../../src/store/jetstream/price-store.ts';
import { listOrderRequests } from '../../actors/stack/order-requests.ts';
import { startTestNats, type TestNats } from '../support/nats.ts';
import { writeStrategyPrivateConfig } from '../support/strategy-config.ts';
import { FakePriceBroker } from '../prices/fake-broker.ts';

const SAMPLE = join(import.meta.dirname, '../../sample-data/pysystemtrade');
const DAY = 86_400_000;
const SEP1 = Date.UTC(2023, 8, 1);
const PREFIX = 'pm';

/** The price-update fake broker plus an account value and connection bookkeeping. */
class FakeBroker extends FakePriceBroker {
  account: AccountValue = { value: 1_000_000, currency: 'USD', time: 0 };
  connected = false;
  connects = 0;
  override accountValue = async (): Promise<never> => this.account as never;
  override async connect(): Promise<void> {
    this.connected = true;
    this.connects++;
  }
  override async disconnect(): Promise<void> {
    this.connected = false;
  }
  override isConnected(): boolean {
    return this.connected;
  }
}

let nats: TestNats;
let nc: NatsConnection;
let system: ResolvedSystemConfig;
let rt: StrategyRuntime;
let registry: MethodRegistry;
const broker = new FakeBroker();
const clock = new SimulatedClock(SEP1 + 10 * DAY);
const lines: Array<{ level: number; msg: string }> = [];
let log: Logger;

const ctx = (process: string, method: string, extra: Partial<MethodContext> = {}): MethodContext => ({
  ...oneOffMethodContext({ process, method, clock, nc, prefix: PREFIX, system, log }),
  ...extra,
});
const run = (process: string, method: string, extra: Partial<MethodContext> = {}) =>
  registry[process]![method]!(ctx(process, method, extra));

beforeAll(async () => {
  nats = await startTestNats();
  nc = await nats.connect();
  const dir = writeStrategyPrivateConfig({ GOLD: 0.5, SP500: 0.5 });
  system = loadConfig({ privateDir: dir }).system;
  log = createRootLogger({
    processName: 'test',
    level: 'info',
    destination: { write: (s: string) => lines.push(JSON.parse(s) as { level: number; msg: string }) },
  }).log;
  rt = await openStrategyRuntime(nc, PREFIX, system, clock);
  registry = makeStrategyProcessMethods({ broker: () => broker });
  await importPrices(await JetStreamPriceStore.open(nc, PREFIX), SAMPLE);
});
afterAll(async () => {
  await nats?.stop();
});

describe('process methods on a real nats-server', () => {
  it('brokerFromConfig gives the simulated broker or the IB adapter', () => {
    expect(brokerFromConfig({ broker: 'sim' }, clock).name).toBe('sim');
    expect(brokerFromConfig({ broker: 'ib' }, clock).name).toBe('ib');
  });

  it('run_capital_update: update_total_capital polls the broker, holds a large change; strategy_allocation splits it', async () => {
    await run('run_capital_update', 'update_total_capital');
    expect((await latestTotal(rt.capitalStore))?.total_capital).toBe(1_000_000);
    expect(broker.connects).toBe(1);
    expect(broker.connected).toBe(false); // the method closes the connection it opened
    clock.advance(60_000);
    broker.account = { value: 1_050_000, currency: 'USD', time: 0 };
    await run('run_capital_update', 'update_total_capital');
    expect((await latestTotal(rt.capitalStore))?.total_capital).toBe(1_050_000);
    clock.advance(60_000);
    broker.account = { value: 2_000_000, currency: 'USD', time: 0 };
    await run('run_capital_update', 'update_total_capital');
    expect((await latestTotal(rt.capitalStore))?.total_capital).toBe(1_050_000);
    expect(await rt.capitalStore.getPending()).toMatchObject({ previous_account_value: 1_050_000 });
    broker.account = { value: 1_050_000, currency: 'EUR', time: 0 };
    await expect(run('run_capital_update', 'update_total_capital')).rejects.toThrow(
      /in EUR, the base currency is USD/,
    );
    await rt.capitalStore.setPending(undefined);
    await run('run_capital_update', 'strategy_allocation');
    expect((await latestStrategyCapital(rt.capitalStore, 'carry_trend'))?.capital).toBe(1_050_000);
  });

  it('run_daily_prices_updates: the four methods append the broker bars to the stored series', async () => {
    const store = await JetStreamPriceStore.open(nc, PREFIX);
    const days = [0, 1, 4, 5, 6].map((k) => SEP1 + k * DAY);
    const bars = (base: number) =>
      days.map((t, i) => ({
        time: t,
        open: base,
        high: base + 5,
        low: base - 5,
        close: base + i,
        volume: 100,
      }));
    broker.setBars('GOLD', '20231000', 'D', bars(1950));
    broker.setBars('GOLD', '20231200', 'D', bars(1968));
    broker.fx.set(
      'EURUSD',
      days.map((t, i) => ({ time: t + 23 * 3_600_000, price: 1.085 + i / 1000 })),
    );
    const before = (await store.getMultiplePrices('GOLD'))!.times.length;
    const args = { instruments: ['GOLD'] };
    for (const m of [
      'update_fx_prices',
      'update_sampled_contracts',
      'update_historical_prices',
      'update_multiple_adjusted_prices',
    ])
      await run('run_daily_prices_updates', m, { args });
    const multiple = (await store.getMultiplePrices('GOLD'))!;
    expect(multiple.times.length).toBe(before + 5);
    expect(Array.from(multiple.price.subarray(before))).toEqual([1950, 1951, 1952, 1953, 1954]);
    expect(Array.from((await store.getAdjustedPrices('GOLD', { start: SEP1 }))!.values)).toEqual([
      1950, 1951, 1952, 1953, 1954,
    ]);
    expect(lines.some((l) => l.msg === 'update_multiple_adjusted_prices done')).toBe(true);
    await expect(
      run('run_daily_prices_updates', 'update_fx_prices', { args: { instruments: 'GOLD' } }),
    ).rejects.toThrow(/argument instruments must be a list of names/);
  });

  it('run_systems: the strategy method runs the classic system on the price store (with the new rows)', async () => {
    expect('carry_trend' in registry.run_systems!).toBe(true);
    await run('run_systems', 'carry_trend');
    const stored = await rt.strategies.getOptimalPositions('carry_trend');
    expect(stored.map((p) => p.instrument_code)).toEqual(['GOLD', 'SP500']);
    expect(stored[0]).toMatchObject({ reference_price: 1954, reference_contract: '20231000' });
    expect(stored[0]!.price_date).toBe('2023-09-07');
    await expect(run('run_systems', 'nope')).rejects.toThrow(/'nope' is not a strategy in strategy_list/);
    const bad = ctx('run_systems', 'carry_trend');
    bad.config.extra.object = 'sysproduction.strategy_code.run_dynamic_optimised_system';
    await expect(registry.run_systems!.carry_trend!(bad)).rejects.toThrow(/object .* is not supported/);
  });

  it('run_strategy_order_generator: orders are queued for the stack handler; no stored roll state means No_Roll', async () => {
    const explicit = strategyProcessMethodsFor(['carry_trend'], { broker: () => broker });
    expect(Object.keys(explicit.run_strategy_order_generator!)).toEqual(['carry_trend']);
    await explicit.run_strategy_order_generator!.carry_trend!(
      ctx('run_strategy_order_generator', 'carry_trend'),
    );
    const optimal = await rt.strategies.getOptimalPositions('carry_trend');
    const expected = optimal
      .map((p) => ({
        code: p.instrument_code,
        trade:
          p.lower_position > 0
            ? Math.round(p.lower_position)
            : p.upper_position < 0
              ? Math.round(p.upper_position)
              : 0,
      }))
      .filter((o) => o.trade !== 0);
    const queued = await listOrderRequests(nc, PREFIX);
    expect(queued.map((o) => ({ code: o.instrument_code, trade: o.trade }))).toEqual(expected);
    expect(expected.length).toBeGreaterThan(0);
    expect(lines.some((l) => /taking every instrument as Passive/.test(l.msg))).toBe(false);
  });
});
