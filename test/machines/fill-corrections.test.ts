/** A broker's correction of an applied fill, as a machine event (issue 10 §5 of this round). */
import { describe, expect, it } from 'vitest';
import { type BrokerOrderEvent, brokerOrderMachine as bm } from '../../machines/broker-order.ts';
import { type ContractOrderEvent, contractOrderMachine as cm } from '../../machines/contract-order.ts';
import { type InstrumentOrderEvent, instrumentOrderMachine as im } from '../../machines/instrument-order.ts';
import { start, stepAll } from '../../machines/step.ts';
import { brokerOrder, contractOrder, fill, instrumentOrder, T0 } from './support/fixtures.ts';

describe('FILL_CORRECTED', () => {
  it('a broker order takes the corrected quantity and price of a fill it holds, once', () => {
    const original = fill('e1', [3], 100, T0);
    const corrected = fill('e1', [2], 99.75, T0 + 5);
    const events: BrokerOrderEvent[] = [
      { type: 'SUBMITTED', brokerTempId: '1', submitDatetime: T0 },
      { type: 'FILL', fill: original },
      { type: 'FILL_CORRECTED', original, corrected },
    ];
    const r = stepAll(bm, start(bm, { order: brokerOrder({ trade: [3] }) }).snapshot, events);
    expect(r.snapshot.context.ledger).toMatchObject({ fill: [2], filledPrice: 99.75, fillIds: ['e1'] });
    expect(r.snapshot.value).toBe('filled'); // the lifecycle state stays
    expect(r.emitted.at(-1)).toMatchObject({
      type: 'fillCorrected',
      cumulativeFill: [2],
      filledPrice: 99.75,
    });
    // a correction of a fill it does not hold changes nothing
    const other = fill('zz', [1], 1, T0);
    const again = stepAll(bm, r.snapshot, [{ type: 'FILL_CORRECTED', original: other, corrected: other }]);
    expect(again.snapshot.context.ledger).toEqual(r.snapshot.context.ledger);
    expect(again.emitted.map((e) => e.type)).toEqual(['ignored']);
  });

  it('a contract order re-derives its child fill and weighted price', () => {
    const a = fill('e1', [1], 100, T0);
    const b = fill('e2', [1], 102, T0);
    const events: ContractOrderEvent[] = [
      { type: 'BROKER_ORDER_CREATED', child: { orderId: 'B1', trade: [2], contractDates: ['20261200'] } },
      { type: 'CHILD_FILL', childId: 'B1', fill: a },
      { type: 'CHILD_FILL', childId: 'B1', fill: b },
      { type: 'CHILD_FILL_CORRECTED', childId: 'B1', original: a, corrected: { ...a, price: 98 } },
    ];
    const r = stepAll(cm, start(cm, { order: contractOrder({ trade: [5] }) }).snapshot, events);
    expect(r.snapshot.context.ledger).toMatchObject({ fill: [2], filledPrice: 100 });
    expect(r.snapshot.context.children[0]?.fill).toEqual([2]);
    expect(r.emitted.at(-1)).toMatchObject({ type: 'fillCorrected', childId: 'B1', filledPrice: 100 });
  });

  it('a completed contract order takes the correction (not a final state) and reports completionAmended', () => {
    const a = fill('e1', [3], 100, T0);
    const events: ContractOrderEvent[] = [
      { type: 'ALGO_CONTROL', algo: 'market:1' },
      { type: 'BROKER_ORDER_CREATED', child: { orderId: 'B1', trade: [3], contractDates: ['20261200'] } },
      { type: 'CHILD_FILL', childId: 'B1', fill: a },
    ];
    const done = stepAll(cm, start(cm, { order: contractOrder({ trade: [3] }) }).snapshot, events);
    expect(done.snapshot.value).toBe('completed');
    const fix = stepAll(cm, done.snapshot, [
      { type: 'CHILD_FILL_CORRECTED', childId: 'B1', original: a, corrected: { ...a, qty: [2], price: 99 } },
    ]);
    expect(fix.snapshot.value).toBe('completed');
    expect(fix.snapshot.context.ledger).toMatchObject({ fill: [2], filledPrice: 99 });
    expect(fix.emitted.map((e) => e.type)).toEqual(['fillCorrected', 'completionAmended']);
    expect(fix.emitted[1]).toMatchObject({ mode: 'strict', fillId: 'e1', fill: [2], filledPrice: 99 });
    // a fill after completion is held (beyond the trade as overfill) and the completion amended
    const late = fill('e9', [2], 101, T0);
    const held = stepAll(cm, fix.snapshot, [{ type: 'CHILD_FILL', childId: 'B1', fill: late }]);
    expect(held.snapshot.value).toBe('completed');
    expect(held.snapshot.context.ledger).toMatchObject({ fill: [4], overfill: [1] });
    expect(held.emitted.map((e) => e.type)).toEqual(['fillApplied', 'overfilled', 'completionAmended']);
    expect(held.emitted[2]).toMatchObject({ fillId: 'e9', fill: [4] });
    // anything else is ignored there: no end of day, no correction of a fill it does not hold
    const other = fill('e8', [1], 1, T0);
    const rest = stepAll(cm, held.snapshot, [
      { type: 'END_OF_DAY' },
      { type: 'CHILD_FILL_CORRECTED', childId: 'B1', original: other, corrected: other },
    ]);
    expect(rest.snapshot.value).toBe('completed');
    expect(rest.snapshot.context).toEqual(held.snapshot.context);
    expect(rest.emitted.map((e) => e.type)).toEqual(['ignored', 'ignored']);
  });

  it('a completed instrument order (strict or at end of day) takes the correction too', () => {
    const a = fill('e1', [2], 100, T0);
    const events: InstrumentOrderEvent[] = [
      { type: 'CHILDREN_SPAWNED', children: [{ orderId: 'C1', trade: [3], contractDates: ['20261200'] }] },
      { type: 'CHILD_FILL', childId: 'C1', fill: a },
      { type: 'END_OF_DAY' },
    ];
    const eod = stepAll(im, start(im, { order: instrumentOrder({ trade: [3] }) }).snapshot, events);
    expect(eod.snapshot.value).toBe('completedEndOfDay');
    const fix = stepAll(im, eod.snapshot, [
      { type: 'CHILD_FILL_CORRECTED', childId: 'C1', original: a, corrected: { ...a, qty: [3], price: 101 } },
    ]);
    expect(fix.snapshot.value).toBe('completedEndOfDay');
    expect(fix.snapshot.context.ledger).toMatchObject({ fill: [3], filledPrice: 101 });
    expect(fix.snapshot.context.children[0]?.fill).toEqual([3]);
    expect(fix.emitted.at(-1)).toMatchObject({
      type: 'completionAmended',
      mode: 'endOfDay',
      fillId: 'e1',
      fill: [3],
      filledPrice: 101,
    });
  });

  it('a live instrument order a correction fills goes to filled, then completes with its child', () => {
    const a = fill('e1', [1], 100, T0);
    const events: InstrumentOrderEvent[] = [
      { type: 'CHILDREN_SPAWNED', children: [{ orderId: 'C1', trade: [2], contractDates: ['20261200'] }] },
      { type: 'CHILD_FILL', childId: 'C1', fill: a },
    ];
    const part = stepAll(im, start(im, { order: instrumentOrder({ trade: [2] }) }).snapshot, events);
    expect(part.snapshot.value).toBe('partiallyFilled');
    const fix = stepAll(im, part.snapshot, [
      { type: 'CHILD_FILL_CORRECTED', childId: 'C1', original: a, corrected: { ...a, qty: [2], price: 99 } },
    ]);
    expect(fix.snapshot.value).toBe('filled');
    expect(fix.snapshot.context.ledger).toMatchObject({ fill: [2], filledPrice: 99 });
    const done = stepAll(im, fix.snapshot, [{ type: 'CHILD_COMPLETED', childId: 'C1' }]);
    expect(done.snapshot.value).toBe('completed');
    expect(done.emitted.map((e) => e.type)).toContain('completed');
    // a correction that leaves it short keeps it partly filled
    const short = stepAll(im, part.snapshot, [
      { type: 'CHILD_FILL_CORRECTED', childId: 'C1', original: a, corrected: { ...a, price: 98 } },
    ]);
    expect(short.snapshot.value).toBe('partiallyFilled');
    expect(short.snapshot.context.ledger).toMatchObject({ fill: [1], filledPrice: 98 });
  });
});
