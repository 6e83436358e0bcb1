/**
 * One run of one process (digest §4 P6–P10; `syscontrol/run_process.py`), as a pure machine.
 * Time arrives as CLOCK_TICK { now }; status changes as STATUS; the previous process's record as
 * PREVIOUS. The host does the I/O in the named actions: take the lease, run a method, finish.
 *
 * waiting ──start──▶ acquiring ──LEASE_ACQUIRED──▶ running.choosing ⇄ running.method
 *    │exit               │LEASE_REFUSED                 │stop (STOP / all done / past stop time)
 *    ▼                   ▼                              ▼
 * notStarted        notStarted                finishing (completion-only methods) ──▶ finished
 * A method failure ends in `failed` (no completion methods: the host logs a critical crash);
 * so does ABANDON, at the next method boundary: the host is going away mid-day (its supervisor
 * died), not stopping for the day, so the completion methods (safe_stack_removal: every order
 * completed as at the end of the day) must not run — the next run takes the work over;
 * a lost lease ends in `leaseLost` (another party finished us: do nothing more).
 */
import { assign, setup } from 'xstate';
import type {
  ProcessMachineContext,
  ProcessMachineEvent,
  ProcessMachineInput,
  ProcessMachineOutput,
  ProcessOutcome,
} from './process-types.ts';
import { decideStart, stopReason } from '../src/domain/process-control/decisions.ts';
import {
  allTimersFinished,
  completionMethods,
  heartbeatsDue,
  newTimer,
  nextDueMethod,
} from '../src/domain/process-control/method-timer.ts';
import {
  isItTimeToRun,
  isItTimeToStop,
  previousProcessSatisfied,
} from '../src/domain/process-control/timing.ts';

export type {
  ProcessMachineContext,
  ProcessMachineEvent,
  ProcessMachineInput,
  ProcessMachineOutput,
  ProcessOutcome,
} from './process-types.ts';

const windowOf = (c: ProcessMachineContext) => ({ startTime: c.startTime, stopTime: c.stopTime });

function startDecision(c: ProcessMachineContext) {
  return decideStart({
    status: c.status,
    running: c.running,
    inWindow: isItTimeToRun(c.now, windowOf(c), c.timeZone),
    timeToStop: isItTimeToStop(c.now, windowOf(c), c.timeZone),
    previousSatisfied: previousProcessSatisfied(c.previousProcess, c.previous, c.now),
  });
}

function currentStopReason(c: ProcessMachineContext): string | undefined {
  return stopReason({
    status: c.status,
    allTimersFinished: allTimersFinished(c.methods, c.timers),
    timeToStop: isItTimeToStop(c.now, windowOf(c), c.timeZone),
  });
}

