import { algoOf } from '../../actors/stack/algo-actors.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConstantPriceSource } from '../../src/broker/sim/price-source.ts';
import { startTestNats, type TestNats } from '../support/nats.ts';
import { drive, makeStack } from './helpers.ts';

let nats: TestNats;
beforeAll(async () => {
  nats = await startTestNats();
});
afterAll(async () => {
  await nats?.stop();
});

describe('many orders at once', () => {
  it('works orders for many instruments and strategies together; a slow algo blocks nobody', async () => {
    const { handler, broker, clock } = await makeStack(await nats.connect(), 'many', {
      broker: { latencyMs: 2, partialFillProbability: 0.3, seed: 5, prices: new ConstantPriceSource(100) },
      config: { algoSizeLimit: 2 },
    });
    const slow = await handler.createInstrumentOrder({
      strategyName: 'slow',
      instrumentCode: 'SLOW',
      trade: 2,
      orderType: 'best',
    });
    const ids: number[] = [];
    for (let i = 0; i < 30; i++) {
      for (const s of ['ewmac', 'carry', 'breakout']) {
        const o = await handler.createInstrumentOrder({
          strategyName: s,
          instrumentCode: `I${i}`,
          trade: (i % 2 ? -1 : 1) * (1 + (i % 4)),
          orderType: 'market',
        });
        ids.push(o.id);
      }
    }
    await drive(handler, broker, 6);
    const done = ids.filter((id) => handler.core.instrumentOrder(id)?.state === 'completed');
    expect(done.length).toBe(90);
    // The slow one rests passively at the bid, holding its contract order's algo lock only.
    expect(handler.core.instrumentOrder(slow.id)?.fill).toBe(0);
    const [slowBroker] = handler.core.orders('broker').filter((b) => b.instrumentCode === 'SLOW');
    expect(algoOf(handler.core, slowBroker!.id)?.state).toBe('passive');
    // CLOCK_TICK past the passive time-out: the algo turns aggressive at the ask and fills.
    clock.advance(301_000);
    await handler.tick();
    await drive(handler, broker, 3);
    expect(algoOf(handler.core, slowBroker!.id)?.context.aggressiveReason).toBe('passive time out or close');
    expect(handler.core.instrumentOrder(slow.id)?.state).toBe('completed');
    const total = new Map<string, number>();
    for (const o of handler.core.orders('instrument'))
      total.set(o.instrumentCode, (total.get(o.instrumentCode) ?? 0) + o.trade);
    for (const p of handler.positions().contract) expect(p.position).toBe(total.get(p.instrumentCode));
    await handler.close();
  });
});
