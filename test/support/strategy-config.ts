import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A private config folder with one strategy `carry_trend` (classic system, buffered orders,
 * all the capital) trading the given instrument weights. Returns the folder.
 */
export function writeStrategyPrivateConfig(
  instrumentWeights: Record<string, number>,
  extraLines: string[] = [],
): string {
  const dir = mkdtempSync(join(tmpdir(), 'systack-strategy-'));
  const weights = Object.entries(instrumentWeights)
    .map(([k, v]) => `${k}: ${v}`)
    .join(', ');
  writeFileSync(
    join(dir, 'private_config.yaml'),
    [
      ...extraLines,
      'strategy_list:',
      '  carry_trend:',
      '    backtest_config:',
      `      instrument_weights: { ${weights} }`,
      'strategy_capital_allocation:',
      '  function: weighted_strategy_allocation',
      '  strategy_weights: { carry_trend: 100 }',
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(dir, 'private_control_config.yaml'),
    [
      'process_configuration_methods:',
      '  run_systems:',
      '    carry_trend: { max_executions: 1, object: classic }',
      '  run_strategy_order_generator:',
      '    carry_trend: { max_executions: 1, object: classic_buffered_positions }',
      '',
    ].join('\n'),
  );
  return dir;
}
