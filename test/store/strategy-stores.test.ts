import type { NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CapitalStore,
  JetStreamCapitalStore,
  latestTotal,
  MemoryCapitalStore,
} from '../../src/store/capital-store.ts';
import {
  type ControlsStore,
  JetStreamControlsStore,
  MemoryControlsStore,
} from '../../src/store/controls-store.ts';
import {
  JetStreamStrategyStore,
  MemoryStrategyStore,
  type StrategyStore,
} from '../../src/store/strategy-store.ts';
import { startTestNats, type TestNats } from '../support/nats.ts';

let t: TestNats;
let nc: NatsConnection;
beforeAll(async () => {
  t = await startTestNats();
  nc = await t.connect();
});
afterAll(async () => t.stop());

const row = (timestamp: number, v: number) => ({
  timestamp,
  kind: 'update' as const,
  broker_account_value: v,
  total_capital: v,
  max_capital: v,
  accumulated_pnl: 0,
});

const backends: Array<[string, (n: number) => Promise<[CapitalStore, ControlsStore, StrategyStore]>]> = [
  ['memory', async () => [new MemoryCapitalStore(), new MemoryControlsStore(), new MemoryStrategyStore()]],
  [
    'jetstream',
    async (n) => [
      await JetStreamCapitalStore.open(nc, `p${n}`),
      await JetStreamControlsStore.open(nc, `p${n}`),
      await JetStreamStrategyStore.open(nc, `p${n}`),
    ],
  ],
];

describe.each(backends)('strategy-side stores conform (%s)', (_name, open) => {
  let n = 0;
  it('capital rows: ordered history, unique timestamps, delete since, pending', async () => {
    const [capital] = await open(++n);
    await capital.appendTotal(row(2_000, 20));
    await capital.appendTotal(row(1_000, 10));
    await capital.appendTotal(row(3_000, 30));
    await expect(capital.appendTotal(row(2_000, 99))).rejects.toThrow();
    expect((await capital.totalHistory()).map((r) => r.broker_account_value)).toEqual([10, 20, 30]);
    expect(await capital.deleteTotalSince(2_000)).toBe(2);
    expect((await latestTotal(capital))?.broker_account_value).toBe(10);
    const pending = { detected_at: 1, previous_account_value: 1, new_account_value: 2, pnl: 1, change: 1 };
    await capital.setPending(pending);
    expect(await capital.getPending()).toEqual(pending);
    await capital.setPending(undefined);
    expect(await capital.getPending()).toBeUndefined();
    await capital.appendStrategyCapital({ strategy_name: 's', timestamp: 5, capital: 7 });
    await capital.appendStrategyCapital({ strategy_name: 's', timestamp: 4, capital: 6 });
    expect((await capital.strategyCapitalHistory('s')).map((v) => v.capital)).toEqual([6, 7]);
    await capital.appendLedger('s', { timestamp: 1, kind: 'allowance', amount: 100 });
    expect(await capital.ledger('s')).toEqual([{ timestamp: 1, kind: 'allowance', amount: 100 }]);
  });

  it('controls: limits and overrides by scope, delete reports whether something was there', async () => {
    const [, controls] = await open(++n);
    await controls.setPositionLimit('instrument', { instrument_code: 'CORN' }, 3);
    await controls.setPositionLimit(
      'strategy_instrument',
      { strategy_name: 's', instrument_code: 'CORN' },
      1,
    );
    expect(await controls.positionLimits()).toEqual({
      instrument: { CORN: 3 },
      strategy_instrument: { 's/CORN': 1 },
    });
    await controls.setOverride('strategy', { strategy_name: 's' }, { type: 'no_trading' });
    expect(await controls.overrides()).toEqual({ strategy: { s: { type: 'no_trading' } } });
    expect(await controls.deleteOverride('strategy', { strategy_name: 's' })).toBe(true);
    expect(await controls.deleteOverride('strategy', { strategy_name: 's' })).toBe(false);
    expect(await controls.overrides()).toEqual({});
    await expect(
      controls.setPositionLimit('strategy_instrument', { instrument_code: 'X' }, 1),
    ).rejects.toThrow(/needs strategy_name/);
  });

  it('optimal positions and diagnostics round-trip', async () => {
    const [, , strategies] = await open(++n);
    const p = {
      strategy_name: 's',
      instrument_code: 'CORN',
      lower_position: -2.5,
      upper_position: -1.5,
      reference_price: 500,
      reference_contract: '20241200',
      reference_datetime: '2026-11-20T20:05:00.000Z',
      price_date: '2023-08-31',
    };
    await strategies.putOptimalPositions('s', [p]);
    expect(await strategies.getOptimalPositions('s')).toEqual([p]);
    expect(await strategies.getOptimalPositions('other')).toEqual([]);
    const d = {
      strategy_name: 's',
      created: 'x',
      capital: 1,
      dates: ['2023-08-31'],
      instruments: {},
      skipped: [],
    };
    await strategies.putDiagnostics('s', d);
    expect(await strategies.getDiagnostics('s')).toEqual(d);
    expect(await strategies.getDiagnostics('other')).toBeUndefined();
  });
});
