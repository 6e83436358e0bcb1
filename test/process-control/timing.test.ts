import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { resolveControlConfig } from '../../src/domain/process-control/config.ts';
import { decideLaunch, decideStart, stopReason } from '../../src/domain/process-control/decisions.ts';
import {
  allTimersFinished,
  heartbeatsDue,
  isMethodDue,
  newTimer,
  nextDueMethod,
} from '../../src/domain/process-control/method-timer.ts';
import { SHIPPED_CONTROL_CONFIG } from '../../src/domain/process-control/shipped.ts';
import {
  DAY_MS,
  isItTimeToRun,
  isItTimeToStop,
  localDate,
  minuteOfDay,
  previousProcessSatisfied,
  previousRunDueSince,
} from '../../src/domain/process-control/timing.ts';

const at = (hhmm: string, day = '2026-11-20') => Date.parse(`${day}T${hhmm}:00Z`);
const cfg = resolveControlConfig(SHIPPED_CONTROL_CONFIG);

describe('time window (P4)', () => {
  const w = { startTime: '20:05', stopTime: '23:50' };
  it('opens at start, closes at stop, exclusive', () => {
    expect(isItTimeToRun(at('20:04'), w, 'UTC')).toBe(false);
    expect(isItTimeToRun(at('20:05'), w, 'UTC')).toBe(true);
    expect(isItTimeToRun(at('23:49'), w, 'UTC')).toBe(true);
    expect(isItTimeToRun(at('23:50'), w, 'UTC')).toBe(false);
    expect(isItTimeToStop(at('23:50'), w, 'UTC')).toBe(false);
    expect(isItTimeToStop(at('23:51'), w, 'UTC')).toBe(true);
  });
  it('never wraps past midnight: start after stop never opens (#640)', () => {
    const bad = { startTime: '20:10', stopTime: '19:30' };
    fc.assert(
      fc.property(fc.integer({ min: 0, max: DAY_MS - 1 }), (ms) => {
        expect(isItTimeToRun(Date.parse('2026-11-20T00:00:00Z') + ms, bad, 'UTC')).toBe(false);
      }),
    );
  });
  it('reads local time in the configured zone', () => {
    // 19:30 UTC is 20:30 in Berlin (CET, November)
    expect(minuteOfDay(at('19:30'), 'Europe/Berlin')).toBe(20 * 60 + 30);
    expect(isItTimeToRun(at('19:30'), w, 'Europe/Berlin')).toBe(true);
    expect(localDate(at('23:30'), 'Europe/Berlin')).toBe('2026-11-21');
  });
});

describe('previous process (P5)', () => {
  const now = at('20:05');
  it('is satisfied when none is configured', () => {
    expect(previousProcessSatisfied(undefined, undefined, now)).toBe(true);
  });
  it('needs the previous process finished within 24 h and not running', () => {
    expect(previousProcessSatisfied('p', undefined, now)).toBe(false);
    expect(previousProcessSatisfied('p', { running: false, lastEnd: now - 60_000 }, now)).toBe(true);
    expect(previousProcessSatisfied('p', { running: true, lastEnd: now - 60_000 }, now)).toBe(false);
    expect(previousProcessSatisfied('p', { running: false, lastEnd: now - DAY_MS - 1 }, now)).toBe(false);
    expect(previousProcessSatisfied('p', { running: false, lastEnd: now - DAY_MS }, now)).toBe(true);
    // a crashed previous run does not count (deliberate change from P5)
    expect(previousProcessSatisfied('p', { running: false, lastEnd: now - 60_000, crashed: true }, now)).toBe(
      false,
    );
  });
  it("once the previous process's start time has passed today, needs an end since then", () => {
    const due = { startTime: '20:05', timeZone: 'UTC' };
    const yesterday = at('20:30') - DAY_MS; // within 24 h of every time below
    // before its start time today: yesterday's end counts (P5)
    expect(previousProcessSatisfied('p', { running: false, lastEnd: yesterday, due }, at('20:04'))).toBe(
      true,
    );
    // its run of today is due: yesterday's end no longer counts, even with it not running
    expect(previousProcessSatisfied('p', { running: false, lastEnd: yesterday, due }, at('20:05'))).toBe(
      false,
    );
    expect(previousProcessSatisfied('p', { running: false, lastEnd: yesterday, due }, at('20:20'))).toBe(
      false,
    );
    // an end since today's start time counts; one a second before it does not
    expect(previousProcessSatisfied('p', { running: false, lastEnd: at('20:05'), due }, at('20:20'))).toBe(
      true,
    );
    expect(
      previousProcessSatisfied('p', { running: false, lastEnd: at('20:05') - 1000, due }, at('20:20')),
    ).toBe(false);
    expect(previousRunDueSince(at('20:20') + 500, due)).toBe(at('20:05'));
    expect(previousRunDueSince(at('20:04'), due)).toBeUndefined();
    expect(previousRunDueSince(at('20:04'), undefined)).toBeUndefined();
  });
});

