import type { NatsConnection } from '@nats-io/transport-node';
import { stackHandlerProcessMethods } from '../../actors/process-methods/stack-handler.ts';
import { type MethodContext, oneOffMethodContext } from '../../actors/process-methods/types.ts';
import { ConstantPriceSource } from '../../src/broker/sim/price-source.ts';
import { SimBroker, type SimBrokerConfig } from '../../src/broker/sim/sim-broker.ts';
import { SimulatedClock } from '../../src/clock.ts';
import { loadConfig, type ResolvedSystemConfig } from '../../src/config/load.ts';
import { createRootLogger, type Logger } from '../../src/log/logger.ts';

/** A logger that writes nothing. */
export function quietLogger(): Logger {
  return createRootLogger({ processName: 'test', level: 'fatal', destination: { write: () => undefined } })
    .log;
}

/** run_stack_handler's loop methods, in the order one pass of the stack handler runs them. */
export const STACK_HANDLER_LOOP = [
  'check_external_position_break',
  'spawn_children_from_new_instrument_orders',
  'create_broker_orders_from_contract_orders',
  'process_fills_stack',
  'handle_completed_orders',
] as const;

export interface StackMethodsOptions {
  /** The simulated clock; default one at 2026-11-20 14:00 UTC. */
  clock?: SimulatedClock;
  /** The simulated broker's constant price; default 100. */
  price?: number;
  /** More of the simulated broker's configuration (its store, FX rates). */
  broker?: Partial<SimBrokerConfig>;
  /** The system configuration; default the bundled defaults. */
  system?: ResolvedSystemConfig;
}

export interface PassOptions {
  /** How many passes; default 3. */
  passes?: number;
  /** Run check_external_position_break first in each pass; default true. */
  breakCheck?: boolean;
}

/**
 * run_stack_handler's process methods on a simulated broker at a constant price, with a quiet
 * logger, as the supervisor runs them: `ctx(method)` is a method's context; `pass()` runs the
 * loop methods over the stacks (each method once a pass, the broker settling after each pass).
 */
export function stackMethodsHarness(nc: NatsConnection, prefix: string, opts: StackMethodsOptions = {}) {
  const clock = opts.clock ?? new SimulatedClock(Date.UTC(2026, 10, 20, 14, 0, 0));
  const broker = new SimBroker({
    clock,
    prices: new ConstantPriceSource(opts.price ?? 100),
    restingCheckMs: 0,
    ...opts.broker,
  });
  const methods = stackHandlerProcessMethods({ broker: () => broker });
  const log = quietLogger();
  const system = opts.system ?? loadConfig().system;
  const ctx = (method: string): MethodContext =>
    oneOffMethodContext({ process: 'run_stack_handler', method, clock, nc, prefix, system, log });
  const pass = async ({ passes = 3, breakCheck = true }: PassOptions = {}): Promise<void> => {
    const loop = breakCheck ? STACK_HANDLER_LOOP : STACK_HANDLER_LOOP.slice(1);
    for (let i = 0; i < passes; i++) {
      for (const m of loop) await methods[m]!(ctx(m));
      await broker.idle();
    }
  };
  return { clock, broker, methods, ctx, pass };
}
