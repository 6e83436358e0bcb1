// Day 2 of a simulated multi-day start: the chain prices → systems → orders must run in order
// again. Yesterday's ends are within 24 h, and a previous process that was launched but is still
// starting or waiting for its own previous process holds no lease: on P5's 24 h rule alone the
// supervisor launched run_systems 24 s after run_daily_prices_updates and the order generator
// while run_systems still waited, and run_systems then found its strategy busy.
import { hostname } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runProcess } from '../../actors/process-runner.ts';
import type { ChildExit, ChildLauncher } from '../../actors/supervisor/children.ts';
import { ProcessStore } from '../../actors/supervisor/process-store.ts';
import { Supervisor } from '../../actors/supervisor/supervisor.ts';
import { SimulatedClock } from '../../src/clock.ts';
import { loadConfig } from '../../src/config/load.ts';
import { startTestNats, type TestNats } from '../support/nats.ts';
import { method, proc, testLogger, until } from './helpers.ts';

let nats: TestNats;
beforeAll(async () => {
  nats = await startTestNats();
});
afterAll(async () => nats?.stop());

const PRICES = 'run_daily_prices_updates';
const SYSTEMS = 'run_systems';
const ORDERS = 'run_strategy_order_generator';
const day2 = (hhmm: string) => Date.parse(`2023-09-05T${hhmm}:00Z`);
const DAY_MS = 24 * 60 * 60 * 1000;

describe('previous process on the second simulated day', () => {
  it("waits for today's run of the previous process, not yesterday's finish", async () => {
    const store = await ProcessStore.open(await nats.connect('prev'), 'pp1');
    // Children stand in for `systack run`: they exit when the test says so.
    const exits = new Map<string, (e: ChildExit) => void>();
    const launched: string[] = [];
    const launch: ChildLauncher = (name) => {
      launched.push(name);
      return {
        pid: 4_100_000 + launched.length,
        exited: new Promise<ChildExit>((resolve) => exits.set(name, resolve)),
        kill: () => {},
      };
    };
    const clock = new SimulatedClock(day2('12:41'));
    const sup = new Supervisor({
      store,
      control: {
        timeZone: 'UTC',
        processes: {
          [PRICES]: proc(PRICES, { startTime: '12:30' }),
          [SYSTEMS]: proc(SYSTEMS, { startTime: '12:35', previousProcess: PRICES }),
          [ORDERS]: proc(ORDERS, { startTime: '12:40', previousProcess: SYSTEMS }),
        },
      },
      clock,
      host: 'h1',
      launch,
      childEnv: {},
      log: testLogger().log,
    });
    // Day 1 ran the whole chain: every end is within 24 h of day 2's windows.
    for (const [name, end] of [
      [PRICES, day2('14:54') - DAY_MS],
      [SYSTEMS, day2('16:31') - DAY_MS],
      [ORDERS, day2('17:43') - DAY_MS],
    ] as const) {
      await store.updateRecord(name, { lastStart: end - 3_600_000, lastEnd: end, lastOutcome: 'finished' });
    }

    await sup.tick();
    expect(launched).toEqual([PRICES]);
    expect(sup.reasons.get(SYSTEMS)).toBe('previous process has not finished');
    expect(sup.reasons.get(ORDERS)).toBe('previous process has not finished');

    // run_daily_prices_updates finishes today: run_systems goes; the generator still waits for it.
    clock.set(day2('13:10'));
    await store.updateRecord(PRICES, { lastStart: day2('12:42'), lastEnd: day2('13:10') });
    exits.get(PRICES)!({ code: 0, signal: null });
    await until(() => !sup.childPids()[PRICES]);
    await sup.tick();
    expect(launched).toEqual([PRICES, SYSTEMS]);
    expect(sup.reasons.get(ORDERS)).toBe('previous process has not finished');

    // Still waiting (no lease, not started): the generator does not go on yesterday's finish.
    clock.set(day2('14:00'));
    await sup.tick();
    expect(launched).toEqual([PRICES, SYSTEMS]);

    // run_systems finishes today: now the generator goes.
    clock.set(day2('14:30'));
    await store.updateRecord(SYSTEMS, { lastStart: day2('14:01'), lastEnd: day2('14:29') });
    exits.get(SYSTEMS)!({ code: 0, signal: null });
    await until(() => !sup.childPids()[SYSTEMS]);
    await sup.tick();
    expect(launched).toEqual([PRICES, SYSTEMS, ORDERS]);
  });

  it("`systack run` of the dependant waits too, and starts once today's run has finished", async () => {
    const store = await ProcessStore.open(await nats.connect('prev-run'), 'pp2');
    await store.updateRecord(SYSTEMS, { lastStart: day2('15:31') - DAY_MS, lastEnd: day2('16:31') - DAY_MS });
    const clock = new SimulatedClock(day2('13:04'));
    const ranAt: number[] = [];
    const result = runProcess({
      nc: await nats.connect(ORDERS),
      prefix: 'pp2',
      process: proc(ORDERS, { startTime: '12:40', previousProcess: SYSTEMS, methods: [method('generate')] }),
      timeZone: 'UTC',
      previousStartTime: '12:35',
      registry: { [ORDERS]: { generate: async () => void ranAt.push(clock.now()) } },
      clock,
      host: hostname(),
      pid: process.pid,
      system: loadConfig().system,
      log: testLogger().log,
      tickMs: 20,
      heartbeatMs: 50,
    });
    // Many of its 20 ms passes go by with run_systems' today's run due and not finished (on the
    // 24 h rule alone it started on the first): nothing runs, no lease is taken.
    await new Promise((r) => setTimeout(r, 1000));
    expect(ranAt).toEqual([]);
    expect(await store.getLease(ORDERS)).toBeUndefined();

    clock.set(day2('14:30'));
    await store.updateRecord(SYSTEMS, { lastStart: day2('14:01'), lastEnd: day2('14:29') });
    expect(await result).toEqual({ outcome: 'finished', reason: 'all methods finished' });
    expect(ranAt).toEqual([day2('14:30')]);
  });
});
