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

type Level = 'instrument' | 'contract' | 'broker';

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
  } else {
    await h.spawnChildrenFromNewInstrumentOrders();
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
});
