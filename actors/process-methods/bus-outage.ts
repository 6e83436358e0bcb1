/**
 * A stack handler method pass that met a bus outage (a nats-server restart: a request with no
 * answer in time, or no responders) is skipped with a warning instead of failing the process: the
 * method runs again on the next pass, as the stack handler's own loop passes do (actors/stack/run.ts).
 * Before this a nats-server restart crashed the stack handler through whichever method was waiting
 * on the bus, and its relaunch restored every order (issue 17 §3). Order journal writes ride through
 * the outage on their own (actors/store/riding-journal.ts); one still failing past its deadline
 * (JournalUnavailableError) fails the method as before.
 */
import { NoRespondersError, RequestError, TimeoutError } from '@nats-io/transport-node';
import type { ProcessMethod } from './types.ts';

/** Whether an error is the bus not answering (it passes when the bus is back). */
export function isBusOutage(err: unknown): boolean {
  return err instanceof TimeoutError || err instanceof NoRespondersError || err instanceof RequestError;
}

/** `method`, its passes that meet a bus outage skipped (logged at warn). */
export function skipPassOnBusOutage(name: string, method: ProcessMethod): ProcessMethod {
  return async (ctx) => {
    try {
      await method(ctx);
    } catch (err) {
      if (!isBusOutage(err)) throw err;
      ctx.log.warn({ method: name, err: String(err) }, 'method pass skipped: the bus did not answer');
    }
  };
}
