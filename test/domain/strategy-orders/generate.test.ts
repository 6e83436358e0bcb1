import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateStrategyOrders, type RollState } from '../../../src/domain/strategy-orders/generate.ts';

const op = (instrument_code: string, lower_position: number, upper_position: number) => ({
  instrument_code,
  lower_position,
  upper_position,
  reference_price: 100,
  reference_contract: '20231200',
  reference_datetime: '2023-08-31T23:00:00.000Z',
});

describe('strategy order generation (B1–B6)', () => {
  it('buffered trades carry the reference price, contract and datetime', () => {
    const r = generateStrategyOrders({
      strategy_name: 'medium_speed_TF_carry',
      optimal_positions: [op('CORN', 2.6, 3.4), op('SOFR', -1.2, 1.2)],
      strategy_positions: { CORN: 0, SOFR: 0 },
      instrument_positions: {},
    });
    expect(r.orders).toEqual([
      {
        strategy_name: 'medium_speed_TF_carry',
        instrument_code: 'CORN',
        trade: 3,
        reference_price: 100,
        reference_contract: '20231200',
        reference_datetime: '2023-08-31T23:00:00.000Z',
      },
    ]);
    expect(r.decisions[1]).toMatchObject({ instrument_code: 'SOFR', final_trade: 0, skipped: 'zero trade' });
  });

  it('nets against unfilled orders of the same strategy and instrument; the residual may flip', () => {
    const base = {
      strategy_name: 's',
      optimal_positions: [op('CORN', 2.6, 3.4)],
      strategy_positions: { CORN: 0 },
      instrument_positions: {},
    };
    const open = [
      { strategy_name: 's', instrument_code: 'CORN', trade: 5, fill: 1 },
      { strategy_name: 'other', instrument_code: 'CORN', trade: 7, fill: 0 },
    ];
    expect(generateStrategyOrders({ ...base, open_orders: open }).orders[0]!.trade).toBe(-1);
    const same = [{ strategy_name: 's', instrument_code: 'CORN', trade: 3, fill: 0 }];
    const r = generateStrategyOrders({ ...base, open_orders: same });
    expect(r.orders).toEqual([]);
    expect(r.decisions[0]!.skipped).toBe('replicates an order already on the stack');
    // a stack that nets itself gets the un-netted trade, zero orders included
    const raw = generateStrategyOrders({ ...base, open_orders: same, net_against_stack: false });
    expect(raw.orders[0]!.trade).toBe(3);
  });

  it('applies overrides per strategy, per instrument and per both, then limits', () => {
    const r = generateStrategyOrders({
      strategy_name: 's',
      optimal_positions: [op('A', 9.6, 10.4), op('B', 9.6, 10.4), op('C', 9.6, 10.4), op('D', -0.4, 0.4)],
      strategy_positions: { A: 0, B: 0, C: 4, D: 5 },
      instrument_positions: { A: 0, B: 0, C: 4, D: 5 },
      overrides: {
        strategy: { s: { type: 'float', value: 0.5 } },
        instrument: { B: { type: 'no_trading' } },
        strategy_instrument: { 's/C': { type: 'reduce_only' } },
      },
      position_limits: { instrument: { A: 3 }, strategy_instrument: { 's/D': 1 } },
    });
    const t = Object.fromEntries(r.decisions.map((d) => [d.instrument_code, d.final_trade]));
    // A: required 10, halved to 5, limited to 3. B: no trading. C: reduce-only blocks growth.
    // D: buffer says −5 to 0; ×0.5 → floor(0) − 5 = −5; limit 1 allows it.
    expect(t).toEqual({ A: 3, B: 0, C: 0, D: -5 });
    expect(r.decisions.find((d) => d.instrument_code === 'A')).toMatchObject({
      required_trade: 10,
      override: '0.5',
      after_override: 5,
      after_limits: 3,
    });
  });

  it('roll states and locks: Close/Roll_Adjusted none, Force only reducing, No_Open reduce-only', () => {
    const states: Record<string, RollState> = {
      A: 'Close',
      B: 'Roll_Adjusted',
      C: 'Force',
      D: 'Force',
      E: 'No_Open',
      F: 'Passive',
    };
    const r = generateStrategyOrders({
      strategy_name: 's',
      optimal_positions: ['A', 'B', 'C', 'D', 'E', 'F', 'G'].map((c) => op(c, 1.6, 2.4)),
      strategy_positions: { A: 0, B: 0, C: 0, D: 5, E: 1, F: 0, G: 0 },
      instrument_positions: {},
      roll_states: states,
      locked_instruments: ['G'],
    });
    expect(r.orders.map((o) => [o.instrument_code, o.trade])).toEqual([
      ['D', -3],
      ['F', 2],
    ]);
    const why = Object.fromEntries(r.decisions.map((d) => [d.instrument_code, d.skipped]));
    expect(why.A).toMatch(/Close takes no strategy orders/);
    expect(why.C).toMatch(/only reducing/);
    expect(why.E).toBe('zero trade');
    expect(why.G).toBe('instrument locked');
  });

  it('invariants: never trades inside the buffer without limits; never beyond a limit', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -30, max: 30 }),
        fc.double({ min: -40, max: 40, noNaN: true }),
        fc.double({ min: 0, max: 10, noNaN: true }),
        fc.integer({ min: 0, max: 25 }),
        (position, mid, half, limit) => {
          const base = {
            strategy_name: 's',
            optimal_positions: [op('X', mid - half, mid + half)],
            strategy_positions: { X: position },
            instrument_positions: { X: position },
          };
          const free = generateStrategyOrders(base).decisions[0]!;
          if (position >= mid - half && position <= mid + half) expect(free.final_trade).toBe(0);
          const limited = generateStrategyOrders({
            ...base,
            position_limits: { instrument: { X: limit }, strategy_instrument: { 's/X': limit } },
          }).decisions[0]!;
          expect(Math.abs(position + limited.final_trade)).toBeLessThanOrEqual(limit);
          const reduceOnly = generateStrategyOrders({
            ...base,
            overrides: { instrument: { X: { type: 'reduce_only' } } },
          }).decisions[0]!;
          expect(Math.abs(position + reduceOnly.final_trade)).toBeLessThanOrEqual(Math.abs(position));
        },
      ),
    );
  });
});

