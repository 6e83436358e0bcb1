import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runStackHandler, type RunningStackHandler } from '../../actors/stack/run.ts';
import { ORDER_ENDPOINTS } from '../../actors/stack/services.ts';
import type { InstrumentOrder } from '../../actors/stack/types.ts';
import { ConstantPriceSource } from '../../src/broker/sim/price-source.ts';
import { SimBroker } from '../../src/broker/sim/sim-broker.ts';
import { callService } from '../../src/bus/service.ts';
import { SimulatedClock } from '../../src/clock.ts';
import { startTestNats, type TestNats } from '../support/nats.ts';
import { T0 } from './helpers.ts';

let nats: TestNats;
let run: RunningStackHandler;
let broker: SimBroker;
const P = 'svc';
beforeAll(async () => {
  nats = await startTestNats();
  const clock = new SimulatedClock(T0);
  broker = new SimBroker({ clock, prices: new ConstantPriceSource(100), restingCheckMs: 0 });
  run = await runStackHandler({
    nc: await nats.connect(),
    broker,
    clock,
    prefix: P,
    loopMs: 20,
    config: { algoSizeLimit: 10, eodCancelWaitMs: 300 },
  });
});
afterAll(async () => {
  await run?.stop();
  await nats?.stop();
});

const call = async <R>(name: string, body: unknown): Promise<R> =>
  callService<R>(await nats.connect('c'), `${P}.orders.${name}`, body);

async function until(pred: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await pred())) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('order stack services', () => {
  it('creates an instrument order over NATS and the running handler completes it', async () => {
    const io = await call<InstrumentOrder>('instrument.create', {
      strategy_name: 'ewmac',
      instrument_code: 'SOFR',
      trade: 4,
      order_type: 'market',
      reference_price: 99.5,
      reference_contract: '202612',
      reference_datetime: '2026-11-20T13:00:00Z',
    });
    expect(io.trade).toBe(4);
    await until(() => run.handler.core.instrumentOrder(io.id)?.state === 'completed');
    const pos = await call<{ strategy: unknown[]; broker: unknown[] }>('view.positions', {});
    expect(pos.strategy).toEqual([{ strategyName: 'ewmac', instrumentCode: 'SOFR', position: 4 }]);
    expect(pos.broker).toEqual([{ instrumentCode: 'SOFR', contractDate: '202612', position: 4 }]);
    const stack = await call<InstrumentOrder[]>('view.instrument', {});
    expect(stack.map((o) => o.id)).toContain(io.id);
    expect(await call('view.instrument', { active_only: true })).toEqual([]);
  });

  it('answers errors with a code: 400 bad body, 404 unknown order, 409 refused', async () => {
    await expect(
      call('instrument.create', { strategy_name: 'x', instrument_code: 'SOFR', trade: 1.5 }),
    ).rejects.toMatchObject({ code: 400 });
    // A zero order with nothing to net is refused by netting on insert (B5), not by the schema.
    await expect(
      call('instrument.create', { strategy_name: 'x', instrument_code: 'SOFR', trade: 0 }),
    ).rejects.toMatchObject({ code: 409 });
    await expect(call('view.order', { level: 'broker', order_id: 999999 })).rejects.toMatchObject({
      code: 404,
    });
    await expect(call('delete.stack', { confirm: 'yes' })).rejects.toMatchObject({ code: 400 });
    await call('lock.instrument', { instrument_code: 'GOLD', locked: true });
    await expect(
      call('instrument.create', { strategy_name: 'x', instrument_code: 'GOLD', trade: 1 }),
    ).rejects.toMatchObject({ code: 409 });
    await call('lock.instrument', { instrument_code: 'GOLD', locked: false });
  });

  it('balance trade and balance instrument trade move positions without the broker', async () => {
    await call('balance.trade', {
      strategy_name: 'carry',
      instrument_code: 'BUND',
      contract_date: '202612',
      qty: -2,
      price: 130,
      request_id: 'b1',
    });
    await call('balance.instrument', {
      strategy_name: 'carry',
      instrument_code: 'BUND',
      qty: 1,
      price: 130,
      request_id: 'b2',
    });
    await expect(
      call('balance.instrument', {
        strategy_name: 'carry',
        instrument_code: 'BUND',
        qty: 1,
        price: 130,
        request_id: 'b2',
      }),
    ).rejects.toMatchObject({ code: 409 });
    const pos = await call<{
      contract: Array<{ instrumentCode: string; position: number }>;
      strategy: Array<{ strategyName: string; position: number }>;
    }>('view.positions', {});
    expect(pos.contract.find((p) => p.instrumentCode === 'BUND')?.position).toBe(-2);
    expect(pos.strategy.find((p) => p.strategyName === 'carry')?.position).toBe(-1);
    expect(run.handler.core.orders('broker').filter((b) => b.instrumentCode === 'BUND')).toEqual([]);
    // The running loop's break check sees our BUND -2 against the broker's 0 and locks BUND.
    await until(() => run.handler.core.locks.get('BUND') === 'break');
  });

  it('1,000 malformed requests change nothing', async () => {
    await run.handler.core.host.flush();
    const before = JSON.stringify({
      orders: [...run.handler.core.host.all()],
      pos: run.handler.positions(),
      locks: [...run.handler.core.locks],
    });
    const fills = run.handler.core.seenExecIds.size;
    const bodies = fc.sample(
      fc.oneof(
        fc.string(),
        fc.jsonValue(),
        fc.record({
          strategy_name: fc.oneof(fc.string(), fc.integer()),
          instrument_code: fc.string({ maxLength: 3 }),
          trade: fc.oneof(fc.constant(0), fc.double(), fc.string()),
        }),
        fc.record({ order_id: fc.oneof(fc.integer({ max: 0 }), fc.string()), price: fc.string() }),
        fc.record({ level: fc.string(), order_id: fc.double({ noInteger: true }) }),
        fc.record({ confirm: fc.string() }),
      ),
      { numRuns: 1000, seed: 42 },
    );
    const nc = await nats.connect('fuzz');
    const mutating = ORDER_ENDPOINTS.filter(
      (e) => !e.startsWith('view.') && e !== 'spawn' && e !== 'broker.create' && e !== 'net' && e !== 'eod',
    );
    let errors = 0;
    await Promise.all(
      bodies.map(async (b, i) => {
        const ep = mutating[i % mutating.length]!;
        const payload = typeof b === 'string' && i % 2 === 0 ? b : JSON.stringify(b);
        const reply = await nc.request(`${P}.orders.${ep}`, payload, { timeout: 10_000 });
        const parsed = reply.json<{ ok: boolean; error?: { code: number } }>();
        if (!parsed.ok && parsed.error && parsed.error.code >= 400 && parsed.error.code < 500) errors++;
      }),
    );
    expect(errors).toBe(1000);
    await run.handler.core.host.flush();
    const after = JSON.stringify({
      orders: [...run.handler.core.host.all()],
      pos: run.handler.positions(),
      locks: [...run.handler.core.locks],
    });
    expect(after).toBe(before);
    expect(run.handler.core.seenExecIds.size).toBe(fills);
  });

  it('end of day over NATS empties the stack', async () => {
    const r = await call<{ removed: number }>('eod', {});
    expect(r.removed).toBeGreaterThan(0);
    expect(await call('view.instrument', {})).toEqual([]);
  });
});
