/**
 * One strategy (digest §4 P8, P12; §2 B1): its system runs (run_systems) and its order
 * generations (run_strategy_order_generator). The machine is pure: the host sends CLOCK_TICK
 * { now } or GENERATE_ORDERS { now } and reports the outcome of the work it performs while the
 * machine is `running` (system) or `generatingOrders` (orders).
 *
 * idle ──CLOCK_TICK [due]──▶ running ──SYSTEM_DONE──▶ positionsStored ──▶ idle | finished | stopped
 *                                    └─SYSTEM_FAILED─▶ failed ──RESET──▶ idle
 * idle ──GENERATE_ORDERS──▶ generatingOrders ──ORDERS_SENT──▶ ordersSent ──▶ idle | stopped
 *                                            └─ORDERS_FAILED─▶ failed
 * Due: executions < max_executions (−1 = unlimited) and now − last run ≥ frequency. Under the
 * supervisor the process machine schedules the runs (max_executions −1, frequency 0 here).
 * Each order generation has a number (`order_runs`) and a start time, from which the host makes
 * its order request ids, so a generation resumed after a crash queues no order twice.
 * STOP: from idle at once; while busy, after the current run (as the reference).
 */
import { assign, setup } from 'xstate';

export interface StrategyMachineInput {
  strategy_name: string;
  /** Minutes between runs (reference default 60). */
  frequency_minutes?: number;
  /** −1 means unlimited (reference default 1). */
  max_executions?: number;
}

export interface StrategyMachineContext {
  strategy_name: string;
  frequency_minutes: number;
  max_executions: number;
  executions: number;
  last_run_at: number | null;
  last_finished_at: number | null;
  positions_stored: number | null;
  last_error: string | null;
  stop_requested: boolean;
  /** Order generations started (the current one's number while `generatingOrders`). */
  order_runs: number;
  last_orders_at: number | null;
  /** The last generation's outcome: orders queued, refused by a stack rule, failed. */
  orders_placed: number | null;
  orders_ignored: number | null;
  orders_failed: number | null;
}

export type StrategyMachineEvent =
  | { type: 'CLOCK_TICK'; now: number }
  | { type: 'SYSTEM_DONE'; now: number; positions: number }
  | { type: 'SYSTEM_FAILED'; now: number; error: string }
  | { type: 'GENERATE_ORDERS'; now: number }
  | { type: 'ORDERS_SENT'; now: number; placed: number; ignored: number; failed: number }
  | { type: 'ORDERS_FAILED'; now: number; error: string }
  | { type: 'STOP' }
  | { type: 'RESET' };

export const strategyMachine = setup({
  types: {
    context: {} as StrategyMachineContext,
    events: {} as StrategyMachineEvent,
    input: {} as StrategyMachineInput,
  },
  guards: {
    isDue: ({ context, event }) => {
      if (event.type !== 'CLOCK_TICK') return false;
      const underMax = context.max_executions < 0 || context.executions < context.max_executions;
      const waited =
        context.last_run_at === null || event.now - context.last_run_at >= context.frequency_minutes * 60_000;
      return underMax && waited;
    },
    maxReached: ({ context }) => context.max_executions >= 0 && context.executions >= context.max_executions,
    stopRequested: ({ context }) => context.stop_requested,
  },
  actions: {
    markStarted: assign({
      executions: ({ context }) => context.executions + 1,
      last_run_at: ({ event }) => (event.type === 'CLOCK_TICK' ? event.now : null),
      last_error: () => null,
    }),
    recordPositions: assign({
      positions_stored: ({ event, context }) =>
        event.type === 'SYSTEM_DONE' ? event.positions : context.positions_stored,
      last_finished_at: ({ event, context }) =>
        event.type === 'SYSTEM_DONE' ? event.now : context.last_finished_at,
    }),
    recordError: assign({
      last_error: ({ event, context }) =>
        event.type === 'SYSTEM_FAILED' || event.type === 'ORDERS_FAILED' ? event.error : context.last_error,
      last_finished_at: ({ event, context }) =>
        event.type === 'SYSTEM_FAILED' || event.type === 'ORDERS_FAILED'
          ? event.now
          : context.last_finished_at,
    }),
    markOrdersStarted: assign({
      order_runs: ({ context }) => context.order_runs + 1,
      last_orders_at: ({ event, context }) =>
        event.type === 'GENERATE_ORDERS' ? event.now : context.last_orders_at,
      last_error: () => null,
    }),
    recordOrders: assign({
      orders_placed: ({ event, context }) =>
        event.type === 'ORDERS_SENT' ? event.placed : context.orders_placed,
      orders_ignored: ({ event, context }) =>
        event.type === 'ORDERS_SENT' ? event.ignored : context.orders_ignored,
      orders_failed: ({ event, context }) =>
        event.type === 'ORDERS_SENT' ? event.failed : context.orders_failed,
      last_finished_at: ({ event, context }) =>
        event.type === 'ORDERS_SENT' ? event.now : context.last_finished_at,
    }),
    requestStop: assign({ stop_requested: () => true }),
  },
}).createMachine({
  id: 'strategy',
  context: ({ input }) => ({
    strategy_name: input.strategy_name,
    frequency_minutes: input.frequency_minutes ?? 60,
    max_executions: input.max_executions ?? 1,
    executions: 0,
    last_run_at: null,
    last_finished_at: null,
    positions_stored: null,
    last_error: null,
    stop_requested: false,
    order_runs: 0,
    last_orders_at: null,
    orders_placed: null,
    orders_ignored: null,
    orders_failed: null,
  }),
  initial: 'idle',
  states: {
    idle: {
      always: { guard: 'maxReached', target: 'finished' },
      on: {
        CLOCK_TICK: { guard: 'isDue', target: 'running', actions: 'markStarted' },
        GENERATE_ORDERS: { target: 'generatingOrders', actions: 'markOrdersStarted' },
        STOP: { target: 'stopped' },
      },
    },
    running: {
      tags: ['busy'],
      on: {
        SYSTEM_DONE: { target: 'positionsStored', actions: 'recordPositions' },
        SYSTEM_FAILED: { target: 'failed', actions: 'recordError' },
        STOP: { actions: 'requestStop' },
      },
    },
    positionsStored: {
      always: [
        { guard: 'stopRequested', target: 'stopped' },
        { guard: 'maxReached', target: 'finished' },
        { target: 'idle' },
      ],
    },
    generatingOrders: {
      tags: ['busy'],
      on: {
        ORDERS_SENT: { target: 'ordersSent', actions: 'recordOrders' },
        ORDERS_FAILED: { target: 'failed', actions: 'recordError' },
        STOP: { actions: 'requestStop' },
      },
    },
    ordersSent: {
      always: [{ guard: 'stopRequested', target: 'stopped' }, { target: 'idle' }],
    },
    failed: {
      on: {
        RESET: { target: 'idle' },
        STOP: { target: 'stopped' },
      },
    },
    finished: { type: 'final' },
    stopped: { type: 'final' },
  },
});
