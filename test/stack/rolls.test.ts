import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rollAdjustedPrices } from '../../actors/rolls/price-roll.ts';
import { readRollReport } from '../../actors/rolls/roll-report.ts';
import { applyRollState, automaticDecision } from '../../actors/rolls/roll-tool.ts';
import { dueForRoll } from '../../src/domain/rolls/roll-report.ts';
import { generateForceRollOrders } from '../../actors/rolls/roll-orders.ts';
import { changeRollState, readRollStates } from '../../actors/rolls/roll-status-host.ts';
import { StoredRollContracts } from '../../actors/rolls/stored-contracts.ts';
import { type StackLogger, silentLogger } from '../../actors/stack/ports.ts';
import { StackHandler } from '../../actors/stack/stack-handler.ts';
import type { FillRecord } from '../../actors/stack/types.ts';
import { ConstantPriceSource } from '../../src/broker/sim/price-source.ts';
import { SimBroker } from '../../src/broker/sim/sim-broker.ts';
import { SimulatedClock } from '../../src/clock.ts';
import { ROLL_PSEUDO_STRATEGY } from '../../src/domain/rolls/roll-orders.ts';
import { DEFAULT_ROLL_AUTO_UPDATE, suggestRollState } from '../../src/domain/rolls/roll-state.ts';
import { startTestNats, type TestNats } from '../support/nats.ts';
import { drive, T0 } from './helpers.ts';
import { FORWARD, NEXT, PRICED, seedGold } from './roll-fixture.ts';

const DAY = 86_400_000;

let t: TestNats;
let nc: NatsConnection;
let dataDir: string;

