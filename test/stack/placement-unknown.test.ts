/**
 * A placement that fails with an unknown outcome (the sim's own save failed: it throws as a real
 * broker's lost answer would) is not a rejection: the broker order stays live, its contract order
 * keeps its algo lock, and the next passes look for it at the broker by orderRef. Both outcomes:
 * the broker kept the order (it fills and the fill matches it) or it did not (after the window the
 * contract order trades again, once).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../actors/stack/ports.ts';
import { StackHandler } from '../../actors/stack/stack-handler.ts';
import type { FillRecord } from '../../actors/stack/types.ts';
import type { PlaceOrderRequest, PlacedOrder } from '../../src/broker/port.ts';
import { ConstantPriceSource } from '../../src/broker/sim/price-source.ts';
import { SimBroker } from '../../src/broker/sim/sim-broker.ts';
import { MemorySimBrokerStore, type SimOrderRecord } from '../../src/broker/sim/state.ts';
import { SimulatedClock } from '../../src/clock.ts';
import { startTestNats, type TestNats } from '../support/nats.ts';
import { drive, makeStack, T0 } from './helpers.ts';

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
    // The first is given up (kept on the stack, rejected, watched by orderRef); one other trades.
    const bos = handler.core.orders('broker');
    expect(bos.find((b) => b.id === first!.id)).toMatchObject({
      brokerStatus: 'rejected',
      fill: 0,
      givenUpAt: clock.now(),
    });
    const traded = bos.filter((b) => b.id !== first!.id);
    expect(traded).toHaveLength(1);
    expect(traded[0]).toMatchObject({ fill: 1, trade: 1 });
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

  it('one that reaches the broker after the window: cancelled by orderRef before the give-up, never trades', async () => {
    const { handler, broker, nc } = await openLate('unk-late-cancel', false);
    await handler.createInstrumentOrder({ strategyName: 's', instrumentCode: 'SOFR', trade: 1 });
    await drive(handler, broker, 4);
    const [first] = handler.core.orders('broker');
    broker.clock.advance(WINDOW);
    await drive(handler, broker, 6);
    // The cancel by orderRef went out before the give-up; the order reaches the broker cancelled.
    expect(broker.cancels).toEqual([first!.orderRef]);
    await broker.arrive();
    await drive(handler, broker, 4);
    const live = await broker.orders();
    expect(live.map((o) => [o.orderRef === first!.orderRef, o.filledQty])).toEqual([[false, 1]]);
    expect(handler.core.orders('broker').map((b) => [b.id === first!.id, b.brokerStatus, b.fill])).toEqual([
      [true, 'rejected', 0],
      [false, 'filled', 1],
    ]);
    expect(handler.positions().strategy.map((r) => r.position)).toEqual([1]);
    expect((await broker.positions()).map((r) => r.position)).toEqual([1]);
    await handler.close();
    await nc.close();
  }, 60_000);

  it('one whose cancel is lost and that then fills: its fill lands on it, an alert, positions = fills = broker', async () => {
    const { handler, broker, nc, criticals } = await openLate('unk-late-fill', true);
    const io = await handler.createInstrumentOrder({ strategyName: 's', instrumentCode: 'SOFR', trade: 1 });
    await drive(handler, broker, 4);
    const [first] = handler.core.orders('broker');
    broker.clock.advance(WINDOW);
    await drive(handler, broker, 6);
    expect(handler.core.instrumentOrder(io.id)).toMatchObject({ fill: 1 });
    // The given-up order shows up at the broker and fills before anything can stop it.
    await broker.arrive();
    await drive(handler, broker, 4);
    expect(broker.cancels).toEqual([first!.orderRef, first!.orderRef]); // before the give-up, at arrival
    expect(criticals).toContain('a broker order given up as never placed reached the broker: cancelled');
    expect(handler.core.counters.unmatched_fills).toBe(0);
    const fills = (await handler.core.store.loadFills<FillRecord>()).map((e) => e.data);
    expect(fills.map((f) => f.brokerOrderId).sort()).toEqual(
      handler.core
        .orders('broker')
        .map((b) => b.id)
        .sort(),
    );
    expect(handler.core.brokerOrder(first!.id)).toMatchObject({ brokerStatus: 'rejected', fill: 1 });
    const coId = first!.parent!;
    // The family had completed: its contract and instrument orders hold the late fill as overfill.
    expect(handler.core.contractOrder(coId)).toMatchObject({ state: 'completed', fill: 1, overfill: 1 });
    expect(handler.core.instrumentOrder(io.id)).toMatchObject({ state: 'completed', fill: 1, overfill: 1 });
    expect(criticals.some((m) => m.startsWith('fill after its family completed'))).toBe(true);
    // Positions follow the fills: Σ fills = 2 = the broker's position.
    expect(handler.positions().strategy.map((r) => r.position)).toEqual([2]);
    expect(handler.positions().contract.map((r) => r.position)).toEqual([2]);
    expect((await broker.positions()).map((r) => r.position)).toEqual([2]);
    await handler.close();
    await nc.close();
  }, 60_000);
});

/**
 * The simulated broker taking its first order without answering (the placement times out) and
 * holding it back until `arrive()`: a real broker whose order entry was slow. A cancel by orderRef
 * before then reaches it (it then never trades) or, with `loseCancel`, is lost.
 */
class LateBroker extends SimBroker {
  private waiting: PlaceOrderRequest | undefined;
  private first = true;
  private waitingCancelled = false;
  readonly cancels: string[] = [];
  constructor(
    readonly clock: SimulatedClock,
    private readonly loseCancel: boolean,
  ) {
    super({ clock, prices: new ConstantPriceSource(100), restingCheckMs: 0 });
  }
  override async placeOrder(req: PlaceOrderRequest): Promise<PlacedOrder> {
    if (!this.first) return super.placeOrder(req);
    this.first = false;
    this.waiting = req;
    throw new Error('placement timed out');
  }
  override async cancelOrder(orderRef: string): Promise<void> {
    this.cancels.push(orderRef);
    if (this.waiting?.orderRef !== orderRef) return super.cancelOrder(orderRef);
    if (this.loseCancel) throw new Error('cancel lost');
    this.waitingCancelled = true;
  }
  async arrive(): Promise<void> {
    const req = this.waiting;
    this.waiting = undefined;
    if (req && !this.waitingCancelled) await super.placeOrder(req);
    await this.idle();
  }
}

async function openLate(prefix: string, loseCancel: boolean) {
  const nc = await nats.connect();
  const clock = new SimulatedClock(T0);
  const broker = new LateBroker(clock, loseCancel);
  const criticals: string[] = [];
  const log = { ...silentLogger, critical: (_: object, msg: string) => void criticals.push(msg) };
  const config = { algoOverrides: { SOFR: 'market' as const }, placementConfirmMs: WINDOW };
  const handler = await StackHandler.open({ nc, broker, clock, prefix, config, log });
  return { handler, broker, nc, criticals };
}
