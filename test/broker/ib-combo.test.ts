/**
 * Spreads over IB: calendar spreads (two legs of one instrument) and inter-commodity spreads (legs
 * of different instruments on one exchange, one currency) go to TWS as one BAG order whose combo
 * legs are the legs' conIds; IB's executions come leg by leg (plus one for the BAG, not a fill) and are
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
const ZN = { instrumentCode: 'US10', contractDate: '202612' };
const ZF = { instrumentCode: 'US5', contractDate: '202612' };
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
  // US10 (ZN) and US5 (ZF) on CBOT: an inter-commodity spread IB takes as one combo. WHEAT (ZW)
  // here in EUR, to be refused beside CORN (ZC, USD).
  tws.addFuture({
    conId: 2001,
    symbol: 'ZN',
    expiry: '20261221',
    multiplier: 1000,
    exchange: 'CBOT',
    currency: 'USD',
  });
  tws.addFuture({
    conId: 2002,
    symbol: 'ZF',
    expiry: '20261231',
    multiplier: 1000,
    exchange: 'CBOT',
    currency: 'USD',
  });
  tws.addFuture({
    conId: 2003,
    symbol: 'ZW',
    expiry: '20261214',
    multiplier: 5000,
    exchange: 'CBOT',
    currency: 'EUR',
  });
  tws.quotes.set(2001, { bid: 110.5, ask: 110.515625, bidSize: 40, askSize: 50 });
  tws.quotes.set(2002, { bid: 107.25, ask: 107.2578125, bidSize: 90, askSize: 60 });
  const port = await tws.start();
  const broker = brokerFor(port);
  const events: BrokerEvent[] = [];
  broker.onEvent((e) => events.push(e));
  await broker.connect();
  open.push({ broker, tws });
  return { tws, broker, events, port };
}

describe('IB spreads (BAG orders and quotes)', () => {
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

  it('an inter-commodity spread (US10 against US5, 2:3) goes as one BAG with ratios; fills on each leg', async () => {
    const { tws, broker, events } = await spreadHarness();
    const legs = [
      { ...ZN, qty: -2 },
      { ...ZF, qty: 3 },
    ];
    await broker.placeOrder({ orderRef: 'ic1', legs, orderType: 'market' });
    await until(() => broker.book.get('ic1')?.status === 'filled', 'filled');
    const sent = tws.orderByRef('ic1');
    expect([sent?.contract.symbol, sent?.contract.exchange, sent?.contract.currency]).toEqual([
      'ZN,ZF',
      'CBOT',
      'USD',
    ]);
    expect([sent?.action, sent?.qty]).toEqual(['BUY', 1]);
    expect(sent?.legs.map((l) => [l.contract.conId, l.ratio, l.action, l.exchange])).toEqual([
      [2001, 2, 'SELL', 'CBOT'],
      [2002, 3, 'BUY', 'CBOT'],
    ]);
    await until(() => fillsOf(events).length === 2, 'leg fills');
    expect(fillsOf(events).map((f) => [f.instrumentCode, f.qty, f.price])).toEqual([
      ['US10', -2, 110.5],
      ['US5', 3, 107.2578125],
    ]);
    expect(await broker.positions()).toEqual([
      { ...ZN, position: -2 },
      { ...ZF, position: 3 },
    ]);
  });

  it('refuses spreads IB cannot take as one combo, naming why, before anything is sent', async () => {
    const { tws, broker } = await spreadHarness();
    const place = (orderRef: string, a: { instrumentCode: string; contractDate: string }, b: typeof a) =>
      broker.placeOrder({
        orderRef,
        legs: [
          { ...a, qty: 1 },
          { ...b, qty: -1 },
        ],
        orderType: 'market',
      });
    const CORN = { instrumentCode: 'CORN', contractDate: '202612' };
    const WHEAT = { instrumentCode: 'WHEAT', contractDate: '202612' };
    await expect(place('x1', DEC, ZN)).rejects.toThrow(
      /spread legs on different exchanges \(SP500 CME, US10 CBOT\)/,
    );
    await expect(place('x2', CORN, WHEAT)).rejects.toThrow(
      /spread legs in different currencies \(CORN USD, WHEAT EUR\)/,
    );
    await expect(place('x3', CORN, ZN)).rejects.toThrow(/different price magnifiers \(CORN 100, US10 1\)/);
    await expect(place('x4', DEC, DEC)).rejects.toThrow(/same contract/);
    await expect(place('x5', DEC, { instrumentCode: 'NOPE', contractDate: '202612' })).rejects.toThrow();
    for (const ref of ['x1', 'x2', 'x3', 'x4', 'x5'])
      await expect(place(ref, DEC, ZN)).rejects.toThrow(IbOrderUnsupported);
    expect(tws.orders).toEqual([]);
    expect(tws.placedRefs.size).toBe(0);
    expect(broker.book.all()).toEqual([]);
  });

  it("a spread's snapshot is the BAG's own quote from IB (its spread book), else the legs' implied quote", async () => {
    const { tws, broker } = await spreadHarness();
    // IB's calendar spread book quotes tighter than the legs imply (59.75 / 60.25).
    tws.comboQuotes.set('1001:1:SELL,1005:1:BUY', { bid: 59.9, ask: 60.1, bidSize: 30, askSize: 25 });
    const rollLegs = [
      { ...DEC, qty: -2 },
      { ...MAR, qty: 2 },
    ];
    expect(await broker.spreadSnapshot(rollLegs)).toMatchObject({
      legs: rollLegs,
      bid: 59.9,
      ask: 60.1,
      bidSize: 30,
      askSize: 25,
    });
    // No book of its own: TWS quotes the combo from its legs (sell 2 ZN, buy 3 ZF per combo).
    const ic = await broker.spreadSnapshot([
      { ...ZN, qty: -2 },
      { ...ZF, qty: 3 },
    ]);
    expect([ic.bid, ic.ask, ic.bidSize, ic.askSize]).toEqual([
      3 * 107.25 - 2 * 110.515625,
      3 * 107.2578125 - 2 * 110.5,
      Math.min(Math.floor(50 / 2), Math.floor(90 / 3)),
      Math.min(Math.floor(40 / 2), Math.floor(60 / 3)),
    ]);
    await expect(
      broker.spreadSnapshot([
        { ...DEC, qty: 1 },
        { ...ZN, qty: -1 },
      ]),
    ).rejects.toThrow(/different exchanges/);
  });
});
