import type { BrokerPort } from '../../src/broker/port.ts';
import { closeProcessBroker, processBroker } from './process-broker.ts';
import type { MethodContext, ProcessMethodDeps } from './types.ts';

/**
 * Run `fn` with the process's broker connected; a connection this call opened is closed after,
 * and its broker client id given back (each method run is short; the reference's processes hold
 * one broker connection each).
 */
export async function withBroker<T>(
  ctx: MethodContext,
  deps: ProcessMethodDeps,
  fn: (broker: BrokerPort) => Promise<T>,
): Promise<T> {
  const broker = deps.broker ? deps.broker(ctx) : await processBroker(ctx);
  const opened = !broker.isConnected();
  try {
    if (opened) await broker.connect();
    return await fn(broker);
  } finally {
    // Also when the connect failed: the client id it was given goes back.
    if (opened) await closeProcessBroker(ctx, broker);
  }
}