beforeAll(async () => {
  t = await startTestNats();
  nc = await t.connect();
  dataDir = await mkdtemp(join(tmpdir(), 'rolls-'));
});
afterAll(async () => {
  await t?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

async function open(prefix: string, log: StackLogger = silentLogger, conn: NatsConnection = nc) {
  const clock = new SimulatedClock(T0);
  const prices = await seedGold(nc, prefix);
  const ctx = { nc: conn, prefix, clock };
  const contracts = await StoredRollContracts.open(ctx, prices, log);
  const broker = new SimBroker({ clock, prices: new ConstantPriceSource(100), restingCheckMs: 0 });
  const handler = await StackHandler.open({
    nc: conn,
    broker,
    clock,
    prefix,
    contracts,
    log,
    config: { eodCancelWaitMs: 500, algoOverrides: { GOLD: 'market' } },
  });
  const pos = (c: string) => handler.core.contractPosition('GOLD', c);
  const refresh = () => contracts.refresh((i, c) => handler.core.contractPosition(i, c));
  const run = async () => {
    await refresh();
    await drive(handler, broker);
    await handler.handleCompletedOrders();
  };
  const order = (trade: number, strategyName = 'ewmac') =>
    handler.createInstrumentOrder({ strategyName, instrumentCode: 'GOLD', trade });
  return { clock, prices, ctx, contracts, broker, handler, pos, refresh, run, order };
}

describe('rolls on the stack (digest J, C3/C4, F7)', () => {
  it('a run through an expiry: No_Roll → Passive → Force → spread filled → Roll_Adjusted → No_Roll in the new contract', async () => {
    const s = await open('exp');
    // No_Roll: everything in the priced contract
    await s.order(3);
    await s.run();
    expect([s.pos(PRICED), s.pos(FORWARD)]).toEqual([3, 0]);

    // Passive (the stored state, read by the stack): reduce in the priced, increase in the forward
    await changeRollState(s.ctx, 'GOLD', 'Passive');
    await s.refresh();
    expect(s.contracts.rollState('GOLD')).toBe('Passive');
    await s.order(-1);
    await s.run();
    await s.order(2);
    await s.run();
    expect([s.pos(PRICED), s.pos(FORWARD)]).toEqual([2, 2]);

    // close to the expiry with a liquid forward and a position: the rule asks; we choose Force
    expect(
      suggestRollState({
        pricedPosition: 2,
        daysUntilRoll: 3,
        daysUntilPriceExpiry: 5,
        relativeVolume: 2,
        forwardVolume: 500,
      }),
    ).toBe('Ask');
    await changeRollState(s.ctx, 'GOLD', 'Force');
    // a strategy order arriving during the Force roll: reducing, it goes to the priced contract;
    // while it is on the stack no roll order is made (#1571)
    await s.order(-1);
    const blocked = await generateForceRollOrders(s.handler.core, s.contracts, s.prices);
    expect(blocked.created).toEqual([]);
    expect(blocked.decisions[0]).toMatchObject({
      skipped: 'Cannot force roll GOLD as already other orders on instrument stack',
    });
    await s.run();
    expect([s.pos(PRICED), s.pos(FORWARD)]).toEqual([1, 2]);
    // an increasing strategy order in Force gets no children (it waits on the stack)
    const waiting = await s.order(1);
    await s.run();
    expect(s.handler.core.instrumentOrder(waiting.id)).toMatchObject({ state: 'new', children: [] });
    await s.handler.core.host.remove('instrument', waiting.id);

    // generate_force_roll_orders: one zero instrument order with one calendar-spread contract order
    const r = await generateForceRollOrders(s.handler.core, s.contracts, s.prices);
    expect(r.created).toHaveLength(1);
    const io = s.handler.core.instrumentOrder(r.created[0]!)!;
    expect(io).toMatchObject({
      strategyName: ROLL_PSEUDO_STRATEGY,
      trade: 0,
      orderType: 'Zero-roll-order',
      rollOrder: true,
      referencePrice: 2001 - 2012,
      referenceContract: ROLL_PSEUDO_STRATEGY,
    });
    expect(io.children).toHaveLength(1);
    const co = s.handler.core.contractOrder(io.children[0]!)!;
    expect(co.legs?.map((l) => [l.contractDate, l.qty])).toEqual([
      [PRICED, -1],
      [FORWARD, 1],
    ]);
    // a strategy order arriving while the roll order is on the stack waits for the roll to finish
    const during = await s.order(-1);
    await s.refresh();
    await s.handler.spawnChildrenFromNewInstrumentOrders();
    expect(s.handler.core.instrumentOrder(during.id)).toMatchObject({ state: 'new', children: [] });
    await s.run();
    // then it spawns against the rolled positions (C2 made it Passive: the reduction is in the forward)
    await s.run();
    expect(s.handler.core.instrumentOrder(during.id)?.fill).toBe(-1);
    await s.order(1);
    await s.run();
    // filled as one spread: both contract positions moved, the strategy position did not
    expect([s.pos(PRICED), s.pos(FORWARD)]).toEqual([0, 3]);
    expect(s.handler.core.strategyPosition('ewmac', 'GOLD')).toBe(3);
    expect(s.handler.core.strategyPosition(ROLL_PSEUDO_STRATEGY, 'GOLD')).toBe(0);
    const bo = s.handler.core.brokerOrder(s.handler.core.contractOrder(io.children[0]!)!.children[0]!)!;
    expect(bo.legs?.map((l) => l.qty)).toEqual([-1, 1]);
    expect(bo.legFills).toEqual([-1, 1]);
    // the spread's filled price: priced leg − forward leg, at the prices of the legs' fills
    const legFills = (await s.handler.core.store.loadFills<FillRecord>())
      .map((f) => f.data)
      .filter((f) => f.kind === 'broker' && bo.execIds.includes(f.execId));
    const legPrice = (c: string) => legFills.find((f) => f.contractDate === c)!.price;
    expect(bo.filledPrice).toBeCloseTo(legPrice(PRICED) - legPrice(FORWARD), 9);
    expect(s.handler.core.contractOrder(io.children[0]!)!.filledPrice).toBeCloseTo(bo.filledPrice!, 9);
    expect(s.handler.core.activeOrders('instrument')).toEqual([]);

    // C2: nothing left in the priced contract → Passive (through the machine, stored)
    await s.refresh();
    expect((await readRollStates(nc, 'exp')).GOLD).toBe('Passive');

    // Roll_Adjusted: the price series roll (old series backed up), then No_Roll
    const rolled = await rollAdjustedPrices(
      s.ctx,
      {
        store: s.prices,
        log: { info: () => undefined, warn: () => undefined, critical: () => undefined },
        intradayFrequency: 'H',
        dataDir,
      },
      'GOLD',
      { confirm: async () => true },
    );
    expect(rolled).toMatchObject({ rolled: true, record: { roll_state: 'No_Roll' } });
    expect(await readdir(rolled.backup!)).toEqual(['adjusted_prices.csv', 'multiple_prices.csv']);
    const m = (await s.prices.getMultiplePrices('GOLD'))!;
    expect([m.priceContract.at(-1), m.forwardContract.at(-1)]).toEqual([FORWARD, NEXT]);

    // the stack follows: new orders trade the new priced contract; nothing in the expired one
    await s.refresh();
    expect(s.contracts.pricedContract('GOLD')).toBe(FORWARD);
    await s.order(1);
    await s.run();
    expect([s.pos(PRICED), s.pos(FORWARD)]).toEqual([0, 4]);
    expect(s.handler.core.activeOrders('instrument')).toEqual([]);
    await s.handler.close();
  }, 60_000);

  it('Force_Outright makes two outright legs; Close closes the priced position under the largest strategy', async () => {
    const s = await open('fo');
    await s.order(2, 'ewmac');
    await s.order(1, 'carry');
    await s.run();
    expect(s.pos(PRICED)).toBe(3);
    await changeRollState(s.ctx, 'GOLD', 'Force_Outright');
    const r = await generateForceRollOrders(s.handler.core, s.contracts, s.prices);
    const io = s.handler.core.instrumentOrder(r.created[0]!)!;
    expect(io).toMatchObject({ trade: 0, strategyName: ROLL_PSEUDO_STRATEGY });
    const legs = io.children.map((c) => s.handler.core.contractOrder(c)!);
    expect(legs.map((c) => [c.contractDate, c.trade, c.legs])).toEqual([
      [PRICED, -3, undefined],
      [FORWARD, 3, undefined],
    ]);
    // roll orders are made once: a second run finds the roll order on the stack
    expect((await generateForceRollOrders(s.handler.core, s.contracts, s.prices)).created).toEqual([]);
    await s.run();
    expect([s.pos(PRICED), s.pos(FORWARD)]).toEqual([0, 3]);
    expect(s.handler.core.strategyPosition('ewmac', 'GOLD')).toBe(2);

    // C2 downgrades Force_Outright to Passive; then No_Roll, a new position in the priced contract,
    // and Close closes it under ewmac (the largest position)
    await s.refresh();
    expect(s.contracts.rollState('GOLD')).toBe('Passive');
    await changeRollState(s.ctx, 'GOLD', 'No_Roll');
    await s.refresh();
    await s.order(2, 'ewmac');
    await s.run();
    expect(s.pos(PRICED)).toBe(2);
    await changeRollState(s.ctx, 'GOLD', 'Close');
    const c = await generateForceRollOrders(s.handler.core, s.contracts, s.prices);
    const closeOrder = s.handler.core.instrumentOrder(c.created[0]!)!;
    expect(closeOrder).toMatchObject({
      strategyName: 'ewmac',
      trade: -2,
      orderType: 'best',
      rollOrder: true,
    });
    await s.run();
    expect([s.pos(PRICED), s.pos(FORWARD)]).toEqual([0, 3]);
    // Close moves the strategy's position (F7's exception)
    expect(s.handler.core.strategyPosition('ewmac', 'GOLD')).toBe(2);
    await s.handler.close();
  }, 60_000);

  it('the roll report reads the stored states; the automatic mode applies the suggested state (Roll_Adjusted rolls prices)', async () => {
    const s = await open('rep');
    const vols = (v: number) => ({
      times: Float64Array.from([T0 - 2 * DAY, T0 - DAY]),
      open: Float64Array.from([1, 1]),
      high: Float64Array.from([1, 1]),
      low: Float64Array.from([1, 1]),
      final: Float64Array.from([2001, 2012]),
      volume: Float64Array.from([v, v]),
    });
    await s.prices.putContractPrices('GOLD', PRICED, 'D', vols(100));
    await s.prices.putContractPrices('GOLD', FORWARD, 'D', vols(300));
    await changeRollState(s.ctx, 'GOLD', 'Passive');
    const [row] = await readRollReport(nc, 'rep', T0, DEFAULT_ROLL_AUTO_UPDATE);
    expect(row).toMatchObject({
      instrument_code: 'GOLD',
      status: 'Passive',
      // Dec 2026 + 26 days expiry offset: 2026-12-27, the roll 30 days before
      price_expiry: 37,
      roll_expiry: 7,
      contracts: `${PRICED}p ${FORWARD}fc`,
      positions: '',
      relative_volume_priced: 1 / 3,
      relative_volume_forward: 1,
      forward_to_priced_volume: 3,
      // flat with a liquid forward: Roll_Adjusted
      suggested: 'Roll_Adjusted',
    });
    expect(dueForRoll(row!, 10)).toBe(true);
    // the broker's expiry (kept with the sampled contracts) wins over the approximate one
    await s.prices.putSampledContracts('GOLD', [
      { contractDate: PRICED, expiryDate: '20261229', expiryApproximate: false, sampling: true },
    ]);
    const [withBroker] = await readRollReport(nc, 'rep', T0, DEFAULT_ROLL_AUTO_UPDATE);
    expect([withBroker!.price_expiry, withBroker!.roll_expiry]).toEqual([39, 9]);
    expect(automaticDecision(row!)).toEqual({ to: 'Roll_Adjusted' });
    const deps = {
      store: s.prices,
      log: { info: () => undefined, warn: () => undefined, critical: () => undefined },
      intradayFrequency: 'H' as const,
      dataDir,
    };
    const out = await applyRollState(s.ctx, deps, row!, 'Roll_Adjusted', { by: 'auto' });
    expect(out).toMatchObject({ from: 'Passive', roll_state: 'No_Roll', done: true });
    const [after] = await readRollReport(nc, 'rep', T0, DEFAULT_ROLL_AUTO_UPDATE);
    expect(after).toMatchObject({ status: 'No_Roll', contracts: `${FORWARD}p ${NEXT}fc` });
    // holding a position, the table refuses Roll_Adjusted and the automatic mode says why
    expect(automaticDecision({ ...row!, position_priced: 2, suggested: 'Roll_Adjusted' })).toEqual({
      skip: 'Roll_Adjusted needs a zero position in the priced contract (now 2): roll or close it first',
    });
    expect(automaticDecision({ ...row!, suggested: 'Ask' })).toMatchObject({
      skip: expect.stringMatching(/Ask/),
    });
    await s.handler.close();
  }, 60_000);

  it('a restart in the middle of a spread roll: the restored handler finishes it, positions move once', async () => {
    const a = await open('restart');
    await a.order(2);
    await a.run();
    await changeRollState(a.ctx, 'GOLD', 'Force');
    const r = await generateForceRollOrders(a.handler.core, a.contracts, a.prices);
    expect(r.created).toHaveLength(1);
    // one pass: the first broker order (one spread: the algo's size limit is 1) is sent and filled
    await a.handler.runLoopPass();
    await a.broker.idle();
    await a.handler.settled();
    expect([a.pos(PRICED), a.pos(FORWARD)]).toEqual([1, 1]);
    await a.handler.close();

    const contracts = await StoredRollContracts.open(a.ctx, a.prices, silentLogger);
    const b = await StackHandler.open({
      nc,
      broker: a.broker,
      clock: a.clock,
      prefix: 'restart',
      contracts,
      config: { eodCancelWaitMs: 500, algoOverrides: { GOLD: 'market' } },
    });
    const co = b.core.contractOrder(b.core.instrumentOrder(r.created[0]!)!.children[0]!)!;
    expect(co.legs?.map((l) => l.qty)).toEqual([-2, 2]);
    expect(co.fill).toBe(-1);
    await drive(b, a.broker);
    await b.handleCompletedOrders();
    expect([PRICED, FORWARD].map((c) => b.core.contractPosition('GOLD', c))).toEqual([0, 2]);
    expect(b.core.strategyPosition('ewmac', 'GOLD')).toBe(2);
    expect(b.core.activeOrders('instrument')).toEqual([]);
    expect((await a.broker.positions()).map((p) => [p.contractDate, p.position])).toEqual([[FORWARD, 2]]);
    await b.close();
  }, 60_000);

  it("a crash that loses a roll order's contract order append: restore drops the family, the next generation makes it again", async () => {
    const conn = await t.connect();
    const a = await open('rollcrash', silentLogger, conn);
    await a.order(2);
    await a.run();
    await changeRollState(a.ctx, 'GOLD', 'Force');
    const store = a.handler.core.store;
    const known = new Set(a.handler.core.orders('contract').map((c) => store.orderSubject('contract', c.id)));
    const contractSubject = store.orderSubject('contract', 0).slice(0, -1);
    const append = store.appendOrder.bind(store);
    // The process dies with the new contract order's append in its socket buffer.
    store.appendOrder = (x, body, msgID, expectedSeq) =>
      x.startsWith(contractSubject) && !known.has(x)
        ? new Promise<number>(() => undefined)
        : append(x, body, msgID, expectedSeq);
    void generateForceRollOrders(a.handler.core, a.contracts, a.prices);
    let roll: number | undefined;
    for (let i = 0; i < 400 && roll === undefined; i++) {
      roll = a.handler.core.orders('instrument').find((o) => o.rollOrder)?.id;
      if (roll === undefined) await new Promise((r) => setTimeout(r, 5));
    }
    expect(roll).toBeDefined();
    await a.handler.core.host.durable('instrument', roll!);
    await conn.close();

    const contracts = await StoredRollContracts.open({ ...a.ctx, nc }, a.prices, silentLogger);
    const b = await StackHandler.open({
      nc,
      broker: a.broker,
      clock: a.clock,
      prefix: 'rollcrash',
      contracts,
      config: { eodCancelWaitMs: 500, algoOverrides: { GOLD: 'market' } },
    });
    // The half-written family never traded: dropped whole, nothing left to block the instrument.
    expect(b.core.instrumentOrder(roll!)).toBeUndefined();
    expect(b.core.activeOrders('contract')).toEqual([]);
    const again = await generateForceRollOrders(b.core, contracts, a.prices);
    expect(again.created).toHaveLength(1);
    await drive(b, a.broker);
    await b.handleCompletedOrders();
    expect([PRICED, FORWARD].map((c) => b.core.contractPosition('GOLD', c))).toEqual([0, 2]);
    expect(b.core.strategyPosition('ewmac', 'GOLD')).toBe(2);
    expect(b.core.activeOrders('instrument')).toEqual([]);
    await b.close();
  }, 60_000);
});
