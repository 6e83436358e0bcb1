import { DiscardPolicy, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrokerEvent, BrokerFill } from '../../src/broker/port.ts';
import { kvSimBrokerStore } from '../../src/broker/sim/kv-store.ts';
import { SimBroker, type SimBrokerConfig } from '../../src/broker/sim/sim-broker.ts';
import type { SimBrokerStore } from '../../src/broker/sim/state.ts';
import { SimulatedClock } from '../../src/clock.ts';
import { startTestNats, type TestNats } from '../support/nats.ts';

/**
 * The simulated broker on its JetStream KV store when a fill's save fails (issue 17 §3: in the
 * 10,000-order chaos run the KV put of 136 fills failed while nats-server was killed; the sim still
 * listed those fills from memory, the stack applied them, and the broker restored after the stack
 * handler's kill -9 found the orders unfilled and filled them again: "broker order overfilled").
 * The store is made to refuse writes as a full one does (`discard: new`, `max_bytes` = its size).
 */
const OPEN = Date.UTC(2023, 8, 5, 1);
const leg = (qty: number) => ({ instrumentCode: 'GOLD', contractDate: '20231000', qty });
const fillsOf = (events: BrokerEvent[]): BrokerFill[] =>
  events.flatMap((e) => (e.type === 'fill' ? [e.fill] : []));

let nats: TestNats;
let nc: NatsConnection;
beforeAll(async () => {
  nats = await startTestNats();
  nc = await nats.connect();
}, 60_000);
afterAll(async () => nats?.stop());

/** Refuse every new write to the stream (as a full store does); resolves with what frees it. */
async function fillStore(stream: string): Promise<() => Promise<void>> {
  const jsm = await jetstreamManager(nc);
  const info = await jsm.streams.info(stream);
  await jsm.streams.update(stream, {
    ...info.config,
    discard: DiscardPolicy.New,
    max_bytes: Math.max(1, info.state.bytes),
  });
  return async () => {
    await jsm.streams.update(stream, info.config);
  };
}

async function openBroker(bucket: string, clock: SimulatedClock) {
  const cfg: SimBrokerConfig = {
    clock,
    restingCheckMs: 0,
    store: await kvSimBrokerStore(nc, bucket),
    // closed until OPEN: an order placed before rests, its fill comes at the next look after
    tradingHours: () => ({ sessions: [{ open: OPEN, close: OPEN + 86_400_000 }] }),
  };
  const broker = new SimBroker(cfg);
  const events: BrokerEvent[] = [];
  broker.onEvent((e) => events.push(e));
  await broker.connect();
  return { broker, events };
}

describe('SimBroker on its KV store: a fill whose save failed', () => {
  it('is not reported; a broker restored from the store fills the order once', async () => {
    const bucket = 'T1_SIMBROKER';
    const clock = new SimulatedClock(OPEN - 60_000);
    const a = await openBroker(bucket, clock);
    await a.broker.placeOrder({ orderRef: 'systack:6047', legs: [leg(-1)], orderType: 'market' });
    await a.broker.idle();
    const free = await fillStore(`KV_${bucket}`);
    clock.set(OPEN + 1_000);
    a.broker.evaluateResting();
    await a.broker.idle();
    // The save was refused: no fill in events, fills(), orders() or positions.
    expect(fillsOf(a.events)).toEqual([]);
    expect(await a.broker.fills(0)).toEqual([]);
    expect(await a.broker.positions()).toEqual([]);
    expect((await a.broker.orders()).map((o) => [o.orderRef, o.filledQty, o.remainingQty])).toEqual([
      ['systack:6047', 0, 1],
    ]);
    // The host is killed (a is abandoned); the store takes writes again; a new broker restores.
    await free();
    const b = await openBroker(bucket, clock);
    await b.broker.idle();
    const fills = await b.broker.fills(0);
    expect(fills.map((f) => [f.orderRef, f.qty])).toEqual([['systack:6047', -1]]);
    expect(fillsOf(b.events).map((f) => f.execId)).toEqual(fills.map((f) => f.execId));
    expect(await b.broker.positions()).toEqual([
      { instrumentCode: 'GOLD', contractDate: '20231000', position: -1 },
    ]);
  }, 60_000);

  it('stays pending and is filled, once, when the store takes writes again', async () => {
    const bucket = 'T2_SIMBROKER';
    const clock = new SimulatedClock(OPEN - 60_000);
    const a = await openBroker(bucket, clock);
    await a.broker.placeOrder({ orderRef: 'systack:6048', legs: [leg(2)], orderType: 'market' });
    await a.broker.idle();
    const free = await fillStore(`KV_${bucket}`);
    clock.set(OPEN + 1_000);
    a.broker.evaluateResting();
    await a.broker.idle();
    expect(await a.broker.fills(0)).toEqual([]);
    await free();
    a.broker.evaluateResting();
    await a.broker.idle();
    const fills = await a.broker.fills(0);
    expect(fills.reduce((s, f) => s + f.qty, 0)).toBe(2);
    expect(fillsOf(a.events).map((f) => f.execId)).toEqual(fills.map((f) => f.execId));
    // What the store holds is what was reported: a restored broker finds the same fills, no more.
    const b = await openBroker(bucket, clock);
    b.broker.evaluateResting();
    await b.broker.idle();
    expect((await b.broker.fills(0)).map((f) => f.execId)).toEqual(fills.map((f) => f.execId));
    expect(fillsOf(b.events)).toEqual([]);
  }, 60_000);

  it('a cancel whose save failed changes nothing: the order stays open, in memory as in the store', async () => {
    const bucket = 'T3_SIMBROKER';
    const clock = new SimulatedClock(OPEN - 60_000);
    // The KV store, with its order saves refused while `refusing` (a store that cannot take a
    // write: the record made smaller by the cancel would still fit a full stream).
    const kv = await kvSimBrokerStore(nc, bucket);
    let refusing = false;
    const store: SimBrokerStore = {
      ...kv,
      saveOrder: async (o) => {
        if (refusing) throw new Error('store refused the write');
        await kv.saveOrder(o);
      },
    };
    const a = new SimBroker({
      clock,
      restingCheckMs: 0,
      store,
      tradingHours: () => ({ sessions: [{ open: OPEN, close: OPEN + 86_400_000 }] }),
    });
    await a.connect();
    await a.placeOrder({ orderRef: 'systack:6049', legs: [leg(1)], orderType: 'market' });
    await a.idle();
    refusing = true;
    await expect(a.cancelOrder('systack:6049')).rejects.toThrow('store refused the write');
    await a.idle();
    expect((await a.orders()).map((o) => [o.orderRef, o.status])).toEqual([['systack:6049', 'acknowledged']]);
    // Once the store takes writes, the cancel asked again lands in memory and in the store.
    refusing = false;
    await a.cancelOrder('systack:6049');
    await a.idle();
    expect((await a.orders()).map((o) => [o.orderRef, o.status])).toEqual([['systack:6049', 'cancelled']]);
    const b = await openBroker(bucket, clock);
    clock.set(OPEN + 1_000);
    b.broker.evaluateResting();
    await b.broker.idle();
    expect((await b.broker.orders()).map((o) => [o.orderRef, o.status])).toEqual([
      ['systack:6049', 'cancelled'],
    ]);
    expect(await b.broker.fills(0)).toEqual([]);
  }, 60_000);
});
