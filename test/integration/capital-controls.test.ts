import type { NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CapitalOps } from '../../actors/capital-ops.ts';
import { startCapitalService } from '../../actors/capital-service.ts';
import { startControlsService } from '../../actors/controls-service.ts';
import { staticUniverse } from '../../actors/universe.ts';
import { callService } from '../../src/bus/service.ts';
import { SimulatedClock } from '../../src/clock.ts';
import { JetStreamCapitalStore } from '../../src/store/capital-store.ts';
import { JetStreamControlsStore } from '../../src/store/controls-store.ts';
import { startTestNats, type TestNats } from '../support/nats.ts';

const T0 = Date.parse('2026-11-20T01:00:00Z');

describe('capital and controls over NATS (JetStream KV)', () => {
  let t: TestNats;
  let nc: NatsConnection;
  const clock = new SimulatedClock(T0);
  let broker = 100_000;
  const call = <R>(op: string, body: unknown = {}) => callService<R>(nc, `systack.${op}`, body);

  beforeAll(async () => {
    t = await startTestNats();
    nc = await t.connect();
    const ops = new CapitalOps({
      store: await JetStreamCapitalStore.open(nc, 'systack'),
      clock,
      method: 'half',
      maxChange: 0.1,
      accountValue: async () => ({ value: broker, margin: 1_000 }),
      strategies: { fast: { method: 'weighted', weight: 3 }, slow: { method: 'weighted', weight: 1 } },
    });
    await startCapitalService(nc, 'systack', ops);
    await startControlsService(nc, 'systack', await JetStreamControlsStore.open(nc, 'systack'));
  });
  afterAll(async () => t.stop());

  it('first update initialises from the broker, later updates apply the half method', async () => {
    expect(await call('capital.update')).toMatchObject({
      outcome: 'written',
      row: { total_capital: 100_000 },
    });
    clock.advance(60_000);
    broker = 105_000;
    expect(await call('capital.update')).toMatchObject({
      outcome: 'written',
      row: { total_capital: 100_000, max_capital: 100_000, accumulated_pnl: 5_000, margin: 1_000 },
    });
  });

  it('a change over 10% writes nothing and waits; accept takes a fresh poll', async () => {
    clock.advance(60_000);
    broker = 80_000;
    const held = await call<{ outcome: string }>('capital.update');
    expect(held).toMatchObject({ outcome: 'held', pending: { pnl: -25_000 } });
    expect(await call<unknown[]>('capital.history')).toHaveLength(2);
    clock.advance(60_000);
    broker = 81_000;
    const row = await call('capital.accept');
    expect(row).toMatchObject({
      broker_account_value: 81_000,
      total_capital: 76_000,
      accumulated_pnl: -19_000,
    });
    expect(await call('capital.show')).toMatchObject({ pending: null, total: { total_capital: 76_000 } });
    await expect(call('capital.accept')).rejects.toMatchObject({ code: 422 });
  });

  it('deposits, withdrawals, modify and delete-since; bad input changes nothing', async () => {
    clock.advance(60_000);
    const since = new Date(clock.now()).toISOString();
    expect(await call('capital.deposit', { amount: 10_000 })).toMatchObject({ broker_account_value: 91_000 });
    clock.advance(60_000);
    expect(await call('capital.withdraw', { amount: 1_000 })).toMatchObject({
      kind: 'withdrawal',
      delta: -1_000,
    });
    await expect(call('capital.deposit', { amount: -5 })).rejects.toMatchObject({ code: 400 });
    await expect(call('capital.modify', {})).rejects.toMatchObject({ code: 400 });
    await expect(call('capital.initialise', { broker_account_value: 5 })).rejects.toMatchObject({
      code: 409,
    });
    expect(await call<unknown[]>('capital.history')).toHaveLength(5);
    expect(await call('capital.delete_since', { since })).toEqual({ deleted: 2, remaining: 3 });
    clock.advance(60_000);
    expect(await call('capital.modify', { total_capital: 80_000 })).toMatchObject({
      kind: 'modify',
      total_capital: 80_000,
      broker_account_value: 81_000,
    });
  });

  it('allocates strategy capital by weight', async () => {
    expect(await call('capital.allocate')).toEqual({ fast: 60_000, slow: 20_000 });
    expect(await call('capital.show')).toMatchObject({ strategies: { fast: { capital: 60_000 } } });
  });

  it('position limits: set, list, delete; a bad request is refused and changes nothing', async () => {
    await call('control.limits.set', { scope: 'instrument', instrument_code: 'CORN', limit: 10 });
    const limits = await call('control.limits.set', {
      scope: 'strategy_instrument',
      strategy_name: 'fast',
      instrument_code: 'CORN',
      limit: 4,
    });
    expect(limits).toEqual({ instrument: { CORN: 10 }, strategy_instrument: { 'fast/CORN': 4 } });
    await expect(
      call('control.limits.set', { scope: 'instrument', instrument_code: 'CORN', limit: -1 }),
    ).rejects.toMatchObject({ code: 400 });
    await expect(
      call('control.limits.set', { scope: 'strategy_instrument', instrument_code: 'CORN', limit: 1 }),
    ).rejects.toMatchObject({ code: 400 });
    expect(await call('control.limits.list')).toEqual(limits);
    expect(await call('control.limits.delete', { scope: 'instrument', instrument_code: 'CORN' })).toEqual({
      strategy_instrument: { 'fast/CORN': 4 },
    });
    await expect(
      call('control.limits.delete', { scope: 'instrument', instrument_code: 'CORN' }),
    ).rejects.toMatchObject({
      code: 404,
    });
  });

  it('reserved and unknown names are refused with 400 and change nothing (issue 10 §8)', async () => {
    const before = [await call('control.limits.list'), await call('control.overrides.list')];
    for (const [ep, body] of [
      ['control.limits.set', { scope: 'instrument', instrument_code: '__proto__', limit: 1 }],
      ['control.overrides.set', { scope: 'strategy', strategy_name: 'constructor', override: 'close' }],
      ['capital.ledger_add', { strategy_name: 'toString', kind: 'pnl', amount: 1 }],
      ['capital.ledger_add', { strategy_name: 'nobody', kind: 'pnl', amount: 1 }],
    ] as const)
      await expect(call(ep, body)).rejects.toMatchObject({ code: 400 });
    expect([await call('control.limits.list'), await call('control.overrides.list')]).toEqual(before);
    // With the known names given, a limit or override must name a stored instrument and a strategy.
    const named = await startControlsService(
      nc,
      'named',
      await JetStreamControlsStore.open(nc, 'named'),
      staticUniverse({ instruments: ['CORN'], strategies: ['fast'] }),
    );
    const n = (ep: string, body: object) => callService(nc, `named.control.${ep}`, body);
    await expect(
      n('limits.set', { scope: 'instrument', instrument_code: 'V2X', limit: 1 }),
    ).rejects.toMatchObject({
      code: 400,
      message: "unknown instrument 'V2X' (no instrument config)",
    });
    await expect(
      n('overrides.set', {
        scope: 'strategy_instrument',
        strategy_name: 'slow',
        instrument_code: 'CORN',
        override: 0.5,
      }),
    ).rejects.toMatchObject({ code: 400 });
    expect(await n('limits.set', { scope: 'instrument', instrument_code: 'CORN', limit: 1 })).toEqual({
      instrument: { CORN: 1 },
    });
    await named.stop();
  });

  it('overrides: per strategy, instrument and both', async () => {
    await call('control.overrides.set', { scope: 'strategy', strategy_name: 'fast', override: 0.5 });
    await call('control.overrides.set', {
      scope: 'instrument',
      instrument_code: 'V2X',
      override: 'reduce_only',
    });
    const o = await call('control.overrides.set', {
      scope: 'strategy_instrument',
      strategy_name: 'slow',
      instrument_code: 'SOFR',
      override: 'no_trading',
    });
    expect(o).toEqual({
      strategy: { fast: { type: 'float', value: 0.5 } },
      instrument: { V2X: { type: 'reduce_only' } },
      strategy_instrument: { 'slow/SOFR': { type: 'no_trading' } },
    });
    await expect(
      call('control.overrides.set', { scope: 'strategy', strategy_name: 'fast', override: 2 }),
    ).rejects.toMatchObject({ code: 400 });
    await expect(
      call('control.overrides.set', { scope: 'strategy', strategy_name: 'bad.name', override: 'close' }),
    ).rejects.toMatchObject({ code: 400 });
    expect(await call('control.overrides.list')).toEqual(o);
  });
});
