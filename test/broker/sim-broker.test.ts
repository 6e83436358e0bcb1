import { describe, expect, it } from 'vitest';
import type { BrokerEvent, BrokerFill } from '../../src/broker/port.ts';
import { ConstantPriceSource } from '../../src/broker/sim/price-source.ts';
import { IbContractUnresolved, IbRequestTimeout } from '../../src/broker/ib/errors.ts';
import { placementFailure } from '../../src/broker/orders.ts';
import { SimBroker, type SimBrokerConfig, SimPlacementUnconfirmed } from '../../src/broker/sim/sim-broker.ts';
import { MemorySimBrokerStore } from '../../src/broker/sim/state.ts';
import { SimulatedClock } from '../../src/clock.ts';

const leg = (qty: number) => ({ instrumentCode: 'SOFR', contractDate: '202612', qty });

async function run(cfg: Partial<SimBrokerConfig>, qtys: number[]) {
  const b = new SimBroker({ clock: new SimulatedClock(1_700_000_000_000), restingCheckMs: 0, ...cfg });
  const events: BrokerEvent[] = [];
  b.onEvent((e) => events.push(e));
  await b.connect();
  for (const [i, q] of qtys.entries())
    await b.placeOrder({ orderRef: `o${i}`, legs: [leg(q)], orderType: 'market' });
  await b.idle();
  return { b, events, fills: events.flatMap((e) => (e.type === 'fill' ? [e.fill] : [])) };
}

