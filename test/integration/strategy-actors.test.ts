// Strategies as actors under the supervisor's process methods, on a real nats-server: the
// strategy's actor runs in one "process" (its own NATS connection and actor host), the stack
// handler in another; they trade over NATS (order-request work queue, fills stream). The actor's
// state is published on <prefix>.inspect.strategy.<name>, kept in KV and restored by a new host.
import { join } from 'node:path';
import type { NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeStrategyProcessMethods } from '../../actors/process-methods/index.ts';
import { strategyActorsOf } from '../../actors/process-methods/strategies.ts';
import { type MethodContext, oneOffMethodContext } from '../../actors/process-methods/types.ts';
import { listOrderRequests, pendingOrderRequests } from '../../actors/stack/order-requests.ts';
import { readPositions } from '../../actors/stack/read-model.ts';
import type { InstrumentOrder } from '../../actors/stack/types.ts';
import { strategyActorAddress } from '../../actors/strategy-actor-address.ts';
import type { StrategyInspectEvent } from '../../actors/strategy-actor-records.ts';
import { generateOrdersForStrategy } from '../../actors/strategy-order-job.ts';
import { DurableStrategyStateSource, QueuedInstrumentOrderSink } from '../../actors/strategy-order-ports.ts';
import { openStrategyRuntime } from '../../actors/strategy-runtime.ts';
import { callService, ServiceError } from '../../src/bus/service.ts';
import { SimulatedClock } from '../../src/clock.ts';
import { loadConfig, type ResolvedSystemConfig } from '../../src/config/load.ts';
import { openCatalogued } from '../../src/store/catalogue.ts';
import { listKeys } from '../../src/store/kv-json.ts';
import { hostname } from 'node:os';
import { runProcess } from '../../actors/process-runner.ts';
import { ProcessStore } from '../../actors/supervisor/process-store.ts';
import { deferred, method, proc, until } from '../supervisor/helpers.ts';
import { startTestNats, type TestNats } from '../support/nats.ts';
import { quietLogger, stackMethodsHarness } from '../support/stack-methods.ts';
import { writeStrategyPrivateConfig } from '../support/strategy-config.ts';

const SAMPLE = join(import.meta.dirname, '../../sample-data/pysystemtrade');
const PREFIX = 'sact';

let nats: TestNats;
let system: ResolvedSystemConfig;
const clock = new SimulatedClock(Date.UTC(2023, 8, 8, 20, 0));
const log = quietLogger();
const events: StrategyInspectEvent[] = [];

const ctxOn = (nc: NatsConnection, process: string, method: string, args = {}): MethodContext =>
  oneOffMethodContext({ process, method, clock, nc, prefix: PREFIX, system, log, args });
const methods = makeStrategyProcessMethods();
const runSystems = (nc: NatsConnection, strategy: string) =>
  methods.run_systems![strategy]!(ctxOn(nc, 'run_systems', strategy, { data_dir: SAMPLE }));
const runOrders = (nc: NatsConnection, strategy: string) =>
  methods.run_strategy_order_generator![strategy]!(ctxOn(nc, 'run_strategy_order_generator', strategy));
const seen = (from: number) => events.slice(from).map((e) => [e.event, e.state, e.version]);
/** Inspect events are core NATS: wait until `n` have arrived. */
async function waitEvents(n: number): Promise<void> {
  for (let i = 0; i < 200 && events.length < n; i++) await new Promise((r) => setTimeout(r, 10));
}

beforeAll(async () => {
  nats = await startTestNats();
  system = loadConfig({ privateDir: writeStrategyPrivateConfig({ GOLD: 0.5, SP500: 0.5 }) }).system;
  const watch = await nats.connect('watch');
  watch.subscribe(`${PREFIX}.inspect.strategy.>`, {
    callback: (_e, m) => {
      events.push(m.json<StrategyInspectEvent>());
    },
  });
  await watch.flush();
  const setup = await nats.connect('setup');
  const rt = await openStrategyRuntime(setup, PREFIX, system, clock);
  await rt.capital.update(1_000_000);
  clock.advance(1_000);
  await rt.capital.allocate();
}, 60_000);
afterAll(async () => nats?.stop());

