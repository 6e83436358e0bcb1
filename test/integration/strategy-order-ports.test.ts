import type { NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { NatsStrategyStateSource, ServiceUnavailable } from '../../actors/strategy-order-ports.ts';
import { endpoint, startService } from '../../src/bus/service.ts';
import { startFakeOrderStack } from '../support/fake-order-stack.ts';
import { startTestNats, type TestNats } from '../support/nats.ts';

let t: TestNats;
let nc: NatsConnection;
beforeAll(async () => {
  t = await startTestNats();
  nc = await t.connect();
});
afterAll(async () => t?.stop());

/** A service answering one subject with a fixed reply. */
const answer = (name: string, subj: string, reply: unknown) =>
  startService(nc, {
    name,
    version: '0.0.1',
    description: name,
    endpoints: [
      endpoint({
        name,
        subject: subj,
        description: name,
        schema: z.object({}).passthrough(),
        handler: () => reply,
      }),
    ],
  });

describe('the order generator reads the order stack services (real subjects and shapes)', () => {
  it("maps the stack's positions, this strategy's active orders and the locks", async () => {
    const stack = await startFakeOrderStack(nc, 'good');
    stack.strategyPositions.push(
      { strategyName: 's', instrumentCode: 'GOLD', position: 2 },
      { strategyName: 'other', instrumentCode: 'GOLD', position: -1 },
    );
    stack.orders.push(
      { id: 1, strategyName: 's', instrumentCode: 'GOLD', trade: 3, fill: 1, active: true },
      { id: 2, strategyName: 's', instrumentCode: 'GOLD', trade: 5, fill: 5, active: false },
      { id: 3, strategyName: 'other', instrumentCode: 'GOLD', trade: 1, fill: 0, active: true },
    );
    stack.locks.SP500 = 'break';
    const state = await new NatsStrategyStateSource(nc, 'good').stackState('s');
    expect(state).toEqual({
      positions: [
        { strategy_name: 's', instrument_code: 'GOLD', position: 2 },
        { strategy_name: 'other', instrument_code: 'GOLD', position: -1 },
      ],
      open_orders: [{ strategy_name: 's', instrument_code: 'GOLD', trade: 3, fill: 1 }],
      locked_instruments: ['SP500'],
    });
  });

  it('a stack that does not answer is an error; a malformed answer names the subject and field', async () => {
    await expect(new NatsStrategyStateSource(nc, 'nobody').stackState('s')).rejects.toBeInstanceOf(
      ServiceUnavailable,
    );
    await answer('bad_positions', 'bad.orders.view.positions', {
      strategy: [{ strategyName: 's' }],
      locks: {},
    });
    await answer('bad_orders', 'bad.orders.view.instrument', []);
    await expect(new NatsStrategyStateSource(nc, 'bad').stackState('s')).rejects.toThrow(
      /unexpected reply from bad\.orders\.view\.positions: strategy\.0\.instrumentCode/,
    );
  });

  it('roll states: none answering is undefined (Passive upstream); a bad state is an error', async () => {
    expect(await new NatsStrategyStateSource(nc, 'norolls').rollStates()).toBeUndefined();
    await answer('rolls', 'rolls.rolls.state.list', [{ instrument_code: 'GOLD', roll_state: 'Force' }]);
    expect(await new NatsStrategyStateSource(nc, 'rolls').rollStates()).toEqual({ GOLD: 'Force' });
    await answer('badrolls', 'badrolls.rolls.state.list', [
      { instrument_code: 'GOLD', roll_state: 'Rolling' },
    ]);
    await expect(new NatsStrategyStateSource(nc, 'badrolls').rollStates()).rejects.toThrow(/roll_state/);
  });
});
