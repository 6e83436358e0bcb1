import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { machineFill } from '../../actors/stack/broker-machine.ts';
import { startTestNats, type TestNats } from '../support/nats.ts';
import { drive, makeStack } from './helpers.ts';

let nats: TestNats;
beforeAll(async () => {
  nats = await startTestNats();
});
afterAll(async () => {
  await nats?.stop();
});

describe('stack handler lifecycle', () => {
  it('takes an instrument order to contract, broker, fill, positions and history', async () => {
    const nc = await nats.connect();
    const { handler, broker } = await makeStack(nc, 'life', { config: { algoSizeLimit: 10 } });
    const io = await handler.createInstrumentOrder({
      strategyName: 'ewmac',
      instrumentCode: 'SOFR',
      trade: 3,
      orderType: 'market',
    });
    await drive(handler, broker);
    const core = handler.core;
    const done = core.instrumentOrder(io.id);
    expect(done?.fill).toBe(3);
    expect(done?.state).toBe('completed');
    expect(done?.active).toBe(false);
    const [co] = core.orders('contract');
    expect(co?.contractDate).toBe('202612');
    expect(co?.fill).toBe(3);
    const bos = core.orders('broker');
    expect(bos.map((b) => b.fill)).toEqual([3]);
    // The broker order machine (issue 3) ran inside the actor and agrees with the fill path.
    expect(bos[0]?.machineState).toBe('filled');
    expect(machineFill(bos[0]!)).toBe(3);
    expect(handler.positions().contract).toEqual([
      { instrumentCode: 'SOFR', contractDate: '202612', position: 3 },
    ]);
    expect(handler.positions().strategy).toEqual([
      { strategyName: 'ewmac', instrumentCode: 'SOFR', position: 3 },
    ]);
    expect(await broker.positions()).toEqual([
      { instrumentCode: 'SOFR', contractDate: '202612', position: 3 },
    ]);
    const history = await core.store.loadHistory<{ instrument: { id: number } }>();
    expect(history.map((h) => h.data.instrument.id)).toEqual([io.id]);
    const eod = await handler.safeStackRemoval();
    expect(eod.removed).toBe(3);
    expect(core.host.size).toBe(0);
    await handler.close();
  });
});

describe('inspection', () => {
  it('publishes every order event on <prefix>.inspect.order.<level>.<id>', async () => {
    const nc = await nats.connect();
    const seen: Array<{ subject: string; event: string; version: number }> = [];
    const sub = nc.subscribe('insp.inspect.>', {
      callback: (_e, m) => {
        const body = m.json<{ event: string; version: number }>();
        seen.push({ subject: m.subject, event: body.event, version: body.version });
      },
    });
    await nc.flush();
    const { handler, broker } = await makeStack(nc, 'insp', { config: { algoSizeLimit: 10 } });
    const io = await handler.createInstrumentOrder({
      strategyName: 's',
      instrumentCode: 'SOFR',
      trade: 1,
      orderType: 'market',
    });
    await drive(handler, broker);
    await nc.flush();
    const mine = seen.filter((s) => s.subject === `insp.inspect.order.instrument.${io.id}`);
    expect(mine.map((s) => s.event)).toEqual(['CREATED', 'CHILDREN_SPAWNED', 'FILL', 'COMPLETED']);
    expect(mine.map((s) => s.version)).toEqual([1, 2, 3, 4]);
    expect(seen.some((s) => s.subject.startsWith('insp.inspect.order.broker.'))).toBe(true);
    sub.unsubscribe();
    await handler.close();
  });
});
