import type { NatsConnection } from '@nats-io/transport-node';
import type { StackConfig, StackLogger } from '../../actors/stack/ports.ts';
import { StackHandler } from '../../actors/stack/stack-handler.ts';
import { ConstantPriceSource } from '../../src/broker/sim/price-source.ts';
import { SimBroker, type SimBrokerConfig } from '../../src/broker/sim/sim-broker.ts';
import { SimulatedClock } from '../../src/clock.ts';
import { stackHandlerProcessMethods } from '../../actors/process-methods/stack-handler.ts';
import { type MethodContext, oneOffMethodContext } from '../../actors/process-methods/types.ts';
import { loadConfig } from '../../src/config/load.ts';
import { createRootLogger } from '../../src/log/logger.ts';

export const T0 = Date.UTC(2026, 10, 20, 14, 0, 0);

/** The instruments and strategies the stack tests' services accept by name. */
export const UNIVERSE_INSTRUMENTS = ['SOFR', 'GOLD', 'BUND', 'US10', 'SP500'];
export const UNIVERSE_STRATEGIES = ['ewmac', 'carry', 'x'];

export async function makeStack(
  nc: NatsConnection,
  prefix: string,
  opts: {
    broker?: Partial<SimBrokerConfig>;
    config?: StackConfig;
    clock?: SimulatedClock;
    log?: StackLogger;
  } = {},
) {
  const clock = opts.clock ?? new SimulatedClock(T0);
  const broker = new SimBroker({
    clock,
    prices: new ConstantPriceSource(100),
    restingCheckMs: 0,
    ...opts.broker,
  });
  const handler = await StackHandler.open({
    nc,
    broker,
    clock,
    prefix,
    config: { eodCancelWaitMs: 500, ...opts.config },
    log: opts.log,
  });
  return { clock, broker, handler };
}

/** Run loop passes until nothing moves (broker idle, events handled). */
export async function drive(h: StackHandler, broker: SimBroker, passes = 6): Promise<void> {
  for (let i = 0; i < passes; i++) {
    await h.runLoopPass();
    await broker.idle();
    await h.settled();
  }
  await h.core.host.flush();
}

/** run_stack_handler's process methods on a simulated broker at a constant price, with a quiet logger. */
export function stackMethodsHarness(nc: NatsConnection, prefix: string, price: number) {
  const clock = new SimulatedClock(T0);
  const broker = new SimBroker({ clock, prices: new ConstantPriceSource(price), restingCheckMs: 0 });
  const methods = stackHandlerProcessMethods({ broker: () => broker });
  const log = createRootLogger({
    processName: 'test',
    level: 'fatal',
    destination: { write: () => undefined },
  }).log;
  const system = loadConfig().system;
  const ctx = (method: string): MethodContext =>
    oneOffMethodContext({ process: 'run_stack_handler', method, clock, nc, prefix, system, log });
  return { clock, broker, methods, ctx };
}
