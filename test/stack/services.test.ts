import fc from 'fast-check';
import { jetstreamManager } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runStackHandler, type RunningStackHandler } from '../../actors/stack/run.ts';
import { staticUniverse } from '../../actors/universe.ts';
import { ORDER_ENDPOINTS } from '../../actors/stack/services.ts';
import type { InstrumentOrder } from '../../actors/stack/types.ts';
import { ConstantPriceSource } from '../../src/broker/sim/price-source.ts';
import { SimBroker } from '../../src/broker/sim/sim-broker.ts';
import { callService } from '../../src/bus/service.ts';
import { SimulatedClock } from '../../src/clock.ts';
import { startTestNats, type TestNats } from '../support/nats.ts';
import { T0, UNIVERSE_INSTRUMENTS, UNIVERSE_STRATEGIES } from './helpers.ts';

let nats: TestNats;
let run: RunningStackHandler;
let broker: SimBroker;
const P = 'svc';

const order = (o: object) => JSON.stringify({ strategy_name: 'ewmac', instrument_code: 'SOFR', ...o });
const balance = (o: object) =>
  JSON.stringify({
    strategy_name: 'carry',
    instrument_code: 'SOFR',
    contract_date: '202612',
    qty: 1,
    price: 100,
    request_id: 'nonsense',
    ...o,
  });
