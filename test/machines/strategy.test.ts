import fc from 'fast-check';
import { getShortestPaths } from '@xstate/graph';
import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { type StrategyMachineEvent, strategyMachine } from '../../machines/strategy.ts';

const MIN = 60_000;
const start = (input: { max_executions?: number; frequency_minutes?: number } = {}) =>
  createActor(strategyMachine, { input: { strategy_name: 's', ...input } }).start();

describe('strategy machine (digest §4 P3, P8, P12)', () => {
  it('reference defaults: frequency 60 min, max_executions 1', () => {
    const a = start();
    expect(a.getSnapshot().context).toMatchObject({
      frequency_minutes: 60,
      max_executions: 1,
      executions: 0,
    });
    a.send({ type: 'CLOCK_TICK', now: 0 });
    expect(a.getSnapshot().value).toBe('running');
    a.send({ type: 'SYSTEM_DONE', now: 5, positions: 7 });
    expect(a.getSnapshot().value).toBe('finished');
    expect(a.getSnapshot().context).toMatchObject({
      executions: 1,
      positions_stored: 7,
      last_finished_at: 5,
    });
  });

  it('runs again only after the frequency has passed, up to max_executions', () => {
    const a = start({ max_executions: 2, frequency_minutes: 30 });
    a.send({ type: 'CLOCK_TICK', now: 0 });
    a.send({ type: 'SYSTEM_DONE', now: 1, positions: 1 });
    expect(a.getSnapshot().value).toBe('idle');
    a.send({ type: 'CLOCK_TICK', now: 29 * MIN });
    expect(a.getSnapshot().value).toBe('idle');
    a.send({ type: 'CLOCK_TICK', now: 30 * MIN });
    expect(a.getSnapshot().value).toBe('running');
    a.send({ type: 'SYSTEM_DONE', now: 31 * MIN, positions: 1 });
    expect(a.getSnapshot().value).toBe('finished');
  });

  it('a failure is kept visible; RESET allows another run', () => {
    const a = start({ max_executions: -1, frequency_minutes: 0 });
    a.send({ type: 'CLOCK_TICK', now: 0 });
    a.send({ type: 'SYSTEM_FAILED', now: 1, error: 'no capital' });
    expect(a.getSnapshot().value).toBe('failed');
    a.send({ type: 'CLOCK_TICK', now: 2 });
    expect(a.getSnapshot().value).toBe('failed');
    a.send({ type: 'RESET' });
    a.send({ type: 'CLOCK_TICK', now: 3 });
    expect(a.getSnapshot().value).toBe('running');
    expect(a.getSnapshot().context.last_error).toBeNull();
  });

  it('STOP while running takes effect after the current strategy', () => {
    const a = start({ max_executions: -1, frequency_minutes: 0 });
    a.send({ type: 'CLOCK_TICK', now: 0 });
    a.send({ type: 'STOP' });
    expect(a.getSnapshot().value).toBe('running');
    a.send({ type: 'SYSTEM_DONE', now: 1, positions: 3 });
    expect(a.getSnapshot().value).toBe('stopped');
  });

  it('an order generation is numbered, records its outcome and goes back to idle', () => {
    const a = start({ max_executions: -1, frequency_minutes: 0 });
    a.send({ type: 'GENERATE_ORDERS', now: 10 });
    expect(a.getSnapshot().value).toBe('generatingOrders');
    expect(a.getSnapshot().hasTag('busy')).toBe(true);
    expect(a.getSnapshot().context).toMatchObject({ order_runs: 1, last_orders_at: 10 });
    // no system run while orders are being generated
    a.send({ type: 'CLOCK_TICK', now: 11 });
    expect(a.getSnapshot().value).toBe('generatingOrders');
    a.send({ type: 'ORDERS_SENT', now: 12, placed: 2, ignored: 1, failed: 0 });
    expect(a.getSnapshot().value).toBe('idle');
    expect(a.getSnapshot().context).toMatchObject({
      order_runs: 1,
      orders_placed: 2,
      orders_ignored: 1,
      orders_failed: 0,
      last_finished_at: 12,
      executions: 0,
    });
    a.send({ type: 'GENERATE_ORDERS', now: 20 });
    a.send({ type: 'ORDERS_FAILED', now: 21, error: 'no optimal positions' });
    expect(a.getSnapshot().value).toBe('failed');
    expect(a.getSnapshot().context).toMatchObject({ order_runs: 2, last_error: 'no optimal positions' });
    a.send({ type: 'RESET' });
    a.send({ type: 'GENERATE_ORDERS', now: 30 });
    a.send({ type: 'STOP' });
    a.send({ type: 'ORDERS_SENT', now: 31, placed: 0, ignored: 0, failed: 0 });
    expect(a.getSnapshot().value).toBe('stopped');
  });

  it('never runs more than max_executions times, whatever the events', () => {
    const event = fc.oneof(
      fc
        .integer({ min: 0, max: 500 })
        .map((m): StrategyMachineEvent => ({ type: 'CLOCK_TICK', now: m * MIN })),
      fc.constant<StrategyMachineEvent>({ type: 'SYSTEM_DONE', now: 0, positions: 1 }),
      fc.constant<StrategyMachineEvent>({ type: 'SYSTEM_FAILED', now: 0, error: 'x' }),
      fc.constant<StrategyMachineEvent>({ type: 'RESET' }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4 }), fc.array(event, { maxLength: 40 }), (max, events) => {
        const a = start({ max_executions: max, frequency_minutes: 10 });
        let runs = 0;
        for (const e of events) {
          if (a.getSnapshot().status === 'done') break;
          const before = a.getSnapshot().value;
          a.send(e);
          if (before !== 'running' && a.getSnapshot().value === 'running') runs++;
        }
        expect(runs).toBeLessThanOrEqual(max);
        expect(a.getSnapshot().context.executions).toBe(runs);
      }),
    );
  });
});

describe('strategy machine graph', () => {
  it('every state is reachable from idle with the machine events', () => {
    const paths = getShortestPaths(strategyMachine, {
      input: { strategy_name: 's', max_executions: 2, frequency_minutes: 0 },
      events: [
        { type: 'CLOCK_TICK', now: 0 },
        { type: 'SYSTEM_DONE', now: 0, positions: 1 },
        { type: 'SYSTEM_FAILED', now: 0, error: 'x' },
        { type: 'GENERATE_ORDERS', now: 0 },
        { type: 'ORDERS_SENT', now: 0, placed: 1, ignored: 0, failed: 0 },
        { type: 'ORDERS_FAILED', now: 0, error: 'x' },
        { type: 'STOP' },
        { type: 'RESET' },
      ],
      limit: 5000,
      // order generations are numbered without end: states differ by value and runs up to 2
      serializeState: (s) =>
        JSON.stringify([
          s.value,
          s.context.executions,
          Math.min(s.context.order_runs, 2),
          s.context.stop_requested,
        ]),
    });
    const reached = new Set(paths.map((p) => String(p.state.value)));
    expect([...reached].sort()).toEqual([
      'failed',
      'finished',
      'generatingOrders',
      'idle',
      'running',
      'stopped',
    ]);
  });
});
