import type { Service } from '@nats-io/services';
import type { NatsConnection } from '@nats-io/transport-node';
import type { BrokerPort } from '../../src/broker/port.ts';
import { DEFAULT_PREFIX } from '../../src/bus/subjects.ts';
import type { Clock } from '../../src/clock.ts';
import { childLogger } from '../../src/log/logger.ts';
import type { ContractResolver, StackConfig, StackLogger, TradeLimits } from './ports.ts';
import { startOrderServices } from './services.ts';
import { StackHandler } from './stack-handler.ts';

export interface RunStackHandlerOptions {
  nc: NatsConnection;
  broker: BrokerPort;
  clock: Clock;
  prefix?: string;
  log?: StackLogger;
  contracts?: ContractResolver;
  tradeLimits?: TradeLimits;
  config?: StackConfig;
  /** Real milliseconds between loop passes (the reference runs its methods with frequency 0). */
  loopMs?: number;
}

export interface RunningStackHandler {
  handler: StackHandler;
  service: Service;
  /** Stop the loop; with `endOfDay` run safe_stack_removal first (run_on_completion_only, A1). */
  stop(opts?: { endOfDay?: boolean }): Promise<void>;
}

/**
 * run_stack_handler as a long-lived actor system: restore the stacks, serve the order services,
 * and run the loop passes (A1 order). Fills and order statuses are handled as they arrive, between
 * passes; algos run on their own.
 */
export async function runStackHandler(opts: RunStackHandlerOptions): Promise<RunningStackHandler> {
  const prefix = opts.prefix ?? DEFAULT_PREFIX;
  const log = opts.log ?? childLogger({ component: 'stack_handler' });
  const handler = await StackHandler.open({ ...opts, prefix, log });
  const service = await startOrderServices(opts.nc, handler, prefix);
  log.info({ ...handler.restoreReport }, 'stack handler started');
  let stopping = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const loop = (): void => {
    if (stopping) return;
    running = handler
      .runLoopPass()
      .catch((err: unknown) => log.error({ err: String(err) }, 'stack handler pass failed'))
      .finally(() => {
        if (!stopping) timer = setTimeout(loop, opts.loopMs ?? 250);
      });
  };
  loop();
  return {
    handler,
    service,
    async stop(stopOpts = {}) {
      stopping = true;
      if (timer) clearTimeout(timer);
      await running;
      if (stopOpts.endOfDay) await handler.safeStackRemoval();
      await service.stop();
      await handler.close();
    },
  };
}
