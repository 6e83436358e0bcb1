/**
 * Wiring of the strategy side from config: stores on the bus, capital operations with each
 * strategy's capital method, each strategy's classic-system config.
 */
import type { NatsConnection } from '@nats-io/transport-node';
import type { Clock } from '../src/clock.ts';
import { strategySystemConfig } from '../src/config/backtest-config.ts';
import type { ResolvedSystemConfig } from '../src/config/load.ts';
import type { StrategyCapitalMethod } from '../src/domain/capital/strategy-allocation.ts';
import type { ClassicSystemConfig } from '../src/domain/system/config.ts';
import type { Logger } from '../src/log/logger.ts';
import { type AccountValueReading, CapitalOps } from './capital-ops.ts';
import { openCapitalStore, openControlsStore, openStrategyStore } from '../src/store/backend.ts';

export type StrategyConfigView = Pick<
  ResolvedSystemConfig,
  | 'strategy_list'
  | 'strategy_capital_allocation'
  | 'production_capital_method'
  | 'capital_max_change'
  | 'base_currency'
>;

/** Each strategy's capital method: allowance if it has one (or the allowance function), else weighted. */
export function strategyCapitalMethods(config: StrategyConfigView): Record<string, StrategyCapitalMethod> {
  const fn = config.strategy_capital_allocation.function;
  const weights = config.strategy_capital_allocation.strategy_weights;
  const out: Record<string, StrategyCapitalMethod> = {};
  for (const [name, entry] of Object.entries(config.strategy_list)) {
    if (entry.allowance !== undefined) out[name] = { method: 'allowance', initial: entry.allowance };
    else if (fn === 'allowance_strategy_allocation')
      throw new Error(
        `strategy ${name} has no allowance but the allocation function is allowance_strategy_allocation`,
      );
    else out[name] = weights ? { method: 'weighted', weight: weights[name] ?? 0 } : { method: 'weighted' };
  }
  return out;
}

export function strategyConfigs(config: StrategyConfigView): Record<string, ClassicSystemConfig> {
  return Object.fromEntries(
    Object.entries(config.strategy_list).map(([name, entry]) => [
      name,
      strategySystemConfig(entry.backtest_config, config.base_currency),
    ]),
  );
}

export async function openStrategyRuntime(
  nc: NatsConnection,
  prefix: string,
  config: StrategyConfigView,
  clock: Clock,
  opts: { log?: Logger; accountValue?: () => Promise<AccountValueReading> } = {},
) {
  const capitalStore = await openCapitalStore(nc, prefix);
  const controls = await openControlsStore(nc, prefix);
  const strategies = await openStrategyStore(nc, prefix);
  const capital = new CapitalOps({
    store: capitalStore,
    clock,
    method: config.production_capital_method,
    maxChange: config.capital_max_change,
    accountValue: opts.accountValue,
    strategies: strategyCapitalMethods(config),
    log: opts.log,
  });
  return { capitalStore, controls, strategies, capital, systemConfigs: strategyConfigs(config) };
}

export type StrategyRuntime = Awaited<ReturnType<typeof openStrategyRuntime>>;
