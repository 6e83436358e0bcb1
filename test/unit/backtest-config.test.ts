import { describe, expect, it } from 'vitest';
import { strategyCapitalMethods } from '../../actors/strategy-runtime.ts';
import { strategySystemConfig } from '../../src/config/backtest-config.ts';

describe('strategy backtest config', () => {
  it('overrides the classic defaults key by key; the production base currency wins', () => {
    const c = strategySystemConfig(
      { percentage_vol_target: 25, buffer_method: 'forecast', base_currency: 'EUR' },
      'GBP',
    );
    expect(c.percentage_vol_target).toBe(25);
    expect(c.buffer_method).toBe('forecast');
    expect(c.base_currency).toBe('GBP');
    expect(c.forecast_div_multiplier).toBe(1.31);
  });
  it('names a bad key', () => {
    expect(() => strategySystemConfig({ buffer_size: -1 })).toThrow(/^backtest_config: buffer_size: /);
    expect(() => strategySystemConfig({ colour: 'red' })).toThrow(/backtest_config: .*colour/);
  });
  it('capital methods: weighted from strategy_weights, allowance when a strategy has one', () => {
    expect(
      strategyCapitalMethods({
        strategy_list: { a: {}, b: { allowance: 100 } },
        strategy_capital_allocation: { function: 'weighted_strategy_allocation', strategy_weights: { a: 2 } },
        production_capital_method: 'full',
        capital_max_change: 0.1,
        base_currency: 'USD',
      }),
    ).toEqual({ a: { method: 'weighted', weight: 2 }, b: { method: 'allowance', initial: 100 } });
  });
});
