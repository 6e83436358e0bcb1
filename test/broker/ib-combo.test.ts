/**
 * Calendar spreads over IB: two legs of one instrument go to TWS as one BAG order whose combo legs
 * are the legs' conIds; IB's executions come leg by leg (plus one for the BAG, not a fill) and are
 * mapped back to each leg; commissions are on the legs.
 */
import { type Contract, EventName } from '@stoqey/ib';
import { afterEach, describe, expect, it } from 'vitest';
import { IbOrderUnsupported } from '../../src/broker/ib/errors.ts';
import type { BrokerEvent, BrokerFill, PlaceOrderRequest } from '../../src/broker/port.ts';
import type { FakeTwsOptions } from '../fixtures/fake-tws/fake-tws.ts';
import { brokerFor, fakeWithContracts, until } from './ib-harness.ts';
import type { IbBroker } from '../../src/broker/ib/ib-broker.ts';
import type { FakeTws } from '../fixtures/fake-tws/fake-tws.ts';

const DEC = { instrumentCode: 'SP500', contractDate: '202612' };
const MAR = { instrumentCode: 'SP500', contractDate: '202703' };
/** A roll: sell `n` December, buy `n` March. */
const roll = (orderRef: string, n: number, extra: Partial<PlaceOrderRequest> = {}): PlaceOrderRequest => ({
  orderRef,
  legs: [
    { ...DEC, qty: -n },
    { ...MAR, qty: n },
  ],
  orderType: 'market',
  ...extra,
});
const fillsOf = (events: BrokerEvent[]): BrokerFill[] =>
  events.flatMap((e) => (e.type === 'fill' ? [e.fill] : []));

let open: Array<{ broker: IbBroker; tws?: FakeTws }> = [];
afterEach(async () => {
  for (const o of open) {
    await o.broker.disconnect();
    await o.tws?.stop();
  }
  open = [];
});

async function spreadHarness(opts: FakeTwsOptions = {}) {
  const tws = fakeWithContracts(opts);
  tws.addFuture({
    conId: 1005,
    symbol: 'ES',
    expiry: '20270319',
    multiplier: 50,
    exchange: 'CME',
    currency: 'USD',
  });
  tws.quotes.set(1005, { bid: 5060, ask: 5060.25, bidSize: 8, askSize: 9 });
  const port = await tws.start();
  const broker = brokerFor(port);
  const events: BrokerEvent[] = [];
  broker.onEvent((e) => events.push(e));
  await broker.connect();
  open.push({ broker, tws });
  return { tws, broker, events, port };
}

