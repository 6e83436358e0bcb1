import { describe, expect, it } from 'vitest';
import { configOverrides } from '../../../src/domain/strategy-orders/config-overrides.ts';
import { generateStrategyOrders } from '../../../src/domain/strategy-orders/generate.ts';

describe('config overrides (digest B3)', () => {
  const lists = {
    exclude_instrument_lists: {
      bad_markets: ['CORN', 'V2X'],
      ignore_instruments: ['MILK'],
      trading_restrictions: ['V2X'],
    },
    duplicate_instruments: { exclude: { gold: 'GOLD', sp: ['SP500', 'SP500_mini'] } },
  };

  it('bad markets, ignored and duplicate excludes are reduce-only; restrictions no-trading and beat them', () => {
    expect(configOverrides(lists)).toEqual({
      CORN: { type: 'reduce_only' },
      MILK: { type: 'reduce_only' },
      GOLD: { type: 'reduce_only' },
      SP500: { type: 'reduce_only' },
      SP500_mini: { type: 'reduce_only' },
      V2X: { type: 'no_trading' },
    });
  });

  it('through the generator: openings refused, reductions kept, no-trading freezes', () => {
    const band = (instrument_code: string, lower_position: number, upper_position: number) => ({
      instrument_code,
      lower_position,
      upper_position,
    });
    const r = generateStrategyOrders({
      strategy_name: 's',
      optimal_positions: [band('CORN', 4, 5), band('GOLD', -1, -1), band('SP500', -6, -6), band('V2X', 0, 0)],
      strategy_positions: { GOLD: -4, SP500: 2, V2X: 3 },
      instrument_positions: { GOLD: -4, SP500: 2, V2X: 3 },
      config_overrides: configOverrides(lists),
    });
    const d = Object.fromEntries(r.decisions.map((x) => [x.instrument_code, x]));
    expect([d.CORN!.required_trade, d.CORN!.after_override]).toEqual([4, 0]); // no opening
    expect([d.GOLD!.required_trade, d.GOLD!.after_override]).toEqual([3, 3]); // reducing: kept
    expect([d.SP500!.required_trade, d.SP500!.after_override]).toEqual([-8, -2]); // through zero: close
    expect([d.V2X!.required_trade, d.V2X!.after_override]).toEqual([-3, 0]); // no trading
    expect(r.orders.map((o) => [o.instrument_code, o.trade])).toEqual([
      ['GOLD', 3],
      ['SP500', -2],
    ]);
  });
});
