import { describe, expect, it } from 'vitest';
import {
  type MarketAlgoEvent,
  type MarketAlgoInput,
  marketAlgoMachine as m,
} from '../../machines/algo-market.ts';
import { start, stepAll } from '../../machines/step.ts';
import { fill, T0 } from './support/fixtures.ts';
import { checkModel, stateNames } from './support/model.ts';

const input: MarketAlgoInput = { algoId: 'C1-mkt', contractOrderId: 'C1', trade: [3], now: T0 };
const run = (events: MarketAlgoEvent[], inp: MarketAlgoInput = input) =>
  stepAll(m, start(m, inp).snapshot, events);
const bf = (ref: string, id: string, q: number, t = T0): MarketAlgoEvent => ({
  type: 'BROKER_FILL',
  orderRef: ref,
  fill: fill(id, [q], 95.5, t),
});
const tick = (ms: number): MarketAlgoEvent => ({ type: 'CLOCK_TICK', now: T0 + ms });

describe('market algo (digest §2 E1)', () => {
  it('places one-contract slices until the trade is done, each with a deterministic orderRef', () => {
    const s0 = start(m, input);
    expect(s0.emitted).toEqual([
      {
        type: 'placeBrokerOrder',
        algoId: 'C1-mkt',
        contractOrderId: 'C1',
        orderRef: 'C1-mkt/1',
        trade: [1],
        orderType: 'market',
        limitPrice: null,
        snapshot: null,
      },
    ]);
    const r = stepAll(m, s0.snapshot, [
      bf('C1-mkt/1', 'e1', 1),
      bf('C1-mkt/2', 'e2', 1),
      bf('C1-mkt/3', 'e3', 1),
    ]);
    expect(r.snapshot.value).toBe('done');
    expect(
      r.emitted
        .filter((e) => e.type === 'placeBrokerOrder')
        .map((e) => e.type === 'placeBrokerOrder' && e.orderRef),
    ).toEqual(['C1-mkt/2', 'C1-mkt/3']);
    expect(r.emitted.at(-1)).toEqual({
      type: 'finished',
      algoId: 'C1-mkt',
      contractOrderId: 'C1',
      outcome: 'filled',
      filled: [3],
      remaining: [0],
    });
  });

  it('cancels a slice after 10 minutes, then finishes on the cancel confirmation (timeout)', () => {
    const r = run([tick(599_999), tick(600_000), { type: 'BROKER_CANCELLED', orderRef: 'C1-mkt/1' }]);
    expect(r.emitted.map((e) => e.type)).toEqual(['cancelBrokerOrder', 'finished']);
    expect(r.emitted.at(-1)).toMatchObject({ outcome: 'timeout', filled: [0], remaining: [3] });
  });

  it('an unconfirmed cancel finishes after 60 s with a warning', () => {
    const r = run([tick(600_000), tick(659_999), tick(660_000)]);
    expect(r.snapshot.value).toBe('done');
    expect(r.emitted.map((e) => e.type)).toEqual(['cancelBrokerOrder', 'warning', 'finished']);
  });

  it('a fill during the cancel still counts; duplicates do not', () => {
    const r = run([
      bf('C1-mkt/1', 'e1', 1),
      tick(600_000),
      bf('C1-mkt/2', 'e2', 1),
      bf('C1-mkt/2', 'e2', 1),
      { type: 'BROKER_CANCELLED', orderRef: 'C1-mkt/2' },
    ]);
    expect(r.emitted.at(-1)).toMatchObject({
      type: 'finished',
      outcome: 'timeout',
      filled: [2],
      remaining: [1],
    });
    expect(r.emitted.filter((e) => e.type === 'ignored')).toHaveLength(1);
  });

  it('the 10-minute deadline of each slice counts from its own placement', () => {
    const r = run([tick(500_000), bf('C1-mkt/1', 'e1', 1, T0 + 500_000), tick(600_000), tick(1_099_999)]);
    expect(r.snapshot.value).toBe('working');
    expect(r.snapshot.context.slice?.deadline).toBe(T0 + 1_100_000);
  });

  it('a partial fill is never re-sent at full size: the next slice is cut from what is left', () => {
    const r = run([bf('C1-mkt/1', 'e1', 2), bf('C1-mkt/1', 'e2', 1)], { ...input, trade: [3], sliceSize: 2 });
    const places = r.emitted.filter((e) => e.type === 'placeBrokerOrder');
    expect(places.map((e) => e.type === 'placeBrokerOrder' && e.trade)).toEqual([[1]]);
    expect(r.emitted.at(-1)).toMatchObject({ outcome: 'filled', filled: [3] });
  });

  it('panic orders go in one piece; the broker cancelling or rejecting ends the algo', () => {
    expect(start(m, { ...input, panic: true }).emitted[0]).toMatchObject({ trade: [3] });
    expect(run([{ type: 'BROKER_CANCELLED', orderRef: 'C1-mkt/1' }]).emitted.at(-1)).toMatchObject({
      outcome: 'cancelledByBroker',
    });
    expect(
      run([{ type: 'BROKER_REJECTED', orderRef: 'C1-mkt/1', reason: '201' }]).emitted.at(-1),
    ).toMatchObject({ outcome: 'rejected' });
    expect(run([{ type: 'BROKER_CANCELLED', orderRef: 'other' }]).snapshot.value).toBe('working');
  });

  it('STOP cancels the working slice; a zero trade finishes at once', () => {
    const r = run([
      { type: 'STOP', reason: 'process STOP' },
      { type: 'BROKER_CANCELLED', orderRef: 'C1-mkt/1' },
    ]);
    expect(r.emitted.at(-1)).toMatchObject({ outcome: 'stopped' });
    expect(start(m, { ...input, trade: [0] }).emitted).toMatchObject([
      { type: 'finished', outcome: 'nothingToDo' },
    ]);
  });

  it('spread orders: slices keep the leg ratio', () => {
    const s = start(m, { ...input, trade: [-2, 2] });
    expect(s.emitted[0]).toMatchObject({ trade: [-1, 1] });
  });
});

describe('market algo model', () => {
  it('reaches every state; live actor, pure step and model agree', async () => {
    const events: MarketAlgoEvent[] = [
      bf('C1-mkt/1', 'e1', 1),
      bf('C1-mkt/2', 'e2', 1),
      bf('C1-mkt/3', 'e3', 1),
      tick(600_000),
      tick(700_000),
      { type: 'BROKER_CANCELLED', orderRef: 'C1-mkt/1' },
      { type: 'BROKER_REJECTED', orderRef: 'C1-mkt/2', reason: '201' },
      { type: 'STOP', reason: 'stop' },
    ];
    const report = await checkModel(m, {
      input,
      events,
      serialize: (s) => [s.value, s.context.ledger.fillIds, s.context.now, s.context.sliceCount],
      invariant: (s) => {
        const filled = s.context.ledger.fill[0] ?? 0;
        expect(s.context.sliceCount).toBeLessThanOrEqual(3);
        if (s.value === 'working') {
          expect(s.context.slice?.trade).toEqual([1]);
          expect(s.context.sliceCount).toBe(filled + 1);
        }
        if (s.value === 'cancelling') expect(s.context.cancelDeadline).not.toBeNull();
      },
    });
    // `starting` only routes (eventless) and is never at rest.
    expect(report.reached).toEqual(stateNames(m).filter((n) => n !== 'starting'));
  });
});
