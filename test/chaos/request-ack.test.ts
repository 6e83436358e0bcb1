// A queued order request whose ack is lost (sent into a connection that a nats-server restart
// closed: the work queue keeps the request and delivers it again after its 5 s ack wait) makes no
// second order (issue 17 §3): the order keeps the request's id, the redelivery finds it by that id
// and is acked, and the queue empties. So the request acks need no retry of their own.
import { jetstream } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  consumeOrderRequests,
  ensureOrderRequestStream,
  pendingOrderRequests,
  requestInstrumentOrder,
} from '../../actors/stack/order-requests.ts';
import { silentLogger } from '../../actors/stack/ports.ts';
import { toNewInstrumentOrder } from '../../actors/stack/services.ts';
import { StackHandler } from '../../actors/stack/stack-handler.ts';
import { ConstantPriceSource } from '../../src/broker/sim/price-source.ts';
import { SimBroker } from '../../src/broker/sim/sim-broker.ts';
import { createInstrumentOrderBody } from '../../src/bus/schemas/orders.ts';
import { SimulatedClock } from '../../src/clock.ts';
import { startTestNats, type TestNats } from '../support/nats.ts';
import { T0 } from '../stack/helpers.ts';

let nats: TestNats;
beforeAll(async () => {
  nats = await startTestNats();
});
afterAll(async () => {
  await nats?.stop();
});

describe('an order request whose ack was lost', () => {
  it('is delivered again, finds its order by its request id and is acked: one order', async () => {
    const prefix = 'lostack';
    const nc = await nats.connect();
    const clock = new SimulatedClock(T0);
    const broker = new SimBroker({ clock, prices: new ConstantPriceSource(100), restingCheckMs: 0 });
    const h = await StackHandler.open({ nc, broker, clock, prefix });
    const stream = await ensureOrderRequestStream(nc, prefix);
    const req = { strategy_name: 'ewmac', instrument_code: 'SOFR', trade: 2 };
    await requestInstrumentOrder(nc, prefix, req, 'ack-1');

    // The handler takes the request and puts its order on the stack; its ack never arrives.
    const consumer = await jetstream(nc).consumers.get(stream, 'stack_handler');
    for await (const m of await consumer.fetch({ max_messages: 1, expires: 2000 })) {
      const body = createInstrumentOrderBody.parse(m.json());
      await h.createInstrumentOrder({
        ...toNewInstrumentOrder(body, false),
        requestId: m.headers?.get('Nats-Msg-Id') ?? '',
      });
    }
    expect(h.core.orders('instrument').map((o) => [o.requestId, o.trade])).toEqual([['orderreq:ack-1', 2]]);
    expect(await pendingOrderRequests(nc, prefix)).toBe(1);

    // The consumer meets the request again once its ack wait has passed.
    const requests = await consumeOrderRequests(nc, prefix, h, silentLogger);
    try {
      while ((await pendingOrderRequests(nc, prefix)) > 0) await new Promise((r) => setTimeout(r, 100));
    } finally {
      await requests.stop();
    }
    expect(h.core.orders('instrument').map((o) => [o.requestId, o.trade])).toEqual([['orderreq:ack-1', 2]]);
    await h.close();
    await nc.close();
  }, 60_000);
});
