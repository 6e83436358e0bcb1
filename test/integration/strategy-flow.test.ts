import type { NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { StrategyHost } from '../../actors/strategy-host.ts';
import { generateOrdersForStrategy } from '../../actors/strategy-order-job.ts';
import {
  NatsInstrumentOrderSink,
  NatsStrategyStateSource,
  ServiceUnavailable,
} from '../../actors/strategy-order-ports.ts';
import { openStrategyRuntime, type StrategyRuntime } from '../../actors/strategy-runtime.ts';
import { startStrategyQueryService } from '../../actors/strategy-services.ts';
import { runSystemForStrategy } from '../../actors/system-runner.ts';
import { callService } from '../../src/bus/service.ts';
import { endpoint, startService } from '../../src/bus/service.ts';
import { SimulatedClock } from '../../src/clock.ts';
import type { Logger } from '../../src/log/logger.ts';
import { CsvSystemDataSource } from '../../src/store/system-data.ts';
import { PYSYSTEMTRADE_DIR } from '../domain/system/fixtures.ts';
import { type FakeOrderStack, startFakeOrderStack } from '../support/fake-order-stack.ts';
import { startTestNats, type TestNats } from '../support/nats.ts';

const T0 = Date.parse('2026-11-20T20:05:00Z');

describe('strategy flow on a real nats-server: capital → system → optimal positions → orders', () => {
  let t: TestNats;
  let nc: NatsConnection;
  let rt: StrategyRuntime;
  const clock = new SimulatedClock(T0);
  let stack: FakeOrderStack;
  const positions = [
    { strategyName: 'carry_trend', instrumentCode: 'CORN', position: 0 },
    { strategyName: 'carry_trend', instrumentCode: 'SOFR', position: -3 },
    { strategyName: 'other', instrumentCode: 'SOFR', position: -2 },
  ];

  beforeAll(async () => {
    t = await startTestNats();
    nc = await t.connect();
    rt = await openStrategyRuntime(
      nc,
      'systack',
      {
        strategy_list: {
          carry_trend: { backtest_config: { instrument_weights: { CORN: 0.5, EUROSTX: 0.25, SOFR: 0.25 } } },
        },
        strategy_capital_allocation: { function: 'weighted_strategy_allocation' },
        production_capital_method: 'full',
        capital_max_change: 0.1,
        base_currency: 'USD',
      },
      clock,
    );
    // the order stack's services (stand-in with its subjects, shapes and netting on insert)
    stack = await startFakeOrderStack(nc, 'systack');
    stack.strategyPositions.push(...positions);
    stack.orders.push({
      id: 1,
      strategyName: 'carry_trend',
      instrumentCode: 'EUROSTX',
      trade: 1,
      fill: 0,
      active: true,
    });
    await startService(nc, {
      name: 'fake-rolls',
      version: '0.0.1',
      description: 'roll states stand-in',
      endpoints: [
        endpoint({
          name: 'rolls',
          subject: 'systack.rolls.state.list',
          description: 'rolls',
          schema: z.object({}).passthrough(),
          handler: () => [{ instrument_code: 'CORN', roll_state: 'Passive' }],
        }),
      ],
    });
  });
  afterAll(async () => t.stop());

  const generate = () =>
    generateOrdersForStrategy('carry_trend', {
      strategies: rt.strategies,
      controls: rt.controls,
      state: new NatsStrategyStateSource(nc, 'systack'),
      sink: new NatsInstrumentOrderSink(nc, 'systack'),
    });
  const run = (s: string) =>
    runSystemForStrategy(s, rt.systemConfigs[s]!, {
      data: new CsvSystemDataSource(PYSYSTEMTRADE_DIR),
      capital: rt.capitalStore,
      strategies: rt.strategies,
      clock,
      diagnosticsRows: 20,
    }).then((r) => ({ positions: r.positions.length }));

  it('a strategy without capital fails and stores nothing', async () => {
    const host = new StrategyHost(
      { strategy_name: 'carry_trend', max_executions: 2, frequency_minutes: 0 },
      run,
      clock,
    );
    expect(await host.tick()).toBe('failed');
    expect(host.context.last_error).toMatch(/no capital for strategy carry_trend/);
    expect(await rt.strategies.getOptimalPositions('carry_trend')).toEqual([]);
  });

  it('after capital allocation the system stores optimal positions and diagnostics', async () => {
    await rt.capital.update(1_000_000);
    clock.advance(1_000);
    expect(await rt.capital.allocate()).toEqual({ carry_trend: 1_000_000 });
    const host = new StrategyHost({ strategy_name: 'carry_trend' }, run, clock);
    expect(await host.tick()).toBe('finished');
    expect(host.context).toMatchObject({ executions: 1, positions_stored: 3 });
    const stored = await rt.strategies.getOptimalPositions('carry_trend');
    expect(stored.map((p) => p.instrument_code)).toEqual(['CORN', 'EUROSTX', 'SOFR']);
    const corn = stored[0]!;
    expect(corn).toMatchObject({
      reference_price: 509.25,
      reference_contract: '20241200',
      reference_datetime: new Date(clock.now()).toISOString(),
      price_date: '2023-08-31',
    });
    expect(corn.lower_position).toBeLessThan(corn.upper_position);
    const diag = await rt.strategies.getDiagnostics('carry_trend');
    expect(diag?.dates).toHaveLength(20);
    expect(diag?.dates.at(-1)).toBe('2023-08-31');
    expect(Object.keys(diag!.instruments.CORN!)).toEqual(
      expect.arrayContaining([
        'daily_returns_volatility',
        'capped_forecasts.carry',
        'forecast_weights.ewmac16_64',
        'subsystem_position',
        'notional_position',
        'upper_position',
        'lower_position',
      ]),
    );
    expect(diag!.instruments.CORN!.lower_position!.at(-1)).toBeCloseTo(corn.lower_position, 12);
  });

  it('generates buffered orders with limits and overrides from the store and puts them on the stack', async () => {
    const stored = Object.fromEntries(
      (await rt.strategies.getOptimalPositions('carry_trend')).map((p) => [p.instrument_code, p]),
    );
    await rt.controls.setOverride('instrument', { instrument_code: 'SOFR' }, { type: 'reduce_only' });
    await rt.controls.setPositionLimit('instrument', { instrument_code: 'CORN' }, 2);
    const r = await generate();
    expect(r.failed).toEqual([]);
    expect(r.roll_states_assumed).toBe(false);
    const d = Object.fromEntries(r.decisions.map((x) => [x.instrument_code, x]));
    // CORN: short several contracts wanted, the instrument limit allows 2
    expect(stored.CORN!.lower_position).toBeLessThan(-2);
    expect(d.CORN).toMatchObject({ current_position: 0, after_limits: -2, final_trade: -2 });
    // SOFR: reduce-only; EUROSTX: the generator sends the desired trade, the stack nets it
    // against the unfilled order of 1 (digest B5, netted once)
    expect(d.SOFR!.override).toBe('reduce_only');
    expect(d.EUROSTX!.unfilled_on_stack).toBe(1);
    expect(d.EUROSTX!.final_trade).toBe(d.EUROSTX!.after_limits);
    expect(stack.orders).toContainEqual(
      expect.objectContaining({
        strategyName: 'carry_trend',
        instrumentCode: 'CORN',
        trade: -2,
        referencePrice: 509.25,
        referenceContract: '20241200',
      }),
    );
    const eurostx = r.orders.find((o) => o.instrument_code === 'EUROSTX');
    const onStack = stack.orders
      .filter((o) => o.instrumentCode === 'EUROSTX')
      .reduce((a, o) => a + o.trade, 0);
    expect(eurostx).toBeDefined();
    expect(onStack).toBe(eurostx!.trade); // 1 + (desired − 1) = desired
    expect(stack.requests).toHaveLength(r.orders.length);
    expect(r.placed.length + r.ignored.length).toBe(r.orders.length);
  });

  it('a second run the same day adds nothing: the stack refuses every replicated order (409), none failed', async () => {
    const before = stack.orders.length;
    const r = await generate();
    expect(r.failed).toEqual([]);
    expect(r.placed).toEqual([]);
    expect(r.ignored.length).toBe(r.orders.length);
    expect(r.ignored[0]?.reason).toMatch(/replicates an existing order/);
    expect(stack.orders.length).toBe(before);
  });

  it('a locked instrument gets no order; without a roll-state service every instrument is Passive', async () => {
    const other = await t.connect();
    const lonelyStack = await startFakeOrderStack(other, 'norolls');
    lonelyStack.locks.CORN = 'break';
    const warnings: string[] = [];
    const log = {
      warn: (_f: unknown, m: string) => warnings.push(m),
      info: () => undefined,
      error: () => undefined,
    } as unknown as Logger;
    const r = await generateOrdersForStrategy('carry_trend', {
      strategies: rt.strategies,
      controls: rt.controls,
      state: new NatsStrategyStateSource(other, 'norolls', 200),
      sink: new NatsInstrumentOrderSink(other, 'norolls'),
      log,
    });
    expect(r.roll_states_assumed).toBe(true);
    expect(warnings).toContain('no roll-state service answered: taking every instrument as Passive');
    const d = Object.fromEntries(r.decisions.map((x) => [x.instrument_code, x]));
    expect(d.CORN!.skipped).toBe('instrument locked');
    expect(r.orders.map((o) => o.instrument_code)).not.toContain('CORN');
    expect(r.orders.length).toBeGreaterThan(0);
    expect(lonelyStack.orders.map((o) => o.instrumentCode).sort()).toEqual(
      r.orders.map((o) => o.instrument_code).sort(),
    );
  });

  it('serves stored positions and diagnostics over NATS', async () => {
    await startStrategyQueryService(nc, 'systack', rt);
    const p = await callService<Array<{ instrument_code: string }>>(nc, 'systack.strategy.positions', {
      strategy_name: 'carry_trend',
    });
    expect(p.map((x) => x.instrument_code)).toEqual(['CORN', 'EUROSTX', 'SOFR']);
    const d = await callService<{ dates: string[]; series: Record<string, number[]> }>(
      nc,
      'systack.strategy.diagnostics',
      { strategy_name: 'carry_trend', instrument_code: 'SOFR' },
    );
    expect(d.dates).toHaveLength(20);
    expect(d.series.combined_forecast).toHaveLength(20);
    await expect(
      callService(nc, 'systack.strategy.positions', { strategy_name: 'nope' }),
    ).rejects.toMatchObject({
      code: 404,
    });
    await expect(
      callService(nc, 'systack.strategy.diagnostics', {
        strategy_name: 'carry_trend',
        instrument_code: 'GOLD',
      }),
    ).rejects.toMatchObject({ code: 404 });
  });

  it('refuses to generate orders when the positions service does not answer', async () => {
    const lonely = await t.connect();
    const none = new NatsStrategyStateSource(lonely, 'other_prefix');
    await expect(
      generateOrdersForStrategy('carry_trend', {
        strategies: rt.strategies,
        controls: rt.controls,
        state: none,
        sink: new NatsInstrumentOrderSink(lonely, 'other_prefix'),
      }),
    ).rejects.toBeInstanceOf(ServiceUnavailable);
  });
});
