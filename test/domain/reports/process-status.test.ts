import { describe, expect, it } from 'vitest';
import { processStatusLines } from '../../../src/domain/reports/process-status.ts';
import { statusReport } from '../../../src/domain/reports/status.ts';

const MIN = 60_000;
/** 2026-01-15 20:07 UTC: 20:07 in London (winter, UTC+0). */
const NOW = Date.UTC(2026, 0, 15, 20, 7);

const controlConfig = {
  timeZone: 'Europe/London',
  processes: [
    { process: 'run_daily_prices_updates', startTime: '20:00', stopTime: '23:50' },
    { process: 'run_stack_handler', startTime: '00:01', stopTime: '19:45' },
    {
      process: 'run_systems',
      startTime: '20:05',
      stopTime: '23:50',
      previousProcess: 'run_daily_prices_updates',
    },
    {
      process: 'run_strategy_order_generator',
      startTime: '20:10',
      stopTime: '23:50',
      previousProcess: 'run_systems',
    },
    { process: 'run_backups', startTime: '20:15', stopTime: '19:00' },
    { process: 'run_reports', startTime: '20:25', stopTime: '23:50', previousProcess: 'run_cleaners' },
  ],
};

const proc = (name: string, o: { running?: boolean; lastEnd?: number; recentlyCrashed?: boolean }) => ({
  name,
  status: 'GO',
  running: o.running ?? false,
  lastEnd: o.lastEnd,
  recentlyCrashed: o.recentlyCrashed,
  methods: [],
});

describe('status report: process status (time_to_start, time_to_stop, prev_process) on a fixed clock', () => {
  const processes = [
    proc('run_daily_prices_updates', { lastEnd: NOW - 5 * MIN }),
    proc('run_systems', { running: true }),
    proc('run_cleaners', { lastEnd: NOW - 10 * MIN, recentlyCrashed: true }),
  ];

  it('each process: in its window now, past its stop, previous process finished, minutes to open / close', () => {
    const lines = processStatusLines(controlConfig, processes, NOW);
    const by = new Map(lines.map((l) => [l.process, l]));
    // 20:07 inside 20:00–23:50: closes in 3h43m
    expect(by.get('run_daily_prices_updates')).toMatchObject({
      timeToStart: true,
      timeToStop: false,
      prevProcess: true,
      minutesToStart: 0,
      minutesToStop: 223,
    });
    // 20:07 after its 19:45 stop: time to stop; opens again at 00:01 tomorrow (3h54m)
    expect(by.get('run_stack_handler')).toMatchObject({
      timeToStart: false,
      timeToStop: true,
      minutesToStart: 234,
    });
    expect(by.get('run_stack_handler')!.minutesToStop).toBeUndefined();
    // previous process ended 5 minutes ago and is not running
    expect(by.get('run_systems')).toMatchObject({ timeToStart: true, prevProcess: true });
    // previous process (run_systems) still running; window opens in 3 minutes
    expect(by.get('run_strategy_order_generator')).toMatchObject({
      timeToStart: false,
      timeToStop: false,
      prevProcess: false,
      minutesToStart: 3,
    });
    // start after stop never opens (#640: no wrap past midnight); 20:07 > 19:00 so time to stop
    expect(by.get('run_backups')).toMatchObject({ timeToStart: false, timeToStop: true });
    expect(by.get('run_backups')!.minutesToStart).toBeUndefined();
    // a previous process whose last run crashed does not count as finished
    expect(by.get('run_reports')).toMatchObject({ prevProcess: false, minutesToStart: 18 });
  });

  it('windows are read in the config time zone (New York in summer is UTC-4)', () => {
    const [l] = processStatusLines(
      { timeZone: 'America/New_York', processes: [{ process: 'p', startTime: '09:30', stopTime: '16:00' }] },
      [],
      Date.UTC(2026, 6, 1, 13, 0), // 09:00 in New York
    );
    expect(l).toMatchObject({ timeToStart: false, timeToStop: false, prevProcess: true, minutesToStart: 30 });
  });

  it('the report shows the table, and says so when no control config is given', () => {
    const r = statusReport({ processes, prices: [], locks: [], pendingOrderRequests: 0, controlConfig }, NOW);
    expect(r.data.processStatus).toHaveLength(6);
    expect(r.text).toMatch(
      /Process status \(windows in Europe\/London\)\n=+\nprocess\s+start\s+end\s+time_to_start\s+time_to_stop\s+prev_process\s+opens_in\s+closes_in\n/,
    );
    expect(r.text).toMatch(/\nrun_daily_prices_updates\s+20:00\s+23:50\s+yes\s+no\s+yes\s+0h 00m\s+3h 43m\n/);
    expect(r.text).toMatch(/\nrun_stack_handler\s+00:01\s+19:45\s+no\s+yes\s+yes\s+3h 54m\n/);
    expect(r.text).toMatch(/\nrun_backups\s+20:15\s+19:00\s+no\s+yes\s+yes\s+never\n/);
    expect(r.text).toMatch(/\nrun_strategy_order_generator\s+20:10\s+23:50\s+no\s+no\s+no\s+0h 03m\n/);
    const none = statusReport({ processes, prices: [], locks: [], pendingOrderRequests: 0 }, NOW);
    expect(none.data.processStatus).toEqual([]);
    expect(none.text).toMatch(/Process status\n=+\n\(no control config given\)\n/);
  });
});
