/**
 * Algos and instrument locks are actors of their machines (issue 10 §1): their state is the
 * machine's, survives a restart, and is published for inspection.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { algoOf } from '../../actors/stack/algo-actors.ts';
import { removeAlgoLock } from '../../actors/stack/manual.ts';
import { StackHandler } from '../../actors/stack/stack-handler.ts';
import { ConstantPriceSource } from '../../src/broker/sim/price-source.ts';
import { SimBroker } from '../../src/broker/sim/sim-broker.ts';
import { SimulatedClock } from '../../src/clock.ts';
import { startTestNats, type TestNats } from '../support/nats.ts';
import { drive, makeStack, T0 } from './helpers.ts';

let nats: TestNats;
beforeAll(async () => {
  nats = await startTestNats();
});
afterAll(async () => {
  await nats?.stop();
});

describe('algo actors', () => {
  it('a best algo restored mid passive phase turns aggressive at its original passive deadline', async () => {
    const nc = await nats.connect();
    const config = { passiveTimeoutMs: 300_000, totalTimeoutMs: 600_000, algoSizeLimit: 5 };
    const { handler, broker, clock } = await makeStack(nc, 'algoact', { config });
    await handler.createInstrumentOrder({ strategyName: 's', instrumentCode: 'SOFR', trade: 2 });
    await drive(handler, broker, 2);
    const [bo] = handler.core.orders('broker');
    const passiveDeadline = bo!.submitDatetime! + 300_000;
    expect(algoOf(handler.core, bo!.id)).toMatchObject({
      state: 'passive',
      context: { algo: 'best', passiveDeadline, totalDeadline: bo!.submitDatetime! + 600_000 },
    });
    await handler.close();

    const restored = await StackHandler.open({ nc, broker, clock, prefix: 'algoact', config });
    expect(algoOf(restored.core, bo!.id)).toMatchObject({ state: 'passive', context: { passiveDeadline } });
    clock.set(passiveDeadline - 1);
    await restored.tick();
    expect(algoOf(restored.core, bo!.id)?.state).toBe('passive');
    clock.set(passiveDeadline);
    await restored.tick();
    await broker.idle();
    await restored.settled();
    // Aggressive at the side price: the simulated broker fills it there, and the algo is done.
    expect(algoOf(restored.core, bo!.id)).toMatchObject({
      state: 'done',
      context: { aggressiveReason: 'passive time out or close', outcome: 'filled' },
    });
    expect(restored.core.brokerOrder(bo!.id)).toMatchObject({ fill: 2, brokerStatus: 'filled' });
    await restored.close();
  });
});

describe('removing an algo lock by hand (algo.unlock)', () => {
  it('stops the working algo (STOP), cancels its broker order, then releases the contract order', async () => {
    const nc = await nats.connect();
    const config = { passiveTimeoutMs: 300_000, totalTimeoutMs: 600_000, algoSizeLimit: 5 };
    const { handler, broker } = await makeStack(nc, 'algounlock', { config });
    await handler.createInstrumentOrder({ strategyName: 's', instrumentCode: 'SOFR', trade: 2 });
    await drive(handler, broker, 2);
    const [bo] = handler.core.orders('broker');
    const coId = bo!.parent!;
    expect(algoOf(handler.core, bo!.id)?.state).toBe('passive');
    expect(handler.core.contractOrder(coId)?.referenceOfControllingAlgo).toBe(`best:${bo!.id}`);
    await removeAlgoLock(handler.core, coId);
    await broker.idle();
    await handler.settled();
    expect(algoOf(handler.core, bo!.id)).toMatchObject({ state: 'done', context: { outcome: 'stopped' } });
    expect(handler.core.brokerOrder(bo!.id)).toMatchObject({ fill: 0, brokerStatus: 'cancelled' });
    expect(handler.core.contractOrder(coId)?.referenceOfControllingAlgo).toBeUndefined();
    // Nothing holds it now: a second removal is refused, and the stopped algo stays done.
    await expect(removeAlgoLock(handler.core, coId)).rejects.toMatchObject({ code: 409 });
    expect(algoOf(handler.core, bo!.id)?.state).toBe('done');
    await handler.close();
  });
});

describe('instrument lock actors', () => {
  it('manual and break locks are the machine states, survive a restart and are inspected', async () => {
    const nc = await nats.connect();
    const seen: Array<{ subject: string; body: { kind: string; id: string; state: string; event: string } }> =
      [];
    const sub = nc.subscribe('lk.inspect.order.lock.>', {
      callback: (_e, m) => {
        seen.push({ subject: m.subject, body: m.json() });
      },
    });
    await nc.flush();
    const clock = new SimulatedClock(T0);
    const broker = new SimBroker({ clock, prices: new ConstantPriceSource(100), restingCheckMs: 0 });
    await broker.connect();
    await broker.placeOrder({
      orderRef: 'elsewhere',
      legs: [{ instrumentCode: 'V2X', contractDate: '202612', qty: 2 }],
      orderType: 'market',
    });
    await broker.idle();
    const handler = await StackHandler.open({ nc, broker, clock, prefix: 'lk' });
    await handler.core.setLock('GOLD', 'manual');
    await handler.checkExternalPositionBreak();
    expect(handler.core.lockActors.view('GOLD').state).toBe('lockedManually');
    expect(handler.core.lockActors.view('V2X')).toMatchObject({
      state: 'lockedByBreak',
      context: { reason: 'position break: 202612: ours 0, broker 2' },
    });
    // A manual lock is never cleared by the break check (the machine ignores agreeing positions).
    await handler.checkExternalPositionBreak();
    expect(handler.core.isLocked('GOLD')).toBe(true);
    await handler.close();

    const next = await StackHandler.open({ nc, broker, clock, prefix: 'lk' });
    expect(Object.fromEntries(next.core.locks)).toEqual({ GOLD: 'manual', V2X: 'break' });
    expect(next.core.lockActors.view('V2X').state).toBe('lockedByBreak');
    // The break goes (the position is closed at the broker): the machine unlocks V2X, not GOLD.
    await broker.placeOrder({
      orderRef: 'elsewhere2',
      legs: [{ instrumentCode: 'V2X', contractDate: '202612', qty: -2 }],
      orderType: 'market',
    });
    await broker.idle();
    const r = await next.checkExternalPositionBreak();
    expect(r.unlocked).toEqual(['V2X']);
    await next.core.setLock('GOLD', undefined);
    expect(Object.fromEntries(next.core.locks)).toEqual({});
    await next.close();
    const third = await StackHandler.open({ nc, broker, clock, prefix: 'lk' });
    expect(third.core.locks.size).toBe(0);
    await third.close();
    await nc.flush();
    sub.unsubscribe();
    expect(seen.map((s) => [s.body.id, s.body.event, s.body.state])).toEqual([
      ['GOLD', 'LOCK', 'lockedManually'],
      ['V2X', 'POSITIONS_COMPARED', 'lockedByBreak'],
      ['V2X', 'POSITIONS_COMPARED', 'unlocked'],
      ['GOLD', 'UNLOCK', 'unlocked'],
    ]);
    expect(
      seen.every((s) => s.body.kind === 'lock' && s.subject === `lk.inspect.order.lock.${s.body.id}`),
    ).toBe(true);
  });
});
