import { afterEach, describe, expect, it } from 'vitest';
import { IbNotConnected } from '../../src/broker/ib/errors.ts';
import { placementFailure } from '../../src/broker/orders.ts';
import { IB_HISTORICAL_PACING } from '../../src/broker/ib/pacing.ts';
import type { BrokerEvent, BrokerFill, PlaceOrderRequest } from '../../src/broker/port.ts';
import { brokerFor, type IbHarness, ibHarness, until } from './ib-harness.ts';

const es = (orderRef: string, qty: number, extra: Partial<PlaceOrderRequest> = {}): PlaceOrderRequest => ({
  orderRef,
  legs: [{ instrumentCode: 'SP500', contractDate: '202612', qty }],
  orderType: 'market',
  ...extra,
});
const fillsOf = (events: BrokerEvent[], ref?: string): BrokerFill[] =>
  events.flatMap((e) =>
    e.type === 'fill' && (ref === undefined || e.fill.orderRef === ref) ? [e.fill] : [],
  );
const errorsOf = (events: BrokerEvent[]) => events.filter((e) => e.type === 'error');

let h: IbHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('IbBroker against the fake TWS', () => {
  it('places a market order: one fill with its commission, positions, net liquidation; no decoding errors', async () => {
    h = await ibHarness({ partialFills: 2, netLiquidation: 250_000 });
    const placed = await h.broker.placeOrder(es('r1', 3));
    expect(placed.existing).toBe(false);
    await until(() => h!.broker.book.get('r1')?.status === 'filled', 'filled');
    // Each fill waited for its commission report (sent just after it) and carries it.
    await until(() => fillsOf(h!.events).length === 2, 'fills');
    expect(fillsOf(h.events).map((f) => [f.qty, f.price, f.commission])).toEqual([
      [1, 5000.25, 2.25],
      [2, 5000.25, 4.5],
    ]);
    expect(h.events.filter((e) => e.type === 'commission')).toEqual([]);
    expect(await h.broker.positions()).toEqual([
      { instrumentCode: 'SP500', contractDate: '202612', position: 3 },
    ]);
    expect((await h.broker.accountValue()).value).toBe(250_000);
    expect((await h.broker.fills()).map((f) => f.commission)).toEqual([2.25, 4.5]);
    expect(errorsOf(h.events)).toEqual([]);
  });

  it('applies the price magnifier both ways (CORN: IB dollars, ours cents)', async () => {
    h = await ibHarness({ fillMode: 'auto' });
    const corn = { instrumentCode: 'CORN', contractDate: '202612' };
    const snap = await h.broker.marketSnapshot(corn);
    expect([snap.bid, snap.ask, snap.bidSize, snap.askSize]).toEqual([450, 450.25, 5, 6]);
    expect((await h.broker.historicalPrices(corn, 'D')).map((b) => b.close)).toEqual([455]);
    await h.broker.placeOrder({
      orderRef: 'c1',
      legs: [{ ...corn, qty: 1 }],
      orderType: 'limit',
      limitPrice: 451,
    });
    await until(() => h!.tws.orderByRef('c1')?.status === 'Filled', 'corn fill');
    expect(h.tws.orderByRef('c1')?.lmtPrice).toBe(4.51);
    await until(() => fillsOf(h!.events, 'c1').length === 1, 'fill event');
    expect(fillsOf(h.events, 'c1')[0]?.price).toBe(451);
    expect((await h.broker.contractDetails(corn)).multiplier).toBe(50);
  });

  it('ignores weeklies where configured; inverted FX pairs', async () => {
    h = await ibHarness();
    expect(
      (await h.broker.contractDetails({ instrumentCode: 'VIX', contractDate: '202612' })).expiryDate,
    ).toBe('20261216');
    expect((await h.broker.fxHistoricalPrices('JPYUSD')).map((p) => p.price)).toEqual([1 / 150]);
    expect((await h.broker.fxHistoricalPrices('EURUSD')).map((p) => p.price)).toEqual([1.1]);
  });

  it('a commission report after its fill: joined while the fill waits for it, else its own event', async () => {
    h = await ibHarness({ commissionDelayMs: 100 });
    await h.broker.placeOrder(es('r1', 2));
    await until(() => fillsOf(h!.events).length === 1, 'fill');
    expect(fillsOf(h.events)[0]?.commission).toBe(4.5);
    // Order status 'filled' never overtakes the fill.
    const kinds = h.events.filter((e) => e.type === 'fill' || e.type === 'order-status').map((e) => e.type);
    expect(kinds.indexOf('fill')).toBeLessThan(kinds.lastIndexOf('order-status'));
    await h.close();
    h = await ibHarness({ commissionDelayMs: 300 }, { commissionWaitMs: 20 });
    await h.broker.placeOrder(es('r2', 1));
    await until(() => h!.events.some((e) => e.type === 'commission'), 'late commission');
    expect(fillsOf(h.events).map((f) => f.commission)).toEqual([undefined]);
    const late = h.events.find((e) => e.type === 'commission');
    expect(late).toMatchObject({ execId: fillsOf(h.events)[0]?.execId, commission: 2.25 });
    expect((await h.broker.fills()).map((f) => f.commission)).toEqual([2.25]);
  });

  it('a commission report before its fill is joined to the fill', async () => {
    h = await ibHarness({ commissionFirst: true });
    await h.broker.placeOrder(es('r1', 2));
    await until(() => fillsOf(h!.events).length === 1, 'fill');
    expect(fillsOf(h.events)[0]?.commission).toBe(4.5);
  });

  it('an execution correction replaces the fill it corrects; a duplicate execId is dropped', async () => {
    h = await ibHarness({ fillMode: 'manual' });
    await h.broker.placeOrder(es('r1', 2));
    await until(() => h!.tws.orderByRef('r1') !== undefined, 'order at TWS');
    const e = h.tws.fill('r1', 2, 5001);
    h.tws.repeat(e.execId);
    h.tws.repeat(e.execId);
    const corrected = h.tws.correct(e.execId, 5000.5);
    await until(() => h!.events.some((x) => x.type === 'fill-corrected'), 'corrected fill');
    expect(corrected.execId.endsWith('.02')).toBe(true);
    expect(fillsOf(h.events).map((f) => [f.execId, f.price])).toEqual([[e.execId, 5001]]);
    const fix = h.events.flatMap((x) => (x.type === 'fill-corrected' ? [x.fill] : []));
    expect(fix.map((f) => [f.execId, f.correctedBy, f.price, f.qty])).toEqual([
      [e.execId, corrected.execId, 5000.5, 2],
    ]);
    const fills = await h.broker.fills();
    expect(fills.map((f) => [f.execId, f.correctedBy, f.price, f.qty])).toEqual([
      [e.execId, corrected.execId, 5000.5, 2],
    ]);
  });

  it('326 on connect: moves to the next client id', async () => {
    h = await ibHarness({}, {});
    await h.broker.disconnect();
    h.tws.busyClientIds.add(101);
    const b = brokerFor(h.port);
    await b.connect();
    expect(b.connection.clientId).toBe(102);
    expect(h.tws.connectedClientIds()).toEqual([102]);
    await b.disconnect();
  });

  it('a pacing violation (162) is retried; the answer is the bars', async () => {
    h = await ibHarness({}, { pacingRetryMs: 20, pacing: { ...IB_HISTORICAL_PACING, identicalGapMs: 0 } });
    h.tws.pacingViolations = 2;
    const bars = await h.broker.historicalPrices({ instrumentCode: 'SP500', contractDate: '202612' }, 'D');
    expect(bars.map((b) => b.close)).toEqual([5000, 5015]);
    expect(h.tws.historicalRequests).toBe(3);
  });

  it('a fill while disconnected is picked up once after the reconnect', async () => {
    h = await ibHarness({ fillMode: 'manual' });
    await h.broker.placeOrder(es('r1', 2));
    await until(() => h!.tws.orderByRef('r1') !== undefined, 'order at TWS');
    // TWS unreachable: the fill happens while no client is connected, so no one hears it live.
    h.tws.refuseConnections = true;
    h.tws.dropConnections();
    await until(() => !h!.broker.isConnected(), 'down');
    const lost = await h.broker.placeOrder(es('r2', 1)).catch((e: unknown) => e);
    expect(lost).toBeInstanceOf(IbNotConnected);
    // A lost connection is an unknown placement outcome for the stack, never a rejection.
    expect(placementFailure(lost)).toBe('unknown');
    h.tws.fill('r1');
    expect(h.tws.connectedClientIds()).toEqual([]);
    expect(fillsOf(h.events, 'r1')).toEqual([]);
    h.tws.refuseConnections = false;
    await until(() => h!.broker.isConnected(), 'reconnected');
    // Found by the executions request of the resynchronisation, before any new order was allowed.
    expect(fillsOf(h.events, 'r1').map((f) => f.qty)).toEqual([2]);
    await h.broker.fills();
    await h.broker.orders();
    h.tws.dropConnections();
    await until(() => h!.broker.isConnected() && h!.tws.apiStarts.get(101) === 3, 'second reconnect');
    expect(fillsOf(h.events, 'r1').length).toBe(1);
    expect(h.broker.book.get('r1')?.status).toBe('filled');
    expect(h.tws.placedRefs.get('r2')).toBeUndefined();
  });

  it('a socket drop in the middle of placing: the order is never sent twice', async () => {
    h = await ibHarness({ fillMode: 'manual' });
    // Reached TWS, then the socket dropped before any acknowledgement.
    h.tws.dropOnPlace = 'after';
    await h.broker.placeOrder(es('a1', 1));
    await until(
      () => h!.broker.state === 'waitingToReconnect' || h!.broker.state === 'connecting',
      'dropped',
    );
    await until(() => h!.broker.isConnected(), 'reconnected');
    expect((await h.broker.placeOrder(es('a1', 1))).existing).toBe(true);
    expect(h.broker.book.get('a1')?.status).toBe('acknowledged');
    // Never reached TWS: reported rejected after the reconnect, and still never re-sent.
    h.tws.dropOnPlace = 'before';
    await h.broker.placeOrder(es('b1', 1));
    await until(() => h!.broker.book.get('b1')?.status === 'rejected', 'rejected after reconnect');
    expect((await h.broker.placeOrder(es('b1', 1))).existing).toBe(true);
    expect(h.tws.placedRefs.get('a1')).toBe(1);
    expect(h.tws.placedRefs.get('b1')).toBeUndefined();
    // A restarted process finds a1 at TWS by its orderRef and does not place it again; nor once
    // a1 has filled (no longer open: found by today's executions).
    const again = brokerFor(h.port, { clientId: 7 });
    await again.connect();
    expect((await again.placeOrder(es('a1', 1))).existing).toBe(true);
    await again.disconnect();
    h.tws.fill('a1');
    const third = brokerFor(h.port, { clientId: 8 });
    await third.connect();
    expect(third.book.get('a1')?.status).toBe('filled');
    expect((await third.placeOrder(es('a1', 1))).existing).toBe(true);
    expect(h.tws.placedRefs.get('a1')).toBe(1);
    await third.disconnect();
  });

  it('a socket drop while the order contract is being resolved: nothing sent, the retry sends it once', async () => {
    h = await ibHarness({ fillMode: 'manual' });
    h.tws.dropOnContractData = true;
    await expect(h.broker.placeOrder(es('c1', 1))).rejects.toBeInstanceOf(IbNotConnected);
    expect(h.broker.book.get('c1')).toBeUndefined();
    await until(() => h!.broker.isConnected(), 'reconnected');
    expect((await h.broker.placeOrder(es('c1', 1))).existing).toBe(false);
    expect((await h.broker.placeOrder(es('c1', 1))).existing).toBe(true);
    await until(() => h!.tws.orderByRef('c1') !== undefined, 'at TWS');
    expect(h.tws.placedRefs.get('c1')).toBe(1);
  });

  it('snap market and limit orders; a modify changes the resting order in place; trading hours', async () => {
    h = await ibHarness({ fillMode: 'auto' });
    await h.broker.placeOrder(es('s1', 1, { orderType: 'snap-market' }));
    await until(() => h!.tws.orderByRef('s1') !== undefined, 'snap at TWS');
    expect(h.tws.orderByRef('s1')?.orderType).toBe('SNAP MKT');
    await h.broker.placeOrder(es('l1', 1, { orderType: 'limit', limitPrice: 4990 }));
    await until(() => h!.broker.book.get('l1')?.status === 'acknowledged', 'resting');
    const id = h.tws.orderByRef('l1')?.orderId;
    await h.broker.modifyOrder('l1', { limitPrice: 5000.25 });
    await until(() => h!.broker.book.get('l1')?.status === 'filled', 'filled after the modify');
    expect(h.tws.orders.filter((o) => o.orderRef === 'l1').map((o) => [o.orderId, o.lmtPrice])).toEqual([
      [id, 5000.25],
    ]);
    expect(h.tws.placedRefs.get('l1')).toBe(1);
    // ES: 17:00–16:00 Chicago time (CST, UTC−6), from the contract details.
    const hours = await h.broker.tradingHours({ instrumentCode: 'SP500', contractDate: '202612' });
    expect(hours.sessions).toEqual([
      { open: Date.UTC(2026, 10, 30, 23, 0), close: Date.UTC(2026, 11, 1, 22, 0) },
    ]);
  });

  it('after a (re)connect, orders at TWS without an orderRef of ours are reported as unknown', async () => {
    h = await ibHarness({ fillMode: 'manual' });
    const manual = h.tws.addManualOrder(1001, 1, 4900);
    h.tws.dropConnections();
    await until(
      () => h!.events.some((e) => e.type === 'reconciled' && e.unknownBrokerOrders.length > 0),
      'reconciled',
    );
    const last = h.events.filter((e) => e.type === 'reconciled').at(-1);
    expect(last).toMatchObject({ unknownBrokerOrders: [manual.orderId] });
    expect(h.broker.book.all()).toEqual([]);
  });

  it('1100: no new orders, in-flight orders stay; 1101 resynchronises; 1102 restores', async () => {
    h = await ibHarness({ fillMode: 'manual' });
    await h.broker.placeOrder(es('r1', 1));
    await until(() => h!.tws.orderByRef('r1') !== undefined, 'order at TWS');
    h.tws.info(1100, 'Connectivity between IB and TWS has been lost.');
    await until(() => h!.broker.state === 'ibDisconnected', '1100');
    await expect(h.broker.placeOrder(es('r2', 1))).rejects.toBeInstanceOf(IbNotConnected);
    expect(h.broker.book.get('r1')?.status).toBe('acknowledged');
    h.tws.fill('r1');
    h.tws.info(1101, 'Connectivity restored - data lost.');
    await until(() => h!.broker.isConnected(), '1101 → ready');
    expect(fillsOf(h.events, 'r1').length).toBe(1);
    h.tws.info(1100);
    await until(() => h!.broker.state === 'ibDisconnected', '1100 again');
    h.tws.info(1102);
    await until(() => h!.broker.isConnected(), '1102 → ready');
    expect((await h.broker.placeOrder(es('r2', 1))).existing).toBe(false);
  });

  it('delayed and reordered messages end in the same state', async () => {
    h = await ibHarness({ partialFills: 2 });
    await h.broker.contractDetails({ instrumentCode: 'SP500', contractDate: '202612' });
    h.tws.hold();
    await h.broker.placeOrder(es('r1', 2));
    await until(() => h!.tws.orderByRef('r1')?.status === 'Filled', 'filled at TWS');
    h.tws.release('reversed');
    await until(() => fillsOf(h!.events, 'r1').length === 2, 'fills');
    await until(() => h!.broker.book.get('r1')?.status === 'filled', 'filled');
    expect(h.broker.book.state(h.broker.book.get('r1')!).filledQty).toBe(2);
  });
});
