/**
 * `systack recover`'s procedure after a simulated crash, on a real nats-server with the
 * simulated broker kept in the system's KV bucket: a stack handler dies (its connection closed)
 * with a limit order resting at the broker, a trade is done at the broker behind the system's
 * back (a position break), run_capital_update last finished yesterday. Recovery finishes the dead
 * process, ends the day on the stale stacks, books a balance trade at the price of the broker's execution so
 * positions = broker, and reruns the missed update.
 */
import type { NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { productionRegistry } from '../../actors/process-methods.ts';
import { makeStrategyProcessMethods } from '../../actors/process-methods/index.ts';
import { readPositions } from '../../actors/stack/read-model.ts';
import { readStacks } from '../../actors/stack/stack-reader.ts';
import { type RecoveryPrompts, recoverSystem } from '../../actors/recovery.ts';
import { controlConfigOf } from '../../actors/supervisor/control-config.ts';
import { ProcessStore } from '../../actors/supervisor/process-store.ts';
import { kvSimBrokerStore } from '../../src/broker/sim/kv-store.ts';
import { ConstantPriceSource } from '../../src/broker/sim/price-source.ts';
import { SimBroker } from '../../src/broker/sim/sim-broker.ts';
import { callService } from '../../src/bus/service.ts';
import { SimulatedClock } from '../../src/clock.ts';
import { loadConfig } from '../../src/config/load.ts';
import type { BalanceProposal } from '../../src/domain/recovery.ts';
import { JetStreamCapitalStore } from '../../src/store/capital-store.ts';
import { JetStreamPriceStore } from '../../src/store/jetstream/price-store.ts';
import { startTestNats, type TestNats } from '../support/nats.ts';
import { quietLogger, stackMethodsHarness } from '../support/stack-methods.ts';

const T0 = Date.UTC(2026, 10, 20, 14, 0, 0);
const PREFIX = 'rc';
const quiet = quietLogger();

let server: TestNats;
beforeAll(async () => {
  server = await startTestNats();
});
afterAll(async () => server?.stop());

const config = loadConfig();
const system = config.system;
const control = { ...controlConfigOf(config), timeZone: 'UTC' };

/** A process's simulated broker: the shared KV bucket, a fresh instance (as after a restart). */
async function simBroker(nc: NatsConnection, clock: SimulatedClock): Promise<SimBroker> {
  return new SimBroker({
    clock,
    prices: new ConstantPriceSource(100),
    restingCheckMs: 0,
    store: await kvSimBrokerStore(nc, 'RC_SIMBROKER'),
  });
}

describe('systack recover after a crash', () => {
  it('finishes the dead, ends the day on the stale stacks, balances the break and reruns the missed update', async () => {
    const clock = new SimulatedClock(T0);
    // Before the crash: a traded family (2 GOLD) and a buy limit far below the market, resting.
    const crashed = await server.connect();
    await (await JetStreamPriceStore.open(crashed, PREFIX)).putInstrumentConfig({ instrumentCode: 'GOLD' });
    const { broker, methods, ctx, pass } = stackMethodsHarness(crashed, PREFIX, {
      clock,
      broker: { store: await kvSimBrokerStore(crashed, 'RC_SIMBROKER') },
      system,
    });
    await methods.check_external_position_break!(ctx('check_external_position_break'));
    const create = (trade: number, extra: object) =>
      callService(crashed, 'rc.orders.instrument.create', {
        strategy_name: 'example',
        instrument_code: 'GOLD',
        trade,
        ...extra,
      });
    await create(2, { order_type: 'market' });
    await pass();
    await create(1, { order_type: 'limit', limit_price: 50 });
    await pass();
    const contractDate = (await readPositions(crashed, PREFIX)).contract[0]!.contractDate;
    // A trade at the broker the system never saw (an order placed by hand at the broker).
    await broker.placeOrder({
      orderRef: 'by-hand-at-the-broker',
      legs: [{ instrumentCode: 'GOLD', contractDate, qty: 3 }],
      orderType: 'market',
    });
    await broker.idle();
    const byHand = (await broker.fills(0)).filter((f) => f.orderRef === 'by-hand-at-the-broker');
    expect(byHand.map((f) => f.qty)).toEqual([3]);
    const price = byHand[0]!.price;
    // The process control of the crashed processes: run_stack_handler's lease held by a pid
    // that is gone; run_capital_update last finished yesterday.
    const store = await ProcessStore.open(crashed, PREFIX);
    await store.acquireLease('run_stack_handler', {
      pid: 999_999_999,
      host: 'here',
      owner: 'crashed-host:999999999',
      acquiredAt: T0,
      heartbeatAt: Date.now(),
    });
    await store.updateRecord('run_capital_update', { lastStart: T0 - 86_400_000, lastEnd: T0 - 86_000_000 });
    for (const p of ['run_daily_prices_updates', 'run_systems', 'run_strategy_order_generator'])
      await store.updateRecord(p, { lastEnd: T0 - 3_600_000 });
    // The crash: the stack handler's connection is gone with its services.
    await crashed.close();

    const nc = await server.connect();
    expect((await readStacks(nc, PREFIX)).broker.filter((b) => b.active).length).toBe(1);
    expect((await readPositions(nc, PREFIX)).contract.map((p) => p.position)).toEqual([2]);
    const asked: string[] = [];
    const booked: BalanceProposal[] = [];
    const prompts: RecoveryPrompts = {
      confirm: async (q) => {
        asked.push(q);
        return !q.includes('run_strategy_order_generator');
      },
      balance: async (what, p) => {
        asked.push(what);
        booked.push(p);
        return p;
      },
    };
    const after = await simBroker(nc, clock);
    const steps = await recoverSystem({
      nc,
      prefix: PREFIX,
      system,
      control,
      clock,
      log: quiet,
      wallNow: Date.now(),
      host: 'here',
      prompts,
      updates: 'missed',
      // Every process of the system uses the same (simulated) broker.
      registry: { ...productionRegistry, ...makeStrategyProcessMethods({ broker: () => after }) },
      stackDeps: { broker: () => after },
    });
    const said = Object.fromEntries(steps.map((s) => [s.step, s.did]));
    expect(said.processes).toBe('marked finished (crashed): run_stack_handler');
    expect(said.storage).toMatch(/^jetstream: \d+ streams/);
    // The stale stacks: the completed family and the resting limit order's family (3 active).
    expect(said.end_of_day).toMatch(
      /^end of day on 2 instrument, 2 contract, \d+ broker orders \(3 active\): cancelled 1, completed \d+, removed \d+$/,
    );
    // The break: ours 2, broker 5; booked for the strategy holding GOLD at the broker's price.
    expect(booked).toEqual([
      { strategyName: 'example', instrumentCode: 'GOLD', contractDate, qty: 3, price },
    ]);
    expect(said.positions).toBe(
      `GOLD ${contractDate}: ours 2, broker 5: balance trade 3 for example at ${price}`,
    );
    const positions = await readPositions(nc, PREFIX);
    expect(positions.contract.map((p) => p.position)).toEqual([5]);
    expect(positions.strategy).toEqual([{ strategyName: 'example', instrumentCode: 'GOLD', position: 5 }]);
    expect((await after.positions()).map((p) => p.position)).toEqual([5]);
    // The stacks are empty, the handler opened for recovery is closed again.
    const stacks = await readStacks(nc, PREFIX);
    expect([...stacks.instrument, ...stacks.contract, ...stacks.broker].filter((o) => o.active)).toEqual([]);
    // Missed today: run_capital_update (its 01:00 start passed, last end yesterday); the strategy
    // order generator is offered because the end of day emptied the stacks (declined here).
    const updates = steps.filter((s) => s.step === 'updates').map((s) => s.did);
    expect(updates[0]).toBe(
      "run_capital_update (last finished 2026-11-19, before today's 01:00 start): ran update_total_capital, strategy_allocation",
    );
    expect((await (await JetStreamCapitalStore.open(nc, PREFIX)).totalHistory()).length).toBeGreaterThan(0);
    expect(updates[1]).toBe('run_strategy_order_generator: not rerun (declined)');
    expect(asked).toContain('Rerun run_strategy_order_generator (the end of day emptied the stacks)?');
    await nc.close();
  }, 180_000);
});
