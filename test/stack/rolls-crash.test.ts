// Rolls across a crash and across end of day (issue 12 tests): a kill -9 of the stack handler
// process in the middle of a calendar-spread roll, restarted: positions move once, the roll
// completes; a Force_Outright roll with one leg filled at end of day: the next day makes only the
// other leg.
import { spawn } from 'node:child_process';
import { jetstreamManager } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateForceRollOrders, unrolledImbalance } from '../../actors/rolls/roll-orders.ts';
import { changeRollState } from '../../actors/rolls/roll-status-host.ts';
import { StoredRollContracts } from '../../actors/rolls/stored-contracts.ts';
import { silentLogger } from '../../actors/stack/ports.ts';
import { StackHandler } from '../../actors/stack/stack-handler.ts';
import type { FillRecord } from '../../actors/stack/types.ts';
import { kvSimBrokerStore } from '../../src/broker/sim/kv-store.ts';
import { ConstantPriceSource } from '../../src/broker/sim/price-source.ts';
import type { PlacedOrder, PlaceOrderRequest } from '../../src/broker/port.ts';
import { SimBroker } from '../../src/broker/sim/sim-broker.ts';
import { SimulatedClock } from '../../src/clock.ts';
import { ROLL_PSEUDO_STRATEGY } from '../../src/domain/rolls/roll-orders.ts';
import { startTestNats, type TestNats } from '../support/nats.ts';
import { drive } from './helpers.ts';
import { FORWARD, PRICED, seedGold, T0 } from './roll-fixture.ts';

let nats: TestNats;
beforeAll(async () => {
  nats = await startTestNats();
});
afterAll(async () => {
  await nats?.stop();
});

const P = 6;

describe('kill -9 of the stack handler in the middle of a roll', () => {
  it('restarts mid-spread: the roll completes, positions move once, every execution is one fill', async () => {
    const nc = await nats.connect();
    const prefix = 'rollkill';
    const clock = new SimulatedClock(T0);
    const prices = await seedGold(nc, prefix);
    const ctx = { nc, prefix, clock };
    const newBroker = async (seed: number) =>
      new SimBroker({
        clock,
        seed,
        prices: new ConstantPriceSource(100),
        restingCheckMs: 0,
        latencyMs: 1,
        store: await kvSimBrokerStore(nc, 'ROLLKILL_SIMBROKER'),
      });
    const open = async (broker: SimBroker) =>
      StackHandler.open({
        nc,
        broker,
        clock,
        prefix,
        contracts: await StoredRollContracts.open(ctx, prices, silentLogger),
        config: { eodCancelWaitMs: 500, algoOverrides: { GOLD: 'market' } },
      });
    // GOLD held in the priced contract, then Force
    const a = await newBroker(4);
    const first = await open(a);
    await first.createInstrumentOrder({ strategyName: 'ewmac', instrumentCode: 'GOLD', trade: P });
    await drive(first, a);
    await first.handleCompletedOrders();
    expect(first.core.contractPosition('GOLD', PRICED)).toBe(P);
    await first.close();
    await changeRollState(ctx, 'GOLD', 'Force');

    const jsm = await jetstreamManager(nc);
    const fillCount = () =>
      jsm.streams.info('ROLLKILL_FILLS').then(
        (s) => s.state.messages,
        () => 0,
      );
    const before = await fillCount();
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'test/stack/bin/roll-child.ts', nats.url, prefix],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    let out = '';
    await new Promise<void>((resolve, reject) => {
      child.stdout?.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('created')) resolve();
      });
      child.once('exit', () => reject(new Error(`child exited early: ${out}`)));
    });
    expect(out).toMatch(/created \d+/);
    // some of the spread's leg fills written, then kill -9
    for (let i = 0; i < 800 && (await fillCount()) < before + 2; i++)
      await new Promise((r) => setTimeout(r, 5));
    child.kill('SIGKILL');
    await exited;

    const b = await newBroker(9);
    const h = await open(b);
    const roll = h.core.orders('instrument').find((o) => o.strategyName === ROLL_PSEUDO_STRATEGY)!;
    const spread = h.core.contractOrder(roll.children[0]!)!;
    expect(spread.legs?.map((l) => [l.contractDate, l.qty])).toEqual([
      [PRICED, -P],
      [FORWARD, P],
    ]);
    // killed in the middle: part of the spread filled, not all of it
    expect(Math.abs(h.core.contractPosition('GOLD', FORWARD))).toBeGreaterThan(0);
    expect(h.core.contractPosition('GOLD', PRICED)).toBeGreaterThan(0);
    for (let i = 0; i < 30 && h.core.activeOrders('instrument').length > 0; i++) {
      await drive(h, b, 2);
      await h.handleCompletedOrders();
    }
    // the roll completed once: everything moved to the forward, nothing more
    expect([PRICED, FORWARD].map((c) => h.core.contractPosition('GOLD', c))).toEqual([0, P]);
    expect(h.core.strategyPosition('ewmac', 'GOLD')).toBe(P);
    expect(h.core.strategyPosition(ROLL_PSEUDO_STRATEGY, 'GOLD')).toBe(0);
    expect(h.core.activeOrders('instrument')).toEqual([]);
    expect((await b.positions()).map((p) => [p.contractDate, p.position])).toEqual([[FORWARD, P]]);
    const execs = (await h.core.store.loadFills<FillRecord>()).map((r) => r.data.execId).sort();
    expect(execs).toEqual((await b.fills(0)).map((f) => f.execId).sort());
    expect(new Set(execs).size).toBe(execs.length);
    await h.close();
  }, 120_000);
});

