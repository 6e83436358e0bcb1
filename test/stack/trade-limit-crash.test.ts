/**
 * Trade-limit charges across a kill -9 of the stack handler (digest D4a, issue 10 §6). The crash
 * is cut the way the crash tests here cut a journal write: from the start, no trade-limit charge
 * write reaches the store (the process dies before any lands), while the orders' journal writes
 * go on; then the connection closes. The restart charges every broker order done at the broker
 * again, named by its broker order: the count is the quantity once, and a further restart (the
 * charges landed) changes nothing, nor does one after the period rolled over. A limit order never
 * charges (D5).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../actors/stack/ports.ts';
import { StackHandler } from '../../actors/stack/stack-handler.ts';
import { storedTradeLimits } from '../../actors/stack/stored-trade-limits.ts';
import type { NatsConnection } from '@nats-io/transport-node';
import { ConstantPriceSource } from '../../src/broker/sim/price-source.ts';
import { SimBroker } from '../../src/broker/sim/sim-broker.ts';
import { SimulatedClock } from '../../src/clock.ts';
import { TradeLimitsStore } from '../../src/store/trade-limits-store.ts';
import { startTestNats, type TestNats } from '../support/nats.ts';
import { drive, T0 } from './helpers.ts';

let nats: TestNats;
beforeAll(async () => {
  nats = await startTestNats();
});
afterAll(async () => {
  await nats?.stop();
});

describe('trade-limit charges cut by a kill -9', () => {
  it('the restart charges each finished broker order once; a second restart changes nothing', async () => {
    const prefix = 'tlcrash';
    const clock = new SimulatedClock(T0);
    const broker = new SimBroker({ clock, prices: new ConstantPriceSource(100), restingCheckMs: 0 });
    const nc = await nats.connect();
    // the limits as an operator reads them, on a connection of its own
    const watch = await nats.connect();
    const limits = await TradeLimitsStore.open(watch, prefix);
    await limits.set({ instrument_code: 'SOFR' }, 1, 100, T0);
    await limits.set({ instrument_code: 'SOFR', strategy_name: 'ewmac' }, 30, 50, T0);
    await limits.set({ instrument_code: 'GOLD' }, 1, 100, T0);
    const counts = async () =>
      Object.fromEntries(
        (await limits.list()).map((l) => [`${l.instrumentCode}/${l.strategyName}`, l.tradesSinceLastReset]),
      );
    const open = async (conn: NatsConnection, store: TradeLimitsStore) =>
      StackHandler.open({
        nc: conn,
        broker,
        clock,
        prefix,
        tradeLimits: storedTradeLimits(store, silentLogger),
        config: { algoSizeLimit: 2, eodCancelWaitMs: 200 },
      });

    // The crash: no charge write lands.
    const cut = await TradeLimitsStore.open(nc, prefix);
    const dropped: Array<string | undefined> = [];
    cut.chargeMany = async (items) => {
      dropped.push(...items.map((c) => c.charge?.key));
    };
    const h = await open(nc, cut);
    // 3 lots in broker orders of at most 2 (two charges), and a limit order (never charged, D5).
    const market = await h.createInstrumentOrder({
      strategyName: 'ewmac',
      instrumentCode: 'SOFR',
      trade: 3,
      orderType: 'market',
    });
    const limit = await h.createInstrumentOrder({
      strategyName: 'ewmac',
      instrumentCode: 'GOLD',
      trade: 1,
      orderType: 'limit',
      limitPrice: 200,
    });
    await drive(h, broker, 10);
    expect(h.core.instrumentOrder(market.id)).toMatchObject({ fill: 3 });
    expect(h.core.instrumentOrder(limit.id)).toMatchObject({ fill: 1 });
    const boTrades = (code: string) =>
      h.core
        .orders('broker')
        .filter((b) => b.instrumentCode === code)
        .map((b) => [b.trade, b.algoUsed]);
    expect(boTrades('SOFR')).toEqual([
      [2, 'market'],
      [1, 'market'],
    ]);
    expect(boTrades('GOLD')).toEqual([[1, 'limit']]);
    // each of the two market broker orders' charges (one may be made twice: by its algo's end
    // and by its contract order's completion), named by its broker order
    expect(new Set(dropped)).toEqual(
      new Set(
        h.core
          .orders('broker')
          .filter((b) => b.algoUsed === 'market')
          .map((b) => `${b.orderRef}@${b.createdAt}`),
      ),
    );
    expect(await counts()).toEqual({ 'SOFR/': 0, 'SOFR/ewmac': 0, 'GOLD/': 0 });
    await nc.close();

    // Restart: the two broker orders are done, their charges lost: charged now, once each.
    const nc2 = await nats.connect();
    const again = await open(nc2, await TradeLimitsStore.open(nc2, prefix));
    await again.core.deps.tradeLimits.flush?.();
    const once = { 'SOFR/': 3, 'SOFR/ewmac': 3, 'GOLD/': 0 };
    expect(await counts()).toEqual(once);
    await again.close();

    // A restart after the charges landed does not charge twice; neither does a later order's end.
    const third = await open(nc2, await TradeLimitsStore.open(nc2, prefix));
    await third.core.deps.tradeLimits.flush?.();
    expect(await counts()).toEqual(once);
    await third.createInstrumentOrder({
      strategyName: 'ewmac',
      instrumentCode: 'SOFR',
      trade: -1,
      orderType: 'market',
    });
    await drive(third, broker, 6);
    await third.close();
    expect(await counts()).toEqual({ ...once, 'SOFR/': 4, 'SOFR/ewmac': 4 });
    const fourth = await open(nc2, await TradeLimitsStore.open(nc2, prefix));
    await fourth.core.deps.tradeLimits.flush?.();
    expect(await counts()).toEqual({ ...once, 'SOFR/': 4, 'SOFR/ewmac': 4 });
    await fourth.close();

    // A day later the daily limits have rolled over: a restart (the orders still on the stack)
    // does not charge them into the new period; the 30-day limit keeps its count.
    clock.advance(86_400_000 + 1);
    const fifth = await open(nc2, await TradeLimitsStore.open(nc2, prefix));
    await fifth.core.deps.tradeLimits.flush?.();
    expect(fifth.core.orders('broker')).toHaveLength(4);
    expect(await counts()).toEqual({ 'SOFR/': 0, 'SOFR/ewmac': 4, 'GOLD/': 0 });
    await fifth.close();
    await nc2.close();
    await watch.close();
  }, 60_000);
});
