/**
 * The supervisor's process method signature (digest §4 P2 `process_configuration_methods`),
 * copied from the supervisor branch's `actors/process-methods.ts` so these methods compile on
 * their own; the lead unifies the two at merge (the shapes are the same).
 */
import type { NatsConnection } from '@nats-io/transport-node';
import type { BrokerPort } from '../../src/broker/port.ts';
import type { Clock } from '../../src/clock.ts';
import type { ResolvedSystemConfig } from '../../src/config/load.ts';
import type { Logger } from '../../src/log/logger.ts';

/** One method's control config (supervisor's `src/domain/process-control/config.ts`). */
export interface MethodConfig {
  name: string;
  frequencyMinutes: number;
  maxExecutions: number;
  runOnCompletionOnly: boolean;
  heartbeatMinutes: number;
  /** Extra keys (e.g. `object`, `backtest_config_filename` for strategies, P12). */
  extra: Record<string, unknown>;
}

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
