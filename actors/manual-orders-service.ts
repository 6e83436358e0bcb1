/**
 * interactive_order_stack's "Create force roll contract orders" and "Cash FX trade" (digest H4)
 * as NATS services, served by the stack handler beside the order services (its stacks, its
 * broker connection):
 * - `<prefix>.orders.roll.force` `{instrument_code}`: the roll orders of one instrument now,
 *   through `generateForceRollOrders` (the same decisions as the stack handler's
 *   generate_force_roll_orders: J1's rules, a roll state of Force, Force_Outright or Close);
 *   refused (409, with the reason) when the rules make none;
 * - `<prefix>.orders.fx.balances`: cash per currency at the broker;
 * - `<prefix>.orders.fx.trade` `{pair, side, amount}`: a spot FX market order at the broker
 *   (not an order on our stacks).
 * Bad input is answered with 400 and changes nothing.
 */
import { randomUUID } from 'node:crypto';
import type { Service } from '@nats-io/services';
import type { NatsConnection } from '@nats-io/transport-node';
import { z } from 'zod';
import type { BrokerPort } from '../src/broker/port.ts';
import { nameSchema } from '../src/bus/schemas/names.ts';
import { ErrorCodes, endpoint, ServiceError, startService } from '../src/bus/service.ts';
import { subject } from '../src/bus/subjects.ts';
import type { Clock } from '../src/clock.ts';
import type { RollOrderResult } from './rolls/roll-orders.ts';
import { assertKnown, type KnownNames, UnknownNameError } from './universe.ts';

const currencyPair = z
  .string()
  .regex(/^[A-Z]{3}[A-Z]{3}$/, 'a currency pair is six capital letters, e.g. GBPUSD')
  .refine((p) => p.slice(0, 3) !== p.slice(3), 'a currency pair names two different currencies');

export const manualOrderSchemas = {
  forceRoll: z.strictObject({ instrument_code: nameSchema() }),
  fxBalances: z.strictObject({}),
  fxTrade: z.strictObject({
    pair: currencyPair,
    side: z.enum(['buy', 'sell']),
    amount: z.number().int('amount must be a whole number of units').positive('amount must be positive'),
  }),
};

export const MANUAL_ORDER_SUBJECTS = {
  forceRoll: ['orders', 'roll', 'force'],
  fxBalances: ['orders', 'fx', 'balances'],
  fxTrade: ['orders', 'fx', 'trade'],
} as const;

export interface ManualOrderDeps {
  names: KnownNames;
  broker: BrokerPort;
  clock: Clock;
  /** The roll orders of one instrument (generateForceRollOrders with `only`). */
  forceRoll(instrumentCode: string): Promise<RollOrderResult>;
}

/** A broker's refusal (no rate, not connected) as a reply the caller can read. */
async function atBroker<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof ServiceError) throw err;
    throw new ServiceError(
      ErrorCodes.unprocessable,
      `${what}: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
}

export async function startManualOrderServices(
  nc: NatsConnection,
  prefix: string,
  deps: ManualOrderDeps,
): Promise<Service> {
  return startService(nc, {
    name: 'systack-orders-manual',
    version: '1.0.0',
    description: 'Force roll orders on demand and cash FX trades (interactive_order_stack)',
    endpoints: [
      endpoint({
        name: 'roll_force',
        subject: subject(prefix, ...MANUAL_ORDER_SUBJECTS.forceRoll),
        description: 'create the force roll orders of one instrument now',
        schema: manualOrderSchemas.forceRoll,
        handler: async (b) => {
          try {
            await assertKnown(deps.names, b);
          } catch (err) {
            if (err instanceof UnknownNameError) throw new ServiceError(ErrorCodes.badRequest, err.message);
            throw err;
          }
          const { decisions, created } = await deps.forceRoll(b.instrument_code);
          const d = decisions[0];
          if (created.length === 0)
            throw new ServiceError(
              ErrorCodes.conflict,
              `no roll orders for ${b.instrument_code}: ${d && 'skipped' in d ? d.skipped : 'nothing to roll'}`,
            );
          const plan = d && 'plan' in d ? d.plan : undefined;
          return {
            instrument_code: b.instrument_code,
            roll_state: plan?.rollState,
            instrument_order_id: created[0],
            strategy_name: plan?.strategyName,
            contract_orders: plan?.contractOrders.map((c) => ({
              contract_dates: c.contractDates,
              trades: c.trades,
            })),
          };
        },
      }),
      endpoint({
        name: 'fx_balances',
        subject: subject(prefix, ...MANUAL_ORDER_SUBJECTS.fxBalances),
        description: 'cash balances per currency at the broker',
        schema: manualOrderSchemas.fxBalances,
        handler: () => atBroker('cash balances', () => deps.broker.cashBalances()),
      }),
      endpoint({
        name: 'fx_trade',
        subject: subject(prefix, ...MANUAL_ORDER_SUBJECTS.fxTrade),
        description:
          'a spot FX market order at the broker (pair in market convention, side, amount of the first currency)',
        schema: manualOrderSchemas.fxTrade,
        handler: async (b) => {
          const ccy1 = b.pair.slice(0, 3);
          const ccy2 = b.pair.slice(3);
          const orderRef = `fx-${b.pair}-${deps.clock.now()}-${randomUUID().slice(0, 8)}`;
          const qty = b.side === 'buy' ? b.amount : -b.amount;
          const placed = await atBroker(`FX trade ${b.pair}`, () =>
            deps.broker.placeFxOrder({ orderRef, ccy1, ccy2, qty }),
          );
          return {
            order_ref: placed.orderRef,
            pair: b.pair,
            side: b.side,
            amount: b.amount,
            broker_order_id: placed.tempId,
          };
        },
      }),
    ],
  });
}
