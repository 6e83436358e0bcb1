import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { algoOf } from '../../actors/stack/algo-actors.ts';
import { StackHandler } from '../../actors/stack/stack-handler.ts';
import { startTestNats, type TestNats } from '../support/nats.ts';
import { drive, makeStack } from './helpers.ts';

let nats: TestNats;
beforeAll(async () => {
  nats = await startTestNats();
});
afterAll(async () => {
  await nats?.stop();
});

describe('algo deadlines (E2) survive a restart', () => {
  it('a restored passive order is cancelled at its total time-out and the remainder re-sent', async () => {
    const nc = await nats.connect();
    const config = { passiveTimeoutMs: 36_000_000, totalTimeoutMs: 600_000, algoSizeLimit: 5 };
    const { handler, broker, clock } = await makeStack(nc, 'deadline', { config });
    const io = await handler.createInstrumentOrder({ strategyName: 's', instrumentCode: 'SOFR', trade: 2 });
    await drive(handler, broker, 2);
    const [first] = handler.core.orders('broker');
    // The algo is an actor of the best-execution machine: passive, its deadlines in its context.
    expect(algoOf(handler.core, first!.id)).toMatchObject({
      state: 'passive',
      context: { totalDeadline: first!.submitDatetime! + 600_000 },
    });
    await handler.close();

    // A new host restores the order; its deadline is a timestamp in the record, re-armed by ticks.
    const restored = await StackHandler.open({ nc, broker, clock, prefix: 'deadline', config });
    clock.advance(599_000);
    await restored.tick();
    expect(restored.core.brokerOrder(first!.id)?.brokerStatus).toBe('submitted');
    // Restored from its journalled snapshot: still passive, the same deadline.
    expect(algoOf(restored.core, first!.id)).toMatchObject({
      state: 'passive',
      context: { totalDeadline: first!.submitDatetime! + 600_000 },
    });
    clock.advance(2_000);
    await restored.tick();
    await broker.idle();
    await restored.settled();
    const after = restored.core.brokerOrder(first!.id)!;
    expect(after.brokerStatus).toBe('cancelled');
    expect(after.state).toBe('cancelled');
    expect(restored.core.contractOrder(after.parent!)?.referenceOfControllingAlgo).toBeUndefined();
    expect(algoOf(restored.core, first!.id)).toMatchObject({
      state: 'done',
      context: { outcome: 'timeout' },
    });
    // The next pass sends the unfilled remainder as a new broker order.
    const sent = await restored.createBrokerOrdersFromContractOrders();
    expect(sent.length).toBe(1);
    expect(restored.core.brokerOrder(sent[0]!)?.trade).toBe(2);
    expect(restored.core.instrumentOrder(io.id)?.fill).toBe(0);
    await restored.close();
  });
});
