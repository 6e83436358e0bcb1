/**
 * A fill correction after its family completed, with the process killed between the corrected
 * fill record (the fills stream) and the orders' events (issue 10): the restart finishes the
 * correction, once. The crash is cut the way restore-windows.test.ts cuts one: from the moment
 * the correction is in the fills stream, no order or history append reaches JetStream, and the
 * process dies (its connection closes).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StackHandler } from '../../actors/stack/stack-handler.ts';
import type { FillRecord } from '../../actors/stack/types.ts';
import type { BrokerFill } from '../../src/broker/port.ts';
import { startTestNats, type TestNats } from '../support/nats.ts';
import { completedFamily } from './helpers.ts';

let nats: TestNats;
beforeAll(async () => {
  nats = await startTestNats();
});
afterAll(async () => {
  await nats?.stop();
});

interface HistoryBody {
  amendments?: Array<{ execId: string; revision: string }>;
  instrument: { id: number; fill: number; filledPrice?: number };
}

describe('a late fill correction cut by a crash after its fill record', () => {
  it('the restart applies it to the broker, contract and instrument orders and the history, once', async () => {
    const prefix = 'fixcrash';
    const nc = await nats.connect();
    const { h, clock, broker, io, coId, rec, boId } = await completedFamily(nc, prefix);
    expect(h.core.instrumentOrder(io.id)).toMatchObject({ state: 'completed', fill: 2 });
    const revision = `${rec.execId}.02`;
    const fix: BrokerFill = {
      execId: rec.execId,
      orderRef: rec.orderRef!,
      tempId: 1,
      permId: 1,
      instrumentCode: 'SOFR',
      contractDate: rec.contractDate!,
      qty: 1,
      price: 98,
      time: rec.time,
      correctedBy: revision,
    };
    // The crash: once the correction is in the fills stream, nothing more reaches JetStream.
    const store = h.core.store;
    const appendCorrection = store.appendCorrection.bind(store);
    const never = <T>() => new Promise<T>(() => undefined);
    let recorded = false;
    store.appendCorrection = async (code, body) => {
      await appendCorrection(code, body);
      store.appendOrder = () => never<number>();
      store.appendHistory = () => never<void>();
      recorded = true;
    };
    broker.report({ type: 'fill-corrected', fill: fix });
    for (let i = 0; i < 400 && !recorded; i++) await new Promise((r) => setTimeout(r, 5));
    expect(recorded).toBe(true);
    await nc.close();

    const history = async (s: StackHandler) =>
      (await s.core.store.loadHistory<HistoryBody>()).filter((e) => e.data.instrument.id === io.id);
    const want = { fill: 1, filledPrice: 98 };
    const check = async (s: StackHandler) => {
      expect(s.core.brokerOrder(boId)).toMatchObject({ ...want, state: 'filled', active: false });
      expect(s.core.brokerOrder(boId)?.corrections).toEqual({ [rec.execId]: revision });
      expect(s.core.contractOrder(coId)).toMatchObject({ ...want, state: 'completed', active: false });
      expect(s.core.instrumentOrder(io.id)).toMatchObject({ ...want, state: 'completed', active: false });
      expect(s.positions().strategy).toEqual([
        { strategyName: 'ewmac', instrumentCode: 'SOFR', position: 1 },
      ]);
      expect(s.positions().contract).toEqual([
        { instrumentCode: 'SOFR', contractDate: rec.contractDate, position: 1 },
      ]);
      const hist = await history(s);
      expect(hist).toHaveLength(1);
      expect(hist[0]!.data.instrument).toMatchObject(want);
      expect(hist[0]!.data.amendments).toEqual([{ execId: rec.execId, revision, at: clock.now() }]);
    };
    // Restart: the fill record says corrected, the orders did not hear of it; the restore finishes it.
    const nc2 = await nats.connect();
    const again = await StackHandler.open({ nc: nc2, broker, clock, prefix });
    await again.settled();
    await again.core.host.flush();
    await check(again);
    expect(again.core.brokerOrder(boId)?.correcting).toBeUndefined();
    await again.close();
    // A second restart changes nothing (applied once: 2 → 1, never 1 → 0).
    const third = await StackHandler.open({ nc: nc2, broker, clock, prefix });
    await third.settled();
    await check(third);
    await third.close();
  }, 60_000);

  it('a fill after completion, cut after its fill record: the restart holds it on the completed orders, once', async () => {
    const prefix = 'latecrash';
    const nc = await nats.connect();
    const { h, clock, broker, io, coId, rec, boId } = await completedFamily(nc, prefix);
    const store = h.core.store;
    const appendFill = store.appendFill.bind(store);
    const never = <T>() => new Promise<T>(() => undefined);
    let recorded = false;
    store.appendFill = async (code, execId, body) => {
      const r = await appendFill(code, execId, body);
      store.appendOrder = () => never<number>();
      store.appendHistory = () => never<void>();
      recorded = true;
      return r;
    };
    const late: BrokerFill = { ...fixOf(rec!), execId: 'late.1', qty: 1, price: 101 };
    delete late.correctedBy;
    broker.report({ type: 'fill', fill: late });
    for (let i = 0; i < 400 && !recorded; i++) await new Promise((r) => setTimeout(r, 5));
    expect(recorded).toBe(true);
    await nc.close();

    const nc2 = await nats.connect();
    const check = async (s: StackHandler) => {
      const beyond = { fill: 2, overfill: 1 };
      expect(s.core.brokerOrder(boId)).toMatchObject(beyond);
      expect(s.core.contractOrder(coId)).toMatchObject({ ...beyond, state: 'completed' });
      expect(s.core.instrumentOrder(io.id)).toMatchObject({ ...beyond, state: 'completed' });
      expect(s.positions().strategy).toEqual([
        { strategyName: 'ewmac', instrumentCode: 'SOFR', position: 3 },
      ]);
      const hist = (await s.core.store.loadHistory<HistoryBody>()).filter(
        (e) => e.data.instrument.id === io.id,
      );
      expect(hist.map((e) => e.data.amendments?.map((a) => [a.execId, a.revision]))).toEqual([
        [['late.1', 'fill']],
      ]);
    };
    const again = await StackHandler.open({ nc: nc2, broker, clock, prefix });
    await again.settled();
    await again.core.host.flush();
    await check(again);
    await again.close();
    const third = await StackHandler.open({ nc: nc2, broker, clock, prefix });
    await third.settled();
    await check(third);
    await third.close();
  }, 60_000);
});

/** A broker fill reporting the same execution as a fill record. */
function fixOf(rec: FillRecord): BrokerFill {
  return {
    execId: rec.execId,
    orderRef: rec.orderRef!,
    tempId: 1,
    permId: 1,
    instrumentCode: rec.instrumentCode,
    contractDate: rec.contractDate!,
    qty: rec.qty,
    price: rec.price,
    time: rec.time,
  };
}
