import type { NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listOrderRequests, pendingOrderRequests } from '../../actors/stack/order-requests.ts';
import type { FillRecord } from '../../actors/stack/types.ts';
import { OrderEventStore } from '../../actors/store/order-event-store.ts';
import { StackKv } from '../../actors/store/stack-kv.ts';
import {
  DurableStrategyStateSource,
  NatsRollStateSource,
  QueuedInstrumentOrderSink,
} from '../../actors/strategy-order-ports.ts';
import { openJsonBucket } from '../../src/store/kv-json.ts';
import { startTestNats, type TestNats } from '../support/nats.ts';

let t: TestNats;
let nc: NatsConnection;
beforeAll(async () => {
  t = await startTestNats();
  nc = await t.connect();
});
afterAll(async () => t?.stop());

/** A roll status record as the roll status actors store it (KV `<PREFIX>_ROLL_STATUS`). */
const storeRollState = async (prefix: string, instrument: string, state: string) =>
  (await openJsonBucket(nc, prefix, 'ROLL_STATUS', 10)).put(
    instrument,
    JSON.stringify({ instrument_code: instrument, roll_state: state, snapshot: null }),
  );

const fill = (execId: string, f: Omit<FillRecord, 'execId' | 'kind' | 'price' | 'time'>): FillRecord => ({
  execId,
  kind: 'balance',
  price: 100,
  time: Date.UTC(2026, 10, 20),
  ...f,
});

describe('DurableStrategyStateSource reads the stack durable state (fills stream, KV locks)', () => {
  it('sums strategy positions from fill records and lists the locked instruments', async () => {
    const store = await OrderEventStore.open(nc, 'good');
    const fills = [
      fill('e1', {
        scope: 'both',
        strategyName: 's',
        instrumentCode: 'GOLD',
        contractDate: '202612',
        qty: 3,
      }),
      fill('e2', {
        scope: 'both',
        strategyName: 's',
        instrumentCode: 'GOLD',
        contractDate: '202612',
        qty: -1,
      }),
      fill('e3', { scope: 'strategy', strategyName: 'other', instrumentCode: 'GOLD', qty: -1 }),
      // a contract-only record moves no strategy position
      fill('e4', { scope: 'contract', instrumentCode: 'SP500', contractDate: '202612', qty: 5 }),
    ];
    for (const f of fills) await store.appendFill(f.instrumentCode, f.execId, f);
    // a fill written twice (same execution id) counts once
    expect((await store.appendFill('GOLD', 'e1', fills[0])).duplicate).toBe(true);
    store.close();
    const kv = await StackKv.open(nc, 'good');
    await kv.setLock('SP500', 'break');
    await kv.setLock('BUND', 'manual');
    await kv.setLock('BUND', undefined);

    const state = await new DurableStrategyStateSource(nc, 'good').stackState();
    expect(state).toEqual({
      positions: [
        { strategy_name: 's', instrument_code: 'GOLD', position: 2 },
        { strategy_name: 'other', instrument_code: 'GOLD', position: -1 },
      ],
      open_orders: [],
      locked_instruments: ['SP500'],
    });
  });

  it('a stack that never traded has no positions and no locks', async () => {
    expect(await new DurableStrategyStateSource(nc, 'empty').stackState()).toEqual({
      positions: [],
      open_orders: [],
      locked_instruments: [],
    });
  });
});

describe('QueuedInstrumentOrderSink queues each order in <PREFIX>_ORDER_REQUESTS', () => {
  const order = {
    strategy_name: 's',
    instrument_code: 'GOLD',
    trade: -2,
    reference_price: 1890.5,
    reference_contract: '',
    reference_datetime: '2026-11-20T20:05:00.000Z',
  };

  it('queues the order body (an empty reference contract left out), the same order only once', async () => {
    const sink = new QueuedInstrumentOrderSink(nc, 'q');
    expect(await sink.create(order)).toEqual({ queued: true, request_seq: 1 });
    expect(await sink.create(order)).toEqual({ queued: false, request_seq: 1 });
    expect(await sink.create({ ...order, trade: -3 })).toEqual({ queued: true, request_seq: 2 });
    expect(await sink.create({ ...order, instrument_code: 'SOFR', reference_contract: '20261200' })).toEqual({
      queued: true,
      request_seq: 3,
    });
    expect(await pendingOrderRequests(nc, 'q')).toBe(3);
    const { reference_contract: _, ...withoutContract } = order;
    expect(await listOrderRequests(nc, 'q')).toEqual([
      withoutContract,
      { ...withoutContract, trade: -3 },
      { ...withoutContract, instrument_code: 'SOFR', reference_contract: '20261200' },
    ]);
    // reading the queue takes nothing off it
    expect(await pendingOrderRequests(nc, 'q')).toBe(3);
  });
});

describe('NatsRollStateSource', () => {
  it('reads the stored roll states (none stored: none known, No_Roll downstream); a bad stored state is an error', async () => {
    expect(await new NatsRollStateSource(nc, 'norolls').rollStates()).toEqual({});
    await storeRollState('rolls', 'GOLD', 'Force');
    expect(await new NatsRollStateSource(nc, 'rolls').rollStates()).toEqual({ GOLD: 'Force' });
    await storeRollState('badrolls', 'GOLD', 'Rolling');
    await expect(new NatsRollStateSource(nc, 'badrolls').rollStates()).rejects.toThrow(
      /BADROLLS_ROLL_STATUS GOLD: roll_state "Rolling" is not a roll state/,
    );
    // the durable state source answers the same stored states
    expect(await new DurableStrategyStateSource(nc, 'rolls').rollStates()).toEqual({ GOLD: 'Force' });
  });
});
