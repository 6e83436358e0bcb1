/**
 * The crash windows of the order writes, pinned one by one: a kill -9 lands between two actors'
 * appends, so the last message of one actor's subject says more than another's. The stack is
 * brought to the state just before the broker is called (broker order written, not yet sent), the
 * process "dies" (its connection closes), the window is cut out of the stream by deleting the
 * appends the crash lost, and a new handler restores and trades the family to completion.
 */
import type { NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StackHandler } from '../../actors/stack/stack-handler.ts';
import { kvSimBrokerStore } from '../../src/broker/sim/kv-store.ts';
import { ConstantPriceSource } from '../../src/broker/sim/price-source.ts';
import { SimBroker } from '../../src/broker/sim/sim-broker.ts';
import { SimulatedClock } from '../../src/clock.ts';
import { startTestNats, type TestNats } from '../support/nats.ts';
import { drive, T0 } from './helpers.ts';

let nats: TestNats;
beforeAll(async () => {
  nats = await startTestNats();
});
afterAll(async () => {
  await nats?.stop();
});

const sim = (clock: SimulatedClock) =>
  new SimBroker({ clock, prices: new ConstantPriceSource(100), restingCheckMs: 0 });

type Level = 'instrument' | 'contract' | 'broker' | 'spawned-contract';

/**
 * Run a handler until the window opens, then kill it: from `lose` on, the appends of the first
 * order of that level never reach JetStream (the process died with them in its socket buffer);
 * the process dies once the other actors' appends of the step are durable.
 */
async function crashInWindow(prefix: string, lose: Level): Promise<void> {
  const nc = await nats.connect();
  const clock = new SimulatedClock(T0);
  const broker = sim(clock);
  const h = await StackHandler.open({ nc, broker, clock, prefix, config: { algoSizeLimit: 1 } });
  const io = await h.createInstrumentOrder({
    strategyName: 'ewmac',
    instrumentCode: 'SOFR',
    trade: 2,
    orderType: 'market',
  });
  const store = h.core.store;
  const append = store.appendOrder.bind(store);
  const loseFrom = (subj: string) => {
    store.appendOrder = (x, body, msgID, expectedSeq) =>
      x === subj ? new Promise<number>(() => undefined) : append(x, body, msgID, expectedSeq);
  };
  const until = async (ok: () => boolean) => {
    for (let i = 0; i < 400 && !ok(); i++) await new Promise((r) => setTimeout(r, 5));
    expect(ok()).toBe(true);
  };
  if (lose === 'instrument') {
    // The contract order is written; its parent's CHILDREN_SPAWNED is not.
    loseFrom(store.orderSubject('instrument', io.id));
    void h.spawnChildrenFromNewInstrumentOrders();
    await until(() => h.core.orders('contract').length === 1);
    await h.core.host.durable('contract', h.core.orders('contract')[0]!.id);
  } else if (lose === 'spawned-contract') {
    // The instrument order's CHILDREN_SPAWNED is written; its new contract order is not.
    loseFrom(store.orderSubject('contract', 1));
    void h.spawnChildrenFromNewInstrumentOrders();
    await until(() => h.core.orders('contract').length === 1);
    await h.core.host.durable('instrument', io.id);
  } else {
    await h.spawnChildrenFromNewInstrumentOrders();
    // The contract order's creation is durable (it waits for its first broker order's step
    // otherwise: a crash losing both is the `spawned-contract` window).
    await h.core.host.flush();
    const [co] = h.core.orders('contract');
    // The contract order's algo lock and broker child are lost, or the broker order's creation.
    loseFrom(lose === 'contract' ? store.orderSubject('contract', co!.id) : store.orderSubject('broker', 1));
    void h.createBrokerOrdersFromContractOrders();
    await until(() => h.core.orders('broker').length === 1);
    if (lose === 'contract') await h.core.host.durable('broker', 1);
    else await h.core.host.durable('contract', co!.id);
  }
  // The broker was never called: an order is sent only once every actor of the step is durable.
  expect((await broker.orders()).length).toBe(0);
  await nc.close();
}

async function restoreAndTrade(nc: NatsConnection, prefix: string) {
  const clock = new SimulatedClock(T0);
  const broker = sim(clock);
  const h = await StackHandler.open({ nc, broker, clock, prefix, config: { algoSizeLimit: 1 } });
  for (let i = 0; i < 20 && h.core.orders('instrument').some((o) => o.active); i++) await drive(h, broker, 1);
  return { h, broker };
}

async function expectFamilyTraded(h: StackHandler, broker: SimBroker, trade: number): Promise<void> {
  const [io] = h.core.orders('instrument');
  expect({ state: io?.state, fill: io?.fill }).toEqual({ state: 'completed', fill: trade });
  expect(h.core.orders('contract').map((c) => [c.state, c.fill])).toEqual([['completed', trade]]);
  // Nothing traded twice: the broker filled the trade, and no fill waits on an unknown child.
  expect((await broker.orders()).reduce((s, o) => s + o.filledQty, 0)).toBe(trade);
  const [co] = h.core.orders('contract');
  expect(h.core.contractActors.snapshot(co!).context.pendingFills).toEqual([]);
  expect(h.positions().strategy).toEqual([
    { strategyName: 'ewmac', instrumentCode: 'SOFR', position: trade },
  ]);
}

