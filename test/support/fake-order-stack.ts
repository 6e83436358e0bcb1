/**
 * A stand-in for the order stack services (`actors/stack/services.ts` on the stack branch):
 * the three endpoints the strategy order generator uses, with the same subjects and reply
 * shapes, and the stack's netting on insert (digest B5): the new order is the residual of the
 * desired trade after the unfilled parts of active orders with the same key; a zero residual
 * or a locked instrument is refused with 409 and changes nothing. Unlike the stack's current
 * schema it accepts a zero trade (B1 zero orders), which the generator relies on.
 */
import type { Service } from '@nats-io/services';
import type { NatsConnection } from '@nats-io/transport-node';
import { z } from 'zod';
import { endpoint, ServiceError, startService } from '../../src/bus/service.ts';
import { subject } from '../../src/bus/subjects.ts';

export interface FakeInstrumentOrder {
  id: number;
  strategyName: string;
  instrumentCode: string;
  trade: number;
  fill: number;
  active: boolean;
  referencePrice?: number;
  referenceContract?: string;
}

export interface FakeOrderStack {
  orders: FakeInstrumentOrder[];
  strategyPositions: Array<{ strategyName: string; instrumentCode: string; position: number }>;
  locks: Record<string, string>;
  /** Bodies of every create request, accepted or not. */
  requests: unknown[];
  service: Service;
}

const createBody = z
  .object({
    strategy_name: z.string().min(1),
    instrument_code: z.string().min(1),
    trade: z.number().int(),
    reference_price: z.number().finite().optional(),
    reference_contract: z
      .string()
      .regex(/^\d{6}(\d{2})?$/)
      .optional(),
    reference_datetime: z.union([z.number().int(), z.iso.datetime()]).optional(),
  })
  .strict();

export async function startFakeOrderStack(nc: NatsConnection, prefix: string): Promise<FakeOrderStack> {
  const stack: Omit<FakeOrderStack, 'service'> = {
    orders: [],
    strategyPositions: [],
    locks: {},
    requests: [],
  };
  const service = await startService(nc, {
    name: 'fake-orders',
    version: '0.0.1',
    description: 'order stack stand-in',
    endpoints: [
      endpoint({
        name: 'view_instrument',
        subject: subject(prefix, 'orders', 'view', 'instrument'),
        description: 'instrument orders',
        schema: z.object({ active_only: z.boolean().optional() }).strict(),
        handler: (b) => stack.orders.filter((o) => !b.active_only || o.active),
      }),
      endpoint({
        name: 'view_positions',
        subject: subject(prefix, 'orders', 'view', 'positions'),
        description: 'positions and locks',
        schema: z.object({}).strict(),
        handler: () => ({ contract: [], strategy: stack.strategyPositions, broker: [], locks: stack.locks }),
      }),
      endpoint({
        name: 'instrument_create',
        subject: subject(prefix, 'orders', 'instrument', 'create'),
        description: 'create with netting on insert',
        schema: createBody,
        handler: (b) => {
          stack.requests.push(b);
          if (stack.locks[b.instrument_code])
            throw new ServiceError(409, `instrument ${b.instrument_code} is locked`);
          const outstanding = stack.orders
            .filter(
              (o) => o.active && o.strategyName === b.strategy_name && o.instrumentCode === b.instrument_code,
            )
            .reduce((s, o) => s + (o.trade - o.fill), 0);
          const residual = b.trade - outstanding;
          if (residual === 0)
            throw new ServiceError(
              409,
              'Ignoring new order as either zero size or it replicates an existing order',
            );
          const order: FakeInstrumentOrder = {
            id: stack.orders.length + 1,
            strategyName: b.strategy_name,
            instrumentCode: b.instrument_code,
            trade: residual,
            fill: 0,
            active: true,
            referencePrice: b.reference_price,
            referenceContract: b.reference_contract,
          };
          stack.orders.push(order);
          return order;
        },
      }),
    ],
  });
  return Object.assign(stack, { service });
}
