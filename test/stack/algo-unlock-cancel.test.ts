/**
 * algo.unlock while the holding broker order's cancel is in flight (issue 10): the contract order
 * keeps its algo lock (`releasing`) until the broker confirms the cancel or the order fills, so no
 * second broker order is placed while the first could still fill. The simulated broker here takes
 * cancel requests and confirms them only when the test says so.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { algoOf } from '../../actors/stack/algo-actors.ts';
import { removeAlgoLock } from '../../actors/stack/manual.ts';
import { StackHandler } from '../../actors/stack/stack-handler.ts';
import { ConstantPriceSource } from '../../src/broker/sim/price-source.ts';
import { SimBroker, type SimBrokerConfig } from '../../src/broker/sim/sim-broker.ts';
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

/** The simulated broker with cancels held: the order stays live at the broker until `confirmCancels`. */
class SlowCancelBroker extends SimBroker {
  private cancelsHeld: string[] = [];
  override cancelOrder(orderRef: string): Promise<void> {
    this.cancelsHeld.push(orderRef);
    return Promise.resolve();
  }
  get pendingCancels(): number {
    return this.cancelsHeld.length;
  }
  async confirmCancels(): Promise<void> {
    const refs = this.cancelsHeld;
    this.cancelsHeld = [];
    for (const ref of refs) await super.cancelOrder(ref);
  }
}

async function openStack(prefix: string, broker: Partial<SimBrokerConfig> = {}) {
  const nc = await nats.connect();
  const clock = new SimulatedClock(T0);
  const sim = new SlowCancelBroker({
    clock,
    prices: new ConstantPriceSource(100),
    restingCheckMs: 0,
    ...broker,
  });
  const config = { passiveTimeoutMs: 300_000, totalTimeoutMs: 600_000, algoSizeLimit: 5 };
  const handler = await StackHandler.open({ nc, broker: sim, clock, prefix, config });
  await handler.createInstrumentOrder({ strategyName: 's', instrumentCode: 'SOFR', trade: 2 });
  await drive(handler, sim, 2); // a best algo's passive limit at the bid: resting, unfilled
  const [bo] = handler.core.orders('broker');
  expect(algoOf(handler.core, bo!.id)?.state).toBe('passive');
  return { handler, broker: sim, bo: bo!, coId: bo!.parent! };
}

describe('algo.unlock with the cancel of the old broker order in flight', () => {
  it('no second broker order until the cancel is confirmed; then the remainder is sent once', async () => {
    const { handler, broker, bo, coId } = await openStack('unlockslow');
    const co = await removeAlgoLock(handler.core, coId);
    await handler.settled();
    expect(broker.pendingCancels).toBe(1);
    expect(co).toMatchObject({ state: 'releasing', referenceOfControllingAlgo: `best:${bo.id}` });
    expect(handler.core.brokerOrder(bo.id)).toMatchObject({ brokerStatus: 'cancel-requested', fill: 0 });
    expect(algoOf(handler.core, bo.id)?.state).toBe('cancelling');
    // The loop runs (create_broker_orders_from_contract_orders included): nothing new is placed.
    await drive(handler, broker, 3);
    expect(handler.core.orders('broker').map((b) => b.id)).toEqual([bo.id]);
    expect((await broker.orders()).map((o) => o.orderRef)).toEqual([bo.orderRef]);
    expect(handler.core.counters.broker_orders_sent).toBe(1);
    expect(handler.core.contractOrder(coId)?.state).toBe('releasing');
    // The broker confirms the cancel: the lock goes (a machine transition), the remainder is re-sent.
    await broker.confirmCancels();
    await broker.idle();
    await handler.settled();
    expect(handler.core.brokerOrder(bo.id)).toMatchObject({ brokerStatus: 'cancelled', fill: 0 });
    expect(handler.core.contractOrder(coId)).toMatchObject({ referenceOfControllingAlgo: undefined });
    expect(algoOf(handler.core, bo.id)).toMatchObject({ state: 'done', context: { outcome: 'stopped' } });
    await drive(handler, broker, 2);
    const sent = handler.core.orders('broker');
    expect(sent.map((b) => [b.id === bo.id, b.trade, b.brokerStatus])).toEqual([
      [true, 2, 'cancelled'],
      [false, 2, 'submitted'],
    ]);
    expect(handler.core.counters.broker_orders_sent).toBe(2);
    await handler.close();
  });

  it('the old order fills instead of cancelling (the fill wins the race): the family completes, nothing else is sent', async () => {
    const { handler, broker, bo, coId } = await openStack('unlockrace', { cancelRaceProbability: 1 });
    await removeAlgoLock(handler.core, coId);
    await drive(handler, broker, 3);
    expect(handler.core.contractOrder(coId)?.state).toBe('releasing');
    await broker.confirmCancels(); // the broker filled the order before the cancel reached it
    await broker.idle();
    await handler.settled();
    await drive(handler, broker, 2);
    expect(handler.core.orders('broker').map((b) => [b.id, b.fill, b.brokerStatus])).toEqual([
      [bo.id, 2, 'filled'],
    ]);
    expect(handler.core.contractOrder(coId)).toMatchObject({ state: 'completed', fill: 2 });
    expect(handler.positions().strategy).toEqual([
      { strategyName: 's', instrumentCode: 'SOFR', position: 2 },
    ]);
    expect(handler.core.counters.broker_orders_sent).toBe(1);
    await handler.close();
  });
});
