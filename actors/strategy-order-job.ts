/**
 * run_strategy_order_generator for one strategy (digest §2 B1): read the stored optimal
 * positions, current positions, unfilled orders, overrides (stored, and the config's instrument
 * lists), limits, roll states and locks;
 * generate the classic buffered orders; put each on the instrument stack through the sink.
 *
 * Netting (digest B5) happens in one place only: the order stack nets on insert, so by default
 * the generator sends the desired trade (B2–B4) un-netted. Zero trades are sent only when an
 * unfilled order of the same strategy/instrument is on the stack (B1: the zero order cancels
 * it out there); otherwise the stack would refuse them as "zero size" anyway.
 */
import { ServiceError } from '../src/bus/service.ts';
import {
  generateStrategyOrders,
  type RollState,
  type StrategyOrderResult,
} from '../src/domain/strategy-orders/generate.ts';
import {
  configOverrides,
  type InstrumentListsConfig,
} from '../src/domain/strategy-orders/config-overrides.ts';
import type { Logger } from '../src/log/logger.ts';
import type { ControlsStore } from '../src/store/controls-store.ts';
import type { StrategyStore } from '../src/store/strategy-store.ts';
import type { InstrumentOrderSink, StrategyStateSource } from './strategy-order-ports.ts';

export interface OrderJobDeps {
  strategies: StrategyStore;
  controls: ControlsStore;
  state: StrategyStateSource;
  sink: InstrumentOrderSink;
  /**
   * The system config's instrument lists, turned into overrides (digest B3): bad_markets,
   * ignore_instruments and duplicate_instruments.exclude reduce-only, trading_restrictions
   * no-trading.
   */
  instrumentLists?: InstrumentListsConfig;
  /**
   * Net against the strategy's unfilled orders here. Default false: the order stack nets on
   * insert (B5); set true only for a stack that does not.
   */
  netAgainstStack?: boolean;
  log?: Logger;
}

export interface OrderJobResult extends StrategyOrderResult {
  strategy_name: string;
  placed: Array<{ instrument_code: string; trade: number; reply: unknown }>;
  /** Refused by a stack rule (409: zero residual after netting, locked instrument): not a failure. */
  ignored: Array<{ instrument_code: string; trade: number; reason: string }>;
  failed: Array<{ instrument_code: string; trade: number; error: string }>;
  /** True when no roll-state service answered and every instrument was taken as Passive. */
  roll_states_assumed: boolean;
}

export async function generateOrdersForStrategy(
  strategy: string,
  deps: OrderJobDeps,
): Promise<OrderJobResult> {
  const optimal = await deps.strategies.getOptimalPositions(strategy);
  if (optimal.length === 0)
    throw new Error(`no optimal positions stored for strategy ${strategy}: run the system first`);
  const stack = await deps.state.stackState(strategy);
  const strategyPositions: Record<string, number> = {};
  const instrumentPositions: Record<string, number> = {};
  for (const p of stack.positions) {
    instrumentPositions[p.instrument_code] = (instrumentPositions[p.instrument_code] ?? 0) + p.position;
    if (p.strategy_name === strategy) strategyPositions[p.instrument_code] = p.position;
  }
  let rollStates = await deps.state.rollStates();
  const rollStatesAssumed = rollStates === undefined;
  if (!rollStates) {
    // no roll-state service yet: Passive is the state that puts no restriction on strategy orders
    deps.log?.warn(
      { component: 'strategy_order_generator', strategy_name: strategy },
      'no roll-state service answered: taking every instrument as Passive',
    );
    rollStates = Object.fromEntries(optimal.map((p): [string, RollState] => [p.instrument_code, 'Passive']));
  }
  const result = generateStrategyOrders({
    strategy_name: strategy,
    optimal_positions: optimal,
    strategy_positions: strategyPositions,
    instrument_positions: instrumentPositions,
    overrides: await deps.controls.overrides(),
    config_overrides: deps.instrumentLists && configOverrides(deps.instrumentLists),
    position_limits: await deps.controls.positionLimits(),
    roll_states: rollStates,
    locked_instruments: stack.locked_instruments,
    open_orders: stack.open_orders,
    net_against_stack: deps.netAgainstStack ?? false,
  });
  const placed: OrderJobResult['placed'] = [];
  const failed: OrderJobResult['failed'] = [];
  const ignored: OrderJobResult['ignored'] = [];
  for (const order of result.orders) {
    try {
      const reply = await deps.sink.create(order);
      placed.push({ instrument_code: order.instrument_code, trade: order.trade, reply });
      deps.log?.info(
        {
          component: 'strategy_order_generator',
          strategy_name: strategy,
          instrument_code: order.instrument_code,
          trade: order.trade,
        },
        'instrument order placed',
      );
    } catch (err) {
      if (err instanceof ServiceError && err.code === 409) {
        ignored.push({ instrument_code: order.instrument_code, trade: order.trade, reason: err.message });
        deps.log?.info(
          {
            component: 'strategy_order_generator',
            strategy_name: strategy,
            instrument_code: order.instrument_code,
            reason: err.message,
          },
          'instrument order ignored by the stack',
        );
        continue;
      }
      const error = err instanceof Error ? err.message : String(err);
      failed.push({ instrument_code: order.instrument_code, trade: order.trade, error });
      deps.log?.error(
        {
          component: 'strategy_order_generator',
          strategy_name: strategy,
          instrument_code: order.instrument_code,
          error,
        },
        'instrument order refused',
      );
    }
  }
  return {
    strategy_name: strategy,
    ...result,
    placed,
    ignored,
    failed,
    roll_states_assumed: rollStatesAssumed,
  };
}
