/**
 * One broker-port conformance suite, run on every broker (the simulated broker, and the IB
 * adapter against the fake TWS): what the stack relies on, asserted the same way on each.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { BrokerRequestInvalid } from '../../src/broker/orders.ts';
import type {
  BrokerEvent,
  BrokerFill,
  BrokerPort,
  ContractId,
  PlaceOrderRequest,
} from '../../src/broker/port.ts';

export interface ConformanceSubject {
  broker: BrokerPort;
  close(): Promise<void>;
}

const contract: ContractId = { instrumentCode: 'SP500', contractDate: '202612' };
const order = (orderRef: string, qty: number, extra: Partial<PlaceOrderRequest> = {}): PlaceOrderRequest => ({
  orderRef,
  legs: [{ ...contract, qty }],
  orderType: 'market',
  ...extra,
});

async function until(cond: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const end = Date.now() + 20_000;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export function brokerConformance(name: string, make: () => Promise<ConformanceSubject>): void {
  describe(`broker port conformance: ${name}`, () => {
    let s: ConformanceSubject | undefined;
    let events: BrokerEvent[] = [];
    const fills = (ref: string): BrokerFill[] =>
      events.flatMap((e) => (e.type === 'fill' && e.fill.orderRef === ref ? [e.fill] : []));
    const start = async (): Promise<BrokerPort> => {
      s = await make();
      events = [];
      s.broker.onEvent((e) => events.push(e));
      if (!s.broker.isConnected()) await s.broker.connect();
      expect(s.broker.isConnected()).toBe(true);
      return s.broker;
    };
    afterEach(async () => {
      await s?.close();
      s = undefined;
    });

    it('a market order fills completely: fills sum to the order, the status is filled, positions follow', async () => {
      const b = await start();
      const placed = await b.placeOrder(order('m1', 3));
      expect(placed).toMatchObject({ orderRef: 'm1', existing: false });
      await until(
        async () => (await b.orders()).some((o) => o.orderRef === 'm1' && o.status === 'filled'),
        'filled',
      );
      await until(() => fills('m1').reduce((n, f) => n + f.qty, 0) === 3, 'fills');
      const [state] = (await b.orders()).filter((o) => o.orderRef === 'm1');
      expect(state).toMatchObject({ status: 'filled', filledQty: 3, remainingQty: 0 });
      expect(await b.positions()).toEqual([{ ...contract, position: 3 }]);
      const listed = (await b.fills()).filter((f) => f.orderRef === 'm1');
      expect(new Set(listed.map((f) => f.execId)).size).toBe(listed.length);
      expect(listed.reduce((n, f) => n + f.qty, 0)).toBe(3);
    });

    it('placing the same orderRef again returns the existing order and trades nothing more', async () => {
      const b = await start();
      await b.placeOrder(order('i1', -2));
      await until(() => fills('i1').length > 0, 'fill');
      const again = await b.placeOrder(order('i1', -2));
      expect(again.existing).toBe(true);
      expect((await b.orders()).filter((o) => o.orderRef === 'i1')).toHaveLength(1);
      expect(await b.positions()).toEqual([{ ...contract, position: -2 }]);
    });

    it('a limit order away from the market rests, and is cancelled without a fill', async () => {
      const b = await start();
      await b.placeOrder(order('l1', 1, { orderType: 'limit', limitPrice: 1 }));
      await until(
        async () => (await b.orders()).some((o) => o.orderRef === 'l1' && o.status === 'acknowledged'),
        'ack',
      );
      await b.cancelOrder('l1');
      await until(
        async () => (await b.orders()).some((o) => o.orderRef === 'l1' && o.status === 'cancelled'),
        'cancelled',
      );
      expect(fills('l1')).toEqual([]);
      expect(await b.positions()).toEqual([]);
    });

    it('cancelling an unknown orderRef fails', async () => {
      const b = await start();
      await expect(b.cancelOrder('nope')).rejects.toThrow(/unknown orderRef/);
    });

    it('answers market data: account value, contract details, snapshot, spread snapshot, bars', async () => {
      const b = await start();
      expect(Number.isFinite((await b.accountValue()).value)).toBe(true);
      expect(await b.contractDetails(contract)).toMatchObject(contract);
      const snap = await b.marketSnapshot(contract);
      expect(snap.bid).toBeLessThanOrEqual(snap.ask);
      const spread = [
        { ...contract, qty: -1 },
        { instrumentCode: 'SP500', contractDate: '202703', qty: 1 },
      ];
      const q = await b.spreadSnapshot(spread);
      expect(q.legs).toEqual(spread);
      expect(q.bid).toBeLessThanOrEqual(q.ask);
      expect(Math.min(q.bidSize, q.askSize)).toBeGreaterThanOrEqual(0);
      await expect(b.spreadSnapshot([{ ...contract, qty: 1 }])).rejects.toBeInstanceOf(BrokerRequestInvalid);
      const bars = await b.historicalPrices(contract, 'D');
      expect(bars.length).toBeGreaterThan(0);
      expect(bars.every((x) => Number.isFinite(x.close))).toBe(true);
    });
  });
}
