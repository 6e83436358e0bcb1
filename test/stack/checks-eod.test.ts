import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { balanceTrade } from '../../actors/stack/manual.ts';
import { staticContracts } from '../../actors/stack/ports.ts';
import { StackHandler } from '../../actors/stack/stack-handler.ts';
import { ConstantPriceSource } from '../../src/broker/sim/price-source.ts';
import { SimBroker } from '../../src/broker/sim/sim-broker.ts';
import { SimulatedClock } from '../../src/clock.ts';
import { startTestNats, type TestNats } from '../support/nats.ts';
import { drive, makeStack, T0 } from './helpers.ts';

let nats: TestNats;
beforeAll(async () => {
  nats = await startTestNats();
});
afterAll(async () => {
  await nats?.stop();
});

describe('external position break', () => {
  it('locks the instrument on a break, blocks new broker orders, unlocks when positions agree', async () => {
    const { handler, broker } = await makeStack(await nats.connect(), 'brk');
    // A trade made elsewhere (not our orderRef) is not recorded: a break, the instrument locks.
    await broker.placeOrder({
      orderRef: 'outside',
      legs: [{ instrumentCode: 'SOFR', contractDate: '202612', qty: 2 }],
      orderType: 'market',
    });
    await broker.idle();
    await handler.settled();
    const r1 = await handler.checkExternalPositionBreak();
    expect(r1.breaks).toEqual([{ instrumentCode: 'SOFR', contractDate: '202612', ours: 0, broker: 2 }]);
    expect(r1.locked).toEqual(['SOFR']);
    // The reference's fix: a balance trade for the missing fill; the next check unlocks.
    await balanceTrade(handler.core, {
      strategyName: 's',
      instrumentCode: 'SOFR',
      contractDate: '202612',
      qty: 2,
      price: 100,
      requestId: 'r0',
    });
    expect((await handler.checkExternalPositionBreak()).unlocked).toEqual(['SOFR']);
    const io = await handler.createInstrumentOrder({
      strategyName: 's',
      instrumentCode: 'BUND',
      trade: 1,
      orderType: 'market',
    });
    await handler.spawnChildrenFromNewInstrumentOrders();
    // A balance trade that never happened at the broker: ours 1, broker 0.
    await balanceTrade(handler.core, {
      strategyName: 's',
      instrumentCode: 'BUND',
      contractDate: '202612',
      qty: 1,
      price: 1,
      requestId: 'r1',
    });
    const r2 = await handler.checkExternalPositionBreak();
    expect(r2.breaks).toEqual([{ instrumentCode: 'BUND', contractDate: '202612', ours: 1, broker: 0 }]);
    expect(r2.locked).toEqual(['BUND']);
    expect(await handler.createBrokerOrdersFromContractOrders()).toEqual([]);
    await expect(
      handler.createInstrumentOrder({ strategyName: 't', instrumentCode: 'BUND', trade: 1 }),
    ).rejects.toThrow(/locked/);
    await balanceTrade(handler.core, {
      strategyName: 's',
      instrumentCode: 'BUND',
      contractDate: '202612',
      qty: -1,
      price: 1,
      requestId: 'r2',
    });
    const r3 = await handler.checkExternalPositionBreak();
    expect(r3.unlocked).toEqual(['BUND']);
    expect(handler.core.isLocked('BUND')).toBe(false);
    expect((await handler.createBrokerOrdersFromContractOrders()).length).toBe(1);
    await drive(handler, broker, 2);
    expect(handler.core.instrumentOrder(io.id)?.state).toBe('completed');
    await handler.close();
  });

  it('sees a break when a fill never reached us, and a manual lock is not auto-unlocked', async () => {
    const nc = await nats.connect();
    const clock = new SimulatedClock(T0);
    const broker = new SimBroker({ clock, prices: new ConstantPriceSource(100), restingCheckMs: 0 });
    await broker.connect();
    await broker.placeOrder({
      orderRef: 'before',
      legs: [{ instrumentCode: 'V2X', contractDate: '202612', qty: -3 }],
      orderType: 'market',
    });
    await broker.idle();
    const handler = await StackHandler.open({ nc, broker, clock, prefix: 'brk2' });
    await handler.core.setLock('GOLD', 'manual');
    const r = await handler.checkExternalPositionBreak();
    expect(r.breaks).toEqual([{ instrumentCode: 'V2X', contractDate: '202612', ours: 0, broker: -3 }]);
    expect(r.locked).toEqual(['V2X']);
    expect(r.unlocked).toEqual([]);
    expect(handler.core.isLocked('GOLD')).toBe(true);
    const next = await StackHandler.open({ nc, broker, clock, prefix: 'brk2' });
    expect(next.core.locks.get('V2X')).toBe('break'); // locks are durable
    await next.close();
    await handler.close();
  });
});

