/** The pure decisions of crash recovery: breaks, balance prices, missed updates and their order. */
import { describe, expect, it } from 'vitest';
import {
  contractBreaks,
  dependencyOrder,
  instrumentBreaks,
  missedReason,
  strategyForBreak,
  suggestedBalancePrice,
} from '../../src/domain/recovery.ts';

const T = Date.UTC(2026, 10, 20, 14, 0, 0); // 14:00 UTC
const p = (name: string, startTime: string, previousProcess?: string) => ({
  name,
  startTime,
  previousProcess,
});

describe('crash recovery decisions', () => {
  it('contract breaks count a missing position as zero; instrument breaks compare the sums', () => {
    const ours = [
      { instrumentCode: 'GOLD', contractDate: '202612', position: 2 },
      { instrumentCode: 'BUND', contractDate: '202612', position: 1 },
    ];
    const broker = [
      { instrumentCode: 'GOLD', contractDate: '202612', position: 5 },
      { instrumentCode: 'BUND', contractDate: '202612', position: 1 },
      { instrumentCode: 'V2X', contractDate: '202701', position: -1 },
    ];
    expect(contractBreaks(ours, broker)).toEqual([
      { instrumentCode: 'GOLD', contractDate: '202612', ours: 2, broker: 5 },
      { instrumentCode: 'V2X', contractDate: '202701', ours: 0, broker: -1 },
    ]);
    const strategies = [
      { strategyName: 'a', instrumentCode: 'GOLD', position: 1 },
      { strategyName: 'b', instrumentCode: 'GOLD', position: 1 },
      { strategyName: 'a', instrumentCode: 'BUND', position: 1 },
    ];
    expect(instrumentBreaks(broker, strategies)).toEqual([
      { instrumentCode: 'GOLD', contracts: 5, strategies: 2 },
      { instrumentCode: 'V2X', contracts: -1, strategies: 0 },
    ]);
    expect(strategyForBreak('BUND', strategies, ['b', 'a'])).toBe('a');
    expect(strategyForBreak('GOLD', strategies, ['b', 'a'])).toBe('b');
    expect(strategyForBreak('GOLD', strategies, [])).toBeUndefined();
  });

  it("suggests the quantity-weighted price of the broker's latest executions with the trade's sign", () => {
    const f = (qty: number, price: number, time: number) => ({
      instrumentCode: 'GOLD',
      contractDate: '202612',
      qty,
      price,
      time,
    });
    const fills = [f(2, 90, 1), f(-1, 200, 2), f(1, 100, 3), f(1, 110, 4)];
    expect(suggestedBalancePrice(fills, 'GOLD', '202612', 2)).toBe(105);
    expect(suggestedBalancePrice(fills, 'GOLD', '202612', 3)).toBeCloseTo((110 + 100 + 90) / 3);
    expect(suggestedBalancePrice(fills, 'GOLD', '202612', -1)).toBe(200);
    expect(suggestedBalancePrice(fills, 'GOLD', '202703', 1)).toBeUndefined();
  });

  it('a run is missed once its start time has passed today without a finish since, or when it crashed', () => {
    const capital = p('run_capital_update', '01:00');
    const prices = p('run_daily_prices_updates', '20:00');
    const today = { lastEnd: T - 3_600_000, recentlyCrashed: false };
    expect(missedReason(capital, today, T, 'UTC')).toBeUndefined();
    expect(missedReason(capital, { lastEnd: T - 86_400_000, recentlyCrashed: false }, T, 'UTC')).toBe(
      "last finished 2026-11-19, before today's 01:00 start",
    );
    expect(missedReason(capital, { lastEnd: undefined, recentlyCrashed: false }, T, 'UTC')).toBe(
      'never finished',
    );
    expect(missedReason(prices, { lastEnd: undefined, recentlyCrashed: false }, T, 'UTC')).toBeUndefined();
    expect(missedReason(prices, { ...today, recentlyCrashed: true }, T, 'UTC')).toBe('its last run crashed');
  });

  it('orders processes after their previous process', () => {
    const order = dependencyOrder([
      p('run_strategy_order_generator', '20:10', 'run_systems'),
      p('run_capital_update', '01:00'),
      p('run_systems', '20:05', 'run_daily_prices_updates'),
      p('run_daily_prices_updates', '20:00'),
    ]).map((x) => x.name);
    expect(order).toEqual([
      'run_daily_prices_updates',
      'run_systems',
      'run_strategy_order_generator',
      'run_capital_update',
    ]);
  });
});