/** The simulated broker, with orders for the held contracts placed far from the market: working, never filled. */
class HoldingBroker extends SimBroker {
  readonly holding = new Set<string>();
  override placeOrder(req: PlaceOrderRequest): Promise<PlacedOrder> {
    if (!req.legs.some((l) => this.holding.has(l.contractDate))) return super.placeOrder(req);
    const buy = req.legs[0]!.qty > 0;
    return super.placeOrder({ ...req, orderType: 'limit', limitPrice: buy ? 1 : 10_000 });
  }
}

describe('Force_Outright with one leg filled and the other not, end of day in between', () => {
  it('end of day archives the family; the next day only the missing leg is made again, and fills', async () => {
    const nc = await nats.connect();
    const prefix = 'foeod';
    const clock = new SimulatedClock(T0);
    const prices = await seedGold(nc, prefix);
    const ctx = { nc, prefix, clock };
    const broker = new HoldingBroker({ clock, prices: new ConstantPriceSource(100), restingCheckMs: 0 });
    const open = async () => {
      const contracts = await StoredRollContracts.open(ctx, prices, silentLogger);
      const h = await StackHandler.open({
        nc,
        broker,
        clock,
        prefix,
        contracts,
        config: { eodCancelWaitMs: 200, algoOverrides: { GOLD: 'market' } },
      });
      const refresh = () =>
        contracts.refresh((i, c) => h.core.contractPosition(i, c), {
          imbalance: (i) => unrolledImbalance(h.core, i),
        });
      return { h, contracts, refresh };
    };
    const day1 = await open();
    await day1.h.createInstrumentOrder({ strategyName: 'ewmac', instrumentCode: 'GOLD', trade: 3 });
    await drive(day1.h, broker);
    await day1.h.handleCompletedOrders();
    await changeRollState(ctx, 'GOLD', 'Force_Outright');
    broker.holding.add(FORWARD);
    const r1 = await generateForceRollOrders(day1.h.core, day1.contracts, prices);
    const legs1 = day1.h.core
      .instrumentOrder(r1.created[0]!)!
      .children.map((c) => day1.h.core.contractOrder(c)!);
    expect(legs1.map((c) => [c.contractDate, c.trade])).toEqual([
      [PRICED, -3],
      [FORWARD, 3],
    ]);
    await drive(day1.h, broker);
    await day1.refresh();
    // the priced leg filled, the forward leg works at the broker unfilled
    expect([PRICED, FORWARD].map((c) => day1.h.core.contractPosition('GOLD', c))).toEqual([0, 0]);
    expect(day1.h.core.strategyPosition('ewmac', 'GOLD')).toBe(3);
    // no C2 yet: the forward leg is still to come
    expect(day1.contracts.rollState('GOLD')).toBe('Force_Outright');

    // end of day: the working leg cancelled, the family archived; nothing crosses the day
    await day1.h.safeStackRemoval();
    expect(day1.h.core.activeOrders('instrument')).toEqual([]);
    expect(day1.h.core.activeOrders('contract')).toEqual([]);
    expect(await broker.positions()).toEqual([]);
    await day1.h.close();

    // the next day: the state holds, and only the forward leg is made again
    broker.holding.clear();
    clock.advance(86_400_000);
    const day2 = await open();
    await day2.refresh();
    expect(day2.contracts.rollState('GOLD')).toBe('Force_Outright');
    expect(unrolledImbalance(day2.h.core, 'GOLD')).toBe(-3);
    const r2 = await generateForceRollOrders(day2.h.core, day2.contracts, prices);
    const io = day2.h.core.instrumentOrder(r2.created[0]!)!;
    expect(io).toMatchObject({ strategyName: ROLL_PSEUDO_STRATEGY, trade: 0, rollOrder: true });
    expect(
      io.children.map((c) => day2.h.core.contractOrder(c)!).map((c) => [c.contractDate, c.trade]),
    ).toEqual([[FORWARD, 3]]);
    await drive(day2.h, broker);
    await day2.h.handleCompletedOrders();
    await day2.refresh();
    expect([PRICED, FORWARD].map((c) => day2.h.core.contractPosition('GOLD', c))).toEqual([0, 3]);
    expect(day2.h.core.strategyPosition('ewmac', 'GOLD')).toBe(3);
    expect((await broker.positions()).map((p) => [p.contractDate, p.position])).toEqual([[FORWARD, 3]]);
    // rolled: C2 now makes it Passive
    expect(day2.contracts.rollState('GOLD')).toBe('Passive');
    expect(day2.h.core.activeOrders('instrument')).toEqual([]);
    await day2.h.close();
  }, 120_000);
});
