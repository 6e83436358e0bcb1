/**
 * A fill after its family completed (a late fill) is three writes on three subjects: the completed
 * contract order's step, the instrument order's step, the family's amended history record. A
 * kill -9 can keep any prefix of them (issue 10). Each test cuts one window the way
 * late-correction-crash.test.ts does (the lost writes never reach JetStream, the process dies: its
 * connection closes) and checks, after one restart and after a second, that every order holds the
 * fill once (positions = Σ fill records = the orders' fill + overfill) and the history lists one
 * amendment.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StackHandler } from '../../actors/stack/stack-handler.ts';
import type { FillRecord } from '../../actors/stack/types.ts';
import type { BrokerFill } from '../../src/broker/port.ts';
import { SimulatedClock } from '../../src/clock.ts';
import { startTestNats, type TestNats } from '../support/nats.ts';
import { completedFamily, CorrectingBroker } from './helpers.ts';

let nats: TestNats;
beforeAll(async () => {
  nats = await startTestNats();
});
afterAll(async () => {
  await nats?.stop();
});

interface HistoryBody {
  amendments?: Array<{ execId: string; revision: string }>;
  instrument: { id: number; fill: number; overfill: number };
  contracts: Array<{ fill: number; overfill: number }>;
}

const never = <T>() => new Promise<T>(() => undefined);

/**
 * A 2-lot family traded and completed, then a late 1-lot fill reported while `cut` decides which
 * order appends land (history appends never land); resolves once `landed` says the writes that
 * should land are durable, with the process "killed" (connection closed).
 */
async function crashAfterLateFill(
  prefix: string,
  cut: 'instrument' | 'history',
): Promise<{ ioId: number; coId: number; boId: number; broker: CorrectingBroker; clock: SimulatedClock }> {
  const nc = await nats.connect();
  const { h, clock, broker, io, coId, rec, boId } = await completedFamily(nc, prefix);
  expect(h.core.instrumentOrder(io.id)).toMatchObject({ state: 'completed', fill: 2 });
  const store = h.core.store;
  const appendOrder = store.appendOrder.bind(store);
  const lost = store.orderSubject('instrument', io.id);
  // The instrument order's append is lost (cut 'instrument') or lands (cut 'history').
  store.appendOrder = (subj, body, msgID, seq) =>
    cut === 'instrument' && subj === lost ? never<number>() : appendOrder(subj, body, msgID, seq);
  store.appendHistory = () => never<void>();
  const late: BrokerFill = {
    execId: 'late.1',
    orderRef: rec.orderRef!,
    tempId: 1,
    permId: 1,
    instrumentCode: 'SOFR',
    contractDate: rec.contractDate!,
    qty: 1,
    price: 101,
    time: rec.time,
  };
  broker.report({ type: 'fill', fill: late });
  const taken = () =>
    h.core.contractOrder(coId)?.overfill === 1 && h.core.instrumentOrder(io.id)?.overfill === 1;
  for (let i = 0; i < 400 && !taken(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(taken()).toBe(true);
  // What should land has landed (the broker and contract orders; the instrument order unless cut).
  await h.core.host.durable('broker', boId);
  await h.core.host.durable('contract', coId);
  if (cut === 'history') await h.core.host.durable('instrument', io.id);
  await nc.close();
  return { ioId: io.id, coId, boId, broker, clock };
}

async function checkRestarts(prefix: string, c: Awaited<ReturnType<typeof crashAfterLateFill>>) {
  const check = async (s: StackHandler) => {
    const beyond = { fill: 2, overfill: 1 };
    expect(s.core.brokerOrder(c.boId)).toMatchObject(beyond);
    expect(s.core.contractOrder(c.coId)).toMatchObject({ ...beyond, state: 'completed' });
    expect(s.core.instrumentOrder(c.ioId)).toMatchObject({ ...beyond, state: 'completed' });
    const fills = (await s.core.store.loadFills<FillRecord>()).map((e) => e.data);
    const sum = fills.reduce((t, f) => t + f.qty, 0);
    expect(sum).toBe(3);
    expect(s.positions().strategy).toEqual([
      { strategyName: 'ewmac', instrumentCode: 'SOFR', position: sum },
    ]);
    const hist = (await s.core.store.loadHistory<HistoryBody>()).filter(
      (e) => e.data.instrument.id === c.ioId,
    );
    expect(hist).toHaveLength(1);
    expect(hist[0]!.data.amendments?.map((a) => [a.execId, a.revision])).toEqual([['late.1', 'fill']]);
    expect(hist[0]!.data.instrument).toMatchObject(beyond);
    expect(hist[0]!.data.contracts).toMatchObject([beyond]);
  };
  const nc = await nats.connect();
  const again = await StackHandler.open({ nc, broker: c.broker, clock: c.clock, prefix });
  await again.settled();
  await again.core.host.flush();
  await check(again);
  const written = again.core.store.writes.get('history') ?? 0;
  await again.close();
  // A second restart writes nothing more (the fill and the amendment were carried once).
  const third = await StackHandler.open({ nc, broker: c.broker, clock: c.clock, prefix });
  await third.settled();
  await third.core.host.flush();
  await check(third);
  expect(third.core.store.writes.get('history') ?? 0).toBe(0);
  expect(third.core.instrumentOrder(c.ioId)?.corrections).toEqual({ 'late.1': 'fill' });
  await third.close();
  await nc.close();
  return written;
}

describe('a late fill cut by a crash between its orders and its history', () => {
  it("the contract order's append landed, the instrument order's did not: the restart carries it up, once", async () => {
    const prefix = 'latecut1';
    const c = await crashAfterLateFill(prefix, 'instrument');
    // The restart: the instrument order's step and the amended history (one record).
    expect(await checkRestarts(prefix, c)).toBe(1);
  }, 60_000);

  it("the orders' appends landed, the amended history's did not: the restart writes it again, once", async () => {
    const prefix = 'latecut2';
    const c = await crashAfterLateFill(prefix, 'history');
    expect(await checkRestarts(prefix, c)).toBe(1);
  }, 60_000);
});
