import { setTimeout as sleep } from 'node:timers/promises';
import type { NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StrategyHost } from '../../actors/strategy-host.ts';
import { generateOrdersForStrategy } from '../../actors/strategy-order-job.ts';
import {
  consumeOrderRequests,
  listOrderRequests,
  pendingOrderRequests,
} from '../../actors/stack/order-requests.ts';
import { silentLogger } from '../../actors/stack/ports.ts';
import type { FillRecord } from '../../actors/stack/types.ts';
import { OrderEventStore } from '../../actors/store/order-event-store.ts';
import { StackKv } from '../../actors/store/stack-kv.ts';
import { DurableStrategyStateSource, QueuedInstrumentOrderSink } from '../../actors/strategy-order-ports.ts';
import { openStrategyRuntime, type StrategyRuntime } from '../../actors/strategy-runtime.ts';
import { startStrategyQueryService } from '../../actors/strategy-services.ts';
import { runSystemForStrategy } from '../../actors/system-runner.ts';
import { callService } from '../../src/bus/service.ts';
import { openJsonBucket } from '../../src/store/kv-json.ts';
import { SimulatedClock } from '../../src/clock.ts';
import type { Logger } from '../../src/log/logger.ts';
import { CsvSystemDataSource } from '../../src/store/system-data.ts';
import { PYSYSTEMTRADE_DIR } from '../domain/system/fixtures.ts';
import { makeStack } from '../stack/helpers.ts';
import { startTestNats, type TestNats } from '../support/nats.ts';

const T0 = Date.parse('2026-11-20T20:05:00Z');

