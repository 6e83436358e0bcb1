import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { algoFinished } from '../../actors/stack/algos.ts';
import { recordBrokerFill, recordCommission } from '../../actors/stack/fills.ts';
import type { FillRecord } from '../../actors/stack/types.ts';
import { cancelBrokerOrder, manualFillBrokerOrder } from '../../actors/stack/manual.ts';
import { startTestNats, type TestNats } from '../support/nats.ts';
import { drive, makeStack, T0 } from './helpers.ts';

let nats: TestNats;
beforeAll(async () => {
  nats = await startTestNats();
});
afterAll(async () => {
  await nats?.stop();
});

const order = { strategyName: 'ewmac', instrumentCode: 'SOFR', orderType: 'market' as const };

describe('fills', () => {
  it('carries partial fills up and completes the family when all parts are in', async () => {
    const { handler, broker } = await makeStack(await nats.connect(), 'partial', {
      broker: { partialFillProbability: 1, seed: 3 },
      config: { algoSizeLimit: 10 },
    });
    const io = await handler.createInstrumentOrder({ ...order, trade: -7 });
    await drive(handler, broker);
    const [bo] = handler.core.orders('broker');
    expect(bo?.execIds.length).toBeGreaterThan(1);
    expect(bo?.fill).toBe(-7);
    expect(handler.core.instrumentOrder(io.id)?.state).toBe('completed');
    expect(handler.positions().strategy).toEqual([
      { strategyName: 'ewmac', instrumentCode: 'SOFR', position: -7 },
    ]);
    await handler.close();
  });

  it('logs every fill at info with the order ids and the price', async () => {
    const lines: Array<{ level: string; fields: Record<string, unknown>; msg: string }> = [];
    const at = (level: string) => (fields: object, msg?: string) =>
      void lines.push({ level, fields: fields as Record<string, unknown>, msg: msg ?? '' });
    const log = { info: at('info'), warn: at('warn'), error: at('error'), debug: at('debug') };
    const { handler, broker } = await makeStack(await nats.connect(), 'filllog', { log });
    const io = await handler.createInstrumentOrder({ ...order, trade: 2 });
    await drive(handler, broker);
    const fills = lines.filter((l) => l.msg.startsWith('fill '));
    expect(fills.length).toBeGreaterThan(0);
    expect(fills.every((l) => l.level === 'info')).toBe(true);
    expect(fills.reduce((n, l) => n + Number(l.fields.qty), 0)).toBe(2);
    const first = fills[0]!;
    expect(first.msg).toBe(`fill +${String(first.fields.qty)} SOFR 202612 at ${String(first.fields.price)}`);
    expect(Math.abs(Number(first.fields.price) - 100)).toBeLessThan(0.1);
    expect(fills[0]!.fields).toMatchObject({
      strategy_name: 'ewmac',
      instrument_code: 'SOFR',
      contract_date: '202612',
      instrument_order_id: io.id,
    });
    await handler.close();
  });

  it('ignores duplicate fill reports', async () => {
    const { handler, broker } = await makeStack(await nats.connect(), 'dupe', {
      broker: { duplicateFillProbability: 1 },
      config: { algoSizeLimit: 1 },
    });
    await handler.createInstrumentOrder({ ...order, trade: 3 });
    await drive(handler, broker, 8);
    expect(handler.core.counters.duplicate_fills).toBe(3);
    expect(handler.positions().contract).toEqual([
      { instrumentCode: 'SOFR', contractDate: '202612', position: 3 },
    ]);
    expect(handler.core.orders('broker').map((b) => b.fill)).toEqual([1, 1, 1]);
    await handler.close();
  });

  it('applies a late fill after a confirmed cancel (positions follow the broker)', async () => {
    const { handler, broker } = await makeStack(await nats.connect(), 'late', {
      broker: { lateFillAfterCancelProbability: 1 },
    });
    const io = await handler.createInstrumentOrder({ ...order, trade: 1, orderType: 'best' });
    await drive(handler, broker, 2);
    const [bo] = handler.core.orders('broker');
    expect(bo?.brokerOrderType).toBe('limit'); // passive at the bid, not marketable
    expect(bo?.fill).toBe(0);
    await cancelBrokerOrder(handler.core, bo!.id);
    await broker.idle();
    await handler.settled();
    expect(handler.core.counters.late_fills).toBe(1);
    expect(handler.core.brokerOrder(bo!.id)?.fill).toBe(1);
    await drive(handler, broker, 2);
    expect(handler.core.instrumentOrder(io.id)?.state).toBe('completed');
    expect(handler.core.orders('broker').length).toBe(1); // no second broker order
    expect(handler.positions().contract[0]?.position).toBe(1);
    await handler.close();
  });

  it('keeps an overfill apart, never throws, and positions equal the sum of fills', async () => {
    const { handler, broker } = await makeStack(await nats.connect(), 'over', {
      config: { algoSizeLimit: 5 },
    });
    const io = await handler.createInstrumentOrder({ ...order, trade: 2 });
    await drive(handler, broker);
    const [bo] = handler.core.orders('broker');
    const r = await recordBrokerFill(handler.core, {
      execId: 'extra-1',
      orderRef: bo!.orderRef,
      tempId: bo!.brokerTempId ?? 0,
      permId: bo!.brokerPermId ?? 0,
      instrumentCode: 'SOFR',
      contractDate: '202612',
      qty: 3,
      price: 101,
      time: T0,
    });
    expect(r).toBe('applied');
    const after = handler.core.brokerOrder(bo!.id);
    expect([after?.fill, after?.overfill]).toEqual([2, 3]);
    expect(handler.core.counters.overfills).toBe(1);
    expect(handler.core.instrumentOrder(io.id)?.fill).toBe(2);
    expect(handler.positions().contract[0]?.position).toBe(5);
    expect(handler.positions().strategy[0]?.position).toBe(5);
    await handler.close();
  });

  it('records a late fill of one of our orders no longer on the stack at contract level only; ignores foreign fills', async () => {
    const { handler } = await makeStack(await nats.connect(), 'orphan');
    const foreign = await recordBrokerFill(handler.core, {
      execId: 'x-0',
      orderRef: 'someone-else',
      tempId: 998,
      permId: 0,
      instrumentCode: 'BUND',
      contractDate: '202612',
      qty: 5,
      price: 130,
      time: T0,
    });
    expect(foreign).toBe('foreign');
    const r = await recordBrokerFill(handler.core, {
      execId: 'x-1',
      orderRef: 'orphan:12345',
      tempId: 999,
      permId: 0,
      instrumentCode: 'BUND',
      contractDate: '202612',
      qty: -2,
      price: 130,
      time: T0,
    });
    expect(r).toBe('unmatched');
    expect(handler.positions()).toEqual({
      contract: [{ instrumentCode: 'BUND', contractDate: '202612', position: -2 }],
      strategy: [],
    });
    await handler.close();
  });
});