describe('IB calendar spreads (BAG orders)', () => {
  it('sends a BAG with combo legs by conId; leg executions come back as fills on each leg, with commissions', async () => {
    const { tws, broker, events } = await spreadHarness();
    await broker.placeOrder(roll('s1', 2));
    await until(() => tws.orderByRef('s1') !== undefined, 'BAG at TWS');
    const sent = tws.orderByRef('s1');
    expect(sent?.contract.secType).toBe('BAG');
    expect([sent?.action, sent?.qty]).toEqual(['BUY', 2]);
    expect(sent?.legs.map((l) => [l.contract.conId, l.ratio, l.action, l.exchange])).toEqual([
      [1001, 1, 'SELL', 'CME'],
      [1005, 1, 'BUY', 'CME'],
    ]);
    await until(() => broker.book.get('s1')?.status === 'filled', 'spread filled');
    await until(() => fillsOf(events).length === 2, 'two leg fills');
    // Sold December at its bid, bought March at its ask; the BAG's own execution is no fill.
    expect(
      fillsOf(events).map((f) => [f.instrumentCode, f.contractDate, f.qty, f.price, f.commission]),
    ).toEqual([
      ['SP500', '202612', -2, 5000, 4.5],
      ['SP500', '202703', 2, 5060.25, 4.5],
    ]);
    expect(tws.executions.filter((e) => e.contract.secType === 'BAG').map((e) => e.price)).toEqual([60.25]);
    expect(await broker.positions()).toEqual([
      { ...DEC, position: -2 },
      { ...MAR, position: 2 },
    ]);
    const state = (await broker.orders()).find((o) => o.orderRef === 's1');
    expect([state?.status, state?.filledQty, state?.remainingQty]).toEqual(['filled', 2, 0]);
    expect(events.filter((e) => e.type === 'error')).toEqual([]);
  });

  it('a partly filled spread counts combos both legs have filled; a spread limit is the combo price', async () => {
    const { tws, broker, events } = await spreadHarness({ fillMode: 'manual' });
    // The client decodes TWS's OPEN_ORDER for the BAG with its combo legs.
    const decoded: Contract[] = [];
    broker.api().on(EventName.openOrder, (_id: number, c: Contract) => decoded.push(c));
    await broker.placeOrder(roll('s2', 3, { orderType: 'limit', limitPrice: 60.5 }));
    await until(() => decoded.length > 0, 'open order');
    expect(decoded[0]?.secType).toBe('BAG');
    expect(decoded[0]?.comboLegs?.map((l) => [l.conId, l.ratio, l.action, l.exchange])).toEqual([
      [1001, 1, 'SELL', 'CME'],
      [1005, 1, 'BUY', 'CME'],
    ]);
    await until(() => tws.orderByRef('s2')?.status === 'Submitted', 'submitted');
    expect(tws.orderByRef('s2')?.lmtPrice).toBe(60.5);
    tws.fill('s2', 1);
    await until(() => fillsOf(events).length === 2, 'first combo');
    expect(broker.book.state(broker.book.get('s2')!)).toMatchObject({
      status: 'partially-filled',
      filledQty: 1,
      remainingQty: 2,
    });
    tws.fill('s2');
    await until(() => broker.book.get('s2')?.status === 'filled', 'filled');
    expect(fillsOf(events).map((f) => [f.contractDate, f.qty])).toEqual([
      ['202612', -1],
      ['202703', 1],
      ['202612', -2],
      ['202703', 2],
    ]);
  });

  it('after a restart the open BAG is found by orderRef (not sent again) and its leg fills are picked up once', async () => {
    const { tws, broker, port } = await spreadHarness({ fillMode: 'manual' });
    await broker.placeOrder(roll('s3', 1));
    await until(() => tws.orderByRef('s3')?.status === 'Submitted', 'submitted');
    await broker.disconnect();
    tws.fill('s3');
    const again = brokerFor(port, { clientId: 102 });
    const events: BrokerEvent[] = [];
    again.onEvent((e) => events.push(e));
    await again.connect();
    open.push({ broker: again });
    expect((await again.placeOrder(roll('s3', 1))).existing).toBe(true);
    expect(tws.placedRefs.get('s3')).toBe(1);
    expect((await again.fills()).map((f) => [f.instrumentCode, f.contractDate, f.qty])).toEqual([
      ['SP500', '202612', -1],
      ['SP500', '202703', 1],
    ]);
    expect(fillsOf(events)).toHaveLength(2);
    expect(events.filter((e) => e.type === 'error')).toEqual([]);
  });

  it('refuses spreads it cannot send, with the reason, and sends nothing', async () => {
    const { tws, broker } = await spreadHarness();
    await expect(
      broker.placeOrder({
        orderRef: 'x1',
        legs: [
          { ...DEC, qty: 1 },
          { instrumentCode: 'CORN', contractDate: '202612', qty: -1 },
        ],
        orderType: 'market',
      }),
    ).rejects.toThrow(IbOrderUnsupported);
    await expect(
      broker.placeOrder({
        orderRef: 'x2',
        legs: [
          { ...DEC, qty: 1 },
          { ...DEC, qty: -1 },
        ],
        orderType: 'market',
      }),
    ).rejects.toThrow(/same contract/);
    expect(tws.orders).toEqual([]);
  });
});
