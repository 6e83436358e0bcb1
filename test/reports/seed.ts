// Seeded stores for the run_reports tests: capital rows, fills and a completed family, the
// simulated broker's orders, a lock, prices and roll config, process records, an order request.
import type { NatsConnection } from '@nats-io/transport-node';
import { requestInstrumentOrder } from '../../actors/stack/order-requests.ts';
import type { FillRecord } from '../../actors/stack/types.ts';
import { OrderEventStore } from '../../actors/store/order-event-store.ts';
import { StackKv } from '../../actors/store/stack-kv.ts';
import { openStrategyRuntime } from '../../actors/strategy-runtime.ts';
import { ProcessStore } from '../../actors/supervisor/process-store.ts';
import { kvSimBrokerStore } from '../../src/broker/sim/kv-store.ts';
import type { SimOrderRecord } from '../../src/broker/sim/state.ts';
import { streamName } from '../../src/bus/subjects.ts';
import type { SimulatedClock } from '../../src/clock.ts';
import type { ResolvedSystemConfig } from '../../src/config/load.ts';
import { JetStreamPriceStore } from '../../src/store/jetstream/price-store.ts';

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
/** 2023-09-11 20:25 UTC, run_reports' start time. */
export const T = Date.UTC(2023, 8, 11, 20, 25);

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

/** Seed every store the reports read; leaves the clock at T. */
export async function seedReportData(
  nc: NatsConnection,
  PREFIX: string,
  system: ResolvedSystemConfig,
  clock: SimulatedClock,
): Promise<void> {
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
}

/** 40 daily prices ending at `end`: a +2/−1 zig-zag from `start` (a known, non-zero stdev). */
export function zigzag(end: number, start: number): { times: Float64Array; values: Float64Array } {
  const times = Array.from({ length: 40 }, (_, i) => end - (39 - i) * DAY);
  const values = times.map((_, i) => start + Math.floor(i / 2) + (i % 2 === 1 ? 2 : 0));
  return { times: Float64Array.from(times), values: Float64Array.from(values) };
}

/**
 * Market, strategy and control data for the strategy, risk, costs, liquidity and minimum
 * capital reports (after `seedReportData`): adjusted price histories, spreads and commissions,
 * carry_trend's optimal positions and diagnostics and capital, a position limit and an override.
 */
export async function seedMarketData(
  nc: NatsConnection,
  PREFIX: string,
  system: ResolvedSystemConfig,
  clock: SimulatedClock,
): Promise<void> {
  const prices = await JetStreamPriceStore.open(nc, PREFIX);
  await prices.putAdjustedPrices('GOLD', zigzag(T - 5 * DAY, 1900));
  await prices.putAdjustedPrices('SP500', zigzag(T - DAY, 4400));
  for (const code of ['GOLD', 'SP500']) {
    const cfg = (await prices.getInstrumentConfig(code))!;
    await prices.putInstrumentConfig({
      ...cfg,
      spreadCost: code === 'GOLD' ? 0.1 : 0.25,
      meta: { ...cfg.meta!, perBlock: code === 'GOLD' ? 2.5 : 0, perTrade: code === 'SP500' ? 1 : 0 },
    });
  }
  const rt = await openStrategyRuntime(nc, PREFIX, system, clock);
  await rt.capitalStore.appendStrategyCapital({
    strategy_name: 'carry_trend',
    capital: 500_000,
    timestamp: T - DAY,
  });
  await rt.strategies.putOptimalPositions('carry_trend', [
    {
      strategy_name: 'carry_trend',
      instrument_code: 'GOLD',
      lower_position: -0.4,
      upper_position: 0.4,
      reference_price: 1950,
      reference_contract: '20231200',
      reference_datetime: new Date(T - 5 * DAY).toISOString(),
      price_date: '2023-09-06',
    },
    {
      strategy_name: 'carry_trend',
      instrument_code: 'SP500',
      lower_position: 1.6,
      upper_position: 2.4,
      reference_price: 4480,
      reference_contract: '20231200',
      reference_datetime: new Date(T - DAY).toISOString(),
      price_date: '2023-09-10',
    },
  ]);
  await rt.strategies.putDiagnostics('carry_trend', {
    strategy_name: 'carry_trend',
    created: new Date(T - DAY).toISOString(),
    capital: 500_000,
    dates: ['2023-09-07', '2023-09-08', '2023-09-11'],
    instruments: {
      SP500: {
        daily_prices: [4450, 4470, 4480],
        daily_returns_volatility: [40, 41, 42],
        daily_percentage_volatility: [0.9, 0.92, 0.94],
        instrument_value_vol: [220, 230, 240],
        vol_scalar: [2.9, 2.8, 2.7],
        combined_forecast: [8, 9, 10],
        subsystem_position: [2.3, 2.5, 2.7],
        instrument_weight: [0.5, 0.5, 0.5],
        notional_position: [2.2, 2.1, 2],
        lower_position: [1.8, 1.7, 1.6],
        upper_position: [2.6, 2.5, 2.4],
        'forecast_weights.ewmac16_64': [1, 1, 1],
        'capped_forecasts.ewmac16_64': [8, 9, null],
      },
    },
    skipped: [],
  });
  await rt.controls.setPositionLimit('instrument', { instrument_code: 'GOLD' }, 4);
  await rt.controls.setPositionLimit('instrument', { instrument_code: 'SP500' }, 10);
  await rt.controls.setOverride('instrument', { instrument_code: 'SP500' }, { type: 'reduce_only' });
}