describe('algo lock', () => {
  it('is released only by the broker order that holds it', async () => {
    const { handler, broker } = await makeStack(await nats.connect(), 'holder', {
      config: { algoSizeLimit: 1 },
    });
    await handler.createInstrumentOrder({ ...order, trade: 2, orderType: 'best' });
    await handler.spawnChildrenFromNewInstrumentOrders();
    await handler.createBrokerOrdersFromContractOrders();
    await broker.idle();
    const [co] = handler.core.orders('contract');
    const [first] = handler.core.orders('broker');
    expect(co?.referenceOfControllingAlgo).toBe(`best:${first!.id}`);
    // The first child is filled by hand, the lock passes to a second child.
    await manualFillBrokerOrder(handler.core, first!.id, 100);
    expect(handler.core.contractOrder(co!.id)?.referenceOfControllingAlgo).toBeUndefined();
    await handler.createBrokerOrdersFromContractOrders();
    const second = handler.core.orders('broker')[1]!;
    expect(handler.core.contractOrder(co!.id)?.referenceOfControllingAlgo).toBe(`best:${second.id}`);
    // A repeated end of the first child (as on a restore) leaves the second child's lock alone.
    algoFinished(handler.core, handler.core.brokerOrder(first!.id)!);
    expect(handler.core.contractOrder(co!.id)?.referenceOfControllingAlgo).toBe(`best:${second.id}`);
    expect(await handler.createBrokerOrdersFromContractOrders()).toEqual([]);
    await handler.close();
  });
});

describe('commissions', () => {
  it('are carried on the fill record, joined by execution id also when they come later or first', async () => {
    const { handler, broker } = await makeStack(await nats.connect(), 'comm', {
      config: { algoSizeLimit: 5 },
    });
    await handler.createInstrumentOrder({ ...order, trade: 2 });
    await drive(handler, broker);
    const [bo] = handler.core.orders('broker');
    const fill = (execId: string) => ({
      execId,
      orderRef: bo!.orderRef,
      tempId: bo!.brokerTempId ?? 0,
      permId: bo!.brokerPermId ?? 0,
      instrumentCode: 'SOFR',
      contractDate: '202612',
      qty: 1,
      price: 101,
      time: T0,
    });
    // After its fill: joined to the stored record and to the broker order's ledger.
    await recordBrokerFill(handler.core, fill('late-comm'));
    expect(
      await recordCommission(handler.core, { execId: 'late-comm', commission: 2.5, currency: 'USD' }),
    ).toBe('joined');
    expect(
      await recordCommission(handler.core, { execId: 'late-comm', commission: 2.5, currency: 'USD' }),
    ).toBe('duplicate');
    // Before its fill: kept until the fill is recorded.
    expect(
      await recordCommission(handler.core, { execId: 'early-comm', commission: 1.25, currency: 'EUR' }),
    ).toBe('pending');
    await recordBrokerFill(handler.core, fill('early-comm'));
    expect(
      await recordCommission(handler.core, { execId: 'x', commission: Number.NaN, currency: 'USD' }),
    ).toBe('invalid');
    const stored = new Map(
      (await handler.core.store.loadFills<FillRecord>()).map((e) => [e.data.execId, e.data]),
    );
    expect(stored.get('late-comm')).toMatchObject({ commission: 2.5, commissionCurrency: 'USD', qty: 1 });
    expect(stored.get('early-comm')).toMatchObject({ commission: 1.25, commissionCurrency: 'EUR', qty: 1 });
    // Every fill record carries a commission (the simulated broker reports it with the fill).
    expect([...stored.values()].every((f) => typeof f.commission === 'number')).toBe(true);
    expect(handler.core.brokerOrder(bo!.id)?.commission).toBe(3.75);
    expect(stored.size).toBe(handler.core.fillIndex.size); // commission entries are not fills
    await handler.close();
  });
});
