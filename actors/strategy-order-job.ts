/**
 * run_strategy_order_generator for one strategy (digest §2 B1): read the stored optimal
 * positions, current positions, unfilled orders, overrides, limits, roll states and locks;
 * generate the classic buffered orders; put each on the instrument stack through the sink.
 */
import { generateStrategyOrders, type StrategyOrderResult } from '../src/domain/strategy-orders/generate.ts';
import type { Override } from '../src/domain/strategy-orders/overrides.ts';
import type { Logger } from '../src/log/logger.ts';
import type { ControlsStore } from '../src/store/controls-store.ts';
import type { StrategyStore } from '../src/store/strategy-store.ts';
import type { InstrumentOrderSink, StrategyStateSource } from './strategy-order-ports.ts';

export interface OrderJobDeps {
  strategies: StrategyStore;
  controls: ControlsStore;
  state: StrategyStateSource;
  sink: InstrumentOrderSink;
  /** Config overrides (bad markets, ignored instruments, trading restrictions). */
  configOverrides?: Record<string, Override>;
  /** False when the stack nets on insert itself (then zero orders are sent too). */
  netAgainstStack?: boolean;
  log?: Logger;
}

export interface OrderJobResult extends StrategyOrderResult {
  strategy_name: string;
  placed: Array<{ instrument_code: string; trade: number; reply: unknown }>;
  failed: Array<{ instrument_code: string; trade: number; error: string }>;
}

export async function generateOrdersForStrategy(
  strategy: string,
  deps: OrderJobDeps,
): Promise<OrderJobResult> {
  const optimal = await deps.strategies.getOptimalPositions(strategy);
  if (optimal.length === 0)
    throw new Error(`no optimal positions stored for strategy ${strategy}: run the system first`);
  const all = await deps.state.positions();
  const strategyPositions: Record<string, number> = {};
  const instrumentPositions: Record<string, number> = {};
  for (const p of all) {
    instrumentPositions[p.instrument_code] = (instrumentPositions[p.instrument_code] ?? 0) + p.position;
    if (p.strategy_name === strategy) strategyPositions[p.instrument_code] = p.position;
  }
  const result = generateStrategyOrders({
    strategy_name: strategy,
    optimal_positions: optimal,
    strategy_positions: strategyPositions,
    instrument_positions: instrumentPositions,
    overrides: await deps.controls.overrides(),
    config_overrides: deps.configOverrides,
    position_limits: await deps.controls.positionLimits(),
    roll_states: await deps.state.rollStates(),
    locked_instruments: await deps.state.lockedInstruments(),
    open_orders: await deps.state.openOrders(strategy),
    net_against_stack: deps.netAgainstStack,
  });
  const placed: OrderJobResult['placed'] = [];
  const failed: OrderJobResult['failed'] = [];
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
  return { strategy_name: strategy, ...result, placed, failed };
}