describe("restore across a crash between two actors' appends", () => {
  it('a contract order locked by a broker order whose own append was lost is released and trades', async () => {
    await crashInWindow('winlock', 'broker');
    const { h, broker } = await restoreAndTrade(await nats.connect(), 'winlock');
    await expectFamilyTraded(h, broker, 2);
    await h.close();
  });

  it('a broker order written before its contract order learnt of it is dropped, never traded', async () => {
    await crashInWindow('winorphan', 'contract');
    const { h, broker } = await restoreAndTrade(await nats.connect(), 'winorphan');
    await expectFamilyTraded(h, broker, 2);
    await h.close();
  });

  it('a contract order written before its instrument order learnt of it is attached, not spawned again', async () => {
    await crashInWindow('winspawn', 'instrument');
    const { h, broker } = await restoreAndTrade(await nats.connect(), 'winspawn');
    await expectFamilyTraded(h, broker, 2);
    await h.close();
  });

  it('a contract order its instrument order lists but that was never written is made again and trades', async () => {
    await crashInWindow('winlostchild', 'spawned-contract');
    const { h, broker } = await restoreAndTrade(await nats.connect(), 'winlostchild');
    await expectFamilyTraded(h, broker, 2);
    expect(h.core.orders('contract').map((c) => c.id)).toEqual([1]);
    await h.close();
  });
});

/**
 * The fill window: a fill record is written, then the fill travels up as three deferred appends
 * (broker FILL, contract CHILD_FILL, instrument CHILD_FILL), each on its own actor's pipeline. A
 * busy actor's append waits for the one in flight, so a kill -9 can keep the middle one only: the
 * contract order holds the fill, its broker order and instrument order do not.
 */
async function crashInFillWindow(nc: NatsConnection, prefix: string): Promise<void> {
  const clock = new SimulatedClock(T0);
  const store = await kvSimBrokerStore(nc, `${prefix.toUpperCase()}_SIMBROKER`);
  const broker = new SimBroker({ clock, prices: new ConstantPriceSource(100), restingCheckMs: 0, store });
  const h = await StackHandler.open({ nc, broker, clock, prefix, config: { algoSizeLimit: 1 } });
  const io = await h.createInstrumentOrder({
    strategyName: 'ewmac',
    instrumentCode: 'SOFR',
    trade: 2,
    orderType: 'market',
  });
  await h.spawnChildrenFromNewInstrumentOrders();
  const [co] = h.core.orders('contract');
  await h.core.host.flush();
  // From here the instrument order's appends are lost, and the broker order's after its creation.
  const s = h.core.store;
  const append = s.appendOrder.bind(s);
  const lost = new Set([s.orderSubject('instrument', io.id)]);
  s.appendOrder = (x, body, msgID, expectedSeq) =>
    lost.has(x) || (x === s.orderSubject('broker', 1) && !msgID.endsWith('.v1'))
      ? new Promise<number>(() => undefined)
      : append(x, body, msgID, expectedSeq);
  await h.createBrokerOrdersFromContractOrders();
  await broker.idle();
  await h.drained();
  await h.core.host.durable('contract', co!.id);
  expect(h.core.contractOrder(co!.id)?.fill).toBe(1);
  expect((await h.core.store.loadFills()).length).toBe(1);
  await nc.close();
}

describe('restore across a crash inside a fill travelling up', () => {
  it('an instrument order whose fill append was lost while its contract order kept it is filled and completes', async () => {
    const prefix = 'winfill';
    await crashInFillWindow(await nats.connect(), prefix);
    const nc = await nats.connect();
    const clock = new SimulatedClock(T0);
    const store = await kvSimBrokerStore(nc, `${prefix.toUpperCase()}_SIMBROKER`);
    const broker = new SimBroker({ clock, prices: new ConstantPriceSource(100), restingCheckMs: 0, store });
    const h = await StackHandler.open({ nc, broker, clock, prefix, config: { algoSizeLimit: 1 } });
    for (let i = 0; i < 20 && h.core.orders('instrument').some((o) => o.active); i++)
      await drive(h, broker, 1);
    await expectFamilyTraded(h, broker, 2);
    await h.close();
  });
});

describe('a queued request whose order was never written', () => {
  it('is not acked on redelivery for its unwritten order: the restored handler trades it once', async () => {
    const prefix = 'rwreq';
    const req = {
      strategyName: 'ewmac',
      instrumentCode: 'SOFR',
      trade: 2,
      orderType: 'market' as const,
      requestId: 'orderreq:rw-1',
    };
    const nc = await nats.connect();
    const h = await StackHandler.open({
      nc,
      broker: sim(new SimulatedClock(T0)),
      clock: new SimulatedClock(T0),
      prefix,
    });
    // nats-server restarts with the order's creation in the socket: no ack comes, the publisher
    // gives up and the order host stops.
    const store = h.core.store;
    store.appendOrder = () => Promise.reject(new Error('JetStream publish: no ack within 5000 ms'));
    await expect(h.createInstrumentOrder(req)).rejects.toThrow(/no ack/);
    // The request is delivered again (nak) before the process dies: its order, in memory only,
    // must not answer for it (the consumer acks on return, and a restore would find no order).
    await expect(h.createInstrumentOrder(req)).rejects.toThrow(/order host stopped/);
    await nc.close();

    // The next handler: the request, still queued, is delivered again and traded once.
    const nc2 = await nats.connect();
    const clock = new SimulatedClock(T0);
    const broker = sim(clock);
    const h2 = await StackHandler.open({ nc: nc2, broker, clock, prefix, config: { algoSizeLimit: 1 } });
    expect(h2.core.orders('instrument')).toEqual([]);
    await h2.createInstrumentOrder(req);
    for (let i = 0; i < 20 && h2.core.orders('instrument').some((o) => o.active); i++)
      await drive(h2, broker, 1);
    await expectFamilyTraded(h2, broker, 2);
    await h2.close();
    await nc2.close();
  });
});