describe('control config (P2, P3)', () => {
  it('fills the code defaults: frequency 60, max_executions 1, heartbeat 10', () => {
    const c = resolveControlConfig({ process_configuration_methods: { run_x: { m: {} } } });
    expect(c.processes.run_x?.methods[0]).toMatchObject({
      frequencyMinutes: 60,
      maxExecutions: 1,
      runOnCompletionOnly: false,
      heartbeatMinutes: 10,
    });
    expect(c.processes.run_x?.startTime).toBe('00:01');
    expect(c.processes.run_x?.stopTime).toBe('23:50');
    expect(c.processes.run_x?.previousProcess).toBeUndefined();
  });
  it('uses shipped times and dependencies', () => {
    expect(cfg.processes.run_stack_handler).toMatchObject({ startTime: '00:01', stopTime: '19:45' });
    expect(cfg.processes.run_systems?.previousProcess).toBe('run_daily_prices_updates');
    expect(cfg.processes.run_stack_handler?.restart).toEqual({ mode: 'on-crash', maxRestarts: 3 });
    expect(cfg.processes.run_reports?.restart.mode).toBe('never');
  });
  it('rejects a bad time with a clear message', () => {
    expect(() => resolveControlConfig({ process_configuration_start_time: { run_x: '25:00' } })).toThrow(
      /process_configuration_start_time.run_x/,
    );
    expect(() => resolveControlConfig({ time_zone: 'Mars/Base' })).toThrow(/unknown time zone/);
  });
});

describe('method timers (P3, P8)', () => {
  const m = (over: Partial<{ f: number; max: number; c: boolean }> = {}) => ({
    name: 'm',
    frequencyMinutes: over.f ?? 60,
    maxExecutions: over.max ?? 1,
    runOnCompletionOnly: over.c ?? false,
    heartbeatMinutes: 10,
    extra: {},
  });
  it('is due by frequency and max executions', () => {
    const now = at('10:00');
    expect(isMethodDue(m(), newTimer(), now)).toBe(true);
    expect(isMethodDue(m(), { ...newTimer(), executions: 1, lastRun: now - 3_600_000 }, now)).toBe(false);
    const unlimited = m({ max: -1 });
    expect(isMethodDue(unlimited, { ...newTimer(), executions: 99, lastRun: now - 3_600_000 }, now)).toBe(
      true,
    );
    expect(isMethodDue(unlimited, { ...newTimer(), executions: 99, lastRun: now - 3_599_999 }, now)).toBe(
      false,
    );
    expect(isMethodDue(m({ c: true }), newTimer(), now)).toBe(false);
  });
  it('a pass goes once through the due methods in configured order, without wrapping', () => {
    const cfgs = ['a', 'b', 'c'].map((name) => ({ ...m({ f: 0, max: -1 }), name }));
    const order: Array<number | undefined> = [];
    let last = -1;
    for (let k = 0; k < 4; k++) {
      const i = nextDueMethod(cfgs, {}, 0, last);
      order.push(i);
      if (i !== undefined) last = i;
    }
    expect(order).toEqual([0, 1, 2, undefined]);
    expect(nextDueMethod(cfgs, { b: { ...newTimer(), executions: 1, lastRun: 0 } }, 0, -1)).toBe(0);
  });
  it('all timers finished counts completion-only methods as finished', () => {
    const cfgs = [m(), { ...m({ c: true }), name: 'z' }];
    expect(allTimersFinished(cfgs, { m: { ...newTimer(), executions: 1 } })).toBe(true);
    expect(allTimersFinished(cfgs, { m: newTimer() })).toBe(false);
    expect(allTimersFinished([{ ...m({ max: -1 }) }], { m: { ...newTimer(), executions: 1e6 } })).toBe(false);
  });
  it('heartbeats idle unfinished methods every 10 minutes', () => {
    const t0 = at('10:00');
    const timers = { m: { ...newTimer(), executions: 1, lastRun: t0, lastEnd: t0 } };
    expect(heartbeatsDue([m({ max: 5 })], timers, t0 + 9 * 60_000)).toEqual([]);
    expect(heartbeatsDue([m({ max: 5 })], timers, t0 + 10 * 60_000)).toEqual(['m']);
    expect(heartbeatsDue([m({ max: 1 })], timers, t0 + 10 * 60_000)).toEqual([]);
  });
});

