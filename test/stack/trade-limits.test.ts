import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StackHandler } from '../../actors/stack/stack-handler.ts';
import { storedTradeLimits } from '../../actors/stack/stored-trade-limits.ts';
import { silentLogger } from '../../actors/stack/ports.ts';
import { startTradeLimitsService } from '../../actors/trade-limits-service.ts';
import { staticUniverse } from '../../actors/universe.ts';
import { ConstantPriceSource } from '../../src/broker/sim/price-source.ts';
import { SimBroker } from '../../src/broker/sim/sim-broker.ts';
import { callService } from '../../src/bus/service.ts';
import { SimulatedClock } from '../../src/clock.ts';
import {
  allowedQty,
  charged,
  newTradeLimit,
  resizeToAbsCap,
  tradeCapacity,
} from '../../src/domain/orders/trade-limits.ts';
import { TradeLimitsStore } from '../../src/store/trade-limits-store.ts';
import { startTestNats, type TestNats } from '../support/nats.ts';
import { drive, T0 } from './helpers.ts';

const DAY = 86_400_000;
let nats: TestNats;
beforeAll(async () => {
  nats = await startTestNats();
});
afterAll(async () => {
  await nats?.stop();
});

describe('trade limit rules (digest F9)', () => {
  const inst = newTradeLimit({ instrumentCode: 'SOFR', strategyName: '', periodDays: 1, tradeLimit: 5 }, T0);
  const strat = newTradeLimit(
    { instrumentCode: 'SOFR', strategyName: 'ewmac', periodDays: 30, tradeLimit: 3 },
    T0,
  );
  it('the least spare capacity of the matching limits binds; none means no limit', () => {
    expect(allowedQty([inst, strat], 'ewmac', 'SOFR', T0)).toBe(3);
    expect(allowedQty([inst, strat], 'carry', 'SOFR', T0)).toBe(5);
    expect(allowedQty([inst, strat], 'ewmac', 'GOLD', T0)).toBe(Infinity);
  });
  it('charges Σ|legs| and resets lazily once the period has passed', () => {
    const c = charged(inst, [-1, 1], T0 + 1000);
    expect(c.tradesSinceLastReset).toBe(2);
    expect(tradeCapacity(c, T0 + DAY)).toBe(3);
    expect(tradeCapacity(c, T0 + DAY + 1)).toBe(5);
    expect(charged(c, 4, T0 + DAY + 1)).toMatchObject({
      tradesSinceLastReset: 4,
      lastResetTime: T0 + DAY + 1,
    });
  });
  it('resizes proportionally to an abs cap (digest §1.0)', () => {
    expect(resizeToAbsCap([7], 3)).toEqual([3]);
    expect(resizeToAbsCap([-7], 3)).toEqual([-3]);
    expect(resizeToAbsCap([2, -2], 2)).toEqual([1, -1]);
    expect(resizeToAbsCap([5], 0)).toEqual([0]);
    expect(resizeToAbsCap([4], 10)).toEqual([4]);
  });
});

