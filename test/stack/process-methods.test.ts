import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { productionRegistry } from '../../actors/process-methods.ts';
import type { InstrumentOrder } from '../../actors/stack/types.ts';
import { callService } from '../../src/bus/service.ts';
import { JetStreamPriceStore } from '../../src/store/jetstream/price-store.ts';
import { goldOneRow } from '../support/gold.ts';
import { startTestNats, type TestNats } from '../support/nats.ts';
import { readSpreadSamples } from '../../actors/process-methods/additional-sampling.ts';
import { changeRollState, readRollStates } from '../../actors/rolls/roll-status-host.ts';
import { stackMethodsHarness } from '../support/stack-methods.ts';
import { T0 } from './helpers.ts';

let nats: TestNats;
beforeAll(async () => {
  nats = await startTestNats();
});
afterAll(async () => {
  await nats?.stop();
});

describe('run_stack_handler process methods', () => {
  it('are in the production registry by the reference names', () => {
    expect(Object.keys(productionRegistry.run_stack_handler ?? {}).sort()).toEqual([
      'check_external_position_break',
      'create_broker_orders_from_contract_orders',
      'generate_force_roll_orders',
      'handle_completed_orders',
      'process_fills_stack',
      'refresh_additional_sampling_all_instruments',
      'safe_stack_removal',
      'spawn_children_from_new_instrument_orders',
      // the roll tool's automatic mode, where the control config lists it (not by default)
      'update_roll_status',
    ]);
  });

  it('run an order through one long-lived handler, then end of day on completion', async () => {
    const nc = await nats.connect();
    const { broker, methods, ctx, pass } = stackMethodsHarness(nc, 'pmstack');
    // The order services accept only stored instruments and configured strategies.
    await (await JetStreamPriceStore.open(nc, 'pmstack')).putInstrumentConfig({ instrumentCode: 'SOFR' });
    // The first method run opens the handler, which serves the order services.
    await methods.check_external_position_break!(ctx('check_external_position_break'));
    const io = await callService<InstrumentOrder>(nc, 'pmstack.orders.instrument.create', {
      strategy_name: 'example',
      instrument_code: 'SOFR',
      trade: 1,
      order_type: 'market',
    });
    await pass();
    const view = await callService<InstrumentOrder[]>(nc, 'pmstack.orders.view.instrument', {});
    expect(view.find((o) => o.id === io.id)?.state).toBe('completed');
    await methods.safe_stack_removal!(ctx('safe_stack_removal'));
    expect(await broker.positions()).toEqual([
      { instrumentCode: 'SOFR', contractDate: '202612', position: 1 },
    ]);
    await expect(callService(nc, 'pmstack.orders.view.instrument', {}, 500)).rejects.toThrow(); // services stopped
  });

  it('generate_force_roll_orders rolls a Force instrument from the stored state; additional sampling stores spreads', async () => {
    const nc = await nats.connect();
    const { broker, methods, ctx, clock, pass } = stackMethodsHarness(nc, 'pmroll');
    const prices = await JetStreamPriceStore.open(nc, 'pmroll');
    await prices.putInstrumentConfig({ instrumentCode: 'GOLD' });
    await prices.putMultiplePrices('GOLD', goldOneRow(T0));
    const loop = () => pass({ breakCheck: false });
    await methods.check_external_position_break!(ctx('check_external_position_break'));
    await callService(nc, 'pmroll.orders.instrument.create', {
      strategy_name: 'example',
      instrument_code: 'GOLD',
      trade: 2,
      order_type: 'market',
    });
    await loop();
    await changeRollState({ nc, prefix: 'pmroll', clock }, 'GOLD', 'Force');
    await methods.generate_force_roll_orders!(ctx('generate_force_roll_orders'));
    // the roll's spread takes the best algo (C6): at a constant price its passive limit (one spread
    // at a time) rests until the passive time-out, then goes aggressive and fills (E2)
    for (let spread = 0; spread < 2; spread++) {
      await loop();
      clock.advance(301_000);
    }
    await loop();
    const byContract = (await broker.positions()).map((p) => [p.contractDate, p.position]);
    // the broker's positions: all in the forward, nothing left in the priced contract
    expect(byContract).toEqual([['20270200', 2]]);
    // spawning re-reads the stored state: nothing left in the priced contract → Passive (C2)
    expect(await readRollStates(nc, 'pmroll')).toEqual({ GOLD: 'Passive' });
    await methods.refresh_additional_sampling_all_instruments!(
      ctx('refresh_additional_sampling_all_instruments'),
    );
    const [sample] = await readSpreadSamples(nc, 'pmroll', 'GOLD');
    expect(sample).toMatchObject({ instrument_code: 'GOLD', contract_date: '20261200', time: clock.now() });
    expect(sample!.spread).toBeCloseTo(sample!.ask - sample!.bid, 12);
    expect(sample!.spread).toBeGreaterThan(0);
    await methods.safe_stack_removal!(ctx('safe_stack_removal'));
  });
});
