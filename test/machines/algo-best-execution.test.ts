import { describe, expect, it } from 'vitest';
import {
  type BestExecutionAlgoEvent,
  type BestExecutionAlgoInput,
  bestExecutionAlgoMachine as m,
} from '../../machines/algo-best-execution.ts';
import { start, stepAll } from '../../machines/step.ts';
import type { PriceSnapshot } from '../../src/domain/orders/index.ts';
import { fill, T0 } from './support/fixtures.ts';
import { checkModel } from './support/model.ts';

const REF = 'C1-best/1';
const input: BestExecutionAlgoInput = {
  algoId: 'C1-best',
  contractOrderId: 'C1',
  orderType: 'best',
  trade: [3],
  tickSize: 0.005,
  closeAt: T0 + 5 * 3_600_000,
  now: T0,
};
const snap = (bid: number, ask: number, bidSize = 50, askSize = 40, at = T0): BestExecutionAlgoEvent => ({
  type: 'PRICE_SNAPSHOT',
  snapshot: { bid, ask, bidSize, askSize, at } satisfies PriceSnapshot,
});
const tick = (ms: number): BestExecutionAlgoEvent => ({ type: 'CLOCK_TICK', now: T0 + ms });
const bf = (id: string, q: number, p = 95.5): BestExecutionAlgoEvent => ({
  type: 'BROKER_FILL',
  orderRef: REF,
  fill: fill(id, [q], p),
});
const run = (events: BestExecutionAlgoEvent[], inp: BestExecutionAlgoInput = input) =>
  stepAll(m, start(m, inp).snapshot, events);
const types = (r: { emitted: Array<{ type: string }> }) => r.emitted.map((e) => e.type);