export const processMachine = setup({
  types: {
    input: {} as ProcessMachineInput,
    context: {} as ProcessMachineContext,
    events: {} as ProcessMachineEvent,
    output: {} as ProcessMachineOutput,
  },
  guards: {
    wrongHost: ({ context: c }) => c.assignedHost !== undefined && c.assignedHost !== c.host,
    canStart: ({ context: c }) => startDecision(c).decision === 'start',
    mustExit: ({ context: c }) => startDecision(c).decision === 'exit',
    shouldStop: ({ context: c }) => currentStopReason(c) !== undefined,
    // P10 PAUSE: the process stays alive but skips its methods.
    hasDueMethod: ({ context: c }) =>
      c.status !== 'PAUSE' && nextDueMethod(c.methods, c.timers, c.now, c.cursor) !== undefined,
    hasCompletionLeft: ({ context: c }) => c.completionQueue.length > 0,
    isAbandoned: ({ context: c }) => c.abandoned !== undefined,
  },
  actions: {
    // Host-provided side effects (no-ops here so the machine stays pure and traversable).
    requestLease: () => {},
    runMethod: () => {},
    reportHeartbeats: () => {},
    finishProcess: () => {},
    reportNotStarted: () => {},
    reportFailure: () => {},
    setOutcome: assign((_, params: { outcome: ProcessOutcome }) => ({ outcome: params.outcome })),
    recordNow: assign({ now: ({ context, event }) => ('now' in event ? event.now : context.now) }),
    recordStatus: assign({
      status: ({ context, event }) => (event.type === 'STATUS' ? event.status : context.status),
    }),
    recordPrevious: assign({
      previous: ({ context, event }) => (event.type === 'PREVIOUS' ? event.record : context.previous),
    }),
    recordRunningElsewhere: assign({
      running: ({ context, event }) => (event.type === 'RUNNING_ELSEWHERE' ? event.running : context.running),
    }),
    recordWaitReason: assign({
      reason: ({ context: c }) => {
        const d = startDecision(c);
        return d.decision === 'start' ? undefined : d.reason;
      },
    }),
    recordWrongHost: assign({
      reason: ({ context: c }) => `assigned to host ${c.assignedHost}, this is ${c.host}`,
    }),
    recordRefusal: assign({
      reason: ({ event }) => (event.type === 'LEASE_REFUSED' ? event.reason : 'lease refused'),
    }),
    recordLeaseLost: assign({
      reason: ({ event }) => (event.type === 'LEASE_LOST' ? event.reason : 'lease lost'),
    }),
    recordStarted: assign({ startedAt: ({ context }) => context.now }),
    startPass: assign({ cursor: -1 }),
    recordHeartbeats: assign({
      timers: ({ context: c }) => {
        const due = heartbeatsDue(c.methods, c.timers, c.now);
        const timers = { ...c.timers };
        for (const name of due) timers[name] = { ...(timers[name] ?? newTimer()), lastHeartbeat: c.now };
        return timers;
      },
    }),
    // P8.4: on run, increment executions and set last_run before calling the function.
    selectMethod: assign(({ context: c }) => {
      const i = nextDueMethod(c.methods, c.timers, c.now, c.cursor)!;
      const name = c.methods[i]!.name;
      const t = c.timers[name] ?? newTimer();
      return {
        cursor: i,
        currentMethod: name,
        timers: { ...c.timers, [name]: { ...t, executions: t.executions + 1, lastRun: c.now } },
      };
    }),
    recordMethodEnd: assign(({ context: c, event }) => {
      const name = c.currentMethod;
      if (!name) return {};
      const now = 'now' in event ? event.now : c.now;
      const t = c.timers[name] ?? newTimer();
      return { now, currentMethod: undefined, timers: { ...c.timers, [name]: { ...t, lastEnd: now } } };
    }),
    recordFailure: assign({
      error: ({ event }) => (event.type === 'METHOD_FAILED' ? event.error : undefined),
      reason: ({ context, event }) =>
        event.type === 'METHOD_FAILED' ? `method ${context.currentMethod} failed: ${event.error}` : undefined,
    }),
    // A waiting run exits as on STOP; a running one fails at its next method boundary.
    recordAbandon: assign(({ context, event }) =>
      event.type === 'ABANDON' ? { abandoned: event.reason, status: 'STOP' as const } : context,
    ),
    recordAbandonReason: assign({ reason: ({ context }) => `abandoned: ${context.abandoned ?? ''}` }),
    recordStopReason: assign({ reason: ({ context }) => currentStopReason(context) }),
    // P9.1: every run_on_completion_only method runs once when the process stops.
    queueCompletion: assign({ completionQueue: ({ context }) => completionMethods(context.methods) }),
    takeCompletion: assign(({ context: c }) => {
      const name = c.completionQueue[0]!;
      const t = c.timers[name] ?? newTimer();
      return {
        currentMethod: name,
        completionQueue: c.completionQueue.slice(1),
        timers: { ...c.timers, [name]: { ...t, executions: t.executions + 1, lastRun: c.now } },
      };
    }),
  },
}).createMachine({
  id: 'process',
  context: ({ input }) => ({
    ...input,
    timers: Object.fromEntries(input.methods.map((m) => [m.name, newTimer()])),
    cursor: -1,
    currentMethod: undefined,
    completionQueue: [],
    startedAt: undefined,
    reason: undefined,
    error: undefined,
    outcome: undefined,
    abandoned: undefined,
  }),
  on: {
    CLOCK_TICK: { actions: 'recordNow' },
    STATUS: { actions: 'recordStatus' },
    PREVIOUS: { actions: 'recordPrevious' },
    RUNNING_ELSEWHERE: { actions: 'recordRunningElsewhere' },
    ABANDON: { actions: 'recordAbandon' },
  },
  initial: 'waiting',
  states: {
    waiting: {
      entry: 'recordWaitReason',
      on: {
        CLOCK_TICK: { actions: ['recordNow', 'recordWaitReason'] },
        STATUS: { actions: ['recordStatus', 'recordWaitReason'] },
        PREVIOUS: { actions: ['recordPrevious', 'recordWaitReason'] },
      },
      always: [
        { guard: 'wrongHost', target: 'notStarted', actions: 'recordWrongHost' },
        { guard: 'canStart', target: 'acquiring' },
        { guard: 'mustExit', target: 'notStarted', actions: 'recordWaitReason' },
      ],
    },
    acquiring: {
      entry: 'requestLease',
      on: {
        LEASE_ACQUIRED: { target: 'running', actions: ['recordNow', 'recordStarted'] },
        LEASE_REFUSED: { target: 'notStarted', actions: 'recordRefusal' },
      },
    },
    running: {
      initial: 'choosing',
      on: { LEASE_LOST: { target: 'leaseLost', actions: 'recordLeaseLost' } },
      states: {
        choosing: {
          // Each tick starts a new pass over the methods (P8.1, P8.4).
          on: { CLOCK_TICK: { actions: ['recordNow', 'startPass', 'reportHeartbeats', 'recordHeartbeats'] } },
          always: [
            { guard: 'isAbandoned', target: '#process.failed', actions: 'recordAbandonReason' },
            { guard: 'shouldStop', target: '#process.finishing', actions: 'recordStopReason' },
            { guard: 'hasDueMethod', target: 'method', actions: 'selectMethod' },
          ],
        },
        method: {
          entry: 'runMethod',
          on: {
            // STOP takes effect here, at the method boundary (P10).
            METHOD_DONE: { target: 'choosing', actions: 'recordMethodEnd' },
            METHOD_FAILED: { target: '#process.failed', actions: ['recordFailure', 'recordMethodEnd'] },
          },
        },
      },
    },
    finishing: {
      entry: 'queueCompletion',
      on: { LEASE_LOST: { target: 'leaseLost', actions: 'recordLeaseLost' } },
      initial: 'next',
      states: {
        next: {
          always: [
            { guard: 'hasCompletionLeft', target: 'method', actions: 'takeCompletion' },
            { target: '#process.finished' },
          ],
        },
        method: {
          entry: 'runMethod',
          on: {
            METHOD_DONE: { target: 'next', actions: 'recordMethodEnd' },
            METHOD_FAILED: { target: '#process.failed', actions: ['recordFailure', 'recordMethodEnd'] },
          },
        },
      },
    },
    finished: {
      type: 'final',
      entry: [{ type: 'setOutcome', params: { outcome: 'finished' } }, 'finishProcess'],
    },
    notStarted: {
      type: 'final',
      entry: [{ type: 'setOutcome', params: { outcome: 'not-started' } }, 'reportNotStarted'],
    },
    failed: {
      type: 'final',
      entry: [{ type: 'setOutcome', params: { outcome: 'failed' } }, 'reportFailure'],
    },
    leaseLost: { type: 'final', entry: { type: 'setOutcome', params: { outcome: 'lease-lost' } } },
  },
  output: ({ context: c }) => ({ outcome: c.outcome ?? 'not-started', reason: c.reason }),
});
