// A stack handler method pass that meets a bus outage is skipped (the process carries on and the
// method runs again on the next pass); any other failure, a journal write past its deadline
// included, still fails the method (and so the process).
import { NoRespondersError, TimeoutError } from '@nats-io/transport-node';
import { describe, expect, it } from 'vitest';
import { skipPassOnBusOutage } from '../../actors/process-methods/bus-outage.ts';
import type { MethodContext } from '../../actors/process-methods/types.ts';
import { JournalUnavailableError } from '../../actors/store/riding-journal.ts';

function ctxLogging(lines: string[]): MethodContext {
  const log = { warn: (_f: object, msg: string) => lines.push(msg) };
  // Only the logger is read by the wrapper itself.
  return { log } as unknown as MethodContext;
}

describe('a loop pass that meets a bus outage', () => {
  it('is skipped with a warning on a request timeout or no responders', async () => {
    const lines: string[] = [];
    for (const err of [new TimeoutError(), new NoRespondersError('systack.x')]) {
      const m = skipPassOnBusOutage('process_fills_stack', () => Promise.reject(err));
      await expect(m(ctxLogging(lines))).resolves.toBeUndefined();
    }
    expect(lines).toEqual([
      'method pass skipped: the bus did not answer',
      'method pass skipped: the bus did not answer',
    ]);
  });

  it('still fails on anything else, a journal write past its deadline included', async () => {
    const lines: string[] = [];
    for (const err of [new JournalUnavailableError('journal write failed for 30000 ms'), new Error('bad')]) {
      const m = skipPassOnBusOutage('process_fills_stack', () => Promise.reject(err));
      await expect(m(ctxLogging(lines))).rejects.toBe(err);
    }
    expect(lines).toEqual([]);
  });
});