/** The nonsense issue 10 found accepted, and its relatives: each must be a 400 that writes nothing. */
const NONSENSE: Array<[string, string]> = [
  ['instrument.create', order({ instrument_code: 'NOPE', trade: 1 })],
  ['instrument.create', order({ strategy_name: 'nobody', trade: 1 })],
  ['instrument.create', order({ trade: Number.MAX_SAFE_INTEGER })],
  ['instrument.create', order({ trade: -1e15 })],
  ['instrument.create', order({ trade: 2 ** 53 })],
  ['manual.trade', order({ trade: 1, order_type: 'limit', limit_price: -5 })],
  ['manual.trade', order({ trade: 1, order_type: 'limit', limit_price: 0 })],
  ['instrument.create', order({ trade: 1, reference_price: 99, reference_contract: '202613' })],
  ['instrument.create', order({ instrument_code: 'SP500', trade: 6 })],
  ['instrument.create', order({ instrument_code: '__proto__', trade: 1 })],
  ['balance.trade', balance({ contract_date: '20991399' })],
  ['balance.trade', balance({ contract_date: '20260230' })],
  ['balance.trade', balance({ instrument_code: 'NOPE' })],
  ['balance.trade', balance({ price: -1 })],
  ['balance.trade', balance({ qty: 1e15 })],
  [
    'balance.instrument',
    JSON.stringify({ strategy_name: 'nobody', instrument_code: 'SOFR', qty: 1, price: 1, request_id: 'n' }),
  ],
  ['lock.instrument', JSON.stringify({ instrument_code: '__proto__', locked: true })],
  ['lock.instrument', JSON.stringify({ instrument_code: 'constructor', locked: true })],
  ['lock.instrument', JSON.stringify({ instrument_code: 'toString', locked: false })],
  ['lock.instrument', JSON.stringify({ instrument_code: 'NOPE', locked: true })],
  ['fill.broker', JSON.stringify({ order_id: 1, price: 0 })],
  ['fill.contract', JSON.stringify({ order_id: 1, price: 100, qty: Number.MAX_SAFE_INTEGER })],
  ['eod', ''],
  ['eod', '{}'],
  ['delete.stack', '{}'],
];
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
    universe: staticUniverse({
      instruments: UNIVERSE_INSTRUMENTS,
      strategies: UNIVERSE_STRATEGIES,
      positionLimits: { instrument: { SP500: 5 } },
    }),
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

  it('a manual instrument lock carries its reason (≤ 200 chars) to the lock machine and the listing', async () => {
    type Pos = { locks: Record<string, string>; lock_reasons: Record<string, string> };
    await expect(
      call('lock.instrument', { instrument_code: 'GOLD', locked: true, reason: 'x'.repeat(201) }),
    ).rejects.toMatchObject({ code: 400 });
    await expect(
      call('lock.instrument', { instrument_code: 'GOLD', locked: false, reason: 'why' }),
    ).rejects.toMatchObject({ code: 400 });
    await expect(
      call('lock.instrument', { instrument_code: 'GOLD', locked: true, reason: '  ' }),
    ).rejects.toMatchObject({ code: 400 });
    expect((await call<Pos>('view.positions', {})).locks).not.toHaveProperty('GOLD');
    await call('lock.instrument', { instrument_code: 'GOLD', locked: true, reason: 'roll check' });
    const pos = await call<Pos>('view.positions', {});
    expect(pos.locks.GOLD).toBe('manual');
    expect(pos.lock_reasons.GOLD).toBe('manual: roll check');
    expect(run.handler.core.lockActors.view('GOLD').context.reason).toBe('manual: roll check');
    expect((await run.handler.core.kv.loadLockNotes()).get('GOLD')).toBe('manual: roll check');
    await call('lock.instrument', { instrument_code: 'GOLD', locked: false });
    expect((await call<Pos>('view.positions', {})).lock_reasons).not.toHaveProperty('GOLD');
    await call('lock.instrument', { instrument_code: 'GOLD', locked: true });
    expect((await call<Pos>('view.positions', {})).lock_reasons.GOLD).toBe('manual: manual lock');
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

  it('1,000 malformed and meaningless requests change nothing', async () => {
    const state = async () => {
      await run.handler.core.host.flush();
      const jsm = await jetstreamManager(await nats.connect('state'));
      const streams: Array<[string, number, number]> = [];
      for await (const si of jsm.streams.list())
        streams.push([si.config.name, si.state.messages, si.state.last_seq]);
      return JSON.stringify({
        orders: [...run.handler.core.host.all()],
        pos: run.handler.positions(),
        locks: [...run.handler.core.locks],
        fills: run.handler.core.seenExecIds.size,
        streams: streams.sort((a, b) => a[0].localeCompare(b[0])),
      });
    };
    const before = await state();
    const mutating = ORDER_ENDPOINTS.filter(
      (e) => !e.startsWith('view.') && e !== 'spawn' && e !== 'broker.create' && e !== 'net',
    );
    const fuzz: Array<[string, string]> = fc
      .sample(
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
        { numRuns: 1000 - NONSENSE.length, seed: 42 },
      )
      .map((b, i) => {
        const ep = mutating[i % mutating.length]!;
        return [ep, typeof b === 'string' && i % 2 === 0 ? b : JSON.stringify(b)];
      });
    const nc = await nats.connect('fuzz');
    const replies = await Promise.all(
      [...NONSENSE, ...fuzz].map(async ([ep, payload]) => {
        const reply = await nc.request(`${P}.orders.${ep}`, payload, { timeout: 30_000 });
        return {
          ep,
          payload,
          reply: reply.json<{ ok: boolean; error?: { code: number; message: string } }>(),
        };
      }),
    );
    const accepted = replies.filter((r) => r.reply.ok || (r.reply.error?.code ?? 0) >= 500);
    expect(accepted).toEqual([]);
    expect(replies.every((r) => r.reply.error?.code === 400)).toBe(true);
    // Each piece of nonsense is refused for its own reason.
    const reasons = replies.slice(0, NONSENSE.length).map((r) => `${r.ep}: ${r.reply.error?.message}`);
    expect(reasons).toMatchInlineSnapshot(`
      [
        "instrument.create: unknown instrument 'NOPE' (no instrument config)",
        "instrument.create: unknown strategy 'nobody' (not in strategy_list)",
        "instrument.create: qty 9007199254740991: more than max_order_qty 10000 lots in one request",
        "instrument.create: qty -1000000000000000: more than max_order_qty 10000 lots in one request",
        "instrument.create: trade: Too big: expected int to be <=9007199254740991",
        "manual.trade: limit_price: Too small: expected number to be >0",
        "manual.trade: limit_price: Too small: expected number to be >0",
        "instrument.create: reference_contract: contract date '202613' month 13 is not a month",
        "instrument.create: qty 6 would take the instrument SP500 position from 0 to 6, beyond its position limit 5",
        "instrument.create: instrument_code: is a reserved name",
        "balance.trade: contract_date: contract date '20991399' month 13 is not a month",
        "balance.trade: contract_date: contract date '20260230' day 30 is not a day of 202602",
        "balance.trade: unknown instrument 'NOPE' (no instrument config)",
        "balance.trade: price: Too small: expected number to be >0",
        "balance.trade: qty 1000000000000000: more than max_order_qty 10000 lots in one request",
        "balance.instrument: unknown strategy 'nobody' (not in strategy_list)",
        "lock.instrument: instrument_code: is a reserved name",
        "lock.instrument: instrument_code: is a reserved name",
        "lock.instrument: instrument_code: is a reserved name",
        "lock.instrument: unknown instrument 'NOPE' (no instrument config)",
        "fill.broker: price: Too small: expected number to be >0",
        "fill.contract: qty 9007199254740991: more than max_order_qty 10000 lots in one request",
        "eod: confirm: Invalid input: expected "END OF DAY"",
        "eod: confirm: Invalid input: expected "END OF DAY"",
        "delete.stack: confirm: Invalid input: expected "DELETE ALL ORDERS"",
      ]
    `);
    expect(await state()).toBe(before);
  }, 120_000);

  it('end of day over NATS empties the stack', async () => {
    const r = await call<{ removed: number }>('eod', { confirm: 'END OF DAY' });
    expect(r.removed).toBeGreaterThan(0);
    expect(await call('view.instrument', {})).toEqual([]);
  });
});
