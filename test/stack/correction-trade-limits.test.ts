/**
 * D4a on the fill-correction path (issue 10): a broker's correction that fills a live broker order
 * worked by a blocking algo (best execution) to its trade ends the algo: the trade limits are
 * charged its submitted quantity once, the algo lock goes and the contract order completes. The
 * counters are the stored ones (KV), read again after a restart: nothing is charged twice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { algoOf } from '../../actors/stack/algo-actors.ts';
import { silentLogger } from '../../actors/stack/ports.ts';
import { StackHandler } from '../../actors/stack/stack-handler.ts';
import { storedTradeLimits } from '../../actors/stack/stored-trade-limits.ts';
import type { BrokerFill } from '../../src/broker/port.ts';
import { ConstantPriceSource } from '../../src/broker/sim/price-source.ts';
import { SimulatedClock } from '../../src/clock.ts';
import { TradeLimitsStore } from '../../src/store/trade-limits-store.ts';
import { startTestNats, type TestNats } from '../support/nats.ts';
import { CorrectingBroker, T0 } from './helpers.ts';

let nats: TestNats;
beforeAll(async () => {
  nats = await startTestNats();
});
afterAll(async () => {
  await nats?.stop();
});

describe('a correction that fills an algo-held order', () => {
  it('ends its algo: trade limits charged once (KV, also after a restart), the contract order completes', async () => {
    const prefix = 'fixlimits';
    const nc = await nats.connect();
    const clock = new SimulatedClock(T0);
    // Resting limit orders are never checked: the best-execution algo's passive order stays working.
    const broker = new CorrectingBroker({ clock, prices: new ConstantPriceSource(100), restingCheckMs: 0 });
    const limits = await TradeLimitsStore.open(nc, prefix);
    await limits.set({ instrument_code: 'SOFR' }, 1, 100, T0);
    const open = () =>
      StackHandler.open({
        nc,
        broker,
        clock,
        prefix,
        config: { algoSizeLimit: 5 },
        tradeLimits: storedTradeLimits(limits, silentLogger),
      });
    const used = async () => (await limits.list()).map((l) => l.tradesSinceLastReset);
    const h = await open();
    const io = await h.createInstrumentOrder({
      strategyName: 'ewmac',
      instrumentCode: 'SOFR',
      trade: 2,
      orderType: 'best',
    });
    await h.spawnChildrenFromNewInstrumentOrders();
    await h.createBrokerOrdersFromContractOrders();
    await broker.idle();
    await h.settled();
    const coId = h.core.instrumentOrder(io.id)!.children[0]!;
    const bo = h.core.brokerOrder(h.core.contractOrder(coId)!.children[0]!)!;
    expect(bo).toMatchObject({ trade: 2, algoUsed: 'best', brokerOrderType: 'limit' });
    expect(h.core.contractOrder(coId)?.referenceOfControllingAlgo).toBe(`best:${bo.id}`);
    // One lot of two fills, then the broker corrects that execution to two lots.
    const fill: BrokerFill = {
      execId: 'x.1',
      orderRef: bo.orderRef,
      tempId: bo.brokerTempId ?? 1,
      permId: bo.brokerPermId ?? 1,
      instrumentCode: 'SOFR',
      contractDate: bo.contractDate,
      qty: 1,
      price: 99.5,
      time: clock.now(),
    };
    broker.report({ type: 'fill', fill });
    await h.settled();
    expect(h.core.contractOrder(coId)).toMatchObject({ fill: 1, state: 'algoControlled' });
    expect(await used()).toEqual([0]);
    broker.report({ type: 'fill-corrected', fill: { ...fill, qty: 2, correctedBy: 'x.1.02' } });
    broker.report({ type: 'fill-corrected', fill: { ...fill, qty: 2, correctedBy: 'x.1.02' } });
    await h.settled();
    expect(h.core.brokerOrder(bo.id)).toMatchObject({ fill: 2 });
    expect(algoOf(h.core, bo.id)?.state).toBe('done');
    const co = h.core.contractOrder(coId);
    expect(co).toMatchObject({ fill: 2, state: 'completed', active: false });
    expect(co?.referenceOfControllingAlgo).toBeUndefined();
    // The correction filled the instrument order too: the family completes now, not at end of day.
    expect(h.core.instrumentOrder(io.id)).toMatchObject({ fill: 2, state: 'completed', active: false });
    await h.close();
    // D4a: the broker order's submitted quantity, once.
    expect(await used()).toEqual([2]);
    // A restart finds the algo done and its lock gone: nothing charged again.
    const again = await open();
    await again.settled();
    await again.runLoopPass();
    await again.settled();
    expect(again.core.contractOrder(coId)).toMatchObject({ fill: 2, state: 'completed' });
    await again.close();
    expect(await used()).toEqual([2]);
  }, 60_000);
});
