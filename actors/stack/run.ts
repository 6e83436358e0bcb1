import type { Service } from '@nats-io/services';
import { DEFAULT_PREFIX } from '../../src/bus/subjects.ts';
import { childLogger } from '../../src/log/logger.ts';
import { startOrderServices } from './services.ts';
import { StackHandler, type StackHandlerOptions } from './stack-handler.ts';
import { consumeOrderRequests } from './order-requests.ts';
import type { Universe } from '../universe.ts';

export interface RunStackHandlerOptions extends StackHandlerOptions {
  /** Real milliseconds between loop passes (the reference runs its methods with frequency 0). */
  loopMs?: number;
  /** What the order services accept by name (known instruments and strategies, limits). */
  universe: Universe;
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
  const service = await startOrderServices(opts.nc, handler, prefix, opts.universe);
  // Orders queued by the strategy order generator while no stack handler ran.
  const requests = await consumeOrderRequests(opts.nc, prefix, handler, log);
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
      await requests.stop();
      if (stopOpts.endOfDay) await handler.safeStackRemoval();
      await service.stop();
      await handler.close();
    },
  };
}
