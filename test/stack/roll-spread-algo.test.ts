import { algoOf } from '../../actors/stack/algo-actors.ts';
import type { NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateForceRollOrders } from '../../actors/rolls/roll-orders.ts';
import { changeRollState } from '../../actors/rolls/roll-status-host.ts';
import { StoredRollContracts } from '../../actors/rolls/stored-contracts.ts';
import { type StackLogger } from '../../actors/stack/ports.ts';
import { StackHandler } from '../../actors/stack/stack-handler.ts';
import { ConstantPriceSource } from '../../src/broker/sim/price-source.ts';
import { SimBroker } from '../../src/broker/sim/sim-broker.ts';
import { SimulatedClock } from '../../src/clock.ts';
import { startTestNats, type TestNats } from '../support/nats.ts';
import { drive } from './helpers.ts';
import { FORWARD, PRICED, seedGold, T0 } from './roll-fixture.ts';

let t: TestNats;
let nc: NatsConnection;
beforeAll(async () => {
  t = await startTestNats();
  nc = await t.connect();
});
afterAll(async () => {
  await t?.stop();
});

/** A handler on a simulated broker holding 1 GOLD in the priced contract, the roll state Force. */
async function forceRoll(prefix: string) {
  const clock = new SimulatedClock(T0);
  const prices = await seedGold(nc, prefix);
  const warnings: Array<{ fields: Record<string, unknown>; msg: string }> = [];
  const log: StackLogger = {
    debug() {},
    info() {},
    warn: (fields, msg) => warnings.push({ fields: fields as Record<string, unknown>, msg }),
    error() {},
  };
  const contracts = await StoredRollContracts.open({ nc, prefix, clock }, prices, log);
  // quotes 0.5 wide around each contract's price (exact in binary: the spread's prices are too)
  const mid: Record<string, number> = { [`GOLD/${PRICED}`]: 2000, [`GOLD/${FORWARD}`]: 2010 };
  const broker = new SimBroker({
    clock,
    prices: new ConstantPriceSource(100, mid),
    defaultSpread: 0.5,
    restingCheckMs: 0,
  });
  const handler = await StackHandler.open({ nc, broker, clock, prefix, contracts, log });
  const pos = (c: string) => handler.core.contractPosition('GOLD', c);
  const run = async () => {
    await contracts.refresh((i, c) => handler.core.contractPosition(i, c));
    await drive(handler, broker);
  };
  await handler.createInstrumentOrder({
    strategyName: 'ewmac',
    instrumentCode: 'GOLD',
    trade: 1,
    orderType: 'market',
  });
  await run();
  expect([pos(PRICED), pos(FORWARD)]).toEqual([1, 0]);

  await changeRollState({ nc, prefix, clock }, 'GOLD', 'Force');
  await contracts.refresh((i, c) => handler.core.contractPosition(i, c));
  const r = await generateForceRollOrders(handler.core, contracts, prices);
  const io = handler.core.instrumentOrder(r.created[0]!)!;
  return { clock, broker, handler, mid, warnings, pos, run, io };
}