describe('netting happens once (digest B5): in the generator or in the stack, never both', () => {
  /** The stack's netting on insert: the new order is the residual after active unfilled orders. */
  const stackInsert = (trade: number, unfilled: number) => trade - unfilled;

  it('a stack that nets gets zero orders only when it has something to cancel out', () => {
    const base = {
      strategy_name: 's',
      optimal_positions: [op('CORN', -0.4, 0.4), op('SOFR', -0.4, 0.4)],
      strategy_positions: { CORN: 0, SOFR: 0 },
      instrument_positions: {},
      open_orders: [{ strategy_name: 's', instrument_code: 'CORN', trade: 2, fill: 0 }],
      net_against_stack: false,
    };
    const r = generateStrategyOrders(base);
    expect(r.orders.map((o) => [o.instrument_code, o.trade])).toEqual([['CORN', 0]]);
    expect(r.decisions[1]).toMatchObject({ instrument_code: 'SOFR', skipped: 'zero trade' });
    expect(stackInsert(r.orders[0]!.trade, 2)).toBe(-2); // the stack cancels the unfilled 2
  });

  it('property: the order that ends up on the stack is the same whichever side nets', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -20, max: 20 }),
        fc.float({ min: -20, max: 20, noNaN: true }),
        fc.float({ min: 0, max: 3, noNaN: true }),
        fc.array(
          fc.record({ trade: fc.integer({ min: -5, max: 5 }), fill: fc.integer({ min: -5, max: 5 }) }),
          {
            maxLength: 3,
          },
        ),
        (position, lower, width, open) => {
          const input = {
            strategy_name: 's',
            optimal_positions: [op('CORN', lower, lower + width)],
            strategy_positions: { CORN: position },
            instrument_positions: { CORN: position },
            open_orders: open.map((o) => ({ strategy_name: 's', instrument_code: 'CORN', ...o })),
          };
          const unfilled = open.reduce((a, o) => a + (o.trade - o.fill), 0);
          // generator nets, stack only stores (what an un-netting stack would hold)
          const here = generateStrategyOrders({ ...input, net_against_stack: true }).orders[0]?.trade ?? 0;
          // generator sends the desired trade, the stack nets on insert
          const sent = generateStrategyOrders({ ...input, net_against_stack: false }).orders[0];
          const there = sent ? stackInsert(sent.trade, unfilled) : 0;
          expect(there).toBe(here);
        },
      ),
    );
  });
});