describe('start, stop and launch decisions (P6, P8.2, P10)', () => {
  const base = {
    status: 'GO' as const,
    running: false,
    inWindow: true,
    timeToStop: false,
    previousSatisfied: true,
  };
  it('each status', () => {
    expect(decideStart(base)).toEqual({ decision: 'start' });
    expect(decideStart({ ...base, status: 'PAUSE' })).toEqual({ decision: 'start' });
    expect(decideStart({ ...base, status: 'STOP' })).toMatchObject({ decision: 'exit' });
    expect(decideStart({ ...base, status: 'NO-RUN' })).toMatchObject({ decision: 'wait' });
    expect(decideStart({ ...base, running: true })).toEqual({ decision: 'exit', reason: 'already running' });
    expect(decideStart({ ...base, inWindow: false })).toMatchObject({ decision: 'wait' });
    expect(decideStart({ ...base, inWindow: false, timeToStop: true })).toMatchObject({ decision: 'exit' });
    expect(decideStart({ ...base, previousSatisfied: false })).toMatchObject({ decision: 'wait' });
  });
  it('stops on STOP, all timers done, or past stop time; NO-RUN and PAUSE keep running', () => {
    const f = { status: 'GO' as const, allTimersFinished: false, timeToStop: false };
    expect(stopReason(f)).toBeUndefined();
    expect(stopReason({ ...f, status: 'NO-RUN' })).toBeUndefined();
    expect(stopReason({ ...f, status: 'PAUSE' })).toBeUndefined();
    expect(stopReason({ ...f, status: 'STOP' })).toBe('status is STOP');
    expect(stopReason({ ...f, allTimersFinished: true })).toBe('all methods finished');
    expect(stopReason({ ...f, timeToStop: true })).toBe('past stop time');
  });
  it('launches once a day, again only after a crash within the restart policy', () => {
    const l = {
      ...base,
      hostAllowed: true,
      childAlive: false,
      startedToday: false,
      crashedToday: false,
      restartsToday: 0,
      restart: { mode: 'on-crash' as const, maxRestarts: 2 },
    };
    expect(decideLaunch(l).launch).toBe(true);
    expect(decideLaunch({ ...l, hostAllowed: false }).launch).toBe(false);
    expect(decideLaunch({ ...l, startedToday: true }).launch).toBe(false);
    expect(decideLaunch({ ...l, startedToday: true, crashedToday: true, restartsToday: 1 }).launch).toBe(
      true,
    );
    expect(decideLaunch({ ...l, startedToday: true, crashedToday: true, restartsToday: 2 }).launch).toBe(
      false,
    );
    const never = { ...l, restart: { mode: 'never' as const, maxRestarts: 0 } };
    expect(decideLaunch({ ...never, startedToday: true, crashedToday: true }).launch).toBe(false);
  });
});