describe('stored trade limits', () => {
  it('concurrent charges are all counted (revision-checked updates)', { timeout: 120_000 }, async () => {
    const store = await TradeLimitsStore.open(await nats.connect(), 'tl1');
    await store.set({ instrument_code: 'SOFR' }, 1, 100, T0);
    await store.set({ instrument_code: 'SOFR', strategy_name: 'ewmac' }, 7, 50, T0);
    const other = await TradeLimitsStore.open(await nats.connect(), 'tl1');
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 ? store : other).charge('ewmac', 'SOFR', 1, T0 + i)),
    );
    const byKey = Object.fromEntries(
      (await store.list()).map((l) => [l.strategyName, l.tradesSinceLastReset]),
    );
    expect(byKey).toEqual({ '': 20, ewmac: 20 });
    expect(await store.allowed('ewmac', 'SOFR', T0 + 100)).toBe(30);
    expect(await store.allowed('carry', 'SOFR', T0 + 100)).toBe(80);
    // Changing a limit keeps its count; a reset clears it.
    await store.set({ instrument_code: 'SOFR' }, 1, 25, T0 + 200);
    expect(await store.allowed('carry', 'SOFR', T0 + 200)).toBe(5);
    await store.reset({ instrument_code: 'SOFR' }, T0 + 300);
    expect(await store.allowed('carry', 'SOFR', T0 + 300)).toBe(25);
  });

  it('the broker-order check resizes, then refuses; counts survive a restart; the period rolls over', async () => {
    const nc = await nats.connect();
    const prefix = 'tl2';
    const clock = new SimulatedClock(T0);
    const broker = new SimBroker({ clock, prices: new ConstantPriceSource(100), restingCheckMs: 0 });
    const limits = await TradeLimitsStore.open(nc, prefix);
    await limits.set({ instrument_code: 'SOFR' }, 1, 3, clock.now());
    const open = async () =>
      StackHandler.open({
        nc,
        broker,
        clock,
        prefix,
        tradeLimits: storedTradeLimits(await TradeLimitsStore.open(nc, prefix), silentLogger),
        config: { algoSizeLimit: 100, eodCancelWaitMs: 200 },
      });
    let h = await open();
    const io = await h.createInstrumentOrder({
      strategyName: 'ewmac',
      instrumentCode: 'SOFR',
      trade: 5,
      orderType: 'market',
    });
    await drive(h, broker);
    await h.core.deps.tradeLimits.flush?.();
    // Resized to the spare capacity (3), and the remaining 2 refused while the limit is used up.
    expect(h.core.orders('broker').map((b) => b.trade)).toEqual([3]);
    expect(h.core.instrumentOrder(io.id)?.fill).toBe(3);
    expect((await limits.list())[0]?.tradesSinceLastReset).toBe(3);
    await h.close();

    // Restart: the count is read back from KV, so the remainder is still refused.
    h = await open();
    await drive(h, broker);
    expect(h.core.orders('broker').map((b) => b.trade)).toEqual([3]);
    expect((await broker.positions())[0]?.position).toBe(3);

    // A day later the period has rolled over (injected clock): the remainder trades.
    clock.advance(DAY + 1);
    await drive(h, broker);
    await h.core.deps.tradeLimits.flush?.();
    expect(h.core.orders('broker').map((b) => b.trade)).toEqual([3, 2]);
    expect((await broker.positions())[0]?.position).toBe(5);
    expect(await limits.list()).toMatchObject([{ tradesSinceLastReset: 2, lastResetTime: T0 + DAY + 1 }]);
    await h.close();
  }, 60_000);

  it('the service sets, views and resets, and refuses unknown and reserved names', async () => {
    const nc = await nats.connect();
    const clock = new SimulatedClock(T0);
    const universe = staticUniverse({ instruments: ['SOFR'], strategies: ['ewmac'] });
    const svc = await startTradeLimitsService(
      nc,
      'tl3',
      await TradeLimitsStore.open(nc, 'tl3'),
      clock,
      universe,
    );
    const call = <R>(op: string, body: unknown) => callService<R>(nc, `tl3.control.trade_limits.${op}`, body);
    await call('set', { instrument_code: 'SOFR', strategy_name: 'ewmac', period_days: 30, trade_limit: 8 });
    clock.advance(1000);
    expect(await call('list', {})).toEqual([
      {
        strategy_name: 'ewmac',
        instrument_code: 'SOFR',
        period_days: 30,
        trade_limit: 8,
        trades_since_last_reset: 0,
        trade_capacity_remaining: 8,
        time_since_last_reset_ms: 1000,
      },
    ]);
    await expect(
      call('set', { instrument_code: 'NOPE', period_days: 1, trade_limit: 1 }),
    ).rejects.toMatchObject({
      code: 400,
    });
    await expect(
      call('set', { instrument_code: 'SOFR', strategy_name: 'nobody', period_days: 1, trade_limit: 1 }),
    ).rejects.toMatchObject({ code: 400 });
    await expect(
      call('set', { instrument_code: '__proto__', period_days: 1, trade_limit: 1 }),
    ).rejects.toMatchObject({ code: 400 });
    await expect(
      call('set', { instrument_code: 'SOFR', period_days: 0, trade_limit: 1 }),
    ).rejects.toMatchObject({
      code: 400,
    });
    await expect(call('reset', { instrument_code: 'SOFR' })).rejects.toMatchObject({ code: 404 });
    expect(await call('reset', { instrument_code: 'SOFR', strategy_name: 'ewmac' })).toMatchObject([
      { time_since_last_reset_ms: 0 },
    ]);
    expect(await call<unknown[]>('list', {})).toHaveLength(1);
    await svc.stop();
  });
});
