/**
 * The process method signature (digest §4 P2 `process_configuration_methods`): what the process
 * runner passes each method. The one definition; `actors/process-methods.ts` re-exports it.
 */
import type { NatsConnection } from '@nats-io/transport-node';
import type { BrokerPort } from '../../src/broker/port.ts';
import type { Clock } from '../../src/clock.ts';
import type { ResolvedSystemConfig } from '../../src/config/load.ts';
import type { MethodConfig } from '../../src/domain/process-control/config.ts';
import type { Logger } from '../../src/log/logger.ts';

export type { MethodConfig };

export interface MethodContext {
  process: string;
  method: string;
  /** The method's config, including extra keys such as a strategy's `object` (P12). */
  config: MethodConfig;
  /** Keyword arguments from the control config's `arguments` key. */
  args: Record<string, unknown>;
  clock: Clock;
  nc: NatsConnection;
  prefix: string;
  system: ResolvedSystemConfig;
  log: Logger;
}

export type ProcessMethod = (ctx: MethodContext) => Promise<void>;
export type MethodRegistry = Record<string, Record<string, ProcessMethod>>;

/** What the methods take from outside the context; tests inject a fake broker. */
export interface ProcessMethodDeps {
  /** The broker for one method run; default `brokerFromConfig(ctx.system, ctx.clock)`. */
  broker?: (ctx: MethodContext) => BrokerPort;
}

/**
 * A context for running a method once outside the process runner (bootstrap, CLI, tests): the
 * method's config is a single run with the reference's defaults.
 */
export function oneOffMethodContext(
  base: Omit<MethodContext, 'config' | 'args'> & { args?: Record<string, unknown> },
): MethodContext {
  return {
    ...base,
    args: base.args ?? {},
    config: {
      name: base.method,
      frequencyMinutes: 0,
      maxExecutions: 1,
      runOnCompletionOnly: false,
      heartbeatMinutes: 10,
      extra: {},
    },
  };
}