describe('strategy actors under the process methods (real nats-server)', () => {
  let strategyNc: NatsConnection;
  let queued: Array<{ instrument_code: string; trade: number }>;

  it('run_systems steps the strategy actor: inspect events, KV snapshot and its address agree', async () => {
    strategyNc = await nats.connect('strategy-process');
    await runSystems(strategyNc, 'carry_trend');
    await waitEvents(3);
    expect(seen(0)).toEqual([
      ['CREATED', 'idle', 1],
      ['CLOCK_TICK', 'running', 2],
      ['SYSTEM_DONE', 'idle', 3],
    ]);
    expect(events[2]).toMatchObject({ kind: 'strategy', id: 'carry_trend', root: null, at: clock.now() });
    expect(events[2]!.context).toMatchObject({ executions: 1, positions_stored: 2, last_error: null });
    const other = await nats.connect('cli');
    const state = await callService<Record<string, unknown>>(
      other,
      strategyActorAddress(PREFIX, 'carry_trend'),
      { type: 'STATE' },
    );
    expect(state).toMatchObject({ strategy_name: 'carry_trend', state: 'idle', version: 3, owner: null });
    expect(state.context).toMatchObject({ executions: 1, positions_stored: 2 });
  });

  it('a generation interrupted by a crash is restored busy and resumed by a new host: no order twice', async () => {
    const rt = await openStrategyRuntime(strategyNc, PREFIX, system, clock);
    const actors = await strategyActorsOf(ctxOn(strategyNc, 'run_strategy_order_generator', 'carry_trend'));
    const before = events.length;
    // The generation queues its orders, then its process dies before it reports them.
    let sent!: () => void;
    const allSent = new Promise<void>((r) => (sent = r));
    void actors.generateOrders('carry_trend', 'run_strategy_order_generator', async (tag) => {
      await generateOrdersForStrategy('carry_trend', {
        strategies: rt.strategies,
        controls: rt.controls,
        state: new DurableStrategyStateSource(strategyNc, PREFIX),
        sink: new QueuedInstrumentOrderSink(
          strategyNc,
          PREFIX,
          (o) => `carry_trend:${tag}:${o.instrument_code}`,
        ),
      });
      sent();
      return new Promise<never>(() => undefined);
    });
    await allSent;
    await strategyNc.close();
    queued = await listOrderRequests((await nats.connect()) as NatsConnection, PREFIX);
    expect(queued.length).toBeGreaterThan(0);
    await waitEvents(before + 1);
    expect(seen(before)).toEqual([['GENERATE_ORDERS', 'generatingOrders', 4]]);

    // The restarted process: a new connection and host. Its state is announced and answered.
    const restarted = await nats.connect('strategy-process-restarted');
    const host = await strategyActorsOf(ctxOn(restarted, 'run_strategy_order_generator', 'carry_trend'));
    await waitEvents(before + 2);
    expect(seen(before + 1)).toEqual([['RESTORED', 'generatingOrders', 4]]);
    expect(await host.read('carry_trend')).toMatchObject({
      state: 'generatingOrders',
      owner: { process: 'run_strategy_order_generator' },
      context: { order_runs: 1 },
    });
    await runOrders(restarted, 'carry_trend');
    await waitEvents(before + 3);
    // resumed in the same run (order_runs 1): the same request ids, deduplicated by the work queue
    expect(seen(before + 2)).toEqual([['ORDERS_SENT', 'idle', 5]]);
    expect(events.at(-1)!.context).toMatchObject({
      order_runs: 1,
      orders_placed: queued.length,
      orders_failed: 0,
    });
    expect(await listOrderRequests(restarted, PREFIX)).toEqual(queued);
    strategyNc = restarted;
  }, 60_000);

  it('the stack handler in another process trades the family; the next generation sends nothing', async () => {
    const stackNc = await nats.connect('stack-process');
    const { clock: stackClock, methods: stack, ctx, pass } = stackMethodsHarness(stackNc, PREFIX);
    await stack.check_external_position_break!(ctx('check_external_position_break'));
    for (let i = 0; i < 100 && (await pendingOrderRequests(stackNc, PREFIX)) > 0; i++)
      await new Promise((r) => setTimeout(r, 50));
    let view: InstrumentOrder[] = [];
    for (let round = 0; round < 60; round++) {
      await pass({ passes: 1 });
      stackClock.advance(60_000);
      view = await callService<InstrumentOrder[]>(stackNc, `${PREFIX}.orders.view.instrument`, {});
      if (view.length === queued.length && view.every((o) => o.state === 'completed')) break;
    }
    expect(view.map((o) => [o.strategyName, o.instrumentCode, o.trade, o.fill, o.state])).toEqual(
      queued.map((q) => ['carry_trend', q.instrument_code, q.trade, q.trade, 'completed']),
    );
    await stack.safe_stack_removal!(ctx('safe_stack_removal'));
    expect((await readPositions(strategyNc, PREFIX)).strategy).toEqual(
      queued.map((q) => ({
        strategyName: 'carry_trend',
        instrumentCode: q.instrument_code,
        position: q.trade,
      })),
    );
    // A redelivery of run 1's messages after the stack took them off the queue makes no order.
    const run1 = (await (
      await strategyActorsOf(ctxOn(strategyNc, 'run_systems', 'carry_trend'))
    ).read('carry_trend'))!.context;
    const again = new QueuedInstrumentOrderSink(
      strategyNc,
      PREFIX,
      (o) => `carry_trend:run1@${run1.last_orders_at}:${o.instrument_code}`,
    );
    for (const q of queued)
      expect(await again.create({ strategy_name: 'carry_trend', ...q })).toMatchObject({ queued: false });
    expect(await pendingOrderRequests(strategyNc, PREFIX)).toBe(0);
    // The strategy reads the positions the stack's fills made: inside the buffers, nothing to send.
    const before = events.length;
    await runOrders(strategyNc, 'carry_trend');
    await waitEvents(before + 2);
    expect(seen(before)).toEqual([
      ['GENERATE_ORDERS', 'generatingOrders', 6],
      ['ORDERS_SENT', 'idle', 7],
    ]);
    expect(events.at(-1)!.context).toMatchObject({ order_runs: 2, orders_placed: 0 });
    expect(await pendingOrderRequests(strategyNc, PREFIX)).toBe(0);
  }, 120_000);

  it('unknown and reserved strategy names and malformed messages are refused; nothing changes', async () => {
    const kv = await openCatalogued(strategyNc, PREFIX, 'strategy_actors');
    const revision = (await kv.get('carry_trend'))!.revision;
    const before = events.length;
    for (const name of ['nope', '__proto__', 'constructor'])
      await expect(runSystems(strategyNc, name)).rejects.toThrow(/is not a strategy in strategy_list/);
    await expect(
      (await strategyActorsOf(ctxOn(strategyNc, 'run_systems', 'x'))).runSystem(
        '__proto__',
        'run_systems',
        () => Promise.resolve({ positions: 1 }),
      ),
    ).rejects.toThrow(/'__proto__' is not a strategy/);
    const refused = async (name: string, body: unknown) => {
      const err = await callService(strategyNc, strategyActorAddress(PREFIX, name), body).catch(
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(ServiceError);
      return { code: (err as ServiceError).code, message: (err as ServiceError).message };
    };
    expect(await refused('__proto__', { type: 'RESET' })).toMatchObject({
      code: 400,
      message: /'__proto__'/,
    });
    expect(await refused('nope', { type: 'STATE' })).toMatchObject({
      code: 400,
      message: /'nope' is not a strategy/,
    });
    expect((await refused('carry_trend', {})).code).toBe(400);
    expect((await refused('carry_trend', { type: 'STOP' })).code).toBe(400);
    expect((await refused('carry_trend', { type: 'RESET', extra: 1 })).code).toBe(400);
    expect(await refused('carry_trend', { type: 'RESET' })).toMatchObject({ code: 409, message: /is idle/ });
    expect((await kv.get('carry_trend'))!.revision).toBe(revision);
    expect(await listKeys(kv)).toEqual(['carry_trend']);
    await new Promise((r) => setTimeout(r, 50));
    expect(events.length).toBe(before);
  });

  it('the process runner still decides: STOP runs nothing; a run holding its lease is not taken over', async () => {
    const kv = await openCatalogued(strategyNc, PREFIX, 'strategy_actors');
    const revision = (await kv.get('carry_trend'))!.revision;
    const store = await ProcessStore.open(strategyNc, PREFIX);
    const name = 'run_strategy_order_generator';
    const gate = deferred();
    const registry = {
      [name]: {
        carry_trend: async (ctx: MethodContext) => {
          const actors = await strategyActorsOf(ctx);
          await actors.generateOrders('carry_trend', ctx.process, async () => {
            await gate.promise;
            return { placed: 0, ignored: 0, failed: 0 };
          });
        },
      },
    };
    const runner = async () =>
      runProcess({
        nc: await nats.connect(name),
        prefix: PREFIX,
        process: proc(name, { methods: [method('carry_trend')] }),
        timeZone: 'UTC',
        registry,
        clock,
        host: hostname(),
        pid: process.pid,
        system,
        log,
        tickMs: 20,
        heartbeatMs: 50,
      });
    await store.setStatus(name, 'STOP', clock.now());
    expect((await runner()).outcome).toBe('not-started');
    expect((await kv.get('carry_trend'))!.revision).toBe(revision);

    await store.setStatus(name, 'GO', clock.now());
    const run = runner();
    await until(
      async () => (await kv.get('carry_trend'))!.json<{ state: string }>().state === 'generatingOrders',
    );
    // Another host (another process) may not take over a run whose process holds its lease.
    await expect(runOrders(strategyNc, 'carry_trend')).rejects.toThrow(
      /busy in run_strategy_order_generator/,
    );
    gate.resolve();
    expect(await run).toEqual({ outcome: 'finished', reason: 'all methods finished' });
    expect((await kv.get('carry_trend'))!.json()).toMatchObject({
      state: 'idle',
      context: { order_runs: 3 },
    });
  }, 60_000);
});