describe('spawning', () => {
  it('splits a passive-roll order between priced and forward contracts (C4)', async () => {
    const nc = await nats.connect();
    const clock = new SimulatedClock(T0);
    const broker = new SimBroker({ clock, restingCheckMs: 0 });
    const contracts = staticContracts({
      SOFR: { priced: '202612', forward: '202703', rollState: 'Passive' },
    });
    const handler = await StackHandler.open({ nc, broker, clock, prefix: 'roll', contracts });
    await balanceTrade(handler.core, {
      strategyName: 's',
      instrumentCode: 'SOFR',
      contractDate: '202612',
      qty: -2,
      price: 1,
      requestId: 'b',
    });
    const io = await handler.createInstrumentOrder({ strategyName: 's', instrumentCode: 'SOFR', trade: 5 });
    await handler.spawnChildrenFromNewInstrumentOrders();
    const kids = handler.core.instrumentOrder(io.id)!.children.map((id) => handler.core.contractOrder(id)!);
    expect(kids.map((k) => [k.contractDate, k.trade])).toEqual([
      ['202612', 2],
      ['202703', 3],
    ]);
    await handler.close();
  });

  it('leaves orders NEW under a Close roll and nets new orders against unfilled ones (B5)', async () => {
    const nc = await nats.connect();
    const clock = new SimulatedClock(T0);
    const broker = new SimBroker({ clock, restingCheckMs: 0 });
    const contracts = staticContracts({ SOFR: { priced: '202612', rollState: 'Close' } });
    const handler = await StackHandler.open({ nc, broker, clock, prefix: 'close', contracts });
    const a = await handler.createInstrumentOrder({ strategyName: 's', instrumentCode: 'SOFR', trade: 5 });
    expect(await handler.spawnChildrenFromNewInstrumentOrders()).toEqual([]);
    expect(handler.core.instrumentOrder(a.id)?.state).toBe('new');
    const b = await handler.createInstrumentOrder({ strategyName: 's', instrumentCode: 'SOFR', trade: 2 });
    expect(b.trade).toBe(-3);
    await expect(
      handler.createInstrumentOrder({ strategyName: 's', instrumentCode: 'SOFR', trade: 2 }),
    ).rejects.toThrow(/zero size/);
    await handler.close();
  });
});

describe('end of day', () => {
  it('cancels open broker orders, completes partly filled families and removes them', async () => {
    const { handler, broker } = await makeStack(await nats.connect(), 'eod', {
      config: { algoSizeLimit: 1 },
    });
    const a = await handler.createInstrumentOrder({
      strategyName: 's',
      instrumentCode: 'SOFR',
      trade: 3,
      orderType: 'market',
      requestId: 'orderreq:eod-a',
    });
    const b = await handler.createInstrumentOrder({
      strategyName: 's',
      instrumentCode: 'BUND',
      trade: -2,
      orderType: 'best',
    });
    await drive(handler, broker, 1);
    expect(handler.core.instrumentOrder(a.id)?.fill).toBe(1);
    expect(handler.core.instrumentOrder(b.id)?.fill).toBe(0);
    const r = await handler.safeStackRemoval();
    expect(r.cancelled).toBe(1);
    expect(r.completed).toBe(2);
    expect(handler.core.host.size).toBe(0);
    const history = await handler.core.store.loadHistory<{
      instrument: { id: number; fill: number; trade: number };
    }>();
    expect(
      history.map((h) => [h.data.instrument.id, h.data.instrument.fill, h.data.instrument.trade]),
    ).toEqual([
      [a.id, 1, 3],
      [b.id, 0, -2],
    ]);
    expect(handler.positions().strategy).toEqual([
      { strategyName: 's', instrumentCode: 'SOFR', position: 1 },
    ]);
    const reopened = await StackHandler.open({
      nc: await nats.connect(),
      broker,
      clock: handler.core.deps.clock,
      prefix: 'eod',
    });
    expect(reopened.core.host.size).toBe(0);
    expect(reopened.positions().strategy).toEqual([
      { strategyName: 's', instrumentCode: 'SOFR', position: 1 },
    ]);
    // The request whose order left the stack is still known, here and after a restart (§4): a
    // redelivery makes no second order.
    const again = { strategyName: 's', instrumentCode: 'SOFR', trade: 3, requestId: 'orderreq:eod-a' };
    for (const h of [handler, reopened]) {
      await expect(h.createInstrumentOrder(again)).rejects.toThrow(
        `request orderreq:eod-a already made instrument order ${a.id}`,
      );
      expect(h.core.host.size).toBe(0);
    }
    await reopened.close();
    await handler.close();
  });
});

describe('zero orders (B1, B5)', () => {
  it('a zero desired trade cancels out unfilled orders of the same key by netting', async () => {
    const { handler } = await makeStack(await nats.connect(), 'zero');
    const a = await handler.createInstrumentOrder({ strategyName: 's', instrumentCode: 'SOFR', trade: 3 });
    const b = await handler.createInstrumentOrder({ strategyName: 's', instrumentCode: 'SOFR', trade: 0 });
    expect([a.trade, b.trade]).toEqual([3, -3]);
    await expect(
      handler.createInstrumentOrder({ strategyName: 's', instrumentCode: 'SOFR', trade: 0 }),
    ).rejects.toThrow(/zero size/);
    await handler.close();
  });
});
