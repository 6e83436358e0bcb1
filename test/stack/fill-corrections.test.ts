import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../actors/stack/ports.ts';
import { readPositions } from '../../actors/stack/read-model.ts';
import { readOrder } from '../../actors/stack/stack-reader.ts';
import { StackHandler } from '../../actors/stack/stack-handler.ts';
import type { FillRecord } from '../../actors/stack/types.ts';
import type { BrokerFill } from '../../src/broker/port.ts';
import { ConstantPriceSource } from '../../src/broker/sim/price-source.ts';
import { SimBroker } from '../../src/broker/sim/sim-broker.ts';
import { SimulatedClock } from '../../src/clock.ts';
import { startTestNats, type TestNats } from '../support/nats.ts';
import { completedFamily, CorrectingBroker, drive, T0 } from './helpers.ts';

let nats: TestNats;
beforeAll(async () => {
  nats = await startTestNats();
});
afterAll(async () => {
  await nats?.stop();
});

const stored = async (h: StackHandler): Promise<Map<string, FillRecord>> =>
  new Map((await h.core.store.loadFills<FillRecord>()).map((e) => [e.data.execId, e.data]));

describe('fill-corrected from the broker', () => {
  it('replaces the fill record joined by execution id: positions, price and commission follow', async () => {
    const prefix = 'fixfill';
    const nc = await nats.connect();
    const clock = new SimulatedClock(T0);
    const broker = new CorrectingBroker({ clock, prices: new ConstantPriceSource(100), restingCheckMs: 0 });
    const h = await StackHandler.open({ nc, broker, clock, prefix, config: { algoSizeLimit: 5 } });
    await h.createInstrumentOrder({
      strategyName: 'ewmac',
      instrumentCode: 'SOFR',
      trade: 3,
      orderType: 'market',
    });
    await drive(h, broker);
    const [first] = [...(await stored(h)).values()];
    expect(first).toMatchObject({ qty: 3, instrumentCode: 'SOFR' });
    expect(typeof first!.commission).toBe('number');
    const original: BrokerFill = {
      execId: first!.execId,
      orderRef: first!.orderRef!,
      tempId: 1,
      permId: 1,
      instrumentCode: 'SOFR',
      contractDate: first!.contractDate!,
      qty: 3,
      price: first!.price,
      time: first!.time,
    };
    // A price correction: the record's price changes, its commission waits for the new report.
    const priceFix = { ...original, price: 99.5, correctedBy: `${original.execId}.02` };
    broker.report({ type: 'fill-corrected', fill: priceFix });
    broker.report({ type: 'fill-corrected', fill: priceFix }); // reported twice: applied once
    await h.settled();
    let rec = (await stored(h)).get(original.execId);
    expect(rec).toMatchObject({ qty: 3, price: 99.5, correctedBy: `${original.execId}.02` });
    expect(rec?.commission).toBeUndefined();
    broker.report({ type: 'commission', execId: original.execId, commission: 4.2, currency: 'USD' });
    await h.settled();
    rec = (await stored(h)).get(original.execId);
    expect(rec).toMatchObject({ price: 99.5, commission: 4.2, commissionCurrency: 'USD' });
    // A quantity correction (with its commission): positions move by the difference, live and read.
    const qtyFix = { ...original, qty: 2, price: 99.75, correctedBy: `${original.execId}.03` };
    broker.report({ type: 'fill-corrected', fill: { ...qtyFix, commission: 3, commissionCurrency: 'USD' } });
    await h.settled();
    expect(h.positions().contract).toEqual([
      { instrumentCode: 'SOFR', contractDate: original.contractDate, position: 2 },
    ]);
    expect(h.positions().strategy).toEqual([{ strategyName: 'ewmac', instrumentCode: 'SOFR', position: 2 }]);
    const read = await readPositions(nc, prefix);
    expect(read.fills).toBe(1);
    expect(read.strategy).toEqual(h.positions().strategy);
    expect((await stored(h)).get(original.execId)).toMatchObject({ qty: 2, price: 99.75, commission: 3 });
    // The correction reached the broker order's machine as FILL_CORRECTED: its fill and price follow.
    expect(h.core.brokerOrder(first!.brokerOrderId!)).toMatchObject({ fill: 2, filledPrice: 99.75 });
    await h.close();
    // A restore reads the corrected record.
    const again = await StackHandler.open({ nc, broker: new SimBroker({ clock }), clock, prefix });
    expect(again.positions().contract).toEqual(h.positions().contract);
    await again.close();
  });

  it("reaches a live family's broker, contract and instrument order machines (FILL_CORRECTED)", async () => {
    const nc = await nats.connect();
    const clock = new SimulatedClock(T0);
    const broker = new CorrectingBroker({ clock, prices: new ConstantPriceSource(100), restingCheckMs: 0 });
    const h = await StackHandler.open({ nc, broker, clock, prefix: 'fixlive', config: { algoSizeLimit: 1 } });
    const io = await h.createInstrumentOrder({
      strategyName: 'ewmac',
      instrumentCode: 'SOFR',
      trade: 2,
      orderType: 'market',
    });
    await h.spawnChildrenFromNewInstrumentOrders();
    await h.createBrokerOrdersFromContractOrders();
    await broker.idle();
    await h.settled();
    const [rec] = [...(await stored(h)).values()];
    const coId = h.core.instrumentOrder(io.id)!.children[0]!;
    expect(h.core.contractOrder(coId)).toMatchObject({ fill: 1, filledPrice: rec!.price, active: true });
    const fix: BrokerFill = {
      execId: rec!.execId,
      orderRef: rec!.orderRef!,
      tempId: 1,
      permId: 1,
      instrumentCode: 'SOFR',
      contractDate: rec!.contractDate!,
      qty: 1,
      price: 98,
      time: rec!.time,
      correctedBy: `${rec!.execId}.02`,
    };
    broker.report({ type: 'fill-corrected', fill: fix });
    broker.report({ type: 'fill-corrected', fill: fix });
    await h.settled();
    expect(h.core.brokerOrder(rec!.brokerOrderId!)).toMatchObject({ fill: 1, filledPrice: 98 });
    expect(h.core.contractOrder(coId)).toMatchObject({ fill: 1, filledPrice: 98 });
    expect(h.core.instrumentOrder(io.id)).toMatchObject({ fill: 1, filledPrice: 98 });
    await h.close();
  });

  it('after the family completed: restored from its snapshots, amended up to the instrument order and the history', async () => {
    const nc = await nats.connect();
    const prefix = 'fixdone';
    const { h, clock, broker, io, coId, rec, boId } = await completedFamily(nc, prefix);
    expect(h.core.instrumentOrder(io.id)).toMatchObject({ state: 'completed', active: false, fill: 2 });
    expect(h.core.contractOrder(coId)).toMatchObject({ state: 'completed', active: false, fill: 2 });
    const fix = (qty: number, price: number, rev: string): BrokerFill => ({
      execId: rec!.execId,
      orderRef: rec!.orderRef!,
      tempId: 1,
      permId: 1,
      instrumentCode: 'SOFR',
      contractDate: rec!.contractDate!,
      qty,
      price,
      time: rec!.time,
      correctedBy: `${rec!.execId}.${rev}`,
    });
    const history = async (store = h.core.store) =>
      (await store.loadHistory<HistoryBody>()).filter((e) => e.data.instrument.id === io.id);
    expect(await history()).toHaveLength(1);
    broker.report({ type: 'fill-corrected', fill: fix(1, 98, '02') });
    broker.report({ type: 'fill-corrected', fill: fix(1, 98, '02') }); // reported twice: once
    await h.settled();
    const want = { fill: 1, filledPrice: 98 };
    expect(h.core.brokerOrder(boId)).toMatchObject({ ...want, state: 'filled', active: false });
    expect(h.core.contractOrder(coId)).toMatchObject({ ...want, state: 'completed', active: false });
    expect(h.core.instrumentOrder(io.id)).toMatchObject({ ...want, state: 'completed', active: false });
    expect(h.positions().strategy).toEqual([{ strategyName: 'ewmac', instrumentCode: 'SOFR', position: 1 }]);
    // The completed family keeps no live actor; its history record is the amended one.
    let hist = await history();
    expect(hist).toHaveLength(1);
    expect(hist[0]!.data.instrument).toMatchObject(want);
    expect(hist[0]!.data.contracts[0]).toMatchObject(want);
    expect(hist[0]!.data.brokers[0]).toMatchObject(want);
    expect(hist[0]!.data.amendments).toEqual([
      { execId: rec!.execId, revision: `${rec!.execId}.02`, at: clock.now() },
    ]);
    const archived = await readOrder(nc, prefix, 'contract', coId);
    expect(archived.archived?.order).toMatchObject(want);
    expect(archived.order).toMatchObject(want); // the journal's last snapshot
    await h.close();
    // After a restart the family is restored from its journal; a second correction amends again.
    const again = await StackHandler.open({ nc, broker, clock, prefix });
    expect(again.core.instrumentOrder(io.id)).toMatchObject({ ...want, state: 'completed' });
    broker.report({ type: 'fill-corrected', fill: fix(3, 99, '03') });
    await again.settled();
    const three = { fill: 2, overfill: 1, filledPrice: 99 };
    expect(again.core.contractOrder(coId)).toMatchObject({ ...three, state: 'completed' });
    expect(again.core.instrumentOrder(io.id)).toMatchObject({ ...three, state: 'completed' });
    expect(again.positions().contract).toEqual([
      { instrumentCode: 'SOFR', contractDate: rec!.contractDate, position: 3 },
    ]);
    hist = await history(again.core.store);
    expect(hist).toHaveLength(1);
    expect(hist[0]!.data.brokers[0]).toMatchObject(three);
    expect(hist[0]!.data.amendments.map((a) => a.revision)).toEqual([
      `${rec!.execId}.02`,
      `${rec!.execId}.03`,
    ]);
    await again.close();
  });
});

