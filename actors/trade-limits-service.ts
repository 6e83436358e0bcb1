/**
 * Trade limits over NATS (the reference's interactive_controls "Trade limits": view, change,
 * reset): `<prefix>.control.trade_limits.{list,set,reset,delete}`. Requests are zod-validated and
 * checked against the universe (known instrument and strategy); a bad one is answered with 400 and
 * changes nothing. `systack control trade-limits` does the same against the KV store directly, so
 * it works whether or not a process hosting this service runs.
 */
import type { Service } from '@nats-io/services';
import type { NatsConnection } from '@nats-io/transport-node';
import { z } from 'zod';
import { nameSchema } from '../src/bus/schemas/names.ts';
import { ErrorCodes, endpoint, ServiceError, startService } from '../src/bus/service.ts';
import { subject } from '../src/bus/subjects.ts';
import type { Clock } from '../src/clock.ts';
import { type TradeLimit, tradeLimitRow } from '../src/domain/orders/trade-limits.ts';
import { TradeLimitNotFoundError, type TradeLimitsStore } from '../src/store/trade-limits-store.ts';
import { assertKnown, UnknownNameError, type Universe } from './universe.ts';

const name = nameSchema(/^[-_=a-zA-Z0-9]+$/, 'letters, digits, -, _ or =');
const target = { instrument_code: name, strategy_name: name.optional() };
const periodDays = z.number().int().min(1).max(3650);

export const tradeLimitSchemas = {
  list: z.strictObject({}),
  set: z.strictObject({ ...target, period_days: periodDays, trade_limit: z.number().int().min(0).max(1e9) }),
  reset: z.strictObject({ ...target, period_days: periodDays.optional() }),
  delete: z.strictObject({ ...target, period_days: periodDays }),
};

/** The operations, shared by the service and the CLI; errors are ServiceErrors with a code. */
export function tradeLimitOps(store: TradeLimitsStore, clock: Clock, universe: Universe) {
  const rows = (ls: TradeLimit[]) => ls.map((l) => tradeLimitRow(l, clock.now()));
  const guard = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof UnknownNameError) throw new ServiceError(ErrorCodes.badRequest, err.message);
      if (err instanceof TradeLimitNotFoundError) throw new ServiceError(ErrorCodes.notFound, err.message);
      throw err;
    }
  };
  return {
    list: async () => rows(await store.list()),
    set: (r: z.infer<typeof tradeLimitSchemas.set>) =>
      guard(async () => {
        await assertKnown(universe, r);
        return rows([await store.set(r, r.period_days, r.trade_limit, clock.now())]);
      }),
    reset: (r: z.infer<typeof tradeLimitSchemas.reset>) =>
      guard(async () => rows(await store.reset(r, clock.now(), r.period_days))),
    delete: (r: z.infer<typeof tradeLimitSchemas.delete>) =>
      guard(async () => {
        await store.delete(r, r.period_days);
        return rows(await store.list());
      }),
  };
}

export async function startTradeLimitsService(
  nc: NatsConnection,
  prefix: string,
  store: TradeLimitsStore,
  clock: Clock,
  universe: Universe,
): Promise<Service> {
  const ops = tradeLimitOps(store, clock, universe);
  const s = (op: string) => subject(prefix, 'control', 'trade_limits', op);
  return startService(nc, {
    name: 'trade-limits',
    version: '1.0.0',
    description: 'Trade limits per instrument and per strategy × instrument over a period in days',
    endpoints: [
      endpoint({
        name: 'list',
        subject: s('list'),
        description: 'every trade limit with its count and spare capacity',
        schema: tradeLimitSchemas.list,
        handler: () => ops.list(),
      }),
      endpoint({
        name: 'set',
        subject: s('set'),
        description: 'set a trade limit (a new one starts at zero; a changed one keeps its count)',
        schema: tradeLimitSchemas.set,
        handler: (r) => ops.set(r),
      }),
      endpoint({
        name: 'reset',
        subject: s('reset'),
        description: 'reset the count of a target (one period, or all its periods)',
        schema: tradeLimitSchemas.reset,
        handler: (r) => ops.reset(r),
      }),
      endpoint({
        name: 'delete',
        subject: s('delete'),
        description: 'remove a trade limit',
        schema: tradeLimitSchemas.delete,
        handler: (r) => ops.delete(r),
      }),
    ],
  });
}
