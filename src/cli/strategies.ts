/** The configured strategies a strategy command works on, and how their optimal positions print. */
import type { LoadedConfig } from '../config/load.ts';
import { UsageError } from './errors.ts';

/** Every strategy in `strategy_list`, or only `wanted` (a name not configured is a usage error). */
export function pickStrategies(config: LoadedConfig, wanted?: string): string[] {
  const all = Object.keys(config.system.strategy_list);
  if (wanted === undefined) return all;
  if (!all.includes(wanted))
    throw new UsageError(`unknown strategy '${wanted}' (configured: ${all.join(', ') || 'none'})`);
  return [wanted];
}

/** The columns of an optimal position (buffer edges, reference price and contract). */
export const OPTIMAL_POSITION_COLUMNS = [
  'strategy_name',
  'instrument_code',
  'lower_position',
  'upper_position',
  'reference_price',
  'reference_contract',
];
