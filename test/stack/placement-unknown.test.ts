/**
 * A placement that fails with an unknown outcome (the sim's own save failed: it throws as a real
 * broker's lost answer would) is not a rejection: the broker order stays live, its contract order
 * keeps its algo lock, and the next passes look for it at the broker by orderRef. Both outcomes:
 * the broker kept the order (it fills and the fill matches it) or it did not (after the window the
 * contract order trades again, once).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StackHandler } from '../../actors/stack/stack-handler.ts';
import { MemorySimBrokerStore, type SimOrderRecord } from '../../src/broker/sim/state.ts';
import { startTestNats, type TestNats } from '../support/nats.ts';
import { drive, makeStack } from './helpers.ts';

let nats: TestNats;
beforeAll(async () => {
  nats = await startTestNats();
});
afterAll(async () => {
  await nats?.stop();
});

/** The sim's store with its next `failures` order saves timing out. */
class FlakyStore extends MemorySimBrokerStore {
  constructor(private failures: number) {
    super();
  }
  override async saveOrder(order: SimOrderRecord): Promise<void> {
    if (this.failures > 0) {
      this.failures--;
      throw new Error('KV put timed out');
    }
    return super.saveOrder(order);
  }
  get failuresLeft(): number {
    return this.failures;
  }
}

const WINDOW = 10_000;

async function open(prefix: string, onSaveFailure: 'keep' | 'drop') {
  const store = new FlakyStore(1);
  const nc = await nats.connect();
  const s = await makeStack(nc, prefix, {
    broker: { store, onSaveFailure, saveRetryMs: 1 },
    config: { algoOverrides: { SOFR: 'market' }, placementConfirmMs: WINDOW },
  });
  await s.broker.connect();
  return { ...s, store, nc };
}

describe('placement with an unknown outcome', () => {
  it('the broker kept the order: no second broker order, its fill matches, positions = fills = broker', async () => {
    const { handler, broker, store, nc } = await open('unk-keep', 'keep');
    await handler.createInstrumentOrder({ strategyName: 's', instrumentCode: 'SOFR', trade: 1 });
    await drive(handler, broker, 6);
    const bos = handler.core.orders('broker');
    expect(bos).toHaveLength(1);
    expect(bos[0]).toMatchObject({ fill: 1, trade: 1 });
    expect(handler.core.counters.unmatched_fills).toBe(0);
    expect(await broker.orders()).toHaveLength(1);
    expect(store.failuresLeft).toBe(0); // the placement's save did fail
    expect(await store.loadOrders()).toHaveLength(1); // the retried save landed
    expect(handler.positions().contract.map((r) => r.position)).toEqual([1]);
    expect((await broker.positions()).map((r) => r.position)).toEqual([1]);
    await handler.close();
    await nc.close();
  }, 60_000);

  it('the broker did not keep it: locked within the window, then traded again with exactly one live broker order', async () => {
    const { handler, broker, clock, nc } = await open('unk-drop', 'drop');
    await handler.createInstrumentOrder({ strategyName: 's', instrumentCode: 'SOFR', trade: 1 });
    await drive(handler, broker, 4);
    const [first] = handler.core.orders('broker');
    expect(first).toMatchObject({ brokerStatus: 'pending-submit', fill: 0, unconfirmedSince: clock.now() });
    expect(handler.core.contractOrder(first!.parent!)?.referenceOfControllingAlgo).toBeDefined();
    expect(await broker.orders()).toHaveLength(0);
    expect(handler.core.orders('broker')).toHaveLength(1); // no second order within the window
    clock.advance(WINDOW);
    await drive(handler, broker, 6);
    const bos = handler.core.orders('broker');
    expect(bos.map((b) => b.id)).not.toContain(first!.id);
    expect(bos).toHaveLength(1);
    expect(bos[0]).toMatchObject({ fill: 1, trade: 1 });
    expect(await broker.orders()).toHaveLength(1);
    expect(handler.core.counters.unmatched_fills).toBe(0);
    expect(handler.positions().contract.map((r) => r.position)).toEqual([1]);
    expect((await broker.positions()).map((r) => r.position)).toEqual([1]);
    await handler.close();
    await nc.close();
  }, 60_000);

  it('a restart while a placement is unknown: re-sent by orderRef, one broker order, its fill matched', async () => {
    const { handler, broker, clock, nc } = await open('unk-restart', 'keep');
    await handler.createInstrumentOrder({ strategyName: 's', instrumentCode: 'SOFR', trade: 1 });
    await handler.runLoopPass();
    await handler.settled();
    await handler.close();
    await broker.idle(); // the broker saves, acknowledges and fills it while no handler listens
    const config = { algoOverrides: { SOFR: 'market' as const }, placementConfirmMs: WINDOW };
    const again = await StackHandler.open({ nc, broker, clock, prefix: 'unk-restart', config });
    await drive(again, broker, 4);
    const bos = again.core.orders('broker');
    expect(bos).toHaveLength(1);
    expect(bos[0]).toMatchObject({ fill: 1, trade: 1 });
    expect(await broker.orders()).toHaveLength(1);
    expect(again.core.counters.unmatched_fills).toBe(0);
    expect(again.positions().contract.map((r) => r.position)).toEqual([1]);
    expect((await broker.positions()).map((r) => r.position)).toEqual([1]);
    await again.close();
    await nc.close();
  }, 60_000);
});