describe('a roll spread traded by the best algo (C6, E2)', () => {
  it('Force: no valid spread quote → no trade, said once; then a passive limit at the spread quote, filled', async () => {
    const { broker, handler, mid, warnings, pos, run, io } = await forceRoll('spreadalgo');
    expect(io.orderType).toBe('Zero-roll-order');
    const coId = io.children[0]!;
    const co = handler.core.contractOrder(coId)!;
    // C6: a Zero-roll-order's spread takes the best algo
    expect(co).toMatchObject({ orderType: 'best', algoToUse: 'best' });
    expect(co.legs?.map((l) => [l.contractDate, l.qty])).toEqual([
      [PRICED, -1],
      [FORWARD, 1],
    ]);

    // E2.3: no valid spread quote, no trade: nothing sent, the reason logged once (not #1249's
    // silent retry every pass)
    mid[`GOLD/${FORWARD}`] = NaN;
    await run();
    await run();
    expect(handler.core.contractOrder(coId)).toMatchObject({ children: [], fill: 0 });
    expect(handler.core.contractOrder(coId)?.referenceOfControllingAlgo).toBeUndefined();
    const noTrade = warnings.filter((w) => w.msg === 'algo: no trade');
    expect(noTrade).toHaveLength(1);
    expect(noTrade[0]!.fields).toMatchObject({ contract_order_id: coId, algo: 'best' });
    expect(String(noTrade[0]!.fields.reason)).toMatch(/no valid spread quote/);
    expect([pos(PRICED), pos(FORWARD)]).toEqual([1, 0]);

    // a valid quote: the combo (sell priced, buy forward; bought as the broker prices it) is
    // 9.5 bid / 10.5 ask, i.e. −10.5 / −9.5 as priced − forward. Selling the spread passively:
    // a limit at its offside, −9.5 (the combo's bid, 9.5, at the broker)
    mid[`GOLD/${FORWARD}`] = 2010;
    const legs = co.legs!;
    expect(await broker.spreadSnapshot(legs)).toMatchObject({ bid: 9.5, ask: 10.5 });
    await run();
    const boId = handler.core.contractOrder(coId)!.children[0]!;
    const placed = handler.core.brokerOrder(boId)!;
    expect(placed).toMatchObject({
      brokerOrderType: 'limit',
      algoUsed: 'best',
      limitPrice: -9.5,
      sidePrice: -10.5,
      offsidePrice: -9.5,
      midPrice: -10,
      fill: 0,
    });
    // E2: the best-execution machine chose a passive limit at the offside
    expect(algoOf(handler.core, boId)).toMatchObject({
      state: 'passive',
      context: { algo: 'best', brokerOrderType: 'limit', limitPrice: -9.5, referenceOffside: -9.5 },
    });
    expect(placed.legs?.map((l) => l.qty)).toEqual([-1, 1]);
    expect([pos(PRICED), pos(FORWARD)]).toEqual([1, 0]);

    // the forward falls 1: the combo's ask reaches 9.5, the resting limit fills (still passive)
    mid[`GOLD/${FORWARD}`] = 2009;
    broker.evaluateResting();
    await broker.idle();
    await run();
    await handler.handleCompletedOrders();
    const filled = handler.core.brokerOrder(boId)!;
    expect(filled).toMatchObject({ fill: -1, filledPrice: -9.5, legFills: [-1, 1] });
    // filled while passive: the algo finished without turning aggressive
    expect(algoOf(handler.core, boId)).toMatchObject({
      state: 'done',
      context: { outcome: 'filled', aggressiveReason: null },
    });
    expect([pos(PRICED), pos(FORWARD)]).toEqual([0, 1]);
    expect(handler.core.strategyPosition('ewmac', 'GOLD')).toBe(1);
    expect(handler.core.activeOrders('instrument')).toEqual([]);
    await handler.close();
  }, 60_000);

  it('Force: the passive limit not reached by the passive time-out goes aggressive, at the side price, and fills', async () => {
    const { clock, handler, pos, run, io } = await forceRoll('spreadaggr');
    const coId = io.children[0]!;
    await run();
    const boId = handler.core.contractOrder(coId)!.children[0]!;
    expect(handler.core.brokerOrder(boId)).toMatchObject({ limitPrice: -9.5 });
    expect(algoOf(handler.core, boId)?.state).toBe('passive');
    clock.advance(301_000);
    await run();
    await handler.handleCompletedOrders();
    // E2.6: aggressive keeps the limit at the side price: selling, the spread's bid (−10.5; the
    // combo's ask, 10.5, at the broker), where it fills
    expect(handler.core.brokerOrder(boId)).toMatchObject({
      limitPrice: -10.5,
      fill: -1,
      filledPrice: -10.5,
    });
    expect(algoOf(handler.core, boId)).toMatchObject({
      state: 'done',
      context: { outcome: 'filled', aggressiveReason: 'passive time out or close', limitPrice: -10.5 },
    });
    expect([pos(PRICED), pos(FORWARD)]).toEqual([0, 1]);
    await handler.close();
  }, 60_000);
});