describe('SimBroker', () => {
  it('fills a market buy at the ask and a sell at the bid from the price source and spread', async () => {
    const { fills } = await run({ prices: new ConstantPriceSource(100), spreads: { SOFR: 0.5 } }, [3, -2]);
    expect(fills.map((f) => [f.qty, f.price])).toEqual([
      [3, 100.25],
      [-2, 99.75],
    ]);
  });

  it('is idempotent on orderRef', async () => {
    const { b } = await run({}, [1]);
    const again = await b.placeOrder({ orderRef: 'o0', legs: [leg(1)], orderType: 'market' });
    await b.idle();
    expect(again.existing).toBe(true);
    expect((await b.orders()).length).toBe(1);
    expect(await b.positions()).toEqual([{ instrumentCode: 'SOFR', contractDate: '202612', position: 1 }]);
  });

  it('is deterministic for a seed', async () => {
    const cfg = {
      seed: 42,
      partialFillProbability: 0.5,
      rejectProbability: 0.2,
      duplicateFillProbability: 0.3,
    };
    const a = await run(cfg, [5, -4, 3, 7, -6, 2]);
    const b = await run(cfg, [5, -4, 3, 7, -6, 2]);
    const key = (fs: BrokerFill[]) => fs.map((f) => `${f.execId}:${f.qty}`).join(',');
    expect(key(a.fills)).toBe(key(b.fills));
    expect(a.events.filter((e) => e.type === 'error').length).toBe(
      b.events.filter((e) => e.type === 'error').length,
    );
    const c = await run({ ...cfg, seed: 7 }, [5, -4, 3, 7, -6, 2]);
    expect(key(c.fills)).not.toBe(key(a.fills));
  });

  it('splits partial fills into whole lots that sum to the order', async () => {
    const { fills } = await run({ partialFillProbability: 1 }, [7]);
    expect(fills.length).toBeGreaterThan(1);
    expect(fills.reduce((s, f) => s + f.qty, 0)).toBe(7);
  });

  it('reports a late fill after a confirmed cancel', async () => {
    const b = new SimBroker({
      clock: new SimulatedClock(0),
      restingCheckMs: 0,
      lateFillAfterCancelProbability: 1,
    });
    const events: BrokerEvent[] = [];
    b.onEvent((e) => events.push(e));
    await b.connect();
    await b.placeOrder({ orderRef: 'x', legs: [leg(2)], orderType: 'limit', limitPrice: 1 });
    await b.cancelOrder('x');
    await b.idle();
    const kinds = events.map((e) => (e.type === 'order-status' ? e.state.status : e.type));
    expect(kinds.slice(-4)).toEqual(['cancelled', 'fill', 'commission', 'filled']);
  });

  it('lets the fill win a cancel race, and duplicates fill reports on demand', async () => {
    const { b, fills } = await run({ duplicateFillProbability: 1 }, [2]);
    expect(fills.length).toBe(2);
    expect(fills[0]?.execId).toBe(fills[1]?.execId);
    const r = new SimBroker({ clock: new SimulatedClock(0), restingCheckMs: 0, cancelRaceProbability: 1 });
    await r.connect();
    await r.placeOrder({ orderRef: 'y', legs: [leg(-3)], orderType: 'limit', limitPrice: 1e9 });
    await r.cancelOrder('y');
    await r.idle();
    expect((await r.orders())[0]?.status).toBe('filled');
    expect((await b.fills(0)).length).toBe(1);
  });

  it('holds events while disconnected and rejects requests', async () => {
    const b = new SimBroker({ clock: new SimulatedClock(0), restingCheckMs: 0, latencyMs: 5 });
    const events: BrokerEvent[] = [];
    b.onEvent((e) => events.push(e));
    await b.connect();
    await b.placeOrder({ orderRef: 'z', legs: [leg(1)], orderType: 'market' });
    b.simulateDisconnect();
    await expect(b.placeOrder({ orderRef: 'w', legs: [leg(1)], orderType: 'market' })).rejects.toThrow(
      /not connected/,
    );
    await b.idle();
    expect(events.some((e) => e.type === 'fill')).toBe(false);
    b.simulateReconnect();
    expect(events.filter((e) => e.type === 'fill').length).toBe(1);
  });

  it('restores orders and fills from its store and carries on', async () => {
    const store = new MemorySimBrokerStore();
    const clock = new SimulatedClock(0);
    const a = new SimBroker({ clock, store, restingCheckMs: 0 });
    await a.connect();
    await a.placeOrder({ orderRef: 'p', legs: [leg(4)], orderType: 'market' });
    await a.idle();
    const b = new SimBroker({ clock, store, restingCheckMs: 0 });
    await b.connect();
    expect((await b.placeOrder({ orderRef: 'p', legs: [leg(4)], orderType: 'market' })).existing).toBe(true);
    expect((await b.fills(0)).map((f) => f.qty)).toEqual([4]);
    const next = await b.placeOrder({ orderRef: 'q', legs: [leg(1)], orderType: 'market' });
    expect(next.tempId).toBe(2);
  });

  it('an order whose save failed: kept (save retried, then filled) or dropped (never filled); both unknown', async () => {
    for (const mode of ['keep', 'drop'] as const) {
      let failures = 1;
      const store = new MemorySimBrokerStore();
      const save = store.saveOrder.bind(store);
      store.saveOrder = async (o) => {
        if (failures-- > 0) throw new Error('KV put timed out');
        return save(o);
      };
      const b = new SimBroker({
        clock: new SimulatedClock(0),
        store,
        restingCheckMs: 0,
        saveRetryMs: 1,
        onSaveFailure: mode,
      });
      await b.connect();
      const err = await b
        .placeOrder({ orderRef: 'u', legs: [leg(2)], orderType: 'market' })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SimPlacementUnconfirmed);
      expect(placementFailure(err)).toBe('unknown');
      await b.idle();
      const fills = (await b.fills(0)).map((f) => f.qty);
      const saved = (await store.loadOrders()).map((o) => [o.orderRef, o.status]);
      if (mode === 'keep') {
        expect(fills).toEqual([2]);
        expect(saved).toEqual([['u', 'filled']]);
      } else {
        expect(fills).toEqual([]);
        expect(saved).toEqual([]);
        expect(await b.orders()).toEqual([]);
      }
    }
  });

  it('an invalid request is an explicit refusal', async () => {
    const b = new SimBroker({ clock: new SimulatedClock(0), restingCheckMs: 0 });
    await b.connect();
    const err = await b
      .placeOrder({ orderRef: 'z', legs: [leg(0)], orderType: 'market' })
      .catch((e: unknown) => e);
    expect(placementFailure(err)).toBe('refused');
    expect(placementFailure(new IbRequestTimeout('no answer'))).toBe('unknown');
    expect(placementFailure(new IbContractUnresolved('not in config'))).toBe('refused');
  });
});
