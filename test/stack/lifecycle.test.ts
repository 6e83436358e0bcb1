import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestNats, type TestNats } from '../support/nats.ts';
import type { InspectEvent } from '../../actors/host/order-host.ts';
import { orderAddress } from '../../actors/stack/addresses.ts';
import { drive, makeStack, T0 } from './helpers.ts';

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
    expect(bos[0]?.state).toBe('filled');
    expect(core.brokerActors.snapshot(bos[0]!).context.ledger.fill).toEqual([3]);
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
    const seen: Array<InspectEvent & { subject: string }> = [];
    const sub = nc.subscribe('insp.inspect.>', {
      callback: (_e, m) => {
        seen.push({ subject: m.subject, ...m.json<InspectEvent>() });
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
    // The machine's events and states, with the family root, a context summary and the clock time.
    expect(mine.map((s) => s.event)).toEqual([
      'CREATED',
      'CHILDREN_SPAWNED',
      'CHILD_FILL',
      'CHILD_COMPLETED',
    ]);
    expect(mine.map((s) => s.state)).toEqual(['new', 'childrenWorking', 'filled', 'completed']);
    expect(mine.map((s) => s.version)).toEqual([1, 2, 3, 4]);
    expect(mine.every((s) => s.kind === 'instrument' && s.root === io.id && s.at === T0)).toBe(true);
    expect(mine.at(-1)?.context).toMatchObject({ trade: 1, fill: 1, active: false });
    const brokers = seen.filter((s) => s.subject.startsWith('insp.inspect.order.broker.'));
    expect(brokers.map((s) => s.state)).toEqual([
      'created',
      'created',
      'acknowledged',
      'filled',
      'filled',
      'filled',
    ]);
    expect(brokers.map((s) => s.event)).toEqual([
      'CREATED',
      'BROKER_IDS',
      'SUBMITTED',
      'FILL',
      'ALGO_BROKER_FILL',
      'DEACTIVATE',
    ]);
    expect(brokers.every((s) => s.kind === 'broker' && s.root === io.id)).toBe(true);
    // The market algo is an actor of machines/algo-market.ts: it placed the order and finished on its fill.
    const algos = seen.filter((s) => s.subject.startsWith('insp.inspect.order.algo.'));
    expect(algos.map((s) => [s.event, s.state])).toEqual([
      ['START', 'working'],
      ['ALGO_BROKER_FILL', 'done'],
    ]);
    expect(algos.every((s) => s.kind === 'algo' && s.root === io.id)).toBe(true);
    expect(algos.at(-1)?.context).toMatchObject({ algo: 'market', outcome: 'filled' });
    sub.unsubscribe();
    await handler.close();
  });
});

describe('order actor addresses', () => {
  it('take typed events over NATS at <prefix>.order.<kind>.<id> from another connection', async () => {
    const { handler, broker } = await makeStack(await nats.connect(), 'addr', {
      config: { algoSizeLimit: 10 },
    });
    const io = await handler.createInstrumentOrder({
      strategyName: 's',
      instrumentCode: 'SOFR',
      trade: 2,
      orderType: 'best',
    });
    await handler.spawnChildrenFromNewInstrumentOrders();
    await handler.createBrokerOrdersFromContractOrders(); // passive at the bid: not filled by itself
    await broker.idle();
    const [bo] = handler.core.orders('broker');
    const other = await nats.connect(); // as the broker adapter or the CLI would, in another process
    const send = async (kind: string, id: number, body: unknown) =>
      (await other.request(orderAddress('addr', kind as 'broker', id), JSON.stringify(body))).json<{
        state?: string;
        error?: string;
        code?: number;
      }>();
    expect(
      await send('broker', bo!.id, { type: 'FILL', exec_id: 'x1', qty: 0, price: 1, time: T0 }),
    ).toMatchObject({
      code: 400,
    });
    expect(await send('broker', 999, { type: 'LOCK' })).toMatchObject({ code: 404 });
    expect(handler.core.brokerOrder(bo!.id)?.fill).toBe(0); // nothing changed
    expect(
      await send('broker', bo!.id, { type: 'FILL', exec_id: 'x1', qty: 2, price: 99.5, time: T0 }),
    ).toEqual({
      kind: 'broker',
      id: bo!.id,
      state: 'filled',
    });
    expect(
      await send('broker', bo!.id, { type: 'COMMISSION', exec_id: 'x1', commission: 4, currency: 'USD' }),
    ).toMatchObject({ state: 'filled' });
    await handler.settled();
    expect(handler.core.instrumentOrder(io.id)).toMatchObject({ state: 'completed', fill: 2 });
    expect(handler.core.brokerOrder(bo!.id)?.commission).toBe(4);
    expect(await send('instrument', io.id, { type: 'LOCK' })).toMatchObject({ state: 'completed' });
    expect(handler.core.instrumentOrder(io.id)?.locked).toBe(false); // a completed order takes no more events
    await other.close();
    await handler.close();
  });
});
