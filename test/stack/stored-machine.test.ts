/**
 * An order record stores its machine's context without the input part the record rebuilds
 * (actors/host/stored-machine.ts): what is written is smaller, and a restore gives every order's
 * actor the very snapshot it had (state value and context, the `order` part included).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeptMachine, sameData, withInputPart } from '../../actors/host/stored-machine.ts';
import type { ActorEventBody } from '../../actors/host/order-host.ts';
import type { StackCore } from '../../actors/stack/core.ts';
import type { AnyOrder } from '../../actors/stack/types.ts';
import { startTestNats, type TestNats } from '../support/nats.ts';
import { drive, makeStack } from './helpers.ts';

describe('stored machine state', () => {
  it('compares plain data as JSON would keep it', () => {
    expect(sameData({ a: [1, 'x', null], b: { c: true } }, { b: { c: true }, a: [1, 'x', null] })).toBe(true);
    expect(sameData({ a: [1, 2] }, { a: [1, 2, 3] })).toBe(false);
    expect(sameData({ a: 1 }, { a: 1, b: null })).toBe(false);
    expect(sameData({ a: undefined }, {})).toBe(false);
    expect(sameData([1], { 0: 1 })).toBe(false);
    expect(sameData(Number.NaN, Number.NaN)).toBe(false);
  });

  it('leaves the input part out only while the record rebuilds it, and puts it back', () => {
    const record = { limitPrice: 5 };
    const inputPart = (r: typeof record) => ({ limitPrice: r.limitPrice, trade: [2] });
    const context = { order: { limitPrice: 5, trade: [2] }, ledger: { fill: [0] } };
    const kept = new KeptMachine('working', context, 'order', inputPart, record);
    const stored = JSON.parse(JSON.stringify(kept)) as { value: string; context: Record<string, unknown> };
    expect(stored).toEqual({ value: 'working', context: { ledger: { fill: [0] } }, fromRecord: 'order' });
    expect(withInputPart(stored, 'order', () => inputPart(record))).toEqual({ value: 'working', context });
    // A stored context that did not leave it out (or a machine without it) gets nothing added.
    const other = { value: 'x', context: { ledger: {} } };
    expect(withInputPart(other, 'order', () => inputPart(record))).toBe(other);
    // The record no longer gives the machine's input: the part is written as the machine has it.
    record.limitPrice = 6;
    expect(JSON.parse(JSON.stringify(kept))).toEqual({ value: 'working', context });
    expect(withInputPart({ value: 'working', context }, 'order', () => inputPart(record)).context).toBe(
      context,
    );
  });
});

let nats: TestNats;
beforeAll(async () => {
  nats = await startTestNats();
});
afterAll(async () => {
  await nats?.stop();
});

/** Every order's machine snapshot (state value and context), by `<level>.<id>`. */
function snapshots(core: StackCore): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const o of core.host.all()) {
    const s =
      o.level === 'broker'
        ? core.brokerActors.snapshot(o)
        : o.level === 'contract'
          ? core.contractActors.snapshot(o)
          : core.instrumentActors.snapshot(o);
    out.set(`${o.level}.${o.id}`, JSON.parse(JSON.stringify({ value: s.value, context: s.context })));
  }
  return out;
}

describe('restore from compact records', () => {
  it('gives every order the machine snapshot it had', async () => {
    const nc = await nats.connect();
    const { handler, broker, clock } = await makeStack(nc, 'storedm', { config: { algoSizeLimit: 10 } });
    // A family that completes, one resting at the broker (limit far off), one not yet spawned.
    await handler.createInstrumentOrder({
      strategyName: 'ewmac',
      instrumentCode: 'SOFR',
      trade: 3,
      orderType: 'market',
    });
    await handler.createInstrumentOrder({
      strategyName: 'carry',
      instrumentCode: 'GOLD',
      trade: 2,
      orderType: 'limit',
      limitPrice: 50,
    });
    await drive(handler, broker);
    await handler.createInstrumentOrder({
      strategyName: 'x',
      instrumentCode: 'BUND',
      trade: -1,
      orderType: 'market',
    });
    await handler.core.host.flush();
    const before = snapshots(handler.core);
    expect([...before.keys()].sort()).toEqual([
      'broker.1',
      'broker.2',
      'contract.1',
      'contract.2',
      'instrument.1',
      'instrument.2',
      'instrument.3',
    ]);
    // The stored records carry no `order` in their machine's context: their fields rebuild it.
    const stored = await handler.core.store.loadStack<ActorEventBody<AnyOrder>>();
    expect(stored).toHaveLength(7);
    for (const e of stored) {
      const m = e.data.record.machine as { context: Record<string, unknown>; fromRecord?: string };
      expect(Object.keys(m.context)).not.toContain('order');
      expect(m.fromRecord).toBe('order');
      expect(m.context.ledger).toBeDefined();
    }
    await handler.close();

    const nc2 = await nats.connect();
    const again = await makeStack(nc2, 'storedm', { config: { algoSizeLimit: 10 }, clock });
    expect(snapshots(again.handler.core)).toEqual(before);
    // The restored records are written compact again, and whole on the next restore.
    await drive(again.handler, again.broker);
    const io = again.handler.core.orders('instrument').find((o) => o.instrumentCode === 'BUND');
    expect(io?.state).toBe('completed');
    const after = snapshots(again.handler.core);
    await again.handler.close();
    const nc3 = await nats.connect();
    const third = await makeStack(nc3, 'storedm', { config: { algoSizeLimit: 10 }, clock });
    expect(snapshots(third.handler.core)).toEqual(after);
    await third.handler.close();
    await Promise.all([nc.close(), nc2.close(), nc3.close()]);
  }, 60_000);
});
