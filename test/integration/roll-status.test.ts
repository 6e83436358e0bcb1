import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  changeRollState,
  completePriceRoll,
  readRollStates,
  readRollStatuses,
  RollChangeRefused,
} from '../../actors/rolls/roll-status-host.ts';
import { OrderEventStore } from '../../actors/store/order-event-store.ts';
import { SimulatedClock } from '../../src/clock.ts';
import { JetStreamControlsStore } from '../../src/store/controls-store.ts';
import { JetStreamPriceStore } from '../../src/store/jetstream/price-store.ts';
import { goldOneRow } from '../support/gold.ts';
import { startTestNats, type TestNats } from '../support/nats.ts';

const T0 = Date.UTC(2026, 10, 20, 14, 0, 0);
let t: TestNats;
let nc: NatsConnection;

/** One row of multiple prices: GOLD priced in 202612, forward 202702. */
async function seedPrices(prefix: string) {
  const store = await JetStreamPriceStore.open(nc, prefix);
  await store.putMultiplePrices('GOLD', goldOneRow(T0));
}

/** A fill in the priced contract, as the stack writes it (position = Σ fills). */
async function fillPriced(prefix: string, qty: number, execId: string) {
  const store = await OrderEventStore.open(nc, prefix);
  await store.appendFill('GOLD', execId, {
    execId,
    kind: 'balance',
    instrumentCode: 'GOLD',
    contractDate: '20261200',
    strategyName: 'ewmac',
    qty,
    price: 2000,
    time: T0,
    scope: 'both',
  });
}

beforeAll(async () => {
  t = await startTestNats();
  nc = await t.connect();
});
afterAll(async () => t?.stop());

describe('roll status actors on JetStream', () => {
  it('changes are checked against the priced position, persisted and journaled; refusals write nothing', async () => {
    const ctx = { nc, prefix: 'ra', clock: new SimulatedClock(T0) };
    await seedPrices('ra');
    await fillPriced('ra', 3, 'e1');
    expect(await readRollStates(nc, 'ra')).toEqual({});
    const r = await changeRollState(ctx, 'GOLD', 'Force', 'alice');
    expect(r.record).toMatchObject({
      instrument_code: 'GOLD',
      roll_state: 'Force',
      changed_by: 'alice',
      changed_at: T0,
    });
    expect(r.priceRollRequested).toBe(false);
    await expect(changeRollState(ctx, 'GOLD', 'Roll_Adjusted')).rejects.toThrow(RollChangeRefused);
    await expect(changeRollState(ctx, 'GOLD', 'Roll_Adjusted')).rejects.toThrow(
      'GOLD: Roll_Adjusted needs a zero position in the priced contract (now 3): roll or close it first',
    );
    expect(await readRollStates(nc, 'ra')).toEqual({ GOLD: 'Force' });
    const journal = await (await jetstreamManager(nc)).streams.info('RA_ROLLS');
    expect(journal.state.messages).toBe(2); // changed, tradeLimitWarning
  });

  it('No_Open sets a temporary reduce-only override and puts the old one back on leaving', async () => {
    const ctx = { nc, prefix: 'rb', clock: new SimulatedClock(T0) };
    await seedPrices('rb');
    await fillPriced('rb', 2, 'e1');
    const controls = await JetStreamControlsStore.open(nc, 'rb');
    await controls.setOverride('instrument', { instrument_code: 'GOLD' }, { type: 'float', value: 0.5 });
    await changeRollState(ctx, 'GOLD', 'No_Open');
    expect((await controls.overrides()).instrument?.GOLD).toEqual({ type: 'reduce_only' });
    await changeRollState(ctx, 'GOLD', 'Passive');
    expect((await controls.overrides()).instrument?.GOLD).toEqual({ type: 'float', value: 0.5 });
    expect((await readRollStatuses(nc, 'rb'))[0]?.stored_override).toBeUndefined();
  });

  it('Roll_Adjusted with a flat priced contract asks for the price roll; its outcome settles the state', async () => {
    const ctx = { nc, prefix: 'rc', clock: new SimulatedClock(T0) };
    await seedPrices('rc');
    await fillPriced('rc', 2, 'e1');
    await fillPriced('rc', -2, 'e2');
    await changeRollState(ctx, 'GOLD', 'Passive');
    const asked = await changeRollState(ctx, 'GOLD', 'Roll_Adjusted');
    expect(asked.priceRollRequested).toBe(true);
    expect((await completePriceRoll(ctx, 'GOLD', { ok: false, reason: 'declined' })).roll_state).toBe(
      'Passive',
    );
    await changeRollState(ctx, 'GOLD', 'Roll_Adjusted');
    expect((await completePriceRoll(ctx, 'GOLD', { ok: true })).roll_state).toBe('No_Roll');
    await expect(completePriceRoll(ctx, 'GOLD', { ok: true })).rejects.toThrow(/does not apply in No_Roll/);
  });

  it('an instrument without multiple prices cannot change: its priced contract is unknown', async () => {
    const ctx = { nc, prefix: 'rd', clock: new SimulatedClock(T0) };
    await expect(changeRollState(ctx, 'GOLD', 'Passive')).rejects.toThrow(
      'GOLD has no multiple prices: its priced contract is not known',
    );
    await expect(changeRollState(ctx, '__proto__', 'Passive')).rejects.toThrow();
    expect(await readRollStates(nc, 'rd')).toEqual({});
  });
});
