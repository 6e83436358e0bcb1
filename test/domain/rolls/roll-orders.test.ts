import { describe, expect, it } from 'vitest';
import {
  closeRollStrategy,
  lastMatchedPrices,
  ROLL_PSEUDO_STRATEGY,
  type RollOrderInput,
  rollOrdersFor,
  spreadFill,
} from '../../../src/domain/rolls/roll-orders.ts';
import { smoothedVolume } from '../../../src/domain/rolls/roll-report.ts';

const base: RollOrderInput = {
  instrumentCode: 'GOLD',
  rollState: 'Force',
  pricedContract: '20261200',
  forwardContract: '20270200',
  pricedPosition: -4,
  strategyPositions: [
    { strategyName: 'a', position: -1 },
    { strategyName: 'b', position: -3 },
  ],
  instrumentOrders: [],
  activeContractOrders: 0,
  matchedPrices: { priced: 2000, forward: 2010, time: 5 },
};

describe('roll orders (digest J, §1.1, §1.2)', () => {
  it('Force: a zero Zero-roll-order with one spread [−P, +P] referenced at priced − forward', () => {
    const d = rollOrdersFor(base);
    expect(d).toEqual({
      instrumentCode: 'GOLD',
      plan: {
        instrumentCode: 'GOLD',
        rollState: 'Force',
        strategyName: ROLL_PSEUDO_STRATEGY,
        trade: 0,
        orderType: 'Zero-roll-order',
        referencePrice: -10,
        referenceContract: ROLL_PSEUDO_STRATEGY,
        referenceDatetime: 5,
        contractOrders: [{ contractDates: ['20261200', '20270200'], trades: [4, -4], referencePrice: -10 }],
      },
    });
  });

  it('Force_Outright: two outright legs; Close: −P under the largest strategy', () => {
    const fo = rollOrdersFor({ ...base, rollState: 'Force_Outright' });
    expect('plan' in fo && fo.plan.contractOrders).toEqual([
      { contractDates: ['20261200'], trades: [4], referencePrice: 2000 },
      { contractDates: ['20270200'], trades: [-4], referencePrice: 2010 },
    ]);
    const close = rollOrdersFor({ ...base, rollState: 'Close' });
    expect('plan' in close && close.plan).toMatchObject({ strategyName: 'b', trade: 4, orderType: 'best' });
    expect(closeRollStrategy([{ strategyName: 'x', position: 0 }])).toBe('x');
  });

  it('J1: no roll order when flat, not an order state, already rolling, or other orders on the stacks (#1571)', () => {
    const skipped = (i: Partial<RollOrderInput>) => {
      const d = rollOrdersFor({ ...base, ...i });
      return 'skipped' in d ? [d.skipped, d.critical ?? false] : undefined;
    };
    expect(skipped({ pricedPosition: 0 })).toEqual(['no position in the priced contract', false]);
    expect(skipped({ rollState: 'Passive' })).toEqual(['roll state Passive makes no roll orders', false]);
    expect(skipped({ instrumentOrders: [{ strategyName: ROLL_PSEUDO_STRATEGY, trade: 0 }] })).toEqual([
      'a roll order is already on the instrument stack',
      false,
    ]);
    expect(skipped({ rollState: 'Close', instrumentOrders: [{ strategyName: 'b', trade: 1 }] })).toEqual([
      'Cannot force roll GOLD as already other orders on instrument stack',
      true,
    ]);
    expect(skipped({ activeContractOrders: 1 })).toEqual([
      'Cannot force roll GOLD as already other orders on contract stack',
      true,
    ]);
  });

  it('spread fills count whole spreads; matched prices are the last row with both; volumes are smoothed', () => {
    expect(spreadFill([-3, 3], [-2, 1])).toBe(-1);
    expect(spreadFill([-3, 3], [-3, 3])).toBe(-3);
    expect(spreadFill([-3, 3], [0, 3])).toBe(0);
    expect(lastMatchedPrices([1, 2, 3], [10, 11, 12], [20, 21, Number.NaN])).toEqual({
      priced: 11,
      forward: 21,
      time: 2,
    });
    expect(lastMatchedPrices([1], [Number.NaN], [1])).toBeUndefined();
    expect(smoothedVolume([100, 200])).toBe(150);
    expect(smoothedVolume([])).toBeNaN();
  });
});
