// Property tests of the process machine: any sequence of ticks, status changes and method
// completions keeps the reference's invariants (digest §4 P8–P10).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { type ProcessMachineEvent, processMachine } from '../../machines/process.ts';
import type { MethodConfig } from '../../src/domain/process-control/config.ts';
import { PROCESS_STATUSES } from '../../src/domain/process-control/config.ts';

const T0 = Date.parse('2026-11-20T12:00:00Z');
const methods: MethodConfig[] = [
  {
    name: 'a',
    frequencyMinutes: 0,
    maxExecutions: -1,
    runOnCompletionOnly: false,
    heartbeatMinutes: 10,
    extra: {},
  },
  {
    name: 'b',
    frequencyMinutes: 30,
    maxExecutions: 3,
    runOnCompletionOnly: false,
    heartbeatMinutes: 10,
    extra: {},
  },
  {
    name: 'c',
    frequencyMinutes: 60,
    maxExecutions: 1,
    runOnCompletionOnly: false,
    heartbeatMinutes: 10,
    extra: {},
  },
  {
    name: 'eod',
    frequencyMinutes: 60,
    maxExecutions: 1,
    runOnCompletionOnly: true,
    heartbeatMinutes: 10,
    extra: {},
  },
];

const step = fc.oneof(
  fc.record({ type: fc.constant('CLOCK_TICK' as const), dt: fc.integer({ min: 0, max: 90 * 60_000 }) }),
  fc.record({ type: fc.constant('STATUS' as const), status: fc.constantFrom(...PROCESS_STATUSES) }),
  fc.record({ type: fc.constant('METHOD_DONE' as const) }),
);

describe('process machine invariants', () => {
  it('methods run one at a time, within max executions, completion methods only after the stop, once', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 80 }), (steps) => {
        const ran: Array<{ method: string; status: string }> = [];
        let inFlight = 0;
        const actor = createActor(
          processMachine.provide({
            actions: {
              runMethod: ({ context }) => {
                inFlight++;
                ran.push({ method: context.currentMethod!, status: context.status });
              },
            },
          }),
          {
            input: {
              process: 'p',
              host: 'h',
              assignedHost: undefined,
              startTime: '00:01',
              stopTime: '23:50',
              timeZone: 'UTC',
              previousProcess: undefined,
              methods,
              status: 'GO',
              running: false,
              previous: undefined,
              now: T0,
            },
          },
        ).start();
        actor.send({ type: 'LEASE_ACQUIRED', now: T0 });
        let now = T0;
        for (const s of steps) {
          let e: ProcessMachineEvent;
          if (s.type === 'CLOCK_TICK') {
            now += s.dt;
            e = { type: 'CLOCK_TICK', now };
          } else if (s.type === 'STATUS') e = { type: 'STATUS', status: s.status };
          else {
            if (inFlight === 0) continue;
            inFlight--;
            e = { type: 'METHOD_DONE', now };
          }
          actor.send(e);
          expect(inFlight).toBeLessThanOrEqual(1);
        }
        const count = (m: string) => ran.filter((r) => r.method === m).length;
        expect(count('b')).toBeLessThanOrEqual(3);
        expect(count('c')).toBeLessThanOrEqual(1);
        expect(count('eod')).toBeLessThanOrEqual(1);
        const eodAt = ran.findIndex((r) => r.method === 'eod');
        if (eodAt >= 0) expect(ran.slice(eodAt + 1)).toEqual([]); // nothing after the completion method
        // PAUSE: no method starts in the main loop while paused
        expect(ran.filter((r) => r.method !== 'eod' && r.status === 'PAUSE')).toEqual([]);
        const snap = actor.getSnapshot();
        if (snap.status === 'done') expect(snap.output?.outcome).toBe('finished');
      }),
      { numRuns: 300 },
    );
  });
});