describe('strategy flow on a real nats-server: capital → system → optimal positions → orders', () => {
  let t: TestNats;
  let nc: NatsConnection;
  let rt: StrategyRuntime;
  const clock = new SimulatedClock(T0);
  /** Current positions as the stack's fills stream has them (CORN: none, i.e. 0). */
  const positions = [
    { strategyName: 'carry_trend', instrumentCode: 'SOFR', qty: -3 },
    { strategyName: 'other', instrumentCode: 'SOFR', qty: -2 },
  ];
  const seedFills = async (conn: NatsConnection, prefix: string) => {
    const store = await OrderEventStore.open(conn, prefix);
    for (const [i, p] of positions.entries()) {
      const rec: FillRecord = {
        execId: `seed-${i}`,
        kind: 'balance-instrument',
        scope: 'strategy',
        price: 95.5,
        time: T0 - 86_400_000,
        ...p,
      };
      await store.appendFill(p.instrumentCode, rec.execId, rec);
    }
    store.close();
  };

  /** A stored roll state for CORN, as the roll status actors write it (KV `<PREFIX>_ROLL_STATUS`). */
  const storeCornRollState = async (prefix: string, cornState: string) =>
    (await openJsonBucket(nc, prefix, 'ROLL_STATUS', 10)).put(
      'CORN',
      JSON.stringify({ instrument_code: 'CORN', roll_state: cornState, snapshot: null }),
    );

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
    await seedFills(nc, 'systack');
    await storeCornRollState('systack', 'Passive');
  });
  afterAll(async () => t.stop());

  const generate = () =>
    generateOrdersForStrategy('carry_trend', {
      strategies: rt.strategies,
      controls: rt.controls,
      state: new DurableStrategyStateSource(nc, 'systack'),
      sink: new QueuedInstrumentOrderSink(nc, 'systack'),
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

  it('generates buffered orders with limits and overrides from the store and queues them for the stack', async () => {
    const stored = Object.fromEntries(
      (await rt.strategies.getOptimalPositions('carry_trend')).map((p) => [p.instrument_code, p]),
    );
    await rt.controls.setOverride('instrument', { instrument_code: 'SOFR' }, { type: 'reduce_only' });
    await rt.controls.setPositionLimit('instrument', { instrument_code: 'CORN' }, 2);
    const r = await generate();
    expect(r.failed).toEqual([]);
    expect(r.ignored).toEqual([]);
    expect(r.roll_states_assumed).toBe(false);
    const d = Object.fromEntries(r.decisions.map((x) => [x.instrument_code, x]));
    // CORN: short several contracts wanted, the instrument limit allows 2
    expect(stored.CORN!.lower_position).toBeLessThan(-2);
    expect(d.CORN).toMatchObject({ current_position: 0, after_limits: -2, final_trade: -2 });
    // SOFR: the position comes from the fills stream (−3 of carry_trend, −2 of another strategy),
    // and reduce-only lets it only move towards zero
    expect(d.SOFR).toMatchObject({ current_position: -3, override: 'reduce_only' });
    // EUROSTX: the generator sends the desired trade un-netted (the stack nets on insert, B5)
    expect(d.EUROSTX!.unfilled_on_stack).toBe(0);
    expect(d.EUROSTX!.final_trade).toBe(d.EUROSTX!.after_limits);
    expect(r.placed.map((p) => p.reply)).toEqual(
      r.orders.map(() => expect.objectContaining({ queued: true })),
    );
    const queued = await listOrderRequests(nc, 'systack');
    expect(queued.map((q) => [q.instrument_code, q.trade])).toEqual(
      r.orders.map((o) => [o.instrument_code, o.trade]),
    );
    expect(queued).toContainEqual(
      expect.objectContaining({
        strategy_name: 'carry_trend',
        instrument_code: 'CORN',
        trade: -2,
        reference_price: 509.25,
        reference_contract: '20241200',
      }),
    );
  });

  it('a second run the same day queues nothing twice, none failed', async () => {
    const before = await listOrderRequests(nc, 'systack');
    const r = await generate();
    expect(r.failed).toEqual([]);
    expect(r.placed.length).toBe(before.length);
    expect(r.placed.map((p) => p.reply)).toEqual(
      before.map(() => expect.objectContaining({ queued: false })),
    );
    expect(await listOrderRequests(nc, 'systack')).toEqual(before);
  });

  it('the real stack handler nets queued requests on insert against unfilled orders (B5)', async () => {
    const queued = await listOrderRequests(nc, 'systack');
    const eurostx = queued.find((q) => q.instrument_code === 'EUROSTX')!;
    expect(queued.find((q) => q.instrument_code === 'CORN')?.trade).toBe(-2);
    const { handler } = await makeStack(nc, 'systack');
    // unfilled orders of the same strategy and instrument from earlier in the day
    const unfilled = (instrumentCode: string, trade: number) =>
      handler.createInstrumentOrder({ strategyName: 'carry_trend', instrumentCode, trade });
    const eurostxUnfilled = await unfilled('EUROSTX', eurostx.trade + 2);
    const cornUnfilled = await unfilled('CORN', -2);
    const refused: string[] = [];
    const log = {
      ...silentLogger,
      warn: (f: object, m: string) => refused.push(`${m}: ${JSON.stringify(f)}`),
    };
    const consumer = await consumeOrderRequests(nc, 'systack', handler, log);
    for (let i = 0; i < 100 && (await pendingOrderRequests(nc, 'systack')) > 0; i++) await sleep(20);
    await consumer.stop();
    expect(await pendingOrderRequests(nc, 'systack')).toBe(0);
    const onStack = handler.core.orders('instrument').filter((o) => o.strategyName === 'carry_trend');
    const trades = (code: string) => onStack.filter((o) => o.instrumentCode === code).map((o) => o.trade);
    // EUROSTX: the unfilled (desired + 2) and the residual −2 add up to the desired trade, netted once
    expect(trades('EUROSTX')).toEqual([eurostxUnfilled.trade, -2]);
    expect(onStack.find((o) => o.instrumentCode === 'EUROSTX' && o.trade === -2)).toMatchObject({
      referencePrice: eurostx.reference_price,
    });
    // CORN: the request replicates the unfilled −2, so the stack refuses it and keeps the old order
    expect(trades('CORN')).toEqual([cornUnfilled.trade]);
    expect(refused).toEqual([expect.stringMatching(/order request refused by the stack.*CORN.*replicates/)]);
    // the stack handler sees the same positions the generator read from the fills stream
    expect(handler.positions().strategy).toEqual(
      positions.map((p) => ({
        strategyName: p.strategyName,
        instrumentCode: p.instrumentCode,
        position: p.qty,
      })),
    );
    await handler.close();
  });

  it('a locked instrument gets no order; an instrument with no stored roll state is No_Roll', async () => {
    const other = await t.connect();
    await (await StackKv.open(other, 'norolls')).setLock('CORN', 'break');
    const warnings: string[] = [];
    const log = {
      warn: (_f: unknown, m: string) => warnings.push(m),
      info: () => undefined,
      error: () => undefined,
    } as unknown as Logger;
    const r = await generateOrdersForStrategy('carry_trend', {
      strategies: rt.strategies,
      controls: rt.controls,
      state: new DurableStrategyStateSource(other, 'norolls'),
      sink: new QueuedInstrumentOrderSink(other, 'norolls'),
      log,
    });
    expect(r.roll_states_assumed).toBe(false);
    expect(warnings).toEqual([]);
    const d = Object.fromEntries(r.decisions.map((x) => [x.instrument_code, x]));
    expect(d.CORN!.skipped).toBe('instrument locked');
    expect(r.orders.map((o) => o.instrument_code)).not.toContain('CORN');
    expect(r.orders.length).toBeGreaterThan(0);
    expect((await listOrderRequests(other, 'norolls')).map((q) => q.instrument_code).sort()).toEqual(
      r.orders.map((o) => o.instrument_code).sort(),
    );
  });

  it('the config lists become overrides: bad_markets and duplicate excludes reduce-only, trading_restrictions no-trading', async () => {
    await seedFills(nc, 'lists');
    const r = await generateOrdersForStrategy('carry_trend', {
      strategies: rt.strategies,
      controls: rt.controls,
      instrumentLists: {
        exclude_instrument_lists: {
          bad_markets: ['CORN'],
          ignore_instruments: [],
          trading_restrictions: ['EUROSTX'],
        },
        duplicate_instruments: { exclude: { rates: ['SOFR'] } },
      },
      state: new DurableStrategyStateSource(nc, 'lists'),
      sink: new QueuedInstrumentOrderSink(nc, 'lists'),
    });
    const d = Object.fromEntries(r.decisions.map((x) => [x.instrument_code, x]));
    expect([d.CORN!.override, d.EUROSTX!.override, d.SOFR!.override]).toEqual([
      'reduce_only',
      'no_trading',
      'reduce_only',
    ]);
    // CORN: no position, so reduce-only lets nothing open; EUROSTX: no trading at all
    expect(d.CORN!.current_position).toBe(0);
    expect(d.CORN!.required_trade).not.toBe(0);
    expect(d.CORN!.after_override).toBe(0);
    expect(d.EUROSTX!.after_override).toBe(0);
    // SOFR, short 3: a trade that adds to the short is cut to 0, one that reduces is kept
    // (closing at 0 when it would go through zero)
    const t = d.SOFR!.required_trade;
    expect(d.SOFR!.current_position).toBe(-3);
    expect(d.SOFR!.after_override).toBe(t < 0 ? 0 : Math.min(t, 3));
    expect(r.orders.map((o) => o.instrument_code)).not.toContain('CORN');
    expect(r.orders.map((o) => o.instrument_code)).not.toContain('EUROSTX');
    expect((await listOrderRequests(nc, 'lists')).map((q) => q.instrument_code)).toEqual(
      r.orders.map((o) => o.instrument_code),
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

  it('refuses to generate orders on a malformed stored roll state or without optimal positions, queues nothing', async () => {
    await storeCornRollState('badrolls', 'Rolling');
    const deps = {
      strategies: rt.strategies,
      controls: rt.controls,
      state: new DurableStrategyStateSource(nc, 'badrolls'),
      sink: new QueuedInstrumentOrderSink(nc, 'badrolls'),
    };
    await expect(generateOrdersForStrategy('carry_trend', deps)).rejects.toThrow(
      /BADROLLS_ROLL_STATUS CORN: roll_state "Rolling" is not a roll state/,
    );
    await expect(generateOrdersForStrategy('nope', deps)).rejects.toThrow(
      /no optimal positions stored for strategy nope/,
    );
    expect(await pendingOrderRequests(nc, 'badrolls')).toBe(0);
  });
});