describe('best-execution algo (digest §2 E2)', () => {
  it('cuts to one lot and rests a passive limit at the offside price (the bid when buying)', () => {
    const r = run([snap(95.5, 95.505)]);
    expect(r.snapshot.value).toBe('passive');
    expect(r.emitted).toEqual([
      {
        type: 'placeBrokerOrder',
        algoId: 'C1-best',
        contractOrderId: 'C1',
        orderRef: REF,
        trade: [1],
        orderType: 'limit',
        limitPrice: 95.5,
        snapshot: { bid: 95.5, ask: 95.505, bidSize: 50, askSize: 40, at: T0 },
      },
    ]);
    const sell = run([snap(95.5, 95.505)], { ...input, trade: [-2] });
    expect(sell.emitted[0]).toMatchObject({ trade: [-1], limitPrice: 95.505 });
  });

  it('order-book imbalance says market: imbalance 200 > 5 and side size 2 < 3·1', () => {
    const r = run([snap(95.5, 95.505, 400, 2)]);
    expect(r.snapshot.value).toBe('aggressive');
    expect(r.emitted[0]).toMatchObject({ type: 'placeBrokerOrder', orderType: 'market', limitPrice: null });
    expect(r.snapshot.context.aggressiveReason).toBe('limit not viable');
  });

  it('less than 0.5 h to the close: market order', () => {
    const r = run([snap(95.5, 95.505)], { ...input, closeAt: T0 + 29 * 60_000 });
    expect(r.emitted[0]).toMatchObject({ orderType: 'market' });
    const ok = run([snap(95.5, 95.505)], { ...input, closeAt: T0 + 31 * 60_000 });
    expect(ok.emitted[0]).toMatchObject({ orderType: 'limit' });
  });

  it('passive turns aggressive after 300 s and moves the limit to the side price', () => {
    const r = run([snap(95.5, 95.505), tick(299_999), tick(300_000)]);
    expect(r.snapshot.value).toBe('aggressive');
    expect(r.emitted.slice(1)).toEqual([
      { type: 'modifyBrokerOrder', algoId: 'C1-best', orderRef: REF, limitPrice: 95.505 },
    ]);
  });

  it('passive turns aggressive on an adverse price move (buying and the bid rose)', () => {
    const r = run([snap(95.5, 95.505), snap(95.5, 95.51), snap(95.505, 95.51)]);
    expect(r.snapshot.value).toBe('aggressive');
    expect(r.snapshot.context.aggressiveReason).toBe('adverse price or size');
    expect(r.emitted.at(-1)).toMatchObject({ type: 'modifyBrokerOrder', limitPrice: 95.51 });
  });

  it('passive turns aggressive on an adverse size issue, a price-data error, or the close approaching', () => {
    expect(run([snap(95.5, 95.505), snap(95.5, 95.505, 400, 2)]).snapshot.value).toBe('aggressive');
    expect(run([snap(95.5, 95.505), { type: 'PRICE_DATA_ERROR', message: 'no ticks' }]).snapshot.value).toBe(
      'aggressive',
    );
    const closing = run([snap(95.5, 95.505), tick(10_000)], { ...input, closeAt: T0 + 30 * 60_000 + 5_000 });
    expect(closing.snapshot.value).toBe('aggressive');
  });

  it('aggressive chases the side price with one modification in flight (no #949 spin)', () => {
    const r = run([
      snap(95.5, 95.505),
      tick(300_000),
      snap(95.5, 95.51),
      snap(95.5, 95.515),
      { type: 'BROKER_MODIFIED', orderRef: REF, limitPrice: 95.505 },
      snap(95.5, 95.515),
      snap(95.5, 95.515),
    ]);
    const mods = r.emitted.filter((e) => e.type === 'modifyBrokerOrder');
    expect(mods.map((e) => e.type === 'modifyBrokerOrder' && e.limitPrice)).toEqual([95.505, 95.515]);
    expect(r.snapshot.context.modifyPending).toBe(true);
  });

  it('times out at 600 s: cancel, then finish with what is left', () => {
    const r = run([snap(95.5, 95.505), tick(600_000), { type: 'BROKER_CANCELLED', orderRef: REF }]);
    expect(r.snapshot.value).toBe('done');
    expect(types(r).slice(1)).toEqual(['cancelBrokerOrder', 'finished']);
    expect(r.emitted.at(-1)).toMatchObject({ outcome: 'timeout', filled: [0], remaining: [1] });
  });

  it('never re-sends the full size after a partial fill: one order, modified only', () => {
    const big = { ...input, config: { sizeLimit: 3 } };
    const r = run(
      [
        snap(95.5, 95.505),
        bf('e1', 1),
        tick(300_000),
        snap(95.5, 95.51),
        { type: 'BROKER_CANCELLED', orderRef: REF },
      ],
      big,
    );
    expect(r.emitted.filter((e) => e.type === 'placeBrokerOrder')).toHaveLength(1);
    expect(r.emitted.at(-1)).toMatchObject({ outcome: 'cancelledByBroker', filled: [1], remaining: [2] });
  });

  it('filled ends the algo; refuses non-best orders; no prices within 10 s means no trade', () => {
    expect(run([snap(95.5, 95.505), bf('e1', 1)]).emitted.at(-1)).toMatchObject({
      outcome: 'filled',
      filled: [1],
    });
    expect(start(m, { ...input, orderType: 'market' }).emitted).toMatchObject([
      { type: 'finished', outcome: 'rejectedOrderType' },
    ]);
    const none = run([snap(Number.NaN, 95.505), tick(9_999), tick(10_000)]);
    expect(types(none)).toEqual(['finished']);
    expect(none.emitted[0]).toMatchObject({ outcome: 'noPrices' });
  });
});

describe('best-execution algo model', () => {
  it('reaches every resting state; live actor, pure step and model agree', async () => {
    const events: BestExecutionAlgoEvent[] = [
      snap(95.5, 95.505),
      snap(95.5, 95.505, 400, 2),
      snap(95.505, 95.51),
      tick(10_000),
      tick(300_000),
      tick(600_000),
      tick(700_000),
      bf('e1', 1),
      { type: 'BROKER_CANCELLED', orderRef: REF },
      { type: 'BROKER_MODIFIED', orderRef: REF, limitPrice: 95.505 },
      { type: 'STOP', reason: 'stop' },
    ];
    const report = await checkModel(m, {
      input,
      events,
      serialize: (s) => [
        s.value,
        s.context.now,
        s.context.ledger.fillIds,
        s.context.lastSnapshot,
        s.context.modifyPending,
      ],
      invariant: (s) => {
        if (s.value === 'passive') expect(s.context.brokerOrderType).toBe('limit');
        if (s.value === 'passive' || s.value === 'aggressive') {
          expect(s.context.totalDeadline).toBe((s.context.submittedAt ?? 0) + 600_000);
          expect(s.context.now).toBeLessThan(s.context.totalDeadline ?? 0);
        }
        if (s.value === 'waitingForPrices') expect(s.context.brokerOrderType).toBeNull();
      },
    });
    expect(report.reached).toEqual(['aggressive', 'cancelling', 'done', 'passive', 'waitingForPrices']);
  });
});
