import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ensureOrderRequestStream,
  listOrderRequests,
  orderRequestStream,
  pendingOrderRequests,
} from '../../actors/stack/order-requests.ts';
import { readPositions } from '../../actors/stack/read-model.ts';
import type { InstrumentOrder } from '../../actors/stack/types.ts';
import { DurableStrategyStateSource, QueuedInstrumentOrderSink } from '../../actors/strategy-order-ports.ts';
import { AckPolicy, jetstream, jetstreamManager, RetentionPolicy } from '@nats-io/jetstream';
import { callService } from '../../src/bus/service.ts';
import { startTestNats, type TestNats } from '../support/nats.ts';
import { stackMethodsHarness } from '../support/stack-methods.ts';

const PREFIX = 'oreq';
let nats: TestNats;
beforeAll(async () => {
  nats = await startTestNats();
});
afterAll(async () => nats?.stop());

describe('instrument order requests queued for the stack handler', () => {
  it('waits while the stack handler is down, is traded when it runs, and positions stay readable after', async () => {
    const nc = await nats.connect();
    const sink = new QueuedInstrumentOrderSink(nc, PREFIX);
    const order = {
      strategy_name: 'ewmac',
      instrument_code: 'SOFR',
      trade: 2,
      reference_datetime: '2023-08-31T23:00:00Z',
    };
    expect(await sink.create(order)).toMatchObject({ queued: true });
    // The generator run again before the stack handler took it: nothing is queued twice.
    expect(await sink.create(order)).toMatchObject({ queued: false });
    // A malformed request (by hand on the subject) is dropped by the handler and changes nothing.
    await jetstream(nc).publish(`${PREFIX}.orderreq.ewmac.SOFR`, '{"strategy_name":"ewmac","trade":"lots"}');
    expect(await pendingOrderRequests(nc, PREFIX)).toBe(2);
    expect((await listOrderRequests(nc, PREFIX))[0]).toMatchObject({ instrument_code: 'SOFR', trade: 2 });

    const { clock, methods, ctx, pass } = stackMethodsHarness(nc, PREFIX, { price: 95.5 });
    await methods.check_external_position_break!(ctx('check_external_position_break'));
    for (let i = 0; i < 50 && (await pendingOrderRequests(nc, PREFIX)) > 0; i++) await sleep(50);
    expect(await pendingOrderRequests(nc, PREFIX)).toBe(0);
    // A strategy order is a 'best' order: passive first, aggressive when its timeout passes.
    for (let round = 0; round < 40; round++) {
      await pass({ passes: 1 });
      clock.advance(60_000);
    }
    const view = await callService<InstrumentOrder[]>(nc, `${PREFIX}.orders.view.instrument`, {});
    expect(view.map((o) => [o.strategyName, o.instrumentCode, o.trade, o.fill, o.state])).toEqual([
      ['ewmac', 'SOFR', 2, 2, 'completed'],
    ]);
    await methods.safe_stack_removal!(ctx('safe_stack_removal'));

    // With the stack handler stopped, the generator still reads positions from the fills.
    expect((await readPositions(nc, PREFIX)).strategy).toEqual([
      { strategyName: 'ewmac', instrumentCode: 'SOFR', position: 2 },
    ]);
    const state = await new DurableStrategyStateSource(nc, PREFIX).stackState();
    expect(state.positions).toEqual([{ strategy_name: 'ewmac', instrument_code: 'SOFR', position: 2 }]);
    expect(state.locked_instruments).toEqual([]);
  });
});

describe('the order request consumer', () => {
  it('lifts a max_deliver cap left by an older build, so a request is never dropped after redeliveries', async () => {
    const nc = await nats.connect();
    const prefix = 'oreqcap';
    const jsm = await jetstreamManager(nc);
    const name = orderRequestStream(prefix);
    await jsm.streams.add({ name, subjects: [`${prefix}.orderreq.>`], retention: RetentionPolicy.Workqueue });
    await jsm.consumers.add(name, {
      durable_name: 'stack_handler',
      ack_policy: AckPolicy.Explicit,
      max_deliver: 5,
    });
    expect(await ensureOrderRequestStream(nc, prefix)).toBe(name);
    const info = await jsm.consumers.info(name, 'stack_handler');
    expect(info.config.max_deliver).toBe(-1);
  });
});
