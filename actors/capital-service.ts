/**
 * Capital over NATS: micro-service endpoints `<prefix>.capital.<op>` (digest §5), each a thin
 * zod-validated wrapper of `CapitalOps`. A bad request is answered with 400 and writes nothing.
 */
import type { Service } from '@nats-io/services';
import type { NatsConnection } from '@nats-io/transport-node';
import { z } from 'zod';
import { endpoint, startService } from '../src/bus/service.ts';
import { subject } from '../src/bus/subjects.ts';
import { nameSchema } from '../src/bus/schemas/names.ts';
import type { CapitalOps } from './capital-ops.ts';

const amount = z.number().finite();
const optionalValue = z.strictObject({ account_value: amount.positive().optional() });
const positive = z.strictObject({ amount: amount.positive() });
const empty = z.strictObject({});

export const capitalSchemas = {
  update: optionalValue,
  accept: optionalValue,
  deposit: positive,
  withdraw: positive,
  initialise: z.strictObject({
    broker_account_value: amount.positive(),
    total_capital: amount.min(0).optional(),
    max_capital: amount.min(0).optional(),
    accumulated_pnl: amount.optional(),
  }),
  modify: z
    .strictObject({
      broker_account_value: amount.min(0).optional(),
      total_capital: amount.min(0).optional(),
      max_capital: amount.min(0).optional(),
      accumulated_pnl: amount.optional(),
    })
    .refine((o) => Object.keys(o).length > 0, 'give at least one value to modify'),
  delete_since: z.strictObject({ since: z.iso.datetime({ offset: true }) }),
  ledger_add: z.strictObject({
    strategy_name: nameSchema(),
    kind: z.enum(['allowance', 'pnl', 'fees', 'deposit', 'withdrawal']),
    amount,
  }),
};

export async function startCapitalService(
  nc: NatsConnection,
  prefix: string,
  ops: CapitalOps,
): Promise<Service> {
  const s = (op: string) => subject(prefix, 'capital', op);
  return startService(nc, {
    name: 'capital',
    version: '1.0.0',
    description: 'Total capital, flows and strategy capital (pysystemtrade capital)',
    endpoints: [
      endpoint({
        name: 'show',
        subject: s('show'),
        description: 'current capital',
        schema: empty,
        handler: () => ops.show(),
      }),
      endpoint({
        name: 'history',
        subject: s('history'),
        description: 'capital rows, oldest first',
        schema: empty,
        handler: () => ops.history(),
      }),
      endpoint({
        name: 'update',
        subject: s('update'),
        description: 'update total capital from the broker account value',
        schema: capitalSchemas.update,
        handler: (r) => ops.update(r.account_value),
      }),
      endpoint({
        name: 'accept',
        subject: s('accept'),
        description: 'accept a held large change after a fresh poll',
        schema: capitalSchemas.accept,
        handler: (r) => ops.accept(r.account_value),
      }),
      endpoint({
        name: 'deposit',
        subject: s('deposit'),
        description: 'record a deposit',
        schema: capitalSchemas.deposit,
        handler: (r) => ops.flow(r.amount),
      }),
      endpoint({
        name: 'withdraw',
        subject: s('withdraw'),
        description: 'record a withdrawal',
        schema: capitalSchemas.withdraw,
        handler: (r) => ops.flow(-r.amount),
      }),
      endpoint({
        name: 'initialise',
        subject: s('initialise'),
        description: 'create the first capital row',
        schema: capitalSchemas.initialise,
        handler: (r) => ops.initialise(r),
      }),
      endpoint({
        name: 'modify',
        subject: s('modify'),
        description: 'modify any capital value',
        schema: capitalSchemas.modify,
        handler: (r) => ops.modify(r),
      }),
      endpoint({
        name: 'delete_since',
        subject: s('delete_since'),
        description: 'delete capital rows since a time',
        schema: capitalSchemas.delete_since,
        handler: (r) => ops.deleteSince(Date.parse(r.since)),
      }),
      endpoint({
        name: 'allocate',
        subject: s('allocate'),
        description: 'allocate capital to strategies',
        schema: empty,
        handler: () => ops.allocate(),
      }),
      endpoint({
        name: 'ledger_add',
        subject: s('ledger_add'),
        description: "add to an allowance strategy's ledger",
        schema: capitalSchemas.ledger_add,
        handler: (r) => ops.ledgerAdd(r.strategy_name, r.kind, r.amount),
      }),
    ],
  });
}
