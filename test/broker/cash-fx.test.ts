/**
 * Spot FX trades through the broker port (interactive_order_stack "Cash FX trade"): the simulated
 * broker fills at its rate crossed through USD and keeps the trades in its store; the IB adapter
 * sends a MKT order on the CASH contract at IDEALPRO (the fake TWS) and reads CashBalance per
 * currency, leaving FX out of the futures order book, fills and positions.
 */
import { describe, expect, it } from 'vitest';
import { SimBroker } from '../../src/broker/sim/sim-broker.ts';
import { SimFxNoRate } from '../../src/broker/sim/sim-fx.ts';
import { MemorySimBrokerStore } from '../../src/broker/sim/state.ts';
import { SimulatedClock } from '../../src/clock.ts';
import { ibHarness, until } from './ib-harness.ts';

const RATES: Record<string, number> = { GBPUSD: 1.25, EURUSD: 1.1 };

describe('simulated broker: cash FX', () => {
  it('fills at the crossed rate, once per orderRef, kept across a restart; no rate: refused, nothing kept', async () => {
    const store = new MemorySimBrokerStore();
    const make = () =>
      new SimBroker({
        clock: new SimulatedClock(0),
        store,
        fx: { fxRate: (c) => RATES[c] },
        restingCheckMs: 0,
      });
    const b = make();
    await b.connect();
    expect(await b.cashBalances()).toEqual([{ currency: 'USD', balance: 1_000_000 }]);
    const first = await b.placeFxOrder({ orderRef: 'fx1', ccy1: 'GBP', ccy2: 'USD', qty: 10_000 });
    expect(first.existing).toBe(false);
    expect((await b.placeFxOrder({ orderRef: 'fx1', ccy1: 'GBP', ccy2: 'USD', qty: 10_000 })).existing).toBe(
      true,
    );
    await b.placeFxOrder({ orderRef: 'fx2', ccy1: 'EUR', ccy2: 'GBP', qty: -2_000 }); // 1.1 / 1.25 = 0.88
    await expect(b.placeFxOrder({ orderRef: 'fx3', ccy1: 'JPY', ccy2: 'USD', qty: 5 })).rejects.toThrow(
      SimFxNoRate,
    );
    const expected = [
      { currency: 'EUR', balance: -2_000 },
      { currency: 'GBP', balance: 10_000 + 1_760 },
      { currency: 'USD', balance: 1_000_000 - 12_500 },
    ];
    expect(await b.cashBalances()).toEqual(expected);
    expect(await b.positions()).toEqual([]);
    expect(await b.orders()).toEqual([]);
    const restarted = make();
    await restarted.connect();
    expect(await restarted.cashBalances()).toEqual(expected);
    await b.disconnect();
    await restarted.disconnect();
  });
});

describe('IB adapter: cash FX', () => {
  it('a MKT order on GBP.USD at IDEALPRO with our orderRef, sent once; balances from CashBalance; not a futures fill', async () => {
    const h = await ibHarness();
    try {
      h.tws.addCash('GBP', 'USD', 3001, 1.25, 1.2502);
      h.tws.cash.set('USD', 100_000);
      expect(await h.broker.cashBalances()).toEqual([{ currency: 'USD', balance: 100_000 }]);
      const placed = await h.broker.placeFxOrder({ orderRef: 'fx-a', ccy1: 'GBP', ccy2: 'USD', qty: 10_000 });
      expect(placed).toMatchObject({ orderRef: 'fx-a', existing: false });
      expect(
        (await h.broker.placeFxOrder({ orderRef: 'fx-a', ccy1: 'GBP', ccy2: 'USD', qty: 10_000 })).existing,
      ).toBe(true);
      await until(() => h.tws.cash.get('GBP') === 10_000, 'the FX fill');
      const sent = h.tws.orders.find((o) => o.orderRef === 'fx-a')!;
      expect(sent).toMatchObject({ action: 'BUY', qty: 10_000, orderType: 'MKT', account: 'DU123456' });
      expect(sent.contract).toMatchObject({
        secType: 'CASH',
        symbol: 'GBP',
        currency: 'USD',
        exchange: 'IDEALPRO',
      });
      expect(h.tws.placedRefs.get('fx-a')).toBe(1);
      await h.broker.placeFxOrder({ orderRef: 'fx-b', ccy1: 'GBP', ccy2: 'USD', qty: -4_000 });
      await until(() => h.tws.cash.get('GBP') === 6_000, 'the second FX fill');
      expect(h.tws.orders.find((o) => o.orderRef === 'fx-b')).toMatchObject({ action: 'SELL', qty: 4_000 });
      expect(await h.broker.cashBalances()).toEqual([
        { currency: 'GBP', balance: 6_000 },
        { currency: 'USD', balance: 100_000 - 10_000 * 1.2502 + 4_000 * 1.25 },
      ]);
      // FX is cash, not a futures order, fill or position
      expect(h.events.filter((e) => e.type === 'fill')).toEqual([]);
      expect((await h.broker.orders()).map((o) => o.orderRef)).toEqual([]);
      expect(await h.broker.fills()).toEqual([]);
      expect(await h.broker.positions()).toEqual([]);
    } finally {
      await h.close();
    }
  });
});
