/**
 * The process methods of the strategy and price side, by process and method name (digest §4
 * P2), for the supervisor's registry: run_capital_update, run_daily_prices_updates, run_systems
 * and run_strategy_order_generator.
 *
 * run_systems / run_strategy_order_generator have one method per strategy (P12). Their tables
 * in `strategyProcessMethods` answer ANY method name with the generic method (the name is taken
 * as the strategy; an unconfigured one fails with a clear error when run). Keep those two
 * tables as values when merging registries (do not spread them). `strategyProcessMethodsFor`
 * builds the same registry with explicit keys for a list of strategies.
 */
import { capitalMethods } from './capital.ts';
import { priceMethods } from './prices.ts';
import { rollMethods } from './rolls.ts';
import {
  runStrategyOrderMethod,
  runSystemMethod,
  strategyOrderMethodFor,
  systemMethodFor,
} from './strategies.ts';
import type { MethodRegistry, ProcessMethod, ProcessMethodDeps } from './types.ts';

export { strategyOrderMethodFor, systemMethodFor } from './strategies.ts';
export type { MethodContext, MethodRegistry, ProcessMethod, ProcessMethodDeps } from './types.ts';

/** A method table where every method name resolves to `method` (`name in table` is true). */
function anyName(method: ProcessMethod): Record<string, ProcessMethod> {
  return new Proxy({} as Record<string, ProcessMethod>, {
    get: (_t, key) => (typeof key === 'string' ? method : undefined),
    has: (_t, key) => typeof key === 'string',
  });
}

export function makeStrategyProcessMethods(deps: ProcessMethodDeps = {}): MethodRegistry {
  return {
    run_capital_update: capitalMethods(deps),
    run_daily_prices_updates: { ...priceMethods(deps), ...rollMethods() },
    run_systems: anyName(runSystemMethod),
    run_strategy_order_generator: anyName(runStrategyOrderMethod),
  };
}

/** The same methods with explicit keys for the given strategies (e.g. `Object.keys(system.strategy_list)`). */
export function strategyProcessMethodsFor(
  strategies: string[],
  deps: ProcessMethodDeps = {},
): MethodRegistry {
  return {
    run_capital_update: capitalMethods(deps),
    run_daily_prices_updates: { ...priceMethods(deps), ...rollMethods() },
    run_systems: Object.fromEntries(strategies.map((s) => [s, systemMethodFor(s)])),
    run_strategy_order_generator: Object.fromEntries(strategies.map((s) => [s, strategyOrderMethodFor(s)])),
  };
}

/** Production methods: the broker comes from the config (`src/broker/factory.ts`). */
export const strategyProcessMethods: MethodRegistry = makeStrategyProcessMethods();