describe("a correction beyond a completed family's trade", () => {
  it('an execution corrected from 1 to 3 lots on a 2-lot family: every order holds the overfill, positions = Σ fills = broker, alert', async () => {
    const nc = await nats.connect();
    const prefix = 'fixbeyond';
    const clock = new SimulatedClock(T0);
    const broker = new CorrectingBroker({ clock, prices: new ConstantPriceSource(100), restingCheckMs: 0 });
    const criticals: string[] = [];
    const log = { ...silentLogger, critical: (_: object, msg: string) => void criticals.push(msg) };
    const config = { algoSizeLimit: 1 };
    const h = await StackHandler.open({ nc, broker, clock, prefix, config, log });
    const io = await h.createInstrumentOrder({
      strategyName: 'ewmac',
      instrumentCode: 'SOFR',
      trade: 2,
      orderType: 'market',
    });
    await drive(h, broker);
    expect(h.core.instrumentOrder(io.id)).toMatchObject({ state: 'completed', fill: 2, overfill: 0 });
    const recs = [...(await stored(h)).values()];
    expect(recs.map((r) => r.qty)).toEqual([1, 1]); // two broker orders, one lot each
    const first = recs[0]!;
    const coId = h.core.instrumentOrder(io.id)!.children[0]!;
    broker.report({
      type: 'fill-corrected',
      fill: {
        execId: first.execId,
        orderRef: first.orderRef!,
        tempId: 1,
        permId: 1,
        instrumentCode: 'SOFR',
        contractDate: first.contractDate!,
        qty: 3,
        price: 100,
        time: first.time,
        correctedBy: `${first.execId}.02`,
      },
    });
    await h.settled();
    await h.core.host.flush();
    // Σ fills = 3 + 1 = 4 lots: positions follow them; the orders show their trade and hold the rest.
    expect(h.positions().strategy).toEqual([{ strategyName: 'ewmac', instrumentCode: 'SOFR', position: 4 }]);
    expect(h.core.brokerOrder(first.brokerOrderId!)).toMatchObject({ trade: 1, fill: 1, overfill: 2 });
    expect(h.core.contractOrder(coId)).toMatchObject({ state: 'completed', trade: 2, fill: 2, overfill: 2 });
    expect(h.core.instrumentOrder(io.id)).toMatchObject({
      state: 'completed',
      trade: 2,
      fill: 2,
      overfill: 2,
    });
    const hist = (await h.core.store.loadHistory<HistoryBody>()).filter(
      (e) => e.data.instrument.id === io.id,
    );
    expect(hist).toHaveLength(1);
    expect(hist[0]!.data.instrument).toMatchObject({ fill: 2, overfill: 2 });
    expect(criticals.filter((m) => m.includes('overfilled by a fill correction'))).toHaveLength(3);
    await h.close();
  });
});

interface HistoryBody {
  completedAt: number;
  amendments: Array<{ execId: string; revision: string; at: number }>;
  instrument: { id: number; fill: number; overfill?: number; filledPrice?: number };
  contracts: Array<{ fill: number; filledPrice?: number }>;
  brokers: Array<{ fill: number; filledPrice?: number }>;
}
